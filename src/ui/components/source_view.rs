//! The source view (`view=source`): pprof's `-list` for the functions matching the pivot, the
//! focus filter or the search (as pprof's web UI lists `f`), else every function. With the
//! user's sources (picked with `data-testid=source-input`, or dropped on the view: files, a
//! folder, or a `.zip` of a module; matched to the profile's paths by longest path suffix),
//! each routine is its file's lines around the samples, flat and cum per line, the lines
//! without samples dimmed; without them, the sampled lines as a table with `file:line`.
//! `n` / `p` (or `j` / `k`) jump to the next / previous hot line. Text is always text.

use super::drop_zone::{files_of, files_under};
use crate::analysis::source::{annotate, Routine};
use crate::protocol::Response;
use crate::ui::sources;
use crate::ui::store::Shared;
use crate::units::{human, pct};
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, Event, FileSystemEntry, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

/// Props of [`SourceView`].
#[derive(Properties, PartialEq)]
pub struct SourceViewProps {
    /// The `Response::Source`, once it came.
    pub source: Option<Shared<Response>>,
    /// The regex listed.
    pub regex: AttrValue,
}

fn value(v: i64, unit: &str) -> String {
    if v == 0 {
        String::new()
    } else {
        human(v, unit)
    }
}

/// One routine: its header and its lines (annotated source, or the sampled lines' table).
fn routine_html(r: &Routine, unit: &str, total: i64, hot: &mut usize, bump: &Callback<()>) -> Html {
    let head = html! {
        <h3 class="routine-head">
            <code class="routine-name">{ r.name.clone() }</code>
            if !r.display_file.is_empty() { {" in "}<code>{ r.display_file.clone() }</code> }
            <span class="muted">{ format!("  {} flat, {} cum ({} of total)", human(r.flat, unit), human(r.cum, unit), pct(r.cum, total)) }</span>
            if let Some(i) = sources::find(&r.file) { <span class="muted">{ format!("  · from your {}", sources::path(i)) }</span> }
        </h3>
    };
    if r.file.is_empty() {
        return html! { <div class="routine">{ head }<p class="muted">{ format!("No source information for {}", r.name) }</p></div> };
    }
    let text = sources::find(&r.file).and_then(|i| {
        let bump = bump.clone();
        sources::text(i, move || bump.emit(()))
    });
    let row = |line: i64, flat: i64, cum: i64, code: Html, hot: &mut usize| {
        let is_hot = flat != 0 || cum != 0;
        *hot += 1;
        html! {
            <tr class={classes!(if is_hot { "hot" } else { "cold" })} tabindex="-1"
                data-line={line.to_string()} data-file={r.file.clone()} data-flat={flat.to_string()} data-cum={cum.to_string()}>
                <td class="num">{ value(flat, unit) }</td>
                <td class="num">{ value(cum, unit) }</td>
                { code }
            </tr>
        }
    };
    let body = match text {
        Some(t) => html! { <ListingTable routine={std::rc::Rc::new(r.clone())} text={t} unit={AttrValue::from(unit.to_string())} /> },
        None => {
            // Without the file: pprof's `-lines -top` rows of this function (by |flat|, then line).
            let mut v = r.lines.clone();
            v.sort_by(|a, b| {
                b.flat
                    .unsigned_abs()
                    .cmp(&a.flat.unsigned_abs())
                    .then(b.cum.unsigned_abs().cmp(&a.cum.unsigned_abs()))
                    .then(a.line.cmp(&b.line))
            });
            let rows: Html = v
                .iter()
                .map(|l| {
                    row(
                        l.line,
                        l.flat,
                        l.cum,
                        html! { <td class="code"><code class="copyable">{ format!("{}:{}", r.display_file, l.line) }</code></td> },
                        hot,
                    )
                })
                .collect();
            let why = if sources::find(&r.file).is_some() {
                "Reading the file…"
            } else {
                "Source file not given: the sampled lines (as go tool pprof -lines -top for this function)."
            };
            html! { <><p class="muted">{ why }</p><table class="source-lines"><tbody>{ rows }</tbody></table></> }
        }
    };
    html! { <div class="routine">{ head }{ body }</div> }
}

