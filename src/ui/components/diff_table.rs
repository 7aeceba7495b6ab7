//! The diff table: one row per function, base and target values, delta and delta% of the
//! base total (as `go tool pprof -diff_base`), new/gone markers, rates for counters.

use crate::protocol::{DiffRowOut, Response};
use crate::ui::store::Shared;
use crate::ui::tables::{header, hover_title, row_click, row_context, row_keys, RowMaker, Rows};
use crate::units::{human, pct, signed};
use crate::view::state::SortBy;
use std::rc::Rc;
use yew::prelude::*;

/// Rows rendered at first (the contract asks for at least 200); the rest on request.
const PAGE: usize = 250;

/// Props of [`DiffTable`].
#[derive(Properties, PartialEq)]
pub struct DiffTableProps {
    /// The `Response::Diff`.
    pub resp: Shared<Response>,
    /// Sort.
    pub sort: SortBy,
    /// Base display name.
    pub base_file: AttrValue,
    /// Target display name.
    pub target_file: AttrValue,
    /// A column header was clicked.
    pub on_sort: Callback<SortBy>,
    /// A row was clicked (its function name).
    pub on_row: Callback<String>,
    /// A row's context menu (its function name, where to open it).
    pub on_menu: Callback<(String, f64, f64)>,
}

fn sort_of(s: SortBy) -> SortBy {
    match s {
        SortBy::Flat | SortBy::Delta => SortBy::Delta,
        s => s,
    }
}

/// Row order for a sort (the worker sends them by |delta|, then name).
fn order(resp: &Response, sort: SortBy) -> Vec<usize> {
    let Response::Diff { rows, .. } = resp else { return vec![] };
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
}

fn rates(resp: &Response) -> bool {
    matches!(resp, Response::Diff { point_in_time: false, base_duration, target_duration, .. } if *base_duration > 0 && *target_duration > 0)
}

fn rate(v: i64, d: i64, unit: &str) -> String {
    format!("{}/s", human((v as f64 * 1e9 / d as f64).round() as i64, unit))
}

/// Fills the `<tbody>` with the first `shown` rows in `order`.
fn fill(tbody: &web_sys::Element, resp: &Response, order: &[usize]) {
    let Response::Diff { unit, base_total, rows, base_duration, target_duration, .. } = resp else { return };
    let Some(doc) = tbody.owner_document() else { return };
    let rates = rates(resp);
    let mut columns = vec![
        ("num", Some("data-base")),
        ("num", Some("data-target")),
        ("num delta", Some("data-delta")),
        ("num", None),
        ("num", Some("data-base-cum")),
        ("num", Some("data-target-cum")),
    ];
    if rates {
        columns.extend([("num", None), ("num", None)]);
    }
    columns.push(("name", None));
    let Some(m) = RowMaker::new(&doc, &columns, "data-function data-base data-target data-delta data-base-cum data-target-cum")
        .and_then(|m| {
            m.spans(&[("badge new", Ok("not in the base")), ("badge gone", Ok("not in the target")), ("fn", Err("data-function"))])
        })
        .and_then(RowMaker::with_menu)
    else {
        return;
    };
    let mut out = Rows::with_capacity(order.len(), 19);
    for &i in order {
        let r: &DiffRowOut = &rows[i];
        let delta = r.target - r.base;
        out.s(match delta.signum() {
            1 => "grew",
            -1 => "shrank",
            _ => "",
        });
        out.s(&r.name);
        for v in [r.base, r.target, delta, r.base_cum, r.target_cum] {
            out.n(v);
        }
        out.s(&human(r.base, unit)).s(&human(r.target, unit)).s(&signed(delta, unit)).s(&pct(delta, *base_total));
        out.s(&human(r.base_cum, unit)).s(&human(r.target_cum, unit));
        if rates {
            out.s(&rate(r.base, *base_duration, unit)).s(&rate(r.target, *target_duration, unit));
        }
        out.s(if r.base == 0 && r.base_cum == 0 { "new" } else { "" });
        out.s(if r.target == 0 && r.target_cum == 0 { "gone" } else { "" });
        out.s(&r.name);
    }
    m.finish(tbody, &out);
}

/// The diff table.
#[function_component(DiffTable)]
pub fn diff_table(p: &DiffTableProps) -> Html {
    let limit = use_state(|| PAGE);
    let tbody = use_node_ref();
    let sort = sort_of(p.sort);
    let sorted: Rc<Vec<usize>> = use_memo((p.resp.clone(), sort), |(resp, sort)| order(&resp.0, *sort));
    let shown = sorted.len().min(*limit);
    {
        let tbody = tbody.clone();
        use_effect_with((p.resp.clone(), sorted.clone(), shown), move |(resp, sorted, shown)| {
            if let Some(el) = tbody.cast::<web_sys::Element>() {
                fill(&el, &resp.0, &sorted[..*shown]);
            }
        });
    }
    let resp = &*p.resp.0;
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
    } = resp
    else {
        return html! {};
    };
    let rates = rates(resp);
    let more = if shown < sorted.len() {
        let (limit, n) = (limit.clone(), sorted.len());
        html! { <button class="more" onclick={Callback::from(move |_| limit.set(n))}>{ format!("Show all {n} rows") }</button> }
    } else {
        html! {}
    };
    let semantics = if *point_in_time {
        format!("{sample_type} is a point-in-time quantity: a positive delta is growth between the snapshots.")
    } else if rates {
        format!(
            "{sample_type} is a cumulative counter: totals depend on how long each profile ran. Rates: base {}, target {}.",
            rate(*base_total, *base_duration, unit),
            rate(*target_total, *target_duration, unit)
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
                data-target-file={p.target_file.clone()} data-base-total={base_total.to_string()} data-target-total={target_total.to_string()}
                class="grid fixed" role="table">
                <thead role="rowgroup"><tr role="row">
                    { header("base", SortBy::Base, sort, &p.on_sort, "num") }
                    { header("target", SortBy::Target, sort, &p.on_sort, "num") }
                    { header("delta", SortBy::Delta, sort, &p.on_sort, "num") }
                    <th role="columnheader" class="num" title="delta as a percentage of the base total, as pprof">{"delta%"}</th>
                    <th role="columnheader" class="num">{"base cum"}</th>
                    { header("target cum", SortBy::Cum, sort, &p.on_sort, "num") }
                    if rates { <th role="columnheader" class="num">{"base/s"}</th><th role="columnheader" class="num">{"target/s"}</th> }
                    { header("function", SortBy::Name, sort, &p.on_sort, "name") }
                    <th role="columnheader" class="act"><span class="sr-only">{"actions"}</span></th>
                </tr></thead>
                <tbody role="rowgroup" ref={tbody} onclick={row_click(&p.on_row, &p.on_menu)} oncontextmenu={row_context(&p.on_menu)}
                    onkeydown={row_keys(&p.on_menu)} onmouseover={hover_title(unit.clone().into())}></tbody>
            </table>
            { more }
        </section>
    }
}
