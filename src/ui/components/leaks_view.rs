//! The leak view: the leak finder's table over the loaded series.

use super::leak_table::LeakTable;
use crate::protocol::Response;
use crate::ui::store::Shared;
use yew::prelude::*;

/// Props of [`LeaksView`].
#[derive(Properties, PartialEq)]
pub struct LeaksViewProps {
    /// The `Response::Leaks`, once it came.
    pub leaks: Option<Shared<Response>>,
    /// A suspect was clicked (its function name).
    pub on_open: Callback<String>,
    /// A function's context menu (its name, where to open it).
    #[prop_or_default]
    pub on_menu: Callback<(String, f64, f64)>,
}

/// The leak view.
#[function_component(LeaksView)]
pub fn leaks_view(p: &LeaksViewProps) -> Html {
    match &p.leaks {
        Some(r) => html! { <LeakTable resp={r.clone()} on_open={p.on_open.clone()} on_menu={p.on_menu.clone()} /> },
        None => html! { <p class="muted">{"Analysing the series…"}</p> },
    }
}
