//! The pivot (sandwich) view: the functions matching the pivot regex in the middle, their
//! callers drawn upwards above them (an inverted tree cut at the pivot) and their callees
//! below, aligned frame for frame; pprof's peek table for the same regex beside them.
//! Clicking a frame re-pivots on it; the close button (or Esc) leaves the view.

use super::peek_table::PeekTable;
use crate::protocol::Response;
use crate::ui::flame::{FlameGraph, FlameMode};
use crate::ui::store::Shared;
use crate::units::{human, pct};
use yew::prelude::*;

/// Props of [`PivotView`].
#[derive(Properties, PartialEq)]
pub struct PivotViewProps {
    /// The pivot regex.
    pub pivot: AttrValue,
    /// Callers (`Response::Flame` of the inverted tree cut at the pivot).
    pub callers: Option<Shared<Response>>,
    /// Callees.
    pub callees: Option<Shared<Response>>,
    /// The peek table.
    pub peek: Option<Shared<Response>>,
    /// Search text.
    pub search: AttrValue,
    /// Dark theme.
    pub dark: bool,
    /// Pivot on this function.
    pub on_pick: Callback<String>,
    /// Fetch every peek entry.
    pub on_show_all: Callback<()>,
    /// Leave pivot mode.
    pub on_close: Callback<()>,
}

fn side(r: &Option<Shared<Response>>, p: &PivotViewProps, flip: bool) -> Html {
    match r {
        Some(r) if matches!(*r.0, Response::Flame { .. }) => html! {
            <FlameGraph resp={r.clone()} search={p.search.to_string()} zoom={Vec::<String>::new()} focus={None::<String>}
                dark={p.dark} mode={FlameMode::Single} on_base={false} on_zoom={Callback::noop()} on_reset={Callback::noop()}
                inverted={flip} skip={if flip { 1 } else { 2 }} {flip} on_pick={p.on_pick.clone()}
                testid={if flip { "pivot-callers" } else { "pivot-callees" }} mark={flip.then_some(1)} />
        },
        Some(r) => match &*r.0 {
            Response::Error { message } => html! { <p class="error-inline">{ message.clone() }</p> },
            _ => html! {},
        },
        None => html! { <p class="muted">{"Computing…"}</p> },
    }
}

/// The pivot view.
#[function_component(PivotView)]
pub fn pivot_view(p: &PivotViewProps) -> Html {
    let summary = match p.callers.as_ref().map(|r| &*r.0) {
        Some(Response::Flame { data, total, unit, notes, .. }) => {
            let v = data.value.first().copied().unwrap_or(0);
            html! {
                <>
                    <span class="pivot-value" data-testid="pivot-cum" data-cum={v.to_string()}>
                        { format!("{} ({} of total) on stacks through it", human(v, unit), pct(v, *total)) }</span>
                    { for notes.iter().map(|n| html! { <span class="muted">{ n.clone() }</span> }) }
                </>
            }
        }
        _ => html! {},
    };
    let close = p.on_close.reform(|_: MouseEvent| ());
    html! {
        <section class="pivot" data-testid="pivot" data-pivot={p.pivot.clone()}>
            <div class="flame-bar">
                <span class="pivot-name">{"Pivot "}<code>{ p.pivot.clone() }</code></span>
                { summary }
                <button data-testid="pivot-close" onclick={close} title="Leave the pivot view (Esc)">{"✕ Close"}</button>
                <span class="muted">{"callers above ↑, callees below ↓; click a frame to pivot on it"}</span>
            </div>
            <div class="pivot-graphs">
                { side(&p.callers, p, true) }
                { side(&p.callees, p, false) }
            </div>
            <h3 class="peek-title">{"Peek"}</h3>
            {
                match &p.peek {
                    Some(r) if matches!(*r.0, Response::Peek { .. }) => html! { <PeekTable resp={r.clone()} on_pick={p.on_pick.clone()} on_show_all={p.on_show_all.clone()} /> },
                    Some(r) => match &*r.0 { Response::Error { message } => html! { <p class="error-inline">{ message.clone() }</p> }, _ => html! {} },
                    None => html! { <p class="muted">{"Computing…"}</p> },
                }
            }
        </section>
    }
}
