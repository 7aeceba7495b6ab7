//! The top view: the flame graph above the top table. The table comes first (it is ready
//! first), the flame graph follows.

use super::top_table::TopTable;
use crate::protocol::Response;
use crate::ui::store::Shared;
use crate::view::state::SortBy;
use yew::prelude::*;

/// Props of [`TopView`].
#[derive(Properties, PartialEq)]
pub struct TopViewProps {
    /// The `Response::Top`, once it came.
    pub top: Option<Shared<Response>>,
    /// Sort.
    pub sort: SortBy,
    /// Search text.
    pub search: AttrValue,
    /// A column header was clicked.
    pub on_sort: Callback<SortBy>,
    /// A row was clicked (its function name).
    pub on_row: Callback<String>,
    /// A function's context menu (its name, where to open it).
    #[prop_or_default]
    pub on_menu: Callback<(String, f64, f64)>,
    /// "Show all" was clicked.
    pub on_show_all: Callback<()>,
    /// The flame graph shown above the table.
    pub children: Html,
}

/// The top view.
#[function_component(TopView)]
pub fn top_view(p: &TopViewProps) -> Html {
    let Some(top) = &p.top else { return html! { <p class="muted">{"Computing…"}</p> } };
    html! {
        <>
            <div class="flame-panel">{ p.children.clone() }</div>
            <TopTable resp={top.clone()} sort={p.sort} search={p.search.clone()}
                on_sort={p.on_sort.clone()} on_row={p.on_row.clone()} on_show_all={p.on_show_all.clone()} on_menu={p.on_menu.clone()} />
        </>
    }
}
