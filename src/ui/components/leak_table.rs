//! The leak finder's table: one row per suspect, best first, with a sparkline of its values
//! per snapshot, its growth, the stacks behind it and a one-line reason; and the goroutines
//! grouped by where they wait.

use crate::protocol::Response;
use crate::ui::store::Shared;
use crate::ui::tables::{exact, is_menu_key, menu_cell};
use crate::units::{human, signed};
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// A small line of values per snapshot, scaled as the timeline is (from zero to the largest
/// value) and in the timeline's colour of the suspect (`colour`, its rank − 1, when it is one
/// of the suspects the timeline stacks).
fn sparkline(series: &[i64], colour: Option<usize>) -> Html {
    let (w, h) = (96.0, 22.0);
    let max = series.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = series.len().max(2) as f64 - 1.0;
    let pts: Vec<String> = series
        .iter()
        .enumerate()
        .map(|(i, &v)| format!("{:.1},{:.1}", i as f64 / n * w, h - 2.0 - (v.max(0) as f64 / max) * (h - 4.0)))
        .collect();
    let style = colour.map(|k| format!("color: var(--tl{k})"));
    html! {
        <svg class="spark" style={style} width="96" height="22" viewBox="0 0 96 22" role="img" aria-label="values per snapshot">
            <polyline points={pts.join(" ")} fill="none" stroke="currentColor" stroke-width="1.5" />
        </svg>
    }
}

/// Props of [`LeakTable`].
#[derive(Properties, PartialEq)]
pub struct LeakProps {
    /// The `Response::Leaks`.
    pub resp: Shared<Response>,
    /// A suspect was clicked (its function name).
    pub on_open: Callback<String>,
    /// A suspect's context menu (its function name, where to open it).
    pub on_menu: Callback<(String, f64, f64)>,
}

/// The leak finder's table.
#[function_component(LeakTable)]
pub fn leak_table(p: &LeakProps) -> Html {
    let Response::Leaks(rep) = &*p.resp.0 else { return html! {} };
    let unit = rep.unit.clone();
    let rows = rep.suspects.iter().map(|s| {
        let f = s.function.clone();
        let series: Vec<String> = s.series.iter().map(|v| v.to_string()).collect();
        let on_open = p.on_open.clone();
        let on_menu = p.on_menu.clone();
        let onclick = {
            let (f, on_menu) = (f.clone(), on_menu.clone());
            Callback::from(move |e: MouseEvent| {
                let button = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|el| el.closest(".row-menu").ok().flatten());
                match button {
                    Some(b) => {
                        let r = b.get_bounding_client_rect();
                        on_menu.emit((f.clone(), r.left(), r.bottom()));
                    }
                    None => on_open.emit(f.clone()),
                }
            })
        };
        let oncontextmenu = {
            let (f, on_menu) = (f.clone(), on_menu.clone());
            Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                on_menu.emit((f.clone(), e.client_x() as f64, e.client_y() as f64));
            })
        };
        let onkeydown = Callback::from(move |e: KeyboardEvent| {
            if is_menu_key(&e) {
                e.prevent_default();
                let r = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map(|el| el.get_bounding_client_rect());
                on_menu.emit((f.clone(), r.as_ref().map_or(0.0, |r| r.left()), r.as_ref().map_or(0.0, |r| r.bottom())));
            }
        });
        html! {
            <tr data-function={s.function.clone()} data-rank={s.rank.to_string()} data-growth={s.growth.to_string()}
                data-series={series.join(",")} data-pattern={s.pattern.name()} {onclick} {oncontextmenu} {onkeydown}
                title="Click for the differential flame graph of first vs last snapshot">
                <td class="num">{ s.rank }</td>
                <td class="name"><span class="fn" title={s.function.clone()}>{ s.function.clone() }</span>
                    { for s.called_from.iter().map(|c| html! { <div class="called-from" title="The library is used from here: the nearest caller in your own code">{ "used from " }<span class="fn">{ c.clone() }</span></div> }) }</td>
                <td>{ sparkline(&s.series, (s.rank as usize <= super::timeline::STACKED).then(|| s.rank as usize - 1)) }</td>
                <td class="num" title={exact(s.growth, &unit)}>{ format!("{}{}", signed(s.growth, &unit), rep.rate.as_deref().unwrap_or("")) }</td>
                <td class="num">{ s.per_minute.map(|m| format!("{}/min", signed(m, &unit))).unwrap_or_else(|| "-".into()) }</td>
                <td class="num">{ format!("{} / {}", s.grew, s.intervals) }</td>
                <td class="reason">
                <div class={classes!("pattern", format!("pattern-{}", s.pattern.name()))}><span class="badge">{ s.pattern.title() }</span>{" "}{ s.pattern_why.clone() }</div>
                { s.reason.clone() }
                <details onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}><summary>{ format!("{} stack{} behind it", s.evidence.len(), if s.evidence.len() == 1 { "" } else { "s" }) }</summary>
                    { for s.evidence.iter().map(|e| html! {
                        <div class="stack">
                            <div class="stack-growth">{ format!("{} → {} ({})", human(e.first, &unit), human(e.last, &unit), signed(e.last - e.first, &unit)) }</div>
                            <ol>{ for e.frames.iter().map(|f| html! { <li class={classes!((*f == s.function).then_some("blamed"))}>{ f.clone() }</li> }) }</ol>
                        </div>
                    }) }
                </details>
                </td>
                { menu_cell() }
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
                            <td>{ sparkline(&g.series, None) }</td>
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
                    <th class="num">{"per minute"}</th><th class="num">{"grew in"}</th><th>{"why"}</th><th class="act"><span class="sr-only">{"actions"}</span></th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            { groups }
        </section>
    }
}
