//! Top, diff and leak tables. Every row carries the contract's raw `data-*` values; the text
//! is in human units with the exact value on hover.

use super::app::Store;
use crate::protocol::{DiffRowOut, Response, TopRowOut};
use crate::units::{human, pct, signed};
use crate::view::state::{Action, SortBy};
use std::rc::Rc;
use yew::prelude::*;

/// An `Rc` compared by pointer, so big answers are not compared deeply on every render.
#[derive(Clone)]
pub struct Shared<T>(pub Rc<T>);

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Rows rendered at first by the diff table (the contract asks for at least 200); the rest on request.
const PAGE: usize = 250;

/// HTML-escapes text for element content and double-quoted attribute values.
fn esc(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Appends `<td class="…" title="…">text</td>` (escaped; no title when empty).
fn td(out: &mut String, class: &str, title: &str, text: &str) {
    out.push_str("<td role=\"cell\" class=\"");
    out.push_str(class);
    if !title.is_empty() {
        out.push_str("\" title=\"");
        esc(out, title);
    }
    out.push_str("\">");
    esc(out, text);
    out.push_str("</td>");
}

/// Appends `<open title="name">name</close>`, escaped: the function-name cell of a row.
fn name_cell(out: &mut String, open: &str, close: &str, name: &str) {
    out.push('<');
    out.push_str(open);
    out.push_str(" title=\"");
    esc(out, name);
    out.push_str("\">");
    esc(out, name);
    out.push_str("</");
    out.push_str(close);
    out.push('>');
}

/// A click on a table row focuses the flame graph on its function.
fn focus_row(dispatch: &UseReducerDispatcher<Store>) -> Callback<String> {
    let d = dispatch.clone();
    Callback::from(move |name: String| d.dispatch(Action::Focus(Some(name))))
}

/// Props of [`RawBody`].
#[derive(Properties, PartialEq)]
pub struct RawBodyProps {
    /// The rows, as HTML built with [`esc`].
    pub html: AttrValue,
    /// Called with `data-function` of a clicked row.
    pub onrow: Callback<String>,
    /// Rows whose name the HTML parser would change (NUL, CR): (row index, exact name). They
    /// get their `data-function`, title and text set directly after the rows are parsed.
    pub exact_names: Rc<Vec<(u32, String)>>,
}

/// Names that cannot pass through HTML source unchanged: the parser turns NUL into U+FFFD and
/// CR LF into LF.
fn needs_exact(name: &str) -> bool {
    name.contains(['\0', '\r'])
}

/// A `<tbody>` filled from an HTML string in one step, with one click listener for all rows.
/// Big tables render in a few milliseconds this way; a virtual-DOM node per cell took hundreds
/// on a 30,000-function profile's first page.
#[function_component(RawBody)]
pub fn raw_body(p: &RawBodyProps) -> Html {
    let tbody = use_node_ref();
    {
        let tbody = tbody.clone();
        use_effect_with((p.html.clone(), p.exact_names.clone()), move |(html, exact)| {
            if let Some(el) = tbody.cast::<web_sys::Element>() {
                el.set_inner_html(html);
                let rows = el.children();
                for (i, name) in exact.iter() {
                    if let Some(tr) = rows.item(*i) {
                        let _ = tr.set_attribute("data-function", name);
                        if let Ok(Some(span)) = tr.query_selector(".fn") {
                            let _ = span.set_attribute("title", name);
                            span.set_text_content(Some(name));
                        }
                    }
                }
            }
        });
    }
    let onrow = p.onrow.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        use wasm_bindgen::JsCast;
        let row =
            e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|el| el.closest("tr[data-function]").ok().flatten());
        if let Some(name) = row.and_then(|r| r.get_attribute("data-function")) {
            onrow.emit(name);
        }
    });
    html! { <tbody role="rowgroup" ref={tbody} {onclick}></tbody> }
}

fn exact(v: i64, unit: &str) -> String {
    if unit.is_empty() {
        format!("{v}")
    } else {
        format!("{v} {unit}")
    }
}

