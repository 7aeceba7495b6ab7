//! Building blocks of the big tables (top, diff): rows built as DOM nodes with text content,
//! so names are never parsed as markup (escaping is the browser's job), the column headers
//! and the exact-value titles.
//!
//! A table's rows are made in one pass into a `DocumentFragment` and put into the `<tbody>`
//! at once: one row per function, cloned from a prototype row whose cells already carry their
//! class and ARIA role. The values of all rows go to the page in one call ([`Rows`], built by
//! `tables.js`): a dozen calls from WebAssembly per row, each converting a short string, made
//! a 200-row table slower on a cold page than the HTML string it replaced. (A virtual-DOM
//! node per cell took hundreds of milliseconds on a big first page.) A cell's
//! title (the exact value, or the whole name) is the row's raw `data-*` value: it is set when
//! the pointer first enters the cell ([`hover_title`]), not for every row up front.

use crate::view::state::SortBy;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, KeyboardEvent};
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

#[wasm_bindgen(module = "/src/ui/tables.js")]
extern "C" {
    /// Builds the rows in `holder` (see `tables.js`): one call per table.
    #[wasm_bindgen(js_name = fillRows)]
    #[allow(clippy::too_many_arguments)]
    fn fill_rows(
        holder: &Element,
        proto: &Element,
        n_slots: u32,
        attrs: &str,
        strings: &str,
        ends: &[u32],
        chunk: u32,
        chunk_class: &str,
        row_px: f64,
    );
}

/// The values of a table's rows, in the order the row builder reads them: per row its class,
/// its attributes (strings: [`Rows::s`], integers: [`Rows::n`]), then the texts of its slots.
/// All of them go to the page as one string: one conversion per table.
#[derive(Default)]
pub struct Rows {
    strings: String,
    ends: Vec<u32>,
    at: u32,
}

impl Rows {
    /// Room for `rows` rows of `strings` values each.
    pub fn with_capacity(rows: usize, strings: usize) -> Rows {
        Rows { strings: String::with_capacity(rows * strings * 8), ends: Vec::with_capacity(rows * strings), at: 0 }
    }

    /// The next value: a row's class, a string attribute, a slot's text (empty: none).
    pub fn s(&mut self, s: &str) -> &mut Rows {
        self.strings.push_str(s);
        // Offsets in UTF-16 units, as JavaScript indexes strings.
        self.at += if s.is_ascii() { s.len() } else { s.encode_utf16().count() } as u32;
        self.ends.push(self.at);
        self
    }

    /// The next value, an integer attribute: its exact decimal digits.
    pub fn n(&mut self, v: i64) -> &mut Rows {
        use std::fmt::Write;
        let before = self.strings.len();
        let _ = write!(self.strings, "{v}");
        self.at += (self.strings.len() - before) as u32;
        self.ends.push(self.at);
        self
    }
}

/// Makes the rows of one table: a prototype row (cells with their classes, roles and fixed
/// attributes, made once), cloned per row by [`RowMaker::finish`].
pub struct RowMaker {
    doc: Document,
    proto: Element,
    slots: u32,
    attrs: &'static str,
}

impl RowMaker {
    /// Table rows (`tr role=row`) with these columns (each cell a `td role=cell`), whose
    /// attributes of their own are named in `attrs` (space-separated, in [`Rows`] order).
    pub fn new(doc: &Document, columns: &[Column], attrs: &'static str) -> Option<RowMaker> {
        RowMaker::with_tags(doc, "tr", "td", columns, attrs)
    }

    /// Rows of `row` elements with `cell` elements (for a listing that is not a `<table>`).
    pub fn with_tags(doc: &Document, row: &str, cell: &str, columns: &[Column], attrs: &'static str) -> Option<RowMaker> {
        let proto = doc.create_element(row).ok()?;
        proto.set_attribute("role", "row").ok()?;
        for (class, exact) in columns {
            let td = doc.create_element(cell).ok()?;
            td.set_attribute("role", "cell").ok()?;
            td.set_class_name(class);
            if let Some(src) = exact {
                td.set_attribute("data-exact", src).ok()?;
            }
            proto.append_child(&td).ok()?;
        }
        Some(RowMaker { doc: doc.clone(), proto, slots: columns.len() as u32, attrs })
    }

    /// An attribute of the prototype row: every row has it, unless it sets its own value.
    pub fn attr(self, name: &str, value: &str) -> Option<RowMaker> {
        self.proto.set_attribute(name, value).ok()?;
        Some(self)
    }

    /// Puts `<span>`s (class, and title or the row attribute that gives it) in the last column:
    /// each is a slot of its own (an empty text removes it from the row).
    pub fn spans(mut self, spans: &[(&str, Result<&str, &str>)]) -> Option<RowMaker> {
        let cell = self.proto.last_element_child()?;
        for (class, title) in spans {
            let s = self.doc.create_element("span").ok()?;
            s.set_class_name(class);
            match title {
                Ok(t) => s.set_attribute("title", t).ok()?,
                Err(src) => s.set_attribute("data-exact", src).ok()?,
            }
            cell.append_child(&s).ok()?;
        }
        self.slots += spans.len() as u32 - 1;
        Some(self)
    }

    /// Rows that end with a cell holding the "⋯" button of the row's context menu (after the
    /// columns; not a slot).
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

    /// Replaces the children of `holder` with the rows.
    pub fn finish(self, holder: &Element, rows: &Rows) {
        self.finish_chunked(holder, rows, 0, "", 0.0);
    }

    /// Replaces the children of `holder` with the rows in groups of `chunk` rows (class
    /// `class`, placeholder height `row_px` per row; see `tables.js`).
    pub fn finish_chunked(self, holder: &Element, rows: &Rows, chunk: u32, class: &str, row_px: f64) {
        fill_rows(holder, &self.proto, self.slots, self.attrs, &rows.strings, &rows.ends, chunk, class, row_px);
    }
}
