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
}

/// The leak view.
#[function_component(LeaksView)]
pub fn leaks_view(p: &LeaksViewProps) -> Html {
    match &p.leaks {
        Some(r) => html! { <LeakTable resp={r.clone()} on_open={p.on_open.clone()} /> },
        None => html! { <p class="muted">{"Analysing the series…"}</p> },
    }
}
