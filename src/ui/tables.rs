//! Building blocks of the big tables (top, diff): rows built as DOM nodes with text content,
//! so names are never parsed as markup (escaping is the browser's job), the column headers
//! and the exact-value titles.
//!
//! A table's rows are made in one pass into a `DocumentFragment` and put into the `<tbody>`
//! at once: one row per function, cloned from a prototype row whose cells already carry their
//! class and ARIA role, so that each row costs one clone and the calls that set its values.
//! (A virtual-DOM node per cell took hundreds of milliseconds on a big first page.) A cell's
//! title (the exact value, or the whole name) is the row's raw `data-*` value: it is set when
//! the pointer first enters the cell ([`hover_title`]), not for every row up front.

use crate::view::state::SortBy;
use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, DocumentFragment, Element, KeyboardEvent};
use yew::prelude::*;

// The DOM calls a row makes, typed to take a JS string made once (an attribute's name, used
// on every row; a function name, used twice) or an integer, so that a 200-row table does not
// convert thousands of short strings from WebAssembly memory. (`setAttribute` turns a BigInt
// into its exact decimal digits.)
#[wasm_bindgen]
extern "C" {
    /// An element, seen through these setters.
    type RowElement;
    #[wasm_bindgen(method, js_name = setAttribute)]
    fn set_attr_js(this: &RowElement, name: &JsString, value: &JsString);
    #[wasm_bindgen(method, js_name = setAttribute)]
    fn set_attr_i64(this: &RowElement, name: &JsString, value: i64);
    #[wasm_bindgen(method, setter = textContent)]
    fn set_text_js(this: &RowElement, value: &JsString);
}

/// A JS string made once.
pub struct Js(JsString);

impl Js {
    /// Converts `s` once.
    pub fn new(s: &str) -> Js {
        Js(JsString::from(s))
    }
}

/// Row-level setters with names made once.
pub trait RowExt {
    /// Sets attribute `name` to an integer.
    fn attr_i64(&self, name: &Js, v: i64);
    /// Sets attribute `name` to a string made once.
    fn attr_js(&self, name: &Js, v: &Js);
    /// Sets the text to a string made once.
    fn text_js(&self, v: &Js);
}

impl RowExt for Element {
    fn attr_i64(&self, name: &Js, v: i64) {
        self.unchecked_ref::<RowElement>().set_attr_i64(&name.0, v);
    }
    fn attr_js(&self, name: &Js, v: &Js) {
        self.unchecked_ref::<RowElement>().set_attr_js(&name.0, &v.0);
    }
    fn text_js(&self, v: &Js) {
        self.unchecked_ref::<RowElement>().set_text_js(&v.0);
    }
}

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

/// One click listener on the `<tbody>` for all rows: emits the clicked row's `data-function`;
/// a click on the row's "⋯" button opens its context menu instead (`on_menu`: name and where).
pub fn row_click(on_row: &Callback<String>, on_menu: &Callback<(String, f64, f64)>) -> Callback<MouseEvent> {
    let (on_row, on_menu) = (on_row.clone(), on_menu.clone());
    Callback::from(move |e: MouseEvent| {
        let el = e.target().and_then(|t| t.dyn_into::<Element>().ok());
        let row = el.as_ref().and_then(|el| el.closest("tr[data-function]").ok().flatten());
        let Some(name) = row.and_then(|r| r.get_attribute("data-function")) else { return };
        match el.and_then(|el| el.closest(".row-menu").ok().flatten()) {
            Some(button) => {
                let r = button.get_bounding_client_rect();
                on_menu.emit((name, r.left(), r.bottom()));
            }
            None => on_row.emit(name),
        }
    })
}

/// A row's context menu from a right click (`contextmenu` on the `<tbody>`).
pub fn row_context(on_menu: &Callback<(String, f64, f64)>) -> Callback<MouseEvent> {
    let on_menu = on_menu.clone();
    Callback::from(move |e: MouseEvent| {
        let row = e.target().and_then(|t| t.dyn_into::<Element>().ok()).and_then(|el| el.closest("tr[data-function]").ok().flatten());
        if let Some(name) = row.and_then(|r| r.get_attribute("data-function")) {
            e.prevent_default();
            on_menu.emit((name, e.client_x() as f64, e.client_y() as f64));
        }
    })
}

/// Is this the keyboard's way to a context menu (the context-menu key, or Shift+F10)?
pub fn is_menu_key(e: &KeyboardEvent) -> bool {
    e.key() == "ContextMenu" || (e.shift_key() && e.key() == "F10")
}

