//! The export menu of each view (`[data-testid=export]`): the view's table as CSV, its profile
//! (refined, merged, a diff) as a gzipped pprof protobuf, folded stacks, the flame graph as a
//! standalone SVG or, as drawn, a PNG. Each entry carries `data-format`; the file is made by
//! the engine (or, for PNG, taken from the canvas) and handed to the browser's download
//! mechanism (a `Blob` and an `a[download]`): nothing leaves the machine.
//!
//! Keyboard: the button opens the menu with the first entry focused; arrow keys, Home and
//! End move; Enter runs an entry; Escape or Tab closes it and gives the focus back.

use crate::analysis::export::unbase64;
use crate::protocol::{Request, Response};
use crate::view::export::ExportEntry;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};
use yew::prelude::*;

/// Props of [`ExportMenu`].
#[derive(Properties, PartialEq)]
pub struct ExportMenuProps {
    /// The entries of the current view (none: the button is not drawn).
    pub entries: Vec<ExportEntry>,
    /// Sends a request to the engine; the answer goes to the callback.
    pub on_request: Callback<(Request, Callback<Response>)>,
    /// The PNG's file name.
    #[prop_or(AttrValue::Static("flamegraph.png"))]
    pub png_name: AttrValue,
}

/// Hands `bytes` to the browser as a download named `name`.
pub fn download_bytes(name: &str, mime: &str, bytes: &[u8]) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)?;
    download_blob(name, &blob)
}

/// Hands a blob to the browser as a download named `name`.
pub fn download_blob(name: &str, blob: &web_sys::Blob) -> Result<(), JsValue> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    let body = doc.body().ok_or("no body")?;
    body.append_child(&a)?;
    a.click();
    body.remove_child(&a)?;
    // (The URL is let go once the download has started.)
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    }
    Ok(())
}

/// The flame graph canvas on screen as a PNG download.
fn download_png(name: &str, done: Callback<Result<(), String>>) {
    let canvas = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("canvas[data-testid=flamegraph]").ok().flatten())
        .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok());
    let Some(canvas) = canvas else {
        done.emit(Err("there is no flame graph on screen".into()));
        return;
    };
    let name = name.to_string();
    let cb = Closure::once_into_js(move |blob: JsValue| {
        let r = match blob.dyn_into::<web_sys::Blob>() {
            Ok(b) => download_blob(&name, &b).map_err(|e| format!("{e:?}")),
            Err(_) => Err("the browser could not draw the PNG".into()),
        };
        done.emit(r);
    });
    if canvas.to_blob(cb.unchecked_ref()).is_err() {
        // (`done` went with the closure; a failure here is the browser's refusal.)
        web_sys::console::error_1(&"toBlob failed".into());
    }
}

fn items(menu: &web_sys::Element) -> Vec<HtmlElement> {
    let Ok(list) = menu.query_selector_all("[role=menuitem]") else { return vec![] };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok()).collect()
}

/// The export button and its menu.
#[function_component(ExportMenu)]
pub fn export_menu(p: &ExportMenuProps) -> Html {
    let open = use_state(|| false);
    // What the last export did: busy (a format), or a message.
    let status = use_state(|| None::<(bool, String)>);
    let menu_ref = use_node_ref();
    let button_ref = use_node_ref();
    {
        // The first entry takes the focus when the menu opens.
        let menu_ref = menu_ref.clone();
        use_effect_with(*open, move |&open| {
            if open {
                if let Some(first) = menu_ref.cast::<web_sys::Element>().and_then(|m| items(&m).into_iter().next()) {
                    let _ = first.focus();
                }
            }
        });
    }
    if p.entries.is_empty() {
        return html! {};
    }
    let close = {
        let (open, button_ref) = (open.clone(), button_ref.clone());
        Callback::from(move |refocus: bool| {
            open.set(false);
            if refocus {
                if let Some(b) = button_ref.cast::<HtmlElement>() {
                    let _ = b.focus();
                }
            }
        })
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let onkeydown = {
        let (menu_ref, close) = (menu_ref.clone(), close.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some(menu) = menu_ref.cast::<web_sys::Element>() else { return };
            let list = items(&menu);
            let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
            let at = list.iter().position(|x| Some(x.unchecked_ref::<web_sys::Element>()) == active.as_ref());
            let n = list.len();
            let go = |i: usize| {
                if let Some(x) = list.get(i) {
                    let _ = x.focus();
                }
            };
            match e.key().as_str() {
                "ArrowDown" => go(at.map_or(0, |i| (i + 1) % n)),
                "ArrowUp" => go(at.map_or(n - 1, |i| (i + n - 1) % n)),
                "Home" => go(0),
                "End" => go(n - 1),
                "Escape" => close.emit(true),
                "Tab" => {
                    close.emit(false);
                    return;
                }
                _ => return,
            }
            e.prevent_default();
            e.stop_propagation();
        })
    };
    let entries = p.entries.iter().map(|entry| {
        let (entry2, on_request, status, close) = (entry.clone(), p.on_request.clone(), status.clone(), close.clone());
        let png_name = p.png_name.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            close.emit(true);
            status.set(Some((true, format!("Preparing {}…", entry2.label))));
            let st = status.clone();
            let finish = Callback::from(move |r: Result<(), String>| {
                st.set(r.err().map(|e| (false, format!("Export failed: {e}"))));
            });
            match &entry2.request {
                None => download_png(&png_name, finish),
                Some(req) => {
                    let finish = finish.clone();
                    on_request.emit((
                        req.clone(),
                        Callback::from(move |resp: Response| {
                            let r = match resp {
                                Response::Export { file_name, mime, data, base64 } => {
                                    let bytes = if base64 {
                                        unbase64(&data).ok_or_else(|| "internal: bad base64".to_string())
                                    } else {
                                        Ok(data.into_bytes())
                                    };
                                    bytes.and_then(|b| download_bytes(&file_name, &mime, &b).map_err(|e| format!("{e:?}")))
                                }
                                Response::Error { message } => Err(message),
                                _ => Err("internal: the engine answered with something else than a file".into()),
                            };
                            finish.emit(r);
                        }),
                    ));
                }
            }
        });
        html! {
            <button role="menuitem" tabindex="-1" data-format={entry.format} {onclick}>{ entry.label }</button>
        }
    });
    let onfocusout = {
        let (menu_ref, close) = (menu_ref.clone(), close.clone());
        Callback::from(move |e: FocusEvent| {
            // Focus leaving the menu (a click elsewhere) closes it.
            let inside = e
                .related_target()
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                .zip(menu_ref.cast::<web_sys::Node>())
                .is_some_and(|(t, m)| m.contains(Some(&t)));
            if !inside {
                close.emit(false);
            }
        })
    };
    let (busy, message) = match &*status {
        Some((busy, m)) => (*busy, m.clone()),
        None => (false, String::new()),
    };
    html! {
        <div class="export">
            <button ref={button_ref} data-testid="export" aria-haspopup="menu" aria-expanded={open.to_string()}
                data-busy={busy.then_some("1")} onclick={toggle}>{ "Export ▾" }</button>
            if *open {
                <div ref={menu_ref} class="export-menu" role="menu" aria-label="Export" {onkeydown} {onfocusout}>
                    { for entries }
                </div>
            }
            if !message.is_empty() {
                <span class={if busy { "muted" } else { "export-error" }} role="status">{ message }</span>
            }
        </div>
    }
}
