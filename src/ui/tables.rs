//! Building blocks of the big tables (top, diff): rows built as DOM nodes with text content,
//! so names are never parsed as markup (escaping is the browser's job), the column headers
//! and the exact-value titles.
//!
//! A table's rows are made in one pass into a `DocumentFragment` and put into the `<tbody>`
//! at once: one row per function, cloned from a prototype row whose cells already carry their
//! class and ARIA role, so that each row costs one clone and the calls that set its values.
//! (A virtual-DOM node per cell took hundreds of milliseconds on a big first page.)

use crate::view::state::SortBy;
use wasm_bindgen::JsCast;
use web_sys::{Document, DocumentFragment, Element};
use yew::prelude::*;

/// `v unit`, the exact value shown on hover.
pub fn exact(v: i64, unit: &str) -> String {
    if unit.is_empty() {
        format!("{v}")
    } else {
        format!("{v} {unit}")
    }
}

/// A sortable column header.
pub fn header(label: &str, by: SortBy, cur: SortBy, on_sort: &Callback<SortBy>, class: &str) -> Html {
    let active = by == cur;
    let onclick = on_sort.reform(move |_: MouseEvent| by);
    html! {
        <th role="columnheader" class={classes!(class.to_string(), "sortable", active.then_some("sorted"))} aria-sort={if active { "descending" } else { "none" }}>
            <button {onclick}>{ label.to_string() }{ if active { " ▾" } else { "" } }</button>
        </th>
    }
}

/// One click listener on the `<tbody>` for all rows: emits the clicked row's `data-function`.
pub fn row_click(on_row: &Callback<String>) -> Callback<MouseEvent> {
    let on_row = on_row.clone();
    Callback::from(move |e: MouseEvent| {
        let row = e.target().and_then(|t| t.dyn_into::<Element>().ok()).and_then(|el| el.closest("tr[data-function]").ok().flatten());
        if let Some(name) = row.and_then(|r| r.get_attribute("data-function")) {
            on_row.emit(name);
        }
    })
}

/// Makes the rows of one table.
pub struct RowMaker {
    doc: Document,
    proto: Element,
    frag: DocumentFragment,
}

/// The cells of a row being filled, left to right.
pub struct Cells {
    next: Option<Element>,
}

impl Cells {
    /// The next cell.
    pub fn next(&mut self) -> Option<Element> {
        let c = self.next.take()?;
        self.next = c.next_element_sibling();
        Some(c)
    }

    /// Sets the next cell's text (none: left empty) and, when not empty, its title.
    pub fn text(&mut self, text: &str, title: &str) -> Option<Element> {
        let c = self.next()?;
        if !text.is_empty() {
            c.set_text_content(Some(text));
        }
        if !title.is_empty() {
            let _ = c.set_attribute("title", title);
        }
        Some(c)
    }
}

impl RowMaker {
    /// Rows whose cells have these classes (each a `td role=cell`).
    pub fn new(doc: &Document, cell_classes: &[&str]) -> Option<RowMaker> {
        let proto = doc.create_element("tr").ok()?;
        proto.set_attribute("role", "row").ok()?;
        for class in cell_classes {
            let td = doc.create_element("td").ok()?;
            td.set_attribute("role", "cell").ok()?;
            td.set_class_name(class);
            proto.append_child(&td).ok()?;
        }
        Some(RowMaker { doc: doc.clone(), proto, frag: doc.create_document_fragment() })
    }

    /// A new row (appended to the table) and its cells.
    pub fn row(&self) -> Option<(Element, Cells)> {
        let tr: Element = self.proto.clone_node_with_deep(true).ok()?.unchecked_into();
        self.frag.append_child(&tr).ok()?;
        let next = tr.first_element_child();
        Some((tr, Cells { next }))
    }

    /// A `<span>` with a class, text and title.
    pub fn span(&self, class: &str, text: &str, title: &str) -> Option<Element> {
        let s = self.doc.create_element("span").ok()?;
        s.set_class_name(class);
        s.set_text_content(Some(text));
        if !title.is_empty() {
            s.set_attribute("title", title).ok()?;
        }
        Some(s)
    }

    /// Replaces the rows of `tbody` with the rows made.
    pub fn finish(self, tbody: &Element) {
        tbody.set_text_content(None);
        let _ = tbody.append_child(&self.frag);
    }
}