/// A row's context menu from the keyboard, on the focused row or its "⋯" button.
pub fn row_keys(on_menu: &Callback<(String, f64, f64)>) -> Callback<KeyboardEvent> {
    let on_menu = on_menu.clone();
    Callback::from(move |e: KeyboardEvent| {
        if !is_menu_key(&e) {
            return;
        }
        let Some(el) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        let Some(row) = el.closest("tr[data-function]").ok().flatten() else { return };
        if let Some(name) = row.get_attribute("data-function") {
            e.prevent_default();
            let r = el.get_bounding_client_rect();
            on_menu.emit((name, r.left(), r.bottom()));
        }
    })
}

/// The last cell of a row with the "⋯" button of its context menu, for tables whose rows are
/// Yew nodes (the leak table).
pub fn menu_cell() -> Html {
    html! {
        <td class="act" role="cell"><button class="row-menu" aria-label="Actions (Shift+F10)" aria-haspopup="menu" title="Actions: focus, ignore, hide, …">{"⋯"}</button></td>
    }
}

/// Sets a cell's title when the pointer first enters it: the row's `data-*` attribute that
/// the cell's `data-exact` names, with the unit (none for `data-function`).
pub fn hover_title(unit: AttrValue) -> Callback<MouseEvent> {
    Callback::from(move |e: MouseEvent| {
        let Some(cell) = e.target().and_then(|t| t.dyn_into::<Element>().ok()).and_then(|el| el.closest("[data-exact]").ok().flatten())
        else {
            return;
        };
        if cell.has_attribute("title") {
            return;
        }
        let Some(src) = cell.get_attribute("data-exact") else { return };
        let Some(v) = cell.closest("tr").ok().flatten().and_then(|tr| tr.get_attribute(&src)) else { return };
        let title = if src == "data-function" { v } else { v.parse().map(|v: i64| exact(v, &unit)).unwrap_or(v) };
        let _ = cell.set_attribute("title", &title);
    })
}

/// A column of rows: the cell's class, and the row attribute its title shows (if any).
pub type Column<'a> = (&'a str, Option<&'a str>);

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

    /// Sets the next cell's text (none: left empty).
    pub fn text(&mut self, text: &str) -> Option<Element> {
        let c = self.next()?;
        if !text.is_empty() {
            c.set_text_content(Some(text));
        }
        Some(c)
    }
}

impl RowMaker {
    /// Rows with these columns (each cell a `td role=cell`).
    pub fn new(doc: &Document, columns: &[Column]) -> Option<RowMaker> {
        let proto = doc.create_element("tr").ok()?;
        proto.set_attribute("role", "row").ok()?;
        for (class, exact) in columns {
            let td = doc.create_element("td").ok()?;
            td.set_attribute("role", "cell").ok()?;
            td.set_class_name(class);
            if let Some(src) = exact {
                td.set_attribute("data-exact", src).ok()?;
            }
            proto.append_child(&td).ok()?;
        }
        Some(RowMaker { doc: doc.clone(), proto, frag: doc.create_document_fragment() })
    }

    /// Rows that end with a cell holding the "⋯" button of the row's context menu (after the
    /// columns, not filled by [`Cells`]).
    pub fn with_menu(self) -> Option<RowMaker> {
        let td = self.doc.create_element("td").ok()?;
        td.set_attribute("role", "cell").ok()?;
        td.set_class_name("act");
        let b = self.doc.create_element("button").ok()?;
        b.set_class_name("row-menu");
        b.set_attribute("aria-label", "Actions (Shift+F10)").ok()?;
        b.set_attribute("aria-haspopup", "menu").ok()?;
        b.set_text_content(Some("⋯"));
        td.append_child(&b).ok()?;
        self.proto.append_child(&td).ok()?;
        Some(self)
    }

    /// A new row (appended to the table) and its cells.
    pub fn row(&self) -> Option<(Element, Cells)> {
        let tr: Element = self.proto.clone_node_with_deep(true).ok()?.unchecked_into();
        self.frag.append_with_node_1(&tr).ok()?;
        let next = tr.first_element_child();
        Some((tr, Cells { next }))
    }

    /// A `<span>` with a class and text, and its title, or the row attribute that gives it.
    pub fn span(&self, class: &str, text: &str, title: Result<&str, &str>) -> Option<Element> {
        let s = self.doc.create_element("span").ok()?;
        s.set_class_name(class);
        s.set_text_content(Some(text));
        match title {
            Ok(t) => s.set_attribute("title", t).ok()?,
            Err(src) => s.set_attribute("data-exact", src).ok()?,
        }
        Some(s)
    }

    /// Replaces the rows of `tbody` with the rows made.
    pub fn finish(self, tbody: &Element) {
        tbody.set_text_content(None);
        let _ = tbody.append_child(&self.frag);
    }
}
