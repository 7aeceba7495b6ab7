//! The flame graph view: the graph when its answer is there, else a note (or the answer's
//! error).

use crate::protocol::Response;
use crate::ui::flame::{FlameGraph, FlameMode};
use crate::ui::store::Shared;
use yew::prelude::*;

/// Props of [`FlameView`].
#[derive(Properties, PartialEq, Clone)]
pub struct FlameViewProps {
    /// The `Response::Flame` for the view, once it came.
    pub flame: Option<Shared<Response>>,
    /// Shown while it has not come.
    #[prop_or(AttrValue::Static("Computing…"))]
    pub pending: AttrValue,
    /// Search text.
    pub search: AttrValue,
    /// Zoom path.
    pub zoom: Vec<String>,
    /// Focused function.
    pub focus: Option<String>,
    /// Dark theme.
    pub dark: bool,
    /// Single or differential.
    pub mode: FlameMode,
    /// Lay a differential graph out on the base.
    pub on_base: bool,
    /// Zoom to a path.
    pub on_zoom: Callback<Vec<String>>,
    /// Reset zoom and focus.
    pub on_reset: Callback<()>,
    /// A function's context menu (its name, where to open it).
    #[prop_or_default]
    pub on_menu: Callback<(String, f64, f64)>,
    /// The graph is inverted (bottom-up).
    #[prop_or_default]
    pub inverted: bool,
    /// Turns inverted on or off (no toggle when absent: the diff's graph).
    #[prop_or_default]
    pub on_inverted: Option<Callback<bool>>,
}

/// The flame graph view.
#[function_component(FlameView)]
pub fn flame_view(p: &FlameViewProps) -> Html {
    match &p.flame {
        Some(r) if matches!(*r.0, Response::Flame { .. }) => html! {
            <FlameGraph resp={r.clone()} search={p.search.to_string()} zoom={p.zoom.clone()} focus={p.focus.clone()}
                dark={p.dark} mode={p.mode} on_base={p.on_base} on_zoom={p.on_zoom.clone()} on_reset={p.on_reset.clone()}
                inverted={p.inverted} on_inverted={p.on_inverted.clone()} on_menu={p.on_menu.clone()} />
        },
        Some(r) => match &*r.0 {
            Response::Error { message } => html! { <p class="error-inline">{ message.clone() }</p> },
            _ => html! {},
        },
        None => html! { <p class="muted">{ p.pending.clone() }</p> },
    }
}