/// "Show all N rows" while only the first page is rendered.
fn show_all_button(limit: &UseStateHandle<usize>, shown: usize, n: usize) -> Html {
    if shown >= n {
        return html! {};
    }
    let limit = limit.clone();
    html! { <button class="more" onclick={Callback::from(move |_| limit.set(n))}>{ format!("Show all {n} rows") }</button> }
}

fn header(label: &str, by: SortBy, cur: SortBy, dispatch: &UseReducerDispatcher<Store>, class: &str) -> Html {
    let d = dispatch.clone();
    let active = by == cur;
    html! {
        <th role="columnheader" class={classes!(class.to_string(), "sortable", active.then_some("sorted"))} aria-sort={if active { "descending" } else { "none" }}>
            <button onclick={Callback::from(move |_| d.dispatch(Action::Sort(by)))}>{ label.to_string() }{ if active { " ▾" } else { "" } }</button>
        </th>
    }
}

/// Props of [`TopTable`].
#[derive(Properties, PartialEq)]
pub struct TopProps {
    /// The `Response::Top`.
    pub resp: Shared<Response>,
    /// Sort.
    pub sort: SortBy,
    /// Search text (matching rows are marked).
    pub search: String,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<Store>,
}

/// The top table: the worker sends the first rows in the current order; "Show all" asks for
/// the rest.
#[function_component(TopTable)]
pub fn top_table(p: &TopProps) -> Html {
    let Response::Top { sample_type, unit, total, rows, n_rows, .. } = &*p.resp.0 else { return html! {} };
    let sort = match p.sort {
        SortBy::Cum | SortBy::Name | SortBy::Flat => p.sort,
        _ => SortBy::Flat,
    };
    let search = crate::analysis::Search::new(&p.search);
    let mut running = 0i64;
    let mut body = String::with_capacity(rows.len() * 400);
    let mut exact_names = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let r: &TopRowOut = r;
        if needs_exact(&r.name) {
            exact_names.push((i as u32, r.name.clone()));
        }
        running += r.flat;
        let hit = search.as_ref().is_some_and(|s| s.is_match(&r.name));
        body.push_str("<tr role=\"row\" data-function=\"");
        esc(&mut body, &r.name);
        body.push_str(&format!("\" data-flat=\"{}\" data-cum=\"{}\"{}>", r.flat, r.cum, if hit { " class=\"match\"" } else { "" }));
        td(&mut body, "num", &exact(r.flat, unit), &human(r.flat, unit));
        td(&mut body, "num", "", &pct(r.flat, *total));
        td(&mut body, "num", "", &if sort == SortBy::Flat { pct(running, *total) } else { String::new() });
        td(&mut body, "num", &exact(r.cum, unit), &human(r.cum, unit));
        td(&mut body, "num", "", &pct(r.cum, *total));
        name_cell(&mut body, "td role=\"cell\" class=\"name fn\"", "td", &r.name);
        body.push_str("</tr>");
    }
    let onrow = focus_row(&p.dispatch);
    let n = (*n_rows as usize).max(rows.len());
    let more = if rows.len() < n {
        let d = p.dispatch.clone();
        html! { <button class="more" onclick={Callback::from(move |_| d.dispatch(Action::TopLimit(0)))}>{ format!("Show all {n} rows") }</button> }
    } else {
        html! {}
    };
    html! {
        <section class="top">
            <p class="total">{ format!("{n} functions, total {} ({})", human(*total, unit), exact(*total, unit)) }</p>
            if n == 0 { <p class="muted">{ format!("Nothing recorded for {sample_type}: its total is 0.") }</p> }
            <table data-testid="top-table" data-total={total.to_string()} data-sample-type={sample_type.clone()} class="grid fixed" role="table"
                title="Click a row to focus the flame graph on that function">
                <thead role="rowgroup"><tr role="row">
                    { header("flat", SortBy::Flat, sort, &p.dispatch, "num") }
                    <th role="columnheader" class="num">{"flat%"}</th>
                    <th role="columnheader" class="num">{"sum%"}</th>
                    { header("cum", SortBy::Cum, sort, &p.dispatch, "num") }
                    <th role="columnheader" class="num">{"cum%"}</th>
                    { header("function", SortBy::Name, sort, &p.dispatch, "name") }
                </tr></thead>
                <RawBody html={AttrValue::from(body)} {onrow} exact_names={Rc::new(exact_names)} />
            </table>
            { more }
        </section>
    }
}

