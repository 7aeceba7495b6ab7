//! The page side of the workers: starts them (the analysis worker, and the inflate worker
//! that feeds it), sends files and requests, and turns their messages into [`Action`]s.
//! Cancelling terminates both and replays the files still loaded.

use crate::decode::Stage;
use crate::protocol::{Request, Response, Summary};
use crate::view::state::Action;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

type Sink = Rc<dyn Fn(Action)>;

struct Inner {
    worker: Worker,
    /// The inflate worker (none: the analysis worker reads files whole).
    inflater: Option<Worker>,
    seq: u64,
    pending: HashMap<u64, Request>,
    /// Files of loaded profiles, by id, to replay after a cancel.
    files: Vec<(u32, String, JsValue)>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
}

/// The bridge handle (cheap to clone).
#[derive(Clone)]
pub struct Bridge {
    inner: Rc<RefCell<Option<Inner>>>,
    sink: Sink,
}

impl PartialEq for Bridge {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

fn get(v: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn obj(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

impl Bridge {
    /// Starts the worker.
    pub fn new(sink: Sink) -> Bridge {
        let b = Bridge { inner: Rc::new(RefCell::new(None)), sink };
        b.spawn();
        b
    }

    /// The workers `main.js` started (and sent the module) while the page booted, the first
    /// time they are asked for.
    fn early_workers() -> Option<(Worker, Option<Worker>)> {
        let global: js_sys::Object = js_sys::global().unchecked_into();
        let take = |k: &str| {
            let key = JsValue::from_str(k);
            let w = js_sys::Reflect::get(&global, &key).ok()?.dyn_into::<Worker>().ok();
            let _ = js_sys::Reflect::delete_property(&global, &key);
            w
        };
        let worker = take("__profdropWorker")?;
        Some((worker, take("__profdropInflater")))
    }

    /// Starts the two workers as `main.js` does: each one's first message is this page's
    /// compiled module (no second compile) and its end of a channel between them.
    fn start_workers() -> Option<(Worker, Option<Worker>)> {
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let worker = Worker::new_with_options("./worker.js", &opts).ok()?;
        opts.set_name(super::worker::INFLATER);
        let pair = Worker::new_with_options("./worker.js", &opts).ok().zip(web_sys::MessageChannel::new().ok());
        let module = |port: Option<&web_sys::MessagePort>| {
            let mut m = vec![("kind", JsValue::from("module")), ("module", wasm_bindgen::module())];
            m.extend(port.map(|p| ("port", JsValue::from(p))));
            obj(&m)
        };
        match pair {
            Some((inflater, channel)) => {
                let (a, b) = (channel.port1(), channel.port2());
                let _ = worker.post_message_with_transfer(&module(Some(&a)), &js_sys::Array::of1(&a));
                let _ = inflater.post_message_with_transfer(&module(Some(&b)), &js_sys::Array::of1(&b));
                Some((worker, Some(inflater)))
            }
            None => {
                let _ = worker.post_message(&module(None));
                Some((worker, None))
            }
        }
    }

    fn spawn(&self) {
        let Some((worker, inflater)) = Self::early_workers().or_else(Self::start_workers) else {
            (self.sink)(Action::LoadFailed(0, "this browser cannot start the analysis worker".into()));
            return;
        };
        let inner_weak = Rc::downgrade(&self.inner);
        let sink = self.sink.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(inner) = inner_weak.upgrade() else { return };
            let data = e.data();
            let kind = get(&data, "kind").as_string().unwrap_or_default();
            let seq = get(&data, "seq").as_f64().unwrap_or(-1.0) as u64;
            match kind.as_str() {
                "progress" => {
                    let id = get(&data, "id").as_f64().unwrap_or(0.0) as u32;
                    let stage: Stage = serde_wasm_bindgen::from_value(get(&data, "stage")).unwrap_or(Stage::Decoding);
                    let f = get(&data, "fraction").as_f64().unwrap_or(0.0);
                    sink(Action::Progress(id, stage, f));
                }
                "loaded" => {
                    // Peak WebAssembly memory of the worker, for benchmarks.
                    if let (Some(m), Some(body)) =
                        (get(&data, "memory").as_f64(), web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()))
                    {
                        let _ = body.set_attribute("data-worker-memory", &format!("{m}"));
                    }
                    match super::wire::from_js::<Summary>(get(&data, "summary")) {
                        Ok(s) => sink(Action::Loaded(s)),
                        Err(e) => sink(Action::LoadFailed(0, format!("internal: {e}"))),
                    }
                }
                "preview" => {
                    // The top table of a profile whose model is still being built.
                    let summary = super::wire::from_js::<Summary>(get(&data, "summary"));
                    let top = super::wire::response_from_js(get(&data, "top"));
                    if let (Ok(s), Ok(top)) = (summary, top) {
                        sink(Action::Preview(s));
                        // The table in a task of its own: the page lays out the new profile,
                        // then its table, and neither holds the main thread for long.
                        let sink = sink.clone();
                        let later = Closure::once_into_js(move || sink(Action::PreviewTop(top)));
                        if let Some(w) = web_sys::window() {
                            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 0);
                        }
                    }
                }
                "load_error" => {
                    let id = get(&data, "id").as_f64().unwrap_or(0.0) as u32;
                    if let Some(i) = inner.borrow_mut().as_mut() {
                        i.files.retain(|f| f.0 != id);
                    }
                    sink(Action::LoadFailed(id, get(&data, "message").as_string().unwrap_or_default()));
                }
                "resp" => {
                    let req = inner.borrow_mut().as_mut().and_then(|i| i.pending.remove(&seq));
                    if let Some(req) = req {
                        let resp = super::wire::response_from_js(get(&data, "resp"))
                            .unwrap_or_else(|e| Response::Error { message: format!("internal: {e}") });
                        sink(Action::Answer(req, resp));
                    }
                }
                _ => {}
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        let onerror = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new({
            let sink = self.sink.clone();
            move |e: web_sys::ErrorEvent| {
                web_sys::console::error_1(&format!("worker error: {}", e.message()).into());
                sink(Action::WorkerCrashed(e.message()));
            }
        });
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        onerror.forget();
        if let Some(inflater) = &inflater {
            // The analysis worker hears of it: later files are read whole, the one in flight
            // fails with the reason.
            let to = worker.clone();
            let onerror = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                let _ = to.post_message(&obj(&[("kind", "inflater-failed".into()), ("message", e.message().into())]));
            });
            inflater.set_onerror(Some(onerror.as_ref().unchecked_ref()));
            onerror.forget();
        }
        let mut files = Vec::new();
        if let Some(old) = self.inner.borrow_mut().take() {
            old.worker.terminate();
            if let Some(i) = old.inflater {
                i.terminate();
            }
            files = old.files;
        }
        *self.inner.borrow_mut() =
            Some(Inner { worker, inflater, seq: 0, pending: HashMap::new(), files: Vec::new(), _onmessage: onmessage });
        // Replay profiles that were loaded before a restart.
        for (id, name, file) in files {
            self.send_file(id, &name, file);
        }
    }

