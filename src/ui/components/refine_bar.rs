//! The refine bar, under the toolbar: the active refinement as chips (each removable), a
//! control to add a filter (kind + regex, Enter adds), the granularity, pprof's `-noinlines`
//! and `-mean`, only my code and collapsed recursion, and the label browser's button. Below
//! it, why the latest refinement was refused (the engine's message) and the engine's notes.
//!
//! Keyboard: every control is in the tab order; Enter in the input adds, Escape clears it; a
//! focused chip goes with Backspace or Delete (focus moves to the next chip, or the input).

use crate::protocol::{Granularity, Refine};
use crate::view::hash::{refine_flag, GRANULARITIES};
use crate::view::refining::{add_regex, add_tag, chips, remove};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

/// Props of [`RefineBar`].
#[derive(Properties, PartialEq)]
pub struct RefineBarProps {
    /// Nothing to refine yet (no profile loaded): the bar is not shown.
    pub hidden: bool,
    /// The refinement shown.
    pub refine: Refine,
    /// Why the latest refinement was not applied.
    pub error: Option<String>,
    /// The engine's notes on the refinement shown.
    pub notes: Vec<String>,
    /// Is the label browser open?
    pub labels_open: bool,
    /// A new refinement.
    pub on_refine: Callback<Refine>,
    /// The label browser's button.
    pub on_labels: Callback<()>,
}

/// What the "Refine" control adds: hash key, name, placeholder.
const KINDS: [(&str, &str, &str); 10] = [
    ("f", "focus", "regex: keep samples through a matching frame"),
    ("i", "ignore", "regex: drop samples through a matching frame"),
    ("h", "hide", "regex: remove matching frames"),
    ("s", "show", "regex: keep only matching frames"),
    ("sf", "show from", "regex: drop frames above the first match"),
    ("prunefrom", "prune from", "regex: drop frames below a match"),
    ("tf", "tagfocus", "key=regex or bytes=1kb:64kb"),
    ("ti", "tagignore", "key=regex or bytes=1kb:64kb"),
    ("ts", "tagshow", "label key regex: keep these labels"),
    ("th", "taghide", "label key regex: hide these labels"),
];

const FLAGS: [(&str, &str, &str); 4] = [
    ("noinlines", "no inlines", "pprof -noinlines: inlined frames count as the function they were inlined into"),
    ("mean", "mean", "pprof -mean: values divided by the sample count"),
    ("mine", "only my code", "hide Go's runtime and standard-library frames"),
    ("rec", "collapse recursion", "a function shows once per stack"),
];

/// Adds what the control says: a regex filter, or a tag filter written as pprof's `key=value`.
fn added(r: &Refine, key: &str, text: &str) -> Refine {
    match key {
        "tf" | "ti" => match text.split_once('=') {
            Some((label, value)) if !label.is_empty() => add_tag(r, key, label, value),
            _ => replaced(r, key, text),
        },
        "ts" | "th" => replaced(r, key, text),
        _ => add_regex(r, key, text),
    }
}

fn replaced(r: &Refine, key: &str, text: &str) -> Refine {
    let mut out = r.clone();
    if let Some(f) = crate::view::hash::refine_field(&mut out, key) {
        *f = text.to_string();
    }
    out
}

