//! The browser app: Yew components, the worker bridge, file reading and the canvas painter.
//! Thin on purpose: decisions live in `view::state` and `analysis`.

mod app;
mod archives;
mod bridge;
mod components;
mod fetch;
mod flame;
mod graph_layout;
mod keep;
mod sources;
mod store;
mod tables;
mod worker;

use wasm_bindgen::prelude::*;

/// Starts the page (called by `main.js`) with the workers `main.js` started while the page
/// booted (the engine worker and the inflate worker; none: the page starts its own).
#[wasm_bindgen]
pub fn run_app(worker: Option<web_sys::Worker>, inflater: Option<web_sys::Worker>) {
    install_panic_hook();
    if let Some(worker) = worker {
        bridge::adopt(worker, inflater);
    }
    let root = gloo_root();
    yew::Renderer::<app::App>::with_root(root).render();
}

/// Starts a worker (called by `worker.js` inside the Web Worker): the engine worker, or the
/// inflate worker when the page named it so. `boot` is its first message
/// ([`crate::protocol::wire::Boot`]); `early`, the messages that came while the module
/// initialised.
#[wasm_bindgen]
pub fn worker_entry(boot: JsValue, early: js_sys::Array) {
    worker::start(boot, early);
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