    fn send_file(&self, id: u32, name: &str, file: JsValue) {
        let mut g = self.inner.borrow_mut();
        let Some(i) = g.as_mut() else { return };
        i.seq += 1;
        let msg = obj(&[
            ("seq", (i.seq as f64).into()),
            ("kind", "load".into()),
            ("id", id.into()),
            ("name", name.into()),
            ("file", file.clone()),
        ]);
        let _ = i.worker.post_message(&msg);
        i.files.retain(|f| f.0 != id);
        i.files.push((id, name.to_string(), file));
    }

    /// Loads a file (a `File`/`Blob`) under an id.
    pub fn load(&self, id: u32, name: &str, file: JsValue) {
        self.send_file(id, name, file);
    }

    /// Forgets a profile.
    pub fn remove(&self, id: u32) {
        if let Some(i) = self.inner.borrow_mut().as_mut() {
            i.files.retain(|f| f.0 != id);
        }
        self.request(Request::Remove { id });
    }

    /// Sends a request; the answer arrives as `Action::Answer`.
    pub fn request(&self, req: Request) {
        let mut g = self.inner.borrow_mut();
        let Some(i) = g.as_mut() else { return };
        i.seq += 1;
        let Ok(js) = serde_wasm_bindgen::to_value(&req) else { return };
        let msg = obj(&[("seq", (i.seq as f64).into()), ("kind", "req".into()), ("req", js)]);
        if i.worker.post_message(&msg).is_ok() {
            i.pending.insert(i.seq, req);
        }
    }

    /// Cancels loading: the worker is replaced and already loaded files are read again.
    pub fn cancel(&self, loading: &[u32]) {
        if let Some(i) = self.inner.borrow_mut().as_mut() {
            i.files.retain(|f| !loading.contains(&f.0));
        }
        self.spawn();
    }
}
