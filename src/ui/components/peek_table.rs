//! pprof's `-peek` report as a table: per matching function, its callers (with the weight of
//! each call edge and its share of the function's cum), the function itself (flat, cum) and
//! its callees. Rows carry the contract's `data-peek` hooks; clicking a name pivots on it.

use crate::protocol::{PeekEdge, PeekEntry, Response};
use crate::ui::store::Shared;
use crate::units::{human, pct};
use yew::prelude::*;

/// Props of [`PeekTable`].
#[derive(Properties, PartialEq)]
pub struct PeekTableProps {
    /// The `Response::Peek`.
    pub resp: Shared<Response>,
    /// A function name was clicked.
    pub on_pick: Callback<String>,
    /// "Show all" was clicked (the answer has the first entries only).
    pub on_show_all: Callback<()>,
}

fn edge_row(kind: &'static str, e: &PeekEntry, x: &PeekEdge, unit: &str, on_pick: &Callback<String>) -> Html {
    let name = x.name.clone();
    let pick = on_pick.reform(move |_: MouseEvent| name.clone());
    let arrow = if kind == "caller" { "↑" } else { "↓" };
    html! {
        <tr class={classes!("peek-edge", kind)} data-peek={kind} data-entry={e.name.clone()} data-function={x.name.clone()}
            data-weight={x.weight.to_string()} data-inline={if x.inline { "1" } else { "0" }}>
            <td class="num" colspan="4"></td>
            <td class="num" title={format!("{} {unit}", x.weight)}>{ human(x.weight, unit) }</td>
            <td class="num">{ pct(x.weight, e.cum) }</td>
            <td class="name">
                <span class="arrow" aria-label={kind}>{ arrow }</span>
                <button class="link" onclick={pick} title={x.name.clone()}>{ x.name.clone() }</button>
                if x.inline { <span class="inline-tag">{"inline"}</span> }
            </td>
        </tr>
    }
}

/// The peek table.
#[function_component(PeekTable)]
pub fn peek_table(p: &PeekTableProps) -> Html {
    let Response::Peek { unit, total, entries, sample_type, n_entries, .. } = &*p.resp.0 else { return html! {} };
    let mut body = Vec::new();
    let more = |n: u32, what: &str| {
        (n > 0).then(|| {
            html! {
                <tr class="peek-more"><td class="num" colspan="6"></td>
                    <td class="name muted">{ format!("… {n} lighter {what} (Show all)") }</td></tr>
            }
        })
    };
    for e in entries {
        body.extend(e.callers.iter().map(|x| edge_row("caller", e, x, unit, &p.on_pick)));
        body.extend(more(e.more_callers, "callers"));
        let name = e.name.clone();
        let pick = p.on_pick.reform(move |_: MouseEvent| name.clone());
        body.push(html! {
            <tr class="peek-self" data-peek="self" data-entry={e.name.clone()} data-function={e.name.clone()}
                data-flat={e.flat.to_string()} data-cum={e.cum.to_string()}>
                <td class="num" title={format!("{} {unit}", e.flat)}>{ human(e.flat, unit) }</td>
                <td class="num">{ pct(e.flat, *total) }</td>
                <td class="num" title={format!("{} {unit}", e.cum)}>{ human(e.cum, unit) }</td>
                <td class="num">{ pct(e.cum, *total) }</td>
                <td class="num" colspan="2"></td>
                <td class="name"><button class="link self" onclick={pick} title={e.name.clone()}>{ e.name.clone() }</button></td>
            </tr>
        });
        body.extend(e.callees.iter().map(|x| edge_row("callee", e, x, unit, &p.on_pick)));
        body.extend(more(e.more_callees, "callees"));
    }
    let cut = (*n_entries as usize) > entries.len() || entries.iter().any(|e| e.more_callers + e.more_callees > 0);
    html! {
        <div class="peek" data-testid="peek" data-sample-type={sample_type.clone()} data-total={total.to_string()}>
            if entries.is_empty() { <p class="muted">{"No function matches."}</p> }
            <table class="peek-table">
                <thead><tr>
                    <th class="num">{"flat"}</th><th class="num">{"flat%"}</th><th class="num">{"cum"}</th><th class="num">{"cum%"}</th>
                    <th class="num" title="weight of the call edge">{"calls"}</th><th class="num" title="share of the function's cum">{"calls%"}</th>
                    <th>{"callers ↑ · function · callees ↓"}</th>
                </tr></thead>
                <tbody>{ for body }</tbody>
            </table>
            if cut {
                <button class="more" data-testid="peek-show-all" onclick={p.on_show_all.reform(|_: MouseEvent| ())}>
                    { format!("Show all: {} functions and every caller and callee ({} functions shown)", n_entries, entries.len()) }</button>
            }
        </div>
    }
}
