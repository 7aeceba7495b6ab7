//! The context menu of a function (a flame-graph frame or a table row): Focus on, Ignore,
//! Hide, Show from, Pivot, Copy name. Each filter entry adds the regex that matches exactly
//! that function (`^` + QuoteMeta(name) + `$`, as pprof's web UI writes it) to the refinement.
//!
//! Opened by a right click, the context-menu key or Shift+F10 on a focused row, or a row's
//! "⋯" button. The first entry takes the focus; arrow keys, Home and End move it; Enter or a
//! click runs an entry; Escape, Tab or a click elsewhere closes the menu and gives the focus
//! back to what opened it.

use crate::protocol::Refine;
use crate::view::refining::{add_regex, exact, match_name};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};
use yew::prelude::*;

/// Where a menu opens and for what.
#[derive(Clone, Debug, PartialEq)]
pub struct MenuAt {
    /// The function (node) name as shown.
    pub name: String,
    /// Viewport coordinates of the menu's top left corner.
    pub x: f64,
    /// Viewport y.
    pub y: f64,
}

/// Props of [`ContextMenu`].
#[derive(Properties, PartialEq)]
pub struct ContextMenuProps {
    /// The open menu, if any.
    pub at: Option<MenuAt>,
    /// The refinement shown.
    pub refine: Refine,
    /// A new refinement.
    pub on_refine: Callback<Refine>,
    /// The menu closed.
    pub on_close: Callback<()>,
    /// Pivot on a regex (pprof's `p`), where the page has the pivot view; without it the entry
    /// is shown disabled.
    #[prop_or_default]
    pub on_pivot: Option<Callback<String>>,
    /// Show the function's source (pprof's web UI: `f=` the exact regex, then the source view).
    #[prop_or_default]
    pub on_source: Option<Callback<String>>,
}

/// Entries: label, hash key, what it does.
const FILTERS: [(&str, &str, &str); 4] = [
    ("Focus on", "f", "keep only samples through this function"),
    ("Ignore", "i", "drop samples through this function"),
    ("Hide", "h", "remove this function's frames from the stacks"),
    ("Show from", "sf", "start stacks at this function"),
];

fn items(menu: &web_sys::Element) -> Vec<HtmlElement> {
    let Ok(list) = menu.query_selector_all("[role=menuitem]:not([disabled])") else { return vec![] };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok()).collect()
}

/// Writes `text` to the clipboard (the browser may refuse: nothing else happens then).
fn copy(text: &str) {
    let Some(w) = web_sys::window() else { return };
    let Ok(clip) = js_sys::Reflect::get(&w.navigator(), &"clipboard".into()) else { return };
    let Ok(write) = js_sys::Reflect::get(&clip, &"writeText".into()) else { return };
    if let Some(f) = write.dyn_ref::<js_sys::Function>() {
        // (A refusal is a rejected promise: caught, so that it is not an uncaught error.)
        if let Ok(p) = f.call1(&clip, &text.into()) {
            if let Ok(p) = p.dyn_into::<js_sys::Promise>() {
                let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
                let _ = p.catch(&ignore);
                ignore.forget();
            }
        }
    }
}

