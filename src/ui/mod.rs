//! The browser app: Yew components, the worker bridge, file reading and the canvas painter.
//! Thin on purpose: decisions live in `view::state` and `analysis`.

mod app;
mod bridge;
mod components;
mod flame;
mod store;
mod tables;
pub mod wire;
mod worker;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Starts the page (called by `main.js`).
#[wasm_bindgen]
pub fn run_app() {
    install_panic_hook();
    let root = gloo_root();
    yew::Renderer::<app::App>::with_root(root).render();
}

/// Starts a worker (called by `worker.js` inside the Web Worker): the analysis worker, or
/// the inflate worker when the page named it so. `port` is its end of the channel between the
/// two (none: the analysis worker reads files whole).
#[wasm_bindgen]
pub fn worker_entry(port: JsValue) {
    worker::start(port.dyn_into().ok());
}

fn gloo_root() -> web_sys::Element {
    let doc = web_sys::window().and_then(|w| w.document()).expect("a document");
    doc.get_element_by_id("app").unwrap_or_else(|| doc.body().expect("a body").into())
}

/// Last line of defence: a panic shows a visible error with a reload action instead of a
/// frozen page.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        web_sys::console::error_1(&format!("profdrop panicked: {msg}").into());
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Some(body) = doc.body() {
                let _ = body.set_attribute("data-state", "error");
            }
            if let Ok(div) = doc.create_element("div") {
                div.set_class_name("panic");
                let _ = div.set_attribute("data-testid", "error");
                let _ = div.set_attribute("role", "alert");
                let text = doc.create_element("p").ok();
                if let Some(p) = text {
                    p.set_text_content(Some(&format!("profdrop hit an internal error and stopped: {msg}")));
                    let _ = div.append_child(&p);
                }
                if let Ok(a) = doc.create_element("a") {
                    let _ = a.set_attribute("href", "./");
                    a.set_text_content(Some("Reload the page"));
                    let _ = div.append_child(&a);
                }
                if let Some(body) = doc.body() {
                    let _ = body.append_child(&div);
                }
            }
        }
    }));
}