/// The source view.
#[function_component(SourceView)]
pub fn source_view(p: &SourceViewProps) -> Html {
    let version = use_state(|| 0u32);
    let notes = use_state(Vec::<String>::new);
    let bump = {
        let version = version.clone();
        Callback::from(move |()| version.set(*version + 1))
    };
    let add = {
        let bump = bump.clone();
        let notes = notes.clone();
        Callback::from(move |files: Vec<(String, web_sys::File)>| {
            let (bump, notes) = (bump.clone(), notes.clone());
            wasm_bindgen_futures::spawn_local(async move {
                notes.set(sources::add(files).await);
                bump.emit(());
            });
        })
    };
    let on_input = {
        let add = add.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = files_of(input.files());
            input.set_value("");
            add.emit(files.into_iter().map(|f| (String::new(), f)).collect());
        })
    };
    let ondragover = Callback::from(|e: DragEvent| {
        e.prevent_default();
        e.stop_propagation();
    });
    let ondrop = {
        let add = add.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            e.stop_propagation();
            let Some(dt) = e.data_transfer() else { return };
            let items = dt.items();
            let entries: Vec<FileSystemEntry> = (0..items.length())
                .filter_map(|i| items.get(i))
                .filter(|it| it.kind() == "file")
                .filter_map(|it| it.webkit_get_as_entry().ok().flatten())
                .collect();
            if !entries.iter().any(|e| e.is_directory()) {
                add.emit(files_of(dt.files()).into_iter().map(|f| (String::new(), f)).collect());
                return;
            }
            let add = add.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut all = Vec::new();
                for e in entries {
                    all.extend(files_under(e).await);
                }
                add.emit(all);
            });
        })
    };
    let cursor = use_mut_ref(|| usize::MAX);
    let onkeydown = {
        let cursor = cursor.clone();
        Callback::from(move |e: KeyboardEvent| {
            let step: isize = match e.key().as_str() {
                "n" | "j" => 1,
                "p" | "k" | "N" => -1,
                _ => return,
            };
            let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
            let Ok(hot) = doc.query_selector_all("[data-testid=source] .hot[data-line]") else { return };
            if hot.length() == 0 {
                return;
            }
            let mut c = cursor.borrow_mut();
            // From the focused hot row when there is one, else from the last one visited.
            let active = doc.active_element();
            let at = (0..hot.length()).find(|&i| hot.get(i).is_some_and(|n| active.as_ref().is_some_and(|a| a.is_same_node(Some(&n)))));
            let from = at.map(|i| i as isize).unwrap_or(if at.is_none() && *c == usize::MAX { -1 } else { *c as isize });
            let next = if at.is_none() && *c == usize::MAX { 0 } else { (from + step).clamp(0, hot.length() as isize - 1) as u32 };
            e.prevent_default();
            *c = next as usize;
            if let Some(h) = hot.get(next).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = h.focus();
                h.scroll_into_view_with_bool(false);
            }
        })
    };
    let _ = *version;
    let mut hot = 0usize;
    let body = match p.source.as_ref().map(|r| &*r.0) {
        Some(Response::Source { unit, total, routines, n_routines, notes: rnotes, .. }) => {
            let unmatched: Vec<String> = {
                let mut v: Vec<String> = routines
                    .iter()
                    .filter(|r| !r.file.is_empty() && sources::find(&r.file).is_none())
                    .map(|r| r.display_file.clone())
                    .collect();
                v.sort();
                v.dedup();
                v
            };
            html! {
                <>
                    { for rnotes.iter().map(|n| html! { <p class="muted">{ n.clone() }</p> }) }
                    if routines.is_empty() {
                        <p class="muted">{ "No function with samples matches." }</p>
                    }
                    if !unmatched.is_empty() {
                        <p class="source-unmatched" data-testid="source-unmatched">
                            { if sources::count() == 0 { "Add the sources (a folder, .go files or a module's .zip) to see these files: " } else { "Not found in your sources: " } }
                            { unmatched.join(", ") }
                        </p>
                    }
                    { for routines.iter().map(|r| routine_html(r, unit, *total, &mut hot, &bump)) }
                    if (*n_routines as usize) > routines.len() {
                        <p class="muted">{ format!("{} more functions match: narrow the focus or search to see them.", *n_routines as usize - routines.len()) }</p>
                    }
                </>
            }
        }
        Some(Response::Error { message }) => html! { <p class="error-inline">{ message.clone() }</p> },
        _ => html! { <p class="muted">{"Computing…"}</p> },
    };
    html! {
        <section class="source-view" data-testid="source" tabindex="0" {onkeydown} {ondragover} {ondrop}>
            <div class="flame-bar">
                if p.regex == "." {
                    <span>{"Source of every function "}</span>
                } else {
                    <span>{"Source of functions matching "}<code data-testid="source-regex">{ p.regex.clone() }</code></span>
                }
                <label class="button source-pick">
                    {"Add sources…"}
                    <input type="file" multiple=true webkitdirectory=true data-testid="source-input" onchange={on_input} />
                </label>
                <span class="muted">{ format!("{} source files · drop a folder, .go files or a module's .zip here · n / p: next / previous hot line", sources::count()) }</span>
            </div>
            { for notes.iter().map(|n| html! { <p class="error-inline">{ n.clone() }</p> }) }
            { body }
        </section>
    }
}

