//! The peek view (`view=peek`): pprof's `-peek` table for the functions matching the pivot,
//! the focus filter or the search (as pprof's web UI peeks at `f`), else for every function.

use super::peek_table::PeekTable;
use crate::protocol::Response;
use crate::ui::store::Shared;
use yew::prelude::*;

/// Props of [`PeekView`].
#[derive(Properties, PartialEq)]
pub struct PeekViewProps {
    /// The `Response::Peek`, once it came.
    pub peek: Option<Shared<Response>>,
    /// The regex shown.
    pub regex: AttrValue,
    /// Pivot on a function.
    pub on_pick: Callback<String>,
    /// Fetch every peek entry.
    pub on_show_all: Callback<()>,
}

/// The peek view.
#[function_component(PeekView)]
pub fn peek_view(p: &PeekViewProps) -> Html {
    let body = match &p.peek {
        Some(r) if matches!(*r.0, Response::Peek { .. }) => {
            html! { <PeekTable resp={r.clone()} on_pick={p.on_pick.clone()} on_show_all={p.on_show_all.clone()} /> }
        }
        Some(r) => match &*r.0 {
            Response::Error { message } => html! { <p class="error-inline">{ message.clone() }</p> },
            _ => html! {},
        },
        None => html! { <p class="muted">{"Computing…"}</p> },
    };
    html! {
        <section class="peek-view">
            <div class="flame-bar">
                if p.regex == "." {
                    <span>{"Callers and callees of every function "}<code data-testid="peek-regex">{ p.regex.clone() }</code></span>
                } else {
                    <span>{"Callers and callees of functions matching "}<code data-testid="peek-regex">{ p.regex.clone() }</code></span>
                }
                <span class="muted">{"(the pivot, else the focus filter, else the search; as go tool pprof -peek)"}</span>
            </div>
            { body }
        </section>
    }
}