/// The context menu.
#[function_component(ContextMenu)]
pub fn context_menu(p: &ContextMenuProps) -> Html {
    let menu = use_node_ref();
    // What had the focus when the menu opened gets it back when it closes.
    let opener = use_mut_ref(|| None::<HtmlElement>);
    {
        let (menu, opener) = (menu.clone(), opener.clone());
        use_effect_with(p.at.clone(), move |at| {
            if at.is_some() {
                let doc = web_sys::window().and_then(|w| w.document());
                *opener.borrow_mut() = doc.and_then(|d| d.active_element()).and_then(|e| e.dyn_into::<HtmlElement>().ok());
                if let Some(m) = menu.cast::<web_sys::Element>() {
                    if let Some(first) = items(&m).first() {
                        let _ = first.focus();
                    }
                }
            } else if let Some(o) = opener.borrow_mut().take() {
                let _ = o.focus();
            }
        });
    }
    let Some(at) = &p.at else { return html! {} };
    let close = p.on_close.clone();
    let on_key = {
        let (menu, close) = (menu.clone(), close.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some(m) = menu.cast::<web_sys::Element>() else { return };
            let all = items(&m);
            let doc = web_sys::window().and_then(|w| w.document());
            let cur = doc.and_then(|d| d.active_element()).and_then(|a| all.iter().position(|i| **i == a));
            let go = |i: usize| {
                if let Some(el) = all.get(i) {
                    let _ = el.focus();
                }
            };
            let n = all.len();
            match e.key().as_str() {
                "Escape" | "Tab" => {
                    e.prevent_default();
                    e.stop_propagation();
                    close.emit(());
                }
                "ArrowDown" if n > 0 => {
                    e.prevent_default();
                    go(cur.map_or(0, |c| (c + 1) % n));
                }
                "ArrowUp" if n > 0 => {
                    e.prevent_default();
                    go(cur.map_or(n - 1, |c| (c + n - 1) % n));
                }
                "Home" => go(0),
                "End" if n > 0 => go(n - 1),
                _ => {}
            }
        })
    };
    let name = at.name.clone();
    let target = match_name(&name, p.refine.granularity).to_string();
    let re = exact(&target);
    let entries = FILTERS.iter().map(|&(label, key, what)| {
        let r = add_regex(&p.refine, key, &re);
        let (cb, close) = (p.on_refine.clone(), close.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            close.emit(());
            cb.emit(r.clone());
        });
        html! {
            <button role="menuitem" data-action={key} title={format!("{what}: {key}={re}")} {onclick}>{ label }</button>
        }
    });
    let pivot = match &p.on_pivot {
        Some(cb) => {
            let (cb, close, re) = (cb.clone(), close.clone(), re.clone());
            let title = format!("its callers above, its callees below: p={re}");
            let onclick = Callback::from(move |_: MouseEvent| {
                close.emit(());
                cb.emit(re.clone());
            });
            html! { <button role="menuitem" data-action="p" {title} {onclick}>{"Pivot"}</button> }
        }
        None => {
            html! { <button role="menuitem" data-action="p" disabled=true title="Pivot (p=) comes with the pivot view">{"Pivot"}</button> }
        }
    };
    let source = p.on_source.as_ref().map(|cb| {
        let (cb, close, re) = (cb.clone(), close.clone(), re.clone());
        let title = format!("its annotated source listing (pprof's list): f={re}, view=source");
        let onclick = Callback::from(move |_: MouseEvent| {
            close.emit(());
            cb.emit(re.clone());
        });
        html! { <button role="menuitem" data-action="source" {title} {onclick}>{"Show source"}</button> }
    });
    let on_copy = {
        let (name, close) = (name.clone(), close.clone());
        Callback::from(move |_: MouseEvent| {
            copy(&name);
            close.emit(());
        })
    };
    // Clamped so that the menu stays on screen (it is about 12em wide, 14em high).
    let (vw, vh) = web_sys::window()
        .map(|w| {
            let f = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64()).unwrap_or(1e4);
            (f(w.inner_width()), f(w.inner_height()))
        })
        .unwrap_or((1e4, 1e4));
    let (x, y) = (at.x.min(vw - 230.0).max(0.0), at.y.min(vh - 250.0).max(0.0));
    html! {
        <>
            <div class="menu-backdrop" onclick={close.reform(|_: MouseEvent| ())}
                oncontextmenu={close.reform(|e: MouseEvent| e.prevent_default())}></div>
            <div class="context-menu" role="menu" data-testid="context-menu" data-function={name.clone()} ref={menu}
                aria-label={format!("Actions for {name}")} style={format!("left:{x}px;top:{y}px")} onkeydown={on_key}>
                <div class="menu-name" title={name.clone()}>{ name.clone() }</div>
                { for entries }
                { pivot }
                { for source }
                <button role="menuitem" data-action="copy" onclick={on_copy}>{"Copy name"}</button>
            </div>
        </>
    }
}
