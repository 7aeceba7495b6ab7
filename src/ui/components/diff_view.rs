//! The diff view: its controls, the differential flame graph when chosen, and the diff table.

use super::diff_table::DiffTable;
use crate::protocol::Response;
use crate::ui::store::Shared;
use crate::view::state::SortBy;
use yew::prelude::*;

/// Props of [`DiffView`].
#[derive(Properties, PartialEq)]
pub struct DiffViewProps {
    /// The controls.
    pub controls: Html,
    /// The differential flame graph (shown when `show_flame`).
    pub flame: Html,
    /// Show the flame graph.
    pub show_flame: bool,
    /// Fewer than two profiles loaded.
    pub single: bool,
    /// The `Response::Diff`, once it came.
    pub diff: Option<Shared<Response>>,
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
    /// A function's context menu (its name, where to open it).
    #[prop_or_default]
    pub on_menu: Callback<(String, f64, f64)>,
}

/// The diff view.
#[function_component(DiffView)]
pub fn diff_view(p: &DiffViewProps) -> Html {
    html! {
        <section class="diff">
            { p.controls.clone() }
            if p.single { <p class="muted">{"Load two or more profiles to compare them: drop a before and an after snapshot."}</p> }
            if p.show_flame { { p.flame.clone() } }
            {
                match &p.diff {
                    Some(r) => html! {
                        <DiffTable resp={r.clone()} sort={p.sort} base_file={p.base_file.clone()} target_file={p.target_file.clone()}
                            on_sort={p.on_sort.clone()} on_row={p.on_row.clone()} on_menu={p.on_menu.clone()} />
                    },
                    None => html! { <p class="muted">{"Computing…"}</p> },
                }
            }
        </section>
    }
}
