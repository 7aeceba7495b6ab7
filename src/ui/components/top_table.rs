//! The top table: the worker sends the first rows in the current order; "Show all" asks for
//! the rest. Every row carries the contract's raw `data-*` values; the text is in human units
//! with the exact value on hover.

use crate::protocol::Response;
use crate::ui::store::Shared;
use crate::ui::tables::{exact, header, hover_title, row_click, row_context, row_keys, RowMaker, Rows};
use crate::units::{human, pct};
use crate::view::state::SortBy;
use yew::prelude::*;

/// Props of [`TopTable`].
#[derive(Properties, PartialEq)]
pub struct TopTableProps {
    /// The `Response::Top`.
    pub resp: Shared<Response>,
    /// Sort.
    pub sort: SortBy,
    /// Search text (matching rows are marked).
    pub search: AttrValue,
    /// A column header was clicked.
    pub on_sort: Callback<SortBy>,
    /// A row was clicked (its function name).
    pub on_row: Callback<String>,
    /// "Show all" was clicked.
    pub on_show_all: Callback<()>,
    /// A row's context menu (its function name, where to open it).
    pub on_menu: Callback<(String, f64, f64)>,
}

fn sort_of(s: SortBy) -> SortBy {
    match s {
        SortBy::Cum | SortBy::Name | SortBy::Flat => s,
        _ => SortBy::Flat,
    }
}

/// Fills the `<tbody>` with the rows of a `Response::Top`.
fn fill(tbody: &web_sys::Element, resp: &Response, sort: SortBy, search: &str) {
    let Response::Top { unit, total, rows, .. } = resp else { return };
    let Some(doc) = tbody.owner_document() else { return };
    let columns = [
        ("num", Some("data-flat")),
        ("num", None),
        ("num", None),
        ("num", Some("data-cum")),
        ("num", None),
        ("name fn", Some("data-function")),
    ];
    let Some(m) = RowMaker::new(&doc, &columns, "data-function data-flat data-cum").and_then(RowMaker::with_menu) else { return };
    let search = crate::analysis::Search::new(search);
    let mut out = Rows::with_capacity(rows.len(), 10);
    let mut running = 0i64;
    for r in rows {
        running += r.flat;
        let matched = search.as_ref().is_some_and(|s| s.is_match(&r.name));
        out.s(if matched { "match" } else { "" }).s(&r.name).n(r.flat).n(r.cum);
        out.s(&human(r.flat, unit)).s(&pct(r.flat, *total));
        out.s(&if sort == SortBy::Flat { pct(running, *total) } else { String::new() });
        out.s(&human(r.cum, unit)).s(&pct(r.cum, *total)).s(&r.name);
    }
    m.finish(tbody, &out);
}

/// Runs the row-making path once on a detached table of made-up rows, soon after the page
/// starts: the first real table then runs compiled code. (The browser first runs new
/// WebAssembly and the JS glue of each DOM call in baseline tiers.)
pub fn warm_up() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(tbody) = doc.create_element("tbody") else { return };
    let rows = (0..crate::view::state::TOP_PAGE as i64)
        .map(|i| crate::protocol::TopRowOut { name: format!("warm.up{i}"), flat: 1000 - i, cum: 5000 + i * 7 })
        .collect();
    let resp = Response::Top { id: 0, sample_type: String::new(), unit: "bytes".into(), total: 1_000_000, rows, n_rows: 0, notes: vec![] };
    for _ in 0..3 {
        fill(&tbody, &resp, SortBy::Flat, "warm");
    }
}

/// The top table.
#[function_component(TopTable)]
pub fn top_table(p: &TopTableProps) -> Html {
    let tbody = use_node_ref();
    let sort = sort_of(p.sort);
    {
        let tbody = tbody.clone();
        use_effect_with((p.resp.clone(), sort, p.search.clone()), move |(resp, sort, search)| {
            if let Some(el) = tbody.cast::<web_sys::Element>() {
                fill(&el, &resp.0, *sort, search);
            }
        });
    }
    let Response::Top { sample_type, unit, total, rows, n_rows, .. } = &*p.resp.0 else { return html! {} };
    let n = (*n_rows as usize).max(rows.len());
    let more = if rows.len() < n {
        let onclick = p.on_show_all.reform(|_: MouseEvent| ());
        html! { <button class="more" {onclick}>{ format!("Show all {n} rows") }</button> }
    } else {
        html! {}
    };
    html! {
        <section class="top">
            <p class="total">{ format!("{n} functions, total {} ({})", human(*total, unit), exact(*total, unit)) }</p>
            if n == 0 { <p class="muted">{ format!("Nothing recorded for {sample_type}: its total is 0.") }</p> }
            <table data-testid="top-table" data-total={total.to_string()} data-sample-type={sample_type.clone()} class="grid fixed" role="table"
                title="Click a row to focus the flame graph on that function; right click (or ⋯) for filters">
                <thead role="rowgroup"><tr role="row">
                    { header("flat", SortBy::Flat, sort, &p.on_sort, "num") }
                    <th role="columnheader" class="num">{"flat%"}</th>
                    <th role="columnheader" class="num">{"sum%"}</th>
                    { header("cum", SortBy::Cum, sort, &p.on_sort, "num") }
                    <th role="columnheader" class="num">{"cum%"}</th>
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
