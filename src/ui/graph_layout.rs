//! The page side of the graph view's layout worker (`graph-worker.js`: Graphviz's `dot` in
//! WebAssembly). The worker, and with it the library, is started the first time the graph
//! view opens ([`warm`], while the engine computes the graph), so no other view pays for it;
//! it lays graphs out off the main thread, one message each, answers matched by a sequence
//! number.

use crate::view::graph::Layout;
use gloo_events::EventListener;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Worker, WorkerOptions, WorkerType};

/// Gets each layout of a graph (`true`: the final one, with curved edges; `false`: the
/// quick one before it, straight edges), or why there is none.
type Done = Box<dyn FnMut(Result<Layout, String>, bool)>;

struct LayoutWorker {
    worker: Worker,
    next: u32,
    pending: Rc<RefCell<HashMap<u32, Done>>>,
    /// Its script failed: the next layout starts a new worker.
    broken: Rc<std::cell::Cell<bool>>,
    _listeners: [EventListener; 2],
}

thread_local! {
    static WORKER: RefCell<Option<LayoutWorker>> = const { RefCell::new(None) };
}

fn start() -> Result<LayoutWorker, String> {
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Module);
    let worker = Worker::new_with_options("./graph-worker.js", &opts).map_err(|e| format!("the layout worker did not start: {e:?}"))?;
    let pending: Rc<RefCell<HashMap<u32, Done>>> = Rc::default();
    let on_message = {
        let pending = pending.clone();
        EventListener::new(&worker, "message", move |e| {
            let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else { return };
            let data = e.data();
            let get = |k: &str| js_sys::Reflect::get(&data, &JsValue::from_str(k)).ok();
            let Some(seq) = get("seq").and_then(|v| v.as_f64()) else { return };
            let seq = seq as u32;
            // A newer graph came before this one was laid out (or curved): nothing more comes.
            if get("skipped").is_some_and(|v| v.is_truthy()) {
                pending.borrow_mut().remove(&seq);
                return;
            }
            let last = get("final").is_none_or(|v| v.is_truthy());
            let result = match get("layout").and_then(|v| v.as_string()) {
                Some(json) => serde_json::from_str::<Layout>(&json).map_err(|e| format!("the layout could not be read: {e}")),
                None => Err(get("error").and_then(|v| v.as_string()).unwrap_or_else(|| "the layout failed".into())),
            };
            let last = last || result.is_err();
            // (Taken out while it runs: it may ask for another layout.)
            let Some(mut done) = pending.borrow_mut().remove(&seq) else { return };
            done(result, last);
            if !last {
                pending.borrow_mut().insert(seq, done);
            }
        })
    };
    let broken: Rc<std::cell::Cell<bool>> = Rc::default();
    let on_error = {
        let (pending, broken) = (pending.clone(), broken.clone());
        EventListener::new(&worker, "error", move |e| {
            let msg = e.dyn_ref::<web_sys::ErrorEvent>().map(|e| e.message()).unwrap_or_default();
            // The worker's script failed: every layout waiting fails, and the next one starts
            // a new worker.
            let waiting: Vec<Done> = pending.borrow_mut().drain().map(|(_, d)| d).collect();
            for mut done in waiting {
                done(Err(format!("the layout engine failed to load: {msg}")), true);
            }
            broken.set(true);
        })
    };
    Ok(LayoutWorker { worker, next: 0, pending, broken, _listeners: [on_message, on_error] })
}

/// The worker, started (again, if its script failed) when needed.
fn with_worker<R>(f: impl FnOnce(Result<&mut LayoutWorker, String>) -> R) -> R {
    WORKER.with(|w| {
        let mut w = w.borrow_mut();
        if w.as_ref().is_none_or(|x| x.broken.get()) {
            if let Some(old) = w.take() {
                old.worker.terminate();
            }
            match start() {
                Ok(x) => *w = Some(x),
                Err(e) => return f(Err(e)),
            }
        }
        f(Ok(w.as_mut().expect("started")))
    })
}

/// Starts the worker and its Graphviz load now (the graph view opens: the engine computes
/// the graph meanwhile), so the first layout does not wait for it.
pub fn warm() {
    with_worker(|lw| {
        if let Ok(lw) = lw {
            let msg = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&msg, &"warm".into(), &JsValue::TRUE);
            let _ = lw.worker.post_message(&msg);
        }
    });
}

/// Lays out `dot` (see [`crate::view::graph::dot`]); `done` gets the quick layout (straight
/// edges, `false`) and then the final one (`true`), or why not (`true`). A newer graph asked
/// for before they come may make them not come.
pub fn layout(dot: String, mut done: impl FnMut(Result<Layout, String>, bool) + 'static) {
    with_worker(|lw| {
        let lw = match lw {
            Ok(lw) => lw,
            Err(e) => return done(Err(e), true),
        };
        lw.next = lw.next.wrapping_add(1);
        let seq = lw.next;
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"seq".into(), &JsValue::from_f64(seq as f64));
        let _ = js_sys::Reflect::set(&msg, &"dot".into(), &JsValue::from_str(&dot));
        lw.pending.borrow_mut().insert(seq, Box::new(done));
        if let Err(e) = lw.worker.post_message(&msg) {
            if let Some(mut done) = lw.pending.borrow_mut().remove(&seq) {
                done(Err(format!("the layout worker refused the graph: {e:?}")), true);
            }
        }
    });
}