/// Props of [`DiffTable`].
#[derive(Properties, PartialEq)]
pub struct DiffProps {
    /// The `Response::Diff`.
    pub resp: Shared<Response>,
    /// Sort.
    pub sort: SortBy,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<Store>,
    /// Base file name.
    pub base_file: String,
    /// Target file name.
    pub target_file: String,
}

/// The diff table.
#[function_component(DiffTable)]
pub fn diff_table(p: &DiffProps) -> Html {
    let limit = use_state(|| PAGE);
    let Response::Diff {
        sample_type,
        unit,
        base_total,
        target_total,
        rows,
        error,
        warnings,
        point_in_time,
        base_duration,
        target_duration,
    } = &*p.resp.0
    else {
        return html! {};
    };
    let sort = match p.sort {
        SortBy::Flat | SortBy::Delta => SortBy::Delta,
        s => s,
    };
    let sorted: Rc<Vec<usize>> = {
        let resp = p.resp.clone();
        use_memo((resp, sort), |(resp, sort)| {
            let Response::Diff { rows, .. } = &*resp.0 else { return vec![] };
            let mut ix: Vec<usize> = (0..rows.len()).collect();
            let key = |r: &DiffRowOut| -> u64 {
                match sort {
                    SortBy::Base => r.base.unsigned_abs(),
                    SortBy::Target => r.target.unsigned_abs(),
                    SortBy::Cum => (r.target_cum - r.base_cum).unsigned_abs(),
                    _ => 0,
                }
            };
            match sort {
                SortBy::Name => ix.sort_by(|&a, &b| rows[a].name.cmp(&rows[b].name)),
                SortBy::Delta => {}
                _ => ix.sort_by(|&a, &b| key(&rows[b]).cmp(&key(&rows[a])).then_with(|| rows[a].name.cmp(&rows[b].name))),
            }
            ix
        })
    };
    let rates = !*point_in_time && *base_duration > 0 && *target_duration > 0;
    let rate = |v: i64, d: i64| format!("{}/s", human((v as f64 * 1e9 / d as f64).round() as i64, unit));
    let shown = sorted.len().min(*limit);
    let mut body = String::with_capacity(shown * 500);
    let mut exact_names = Vec::new();
    for (k, &i) in sorted[..shown].iter().enumerate() {
        let r: &DiffRowOut = &rows[i];
        if needs_exact(&r.name) {
            exact_names.push((k as u32, r.name.clone()));
        }
        let delta = r.target - r.base;
        let new = r.base == 0 && r.base_cum == 0;
        let gone = r.target == 0 && r.target_cum == 0;
        body.push_str("<tr role=\"row\" data-function=\"");
        esc(&mut body, &r.name);
        body.push_str(&format!(
            "\" data-base=\"{}\" data-target=\"{}\" data-delta=\"{delta}\" data-base-cum=\"{}\" data-target-cum=\"{}\" class=\"{}\">",
            r.base,
            r.target,
            r.base_cum,
            r.target_cum,
            if delta > 0 {
                "grew"
            } else if delta < 0 {
                "shrank"
            } else {
                ""
            }
        ));
        td(&mut body, "num", &exact(r.base, unit), &human(r.base, unit));
        td(&mut body, "num", &exact(r.target, unit), &human(r.target, unit));
        td(&mut body, "num delta", &exact(delta, unit), &signed(delta, unit));
        td(&mut body, "num", "", &pct(delta, *base_total));
        td(&mut body, "num", &exact(r.base_cum, unit), &human(r.base_cum, unit));
        td(&mut body, "num", &exact(r.target_cum, unit), &human(r.target_cum, unit));
        if rates {
            td(&mut body, "num", "", &rate(r.base, *base_duration));
            td(&mut body, "num", "", &rate(r.target, *target_duration));
        }
        body.push_str("<td role=\"cell\" class=\"name\">");
        if new {
            body.push_str("<span class=\"badge new\" title=\"not in the base\">new</span>");
        }
        if gone {
            body.push_str("<span class=\"badge gone\" title=\"not in the target\">gone</span>");
        }
        name_cell(&mut body, "span class=\"fn\"", "span", &r.name);
        body.push_str("</td></tr>");
    }
    let onrow = focus_row(&p.dispatch);
    let more = show_all_button(&limit, shown, sorted.len());
    let semantics = if *point_in_time {
        format!("{sample_type} is a point-in-time quantity: a positive delta is growth between the snapshots.")
    } else if rates {
        format!(
            "{sample_type} is a cumulative counter: totals depend on how long each profile ran. Rates: base {}, target {}.",
            rate(*base_total, *base_duration),
            rate(*target_total, *target_duration)
        )
    } else {
        format!("{sample_type} is a cumulative counter: totals depend on how long each profile ran.")
    };
    html! {
        <section class="difftable">
            if let Some(e) = error { <p class="error-inline" data-testid="diff-error">{ e.clone() }</p> }
            { for warnings.iter().map(|w| html! { <p class="warning">{ w.clone() }</p> }) }
            if error.is_none() {
                <p class="total">{ format!("base total {} · target total {} · change {} ({} of base)",
                    human(*base_total, unit), human(*target_total, unit), signed(target_total - base_total, unit), pct(target_total - base_total, *base_total)) }</p>
                <p class="muted">{ semantics }</p>
            }
            if error.is_none() && rows.is_empty() { <p class="muted">{"No differences: the two profiles are identical for this sample type."}</p> }
            <table data-testid="diff-table" data-sample-type={sample_type.clone()} data-base-file={p.base_file.clone()}
                data-target-file={p.target_file.clone()} data-base-total={base_total.to_string()} class="grid fixed" role="table">
                <thead role="rowgroup"><tr role="row">
                    { header("base", SortBy::Base, sort, &p.dispatch, "num") }
                    { header("target", SortBy::Target, sort, &p.dispatch, "num") }
                    { header("delta", SortBy::Delta, sort, &p.dispatch, "num") }
                    <th role="columnheader" class="num" title="delta as a percentage of the base total, as pprof">{"delta%"}</th>
                    <th role="columnheader" class="num">{"base cum"}</th>
                    { header("target cum", SortBy::Cum, sort, &p.dispatch, "num") }
                    if rates { <th role="columnheader" class="num">{"base/s"}</th><th role="columnheader" class="num">{"target/s"}</th> }
                    { header("function", SortBy::Name, sort, &p.dispatch, "name") }
                </tr></thead>
                <RawBody html={AttrValue::from(body)} {onrow} exact_names={Rc::new(exact_names)} />
            </table>
            { more }
        </section>
    }
}