/// The refine bar.
#[function_component(RefineBar)]
pub fn refine_bar(p: &RefineBarProps) -> Html {
    let kind = use_state(|| "f");
    let input = use_node_ref();
    let chips_ref = use_node_ref();
    if p.hidden {
        return html! {};
    }

    let add = {
        let (r, kind, input, cb) = (p.refine.clone(), kind.clone(), input.clone(), p.on_refine.clone());
        move || {
            let Some(el) = input.cast::<HtmlInputElement>() else { return };
            let text = el.value();
            if text.trim().is_empty() {
                return;
            }
            el.set_value("");
            cb.emit(added(&r, *kind, text.trim()));
        }
    };
    let on_key = {
        let add = add.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                add();
            }
            "Escape" => {
                if let Some(el) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                    if !el.value().is_empty() {
                        // (Clearing the input is all Escape does here: not the page's reset.)
                        e.stop_propagation();
                        el.set_value("");
                    }
                }
            }
            _ => {}
        })
    };
    let on_add = Callback::from(move |_: MouseEvent| add());
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some((k, _, _)) = KINDS.iter().find(|(k, _, _)| *k == v) {
                kind.set(k);
            }
        })
    };
    // (Short in the box; what the kind does in its title.)
    let what = KINDS.iter().find(|(k, _, _)| *k == *kind).map(|x| x.2).unwrap_or_default();
    let placeholder = match *kind {
        "tf" | "ti" => "key=value or bytes=1kb:",
        "ts" | "th" => "label key regex",
        _ => "regex, Enter adds",
    };

    let chip_list = chips(&p.refine);
    let chip_html: Vec<Html> = chip_list.iter().enumerate().map(|(i, c)| {
        let key = c.key;
        let gone = remove(&p.refine, key);
        let on_remove = p.on_refine.reform({
            let gone = gone.clone();
            move |_: MouseEvent| gone.clone()
        });
        let on_chip_key = {
            let (cb, input, chips_ref) = (p.on_refine.clone(), input.clone(), chips_ref.clone());
            Callback::from(move |e: KeyboardEvent| {
                // (The chip itself, not a control inside it; Yew delegates events, so the
                // listener's element is not `current_target`.)
                let on_chip = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| el.tag_name() == "LI");
                if matches!(e.key().as_str(), "Backspace" | "Delete") && on_chip {
                    e.prevent_default();
                    cb.emit(gone.clone());
                    // Focus goes to the chip that takes this one's place, else the input.
                    let next = chips_ref
                        .cast::<web_sys::Element>()
                        .and_then(|l| l.query_selector_all("[data-testid=chip]").ok())
                        .and_then(|all| all.item(i as u32 + 1).or_else(|| i.checked_sub(1).and_then(|j| all.item(j as u32))));
                    let target = next.and_then(|n| n.dyn_into::<HtmlElement>().ok()).or_else(|| input.cast::<HtmlElement>());
                    if let Some(t) = target {
                        let _ = t.focus();
                    }
                }
            })
        };
        let text = if c.value.is_empty() { c.what.to_string() } else { format!("{}: ", c.what) };
        html! {
            <li key={key} class="chip" data-testid="chip" data-key={key} data-value={c.value.clone()} tabindex="0" onkeydown={on_chip_key}
                title={format!("{}{} (Backspace or Delete removes it)", c.what, if c.value.is_empty() { String::new() } else { format!(" {}", c.value) })}>
                <span class="chip-what">{ text }</span>
                if !c.value.is_empty() { <code class="chip-value">{ c.value.clone() }</code> }
                <button class="chip-x" tabindex="-1" aria-label={format!("Remove {}", c.what)} onclick={on_remove}>{"×"}</button>
            </li>
        }
    }).collect();

    let on_granularity = {
        let (r, cb) = (p.refine.clone(), p.on_refine.clone());
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(g) = Granularity::parse(&v) {
                cb.emit(Refine { granularity: g, ..r.clone() });
            }
        })
    };
    let flags = FLAGS.iter().map(|&(key, label, title)| {
        let mut r = p.refine.clone();
        let on = *refine_flag(&mut r, key).expect("a flag key");
        *refine_flag(&mut r, key).expect("a flag key") = !on;
        html! {
            <label class="check" {title}>
                <input type="checkbox" data-testid={format!("refine-{key}")} checked={on} onchange={p.on_refine.reform(move |_: Event| r.clone())} />
                { format!(" {label}") }
            </label>
        }
    });

    html! {
        <section class="refine" aria-label="Refine">
            <div class="refine-bar" data-testid="refine-bar">
                <ul class="chips" ref={chips_ref} aria-label="Active refinements">
                    { for chip_html }
                    if chip_list.is_empty() { <li class="muted no-chips">{"No filters"}</li> }
                </ul>
                <span class="refine-add">
                    <select data-testid="refine-kind" aria-label="Kind of filter" onchange={on_kind}>
                        { for KINDS.iter().map(|&(k, name, _)| html! { <option value={k} selected={*kind == k}>{ name }</option> }) }
                    </select>
                    <input type="text" data-testid="refine-input" ref={input} {placeholder} title={format!("{what} (Enter adds it, Escape clears)")} aria-label="Filter (Enter adds it)"
                        spellcheck="false" autocomplete="off" onkeydown={on_key} />
                    <button data-testid="refine-add" onclick={on_add} title="Add the filter (Enter)">{"Refine"}</button>
                </span>
                <label class="field">{"Granularity "}
                    <select data-testid="granularity" onchange={on_granularity}>
                        { for GRANULARITIES.iter().map(|g| html! { <option value={*g} selected={p.refine.granularity.name() == *g}>{ *g }</option> }) }
                    </select>
                </label>
                { for flags }
                <button data-testid="labels" aria-expanded={p.labels_open.to_string()} onclick={p.on_labels.reform(|_: MouseEvent| ())}
                    title="Every label with its values and their share; click a value to filter on it">{"Labels…"}</button>
            </div>
            if let Some(e) = &p.error { <p class="error-inline" data-testid="refine-error" role="alert">{ e.clone() }</p> }
            if !p.notes.is_empty() {
                <ul class="refine-notes" data-testid="refine-notes" role="status">{ for p.notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ul>
            }
        </section>
    }
}