/// Props of [`ListingTable`].
#[derive(Properties, PartialEq)]
struct ListingProps {
    routine: std::rc::Rc<Routine>,
    text: std::rc::Rc<str>,
    unit: AttrValue,
}

/// A routine's annotated lines. Thousands of lines: the rows are DOM nodes cloned from a
/// prototype row and filled with text in one call (`ui::tables::RowMaker`), not virtual-DOM
/// nodes.
#[function_component(ListingTable)]
fn listing_table(p: &ListingProps) -> Html {
    let tbody = use_node_ref();
    {
        let tbody = tbody.clone();
        let (r, text, unit) = (p.routine.clone(), p.text.clone(), p.unit.clone());
        use_effect_with((p.routine.clone(), p.text.clone()), move |_| {
            if let (Some(el), Some(doc)) = (tbody.cast::<web_sys::Element>(), web_sys::window().and_then(|w| w.document())) {
                let _ = fill_listing(&doc, &el, &r, &text, &unit);
            }
        });
    }
    html! { <div class="source-listing" role="table" ref={tbody}></div> }
}

fn fill_listing(doc: &web_sys::Document, holder: &web_sys::Element, r: &Routine, text: &str, unit: &str) -> Option<()> {
    use crate::ui::tables::{RowMaker, Rows};
    // A prototype row (a flex box of four cells), cloned per line; the rows go in groups of
    // [`CHUNK`] that the browser lays out only near the viewport (`content-visibility: auto`).
    let columns = [("num", None), ("num", None), ("lineno", None), ("code", None)];
    // The prototype is a line without samples; a line with samples sets its class and values.
    let m = RowMaker::with_tags(doc, "div", "span", &columns, "data-line data-flat data-cum")?
        .attr("data-file", &r.file)?
        .attr("tabindex", "-1")?
        .attr("class", "src-row cold")?
        .attr("data-flat", "0")?
        .attr("data-cum", "0")?;
    let lines: Vec<&str> = text.lines().collect();
    let annotated = annotate(r, text);
    let mut out = Rows::with_capacity(annotated.len(), 8);
    for l in annotated {
        if l.flat != 0 || l.cum != 0 {
            out.s("src-row hot").n(l.line).n(l.flat).n(l.cum).s(&value(l.flat, unit)).s(&value(l.cum, unit));
        } else {
            out.s("").n(l.line).s("").s("").s("").s("");
        }
        out.n(l.line).s((l.line as usize).checked_sub(1).and_then(|i| lines.get(i)).copied().unwrap_or(""));
    }
    m.finish_chunked(holder, &out, CHUNK, "src-chunk", ROW_PX);
    Some(())
}

/// Lines per group of the listing: the browser skips the style and layout of a group out of
/// view, so a 5,000-line file costs about what its first screen costs. (Per row, the same
/// `content-visibility` made the browser track 5,000 elements' visibility: ~60 ms a frame.)
const CHUNK: u32 = 100;

/// A line's height in CSS pixels (12.5 px monospace; `.source-listing` in style.css), the
/// placeholder height of a group not laid out yet.
const ROW_PX: f64 = 18.0;