fn sparkline(series: &[i64]) -> Html {
    let (w, h) = (96.0, 22.0);
    let min = *series.iter().min().unwrap_or(&0) as f64;
    let max = *series.iter().max().unwrap_or(&0) as f64;
    let span = (max - min).max(1.0);
    let n = series.len().max(2) as f64 - 1.0;
    let pts: Vec<String> = series
        .iter()
        .enumerate()
        .map(|(i, &v)| format!("{:.1},{:.1}", i as f64 / n * w, h - 2.0 - (v as f64 - min) / span * (h - 4.0)))
        .collect();
    html! {
        <svg class="spark" width="96" height="22" viewBox="0 0 96 22" role="img" aria-label="values per snapshot">
            <polyline points={pts.join(" ")} fill="none" stroke="currentColor" stroke-width="1.5" />
        </svg>
    }
}

/// Props of [`LeakTable`].
#[derive(Properties, PartialEq)]
pub struct LeakProps {
    /// The `Response::Leaks`.
    pub resp: Shared<Response>,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<Store>,
}

/// The leak finder's table.
#[function_component(LeakTable)]
pub fn leak_table(p: &LeakProps) -> Html {
    let Response::Leaks(rep) = &*p.resp.0 else { return html! {} };
    let unit = rep.unit.clone();
    let rows = rep.suspects.iter().map(|s| {
        let d = p.dispatch.clone();
        let f = s.function.clone();
        let series: Vec<String> = s.series.iter().map(|v| v.to_string()).collect();
        html! {
            <tr data-function={s.function.clone()} data-rank={s.rank.to_string()} data-growth={s.growth.to_string()}
                data-series={series.join(",")} onclick={Callback::from(move |_| d.dispatch(Action::OpenSuspect(f.clone())))}
                title="Click for the differential flame graph of first vs last snapshot">
                <td class="num">{ s.rank }</td>
                <td class="name"><span class="fn" title={s.function.clone()}>{ s.function.clone() }</span></td>
                <td>{ sparkline(&s.series) }</td>
                <td class="num" title={exact(s.growth, &unit)}>{ signed(s.growth, &unit) }</td>
                <td class="num">{ s.per_minute.map(|m| format!("{}/min", signed(m, &unit))).unwrap_or_else(|| "-".into()) }</td>
                <td class="num">{ format!("{} / {}", s.grew, s.intervals) }</td>
                <td class="reason">{ s.reason.clone() }
                <details onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}><summary>{ format!("{} stack{} behind it", s.evidence.len(), if s.evidence.len() == 1 { "" } else { "s" }) }</summary>
                    { for s.evidence.iter().map(|e| html! {
                        <div class="stack">
                            <div class="stack-growth">{ format!("{} → {} ({})", human(e.first, &unit), human(e.last, &unit), signed(e.last - e.first, &unit)) }</div>
                            <ol>{ for e.frames.iter().map(|f| html! { <li class={classes!((*f == s.function).then_some("blamed"))}>{ f.clone() }</li> }) }</ol>
                        </div>
                    }) }
                </details>
                </td>
            </tr>
        }
    });
    let groups = if rep.groups.is_empty() {
        html! {}
    } else {
        html! {
            <section class="groups">
                <h3>{"Goroutines by where they wait"}</h3>
                <table class="grid" data-testid="goroutine-groups">
                    <thead><tr><th>{"function"}</th><th>{"waiting on"}</th><th>{"created by"}</th><th class="num">{"longest wait"}</th><th>{"per snapshot"}</th><th class="num">{"last"}</th></tr></thead>
                    <tbody>{ for rep.groups.iter().map(|g| html! {
                        <tr>
                            <td class="name"><span class="fn">{ g.function.clone() }</span></td>
                            <td>{ g.blocking.clone() }</td>
                            <td class="name">{ g.created_by.clone().unwrap_or_default() }</td>
                            <td class="num">{ g.max_minutes.map(|m| format!("{m} min")).unwrap_or_default() }</td>
                            <td>{ sparkline(&g.series) }</td>
                            <td class="num">{ g.series.last().copied().unwrap_or(0) }</td>
                        </tr>
                    }) }</tbody>
                </table>
            </section>
        }
    };
    html! {
        <section class="leaks">
            <p class="total">{ format!("{} snapshots of {} · totals {}", rep.files.len(), rep.sample_type,
                rep.totals.iter().map(|t| human(*t, &unit)).collect::<Vec<_>>().join(" → ")) }</p>
            if let Some(m) = &rep.message { <p class="note" data-testid="leak-message">{ m.clone() }</p> }
            <table data-testid="leak-table" data-sample-type={rep.sample_type.clone()} class="grid">
                <thead><tr><th class="num">{"#"}</th><th>{"function (your code)"}</th><th>{"trend"}</th><th class="num">{"growth"}</th>
                    <th class="num">{"per minute"}</th><th class="num">{"grew in"}</th><th>{"why"}</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            { groups }
        </section>
    }
}
