//! The page side of the workers: starts them (the engine worker, and the inflate worker that
//! feeds it), sends files and requests, and turns their messages into [`Action`]s.
//! Cancelling terminates both and replays the files still loaded. The messages themselves are
//! [`crate::protocol::wire`]'s.

use crate::protocol::wire::{self, Boot, FromEngine, ToEngine};
use crate::protocol::{Request, Response, Stage};
use crate::view::state::Action;
use gloo_events::EventListener;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Worker, WorkerOptions, WorkerType};

type Sink = Rc<dyn Fn(Action)>;

struct Inner {
    worker: Worker,
    /// The inflate worker (none: the engine worker reads files whole).
    inflater: Option<Worker>,
    seq: u32,
    pending: HashMap<u32, Request>,
    /// Queries held back while one of the same kind is being answered, the latest of each
    /// kind: a change made while a query is in flight supersedes the changes before it, so a
    /// burst of them (typing a filter, pressing a key repeatedly) costs two answers, not one
    /// per change.
    held: Vec<Request>,
    /// Files of loaded profiles, by id, to replay after a cancel.
    files: Vec<(u32, String, web_sys::Blob)>,
    /// Units chosen for folded profiles, by id, to set again after a replay.
    units: Vec<(u32, String)>,
    /// The workers' message and error listeners (removed with them).
    _listeners: Vec<EventListener>,
    /// Requests whose answer goes to a callback rather than the store (exports), by number.
    callbacks: HashMap<u32, Box<dyn FnOnce(Response)>>,
    /// Progress not shown yet: the latest of each load (see [`progress`]).
    progress: Vec<(u32, Stage, f64)>,
    /// Loads done but not shown yet, while others are still loading (shown with the progress).
    loaded: Vec<Action>,
    /// A flush of `progress` and `loaded` is due.
    flush_due: bool,
    /// Profiles sent to load and not loaded (or failed) yet.
    loading: std::collections::HashSet<u32>,
    /// The workers' WebAssembly memory after the last load, not shown yet.
    memory: Option<f64>,
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

thread_local! {
    /// The workers `main.js` started while the page booted ([`adopt`]), until the bridge takes
    /// them.
    static EARLY: RefCell<Option<(Worker, Option<Worker>)>> = const { RefCell::new(None) };
}

/// Hands the bridge the workers `main.js` started (and sent the module) while the page booted:
/// the first [`Bridge`] uses them rather than starting its own.
pub fn adopt(worker: Worker, inflater: Option<Worker>) {
    EARLY.with(|e| *e.borrow_mut() = Some((worker, inflater)));
}

impl Bridge {
    /// Starts the worker.
    pub fn new(sink: Sink) -> Bridge {
        let b = Bridge { inner: Rc::new(RefCell::new(None)), sink };
        b.spawn();
        b
    }

    /// Starts the two workers as `main.js` does: each one's first message is this page's
    /// compiled module (no second compile) and its end of a channel between them.
    fn start_workers() -> Option<(Worker, Option<Worker>)> {
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let worker = Worker::new_with_options("./worker.js", &opts).ok()?;
        opts.set_name(wire::INFLATER);
        let pair = Worker::new_with_options("./worker.js", &opts).ok().zip(web_sys::MessageChannel::new().ok());
        let boot = |port: Option<web_sys::MessagePort>| Boot { module: wasm_bindgen::module(), port };
        match pair {
            Some((inflater, channel)) => {
                let _ = wire::send(&worker, &boot(Some(channel.port1())));
                let _ = wire::send(&inflater, &boot(Some(channel.port2())));
                Some((worker, Some(inflater)))
            }
            None => {
                let _ = wire::send(&worker, &boot(None));
                Some((worker, None))
            }
        }
    }

    fn spawn(&self) {
        let early = EARLY.with(|e| e.borrow_mut().take());
        let Some((worker, inflater)) = early.or_else(Self::start_workers) else {
            (self.sink)(Action::LoadFailed(0, "this browser cannot start the analysis worker".into()));
            return;
        };
        let inner_weak = Rc::downgrade(&self.inner);
        let sink = self.sink.clone();
        let on_message = EventListener::new(&worker, "message", move |e| {
            let Some(inner) = inner_weak.upgrade() else { return };
            match wire::received::<FromEngine>(e) {
                Ok(m) => on_message(&inner, &sink, m),
                // (A bug: the loads in flight fail with it rather than wait forever.)
                Err(e) => sink(Action::WorkerCrashed(format!("internal: {e}"))),
            }
        });
        let sink = self.sink.clone();
        let on_error = EventListener::new(&worker, "error", move |e| {
            let message = e.dyn_ref::<web_sys::ErrorEvent>().map(|e| e.message()).unwrap_or_default();
            web_sys::console::error_1(&format!("worker error: {message}").into());
            sink(Action::WorkerCrashed(message));
        });
        let mut listeners = vec![on_message, on_error];
        if let Some(inflater) = &inflater {
            // The engine worker hears of it: later files are read whole, the one in flight
            // fails with the reason.
            let to = worker.clone();
            listeners.push(EventListener::new(inflater, "error", move |e| {
                let message = e.dyn_ref::<web_sys::ErrorEvent>().map(|e| e.message()).unwrap_or_default();
                let _ = wire::send(&to, &ToEngine::InflaterFailed { message });
            }));
        }
        let mut files = Vec::new();
        let mut units = Vec::new();
        if let Some(old) = self.inner.borrow_mut().take() {
            old.worker.terminate();
            if let Some(i) = old.inflater {
                i.terminate();
            }
            files = old.files;
            units = old.units;
        }
        *self.inner.borrow_mut() = Some(Inner {
            worker,
            inflater,
            seq: 0,
            pending: HashMap::new(),
            held: Vec::new(),
            files: Vec::new(),
            units: Vec::new(),
            _listeners: listeners,
            callbacks: HashMap::new(),
            progress: Vec::new(),
            loaded: Vec::new(),
            flush_due: false,
            loading: Default::default(),
            memory: None,
        });
        // Replay profiles that were loaded before a restart (and the units chosen for them).
        // (Their tables are on the page already: no preview.)
        for (id, name, file) in files {
            self.send_file(id, &name, file, false);
        }
        for (id, unit) in units {
            self.request(Request::SetUnit { id, unit });
        }
    }

    fn send_file(&self, id: u32, name: &str, file: web_sys::Blob, preview: bool) {
        let mut g = self.inner.borrow_mut();
        let Some(i) = g.as_mut() else { return };
        let _ = wire::send(&i.worker, &ToEngine::Load { id, name: name.to_string(), file: file.clone(), preview });
        i.files.retain(|f| f.0 != id);
        i.files.push((id, name.to_string(), file));
        i.loading.insert(id);
    }

    /// Loads a file (a `File`/`Blob`) under an id.
    pub fn load(&self, id: u32, name: &str, file: JsValue, preview: bool) {
        match file.dyn_into::<web_sys::Blob>() {
            Ok(file) => self.send_file(id, name, file, preview),
            Err(_) => (self.sink)(Action::LoadFailed(id, format!("{name}: not a file"))),
        }
    }

    /// Forgets a profile.
    pub fn remove(&self, id: u32) {
        if let Some(i) = self.inner.borrow_mut().as_mut() {
            i.files.retain(|f| f.0 != id);
            i.units.retain(|u| u.0 != id);
            i.loading.remove(&id);
        }
        self.request(Request::Remove { id });
    }

    /// Sends a request; the answer arrives as `Action::Answer`. A query of a kind already
    /// being answered waits for that answer, and a newer one of its kind replaces it.
    pub fn request(&self, req: Request) {
        let mut g = self.inner.borrow_mut();
        let Some(i) = g.as_mut() else { return };
        if let Request::SetUnit { id, unit } = &req {
            i.units.retain(|u| u.0 != *id);
            i.units.push((*id, unit.clone()));
        }
        if is_query(&req) && i.pending.values().any(|p| same_kind(p, &req)) {
            i.held.retain(|h| !same_kind(h, &req));
            // (The same query asked again, while it is answered, is that answer.)
            if !i.pending.values().any(|p| *p == req) {
                i.held.push(req);
            }
            return;
        }
        i.send(req);
    }

    /// Sends a request whose answer goes to `then` (an export's file), not to the store.
    pub fn request_then(&self, req: Request, then: impl FnOnce(Response) + 'static) {
        let mut g = self.inner.borrow_mut();
        let Some(i) = g.as_mut() else { return };
        i.send(req);
        let seq = i.seq;
        i.callbacks.insert(seq, Box::new(then));
    }

    /// Cancels loading: the worker is replaced and already loaded files are read again.
    pub fn cancel(&self, loading: &[u32]) {
        if let Some(i) = self.inner.borrow_mut().as_mut() {
            i.files.retain(|f| !loading.contains(&f.0));
        }
        self.spawn();
    }
}

impl Inner {
    fn send(&mut self, req: Request) {
        self.seq += 1;
        let seq = self.seq;
        if wire::send(&self.worker, &ToEngine::Req { seq, req: req.clone() }).is_ok() {
            self.pending.insert(seq, req);
        }
    }
}

/// A query (answered with data for a view) rather than a change of the loaded set.
fn is_query(r: &Request) -> bool {
    !matches!(r, Request::Remove { .. } | Request::Merge { .. } | Request::Export { .. } | Request::SetUnit { .. })
}

/// Do two queries fill the same answer of the page (so that the newer replaces the older)?
/// The kind of request, and for flame graphs which one: the view's, or a pivot's callers or
/// callees (the pivot view asks for both at once).
fn same_kind(a: &Request, b: &Request) -> bool {
    let slot = |r: &Request| match r {
        Request::Flame { pivot: Some(_), inverted, .. } => 1 + *inverted as u8,
        _ => 0,
    };
    std::mem::discriminant(a) == std::mem::discriminant(b) && slot(a) == slot(b)
}

/// How often progress is shown, at most (ms).
const PROGRESS_MS: u32 = 100;

/// Progress of a load: shown at most every [`PROGRESS_MS`], the latest of each load. A load of
/// 100 small files posts some 2,500 progress messages (three stages each); shown one by one,
/// each was a render and a frame of the page, and the page's thread took a core from the two
/// workers for the whole load (5.3 s of 5.7 s). (A stage shorter than that may go unseen.)
fn progress(inner: &Rc<RefCell<Option<Inner>>>, sink: &Sink, id: u32, stage: Stage, fraction: f64) {
    defer(inner, sink, |i| match i.progress.iter_mut().find(|p| p.0 == id) {
        Some(p) => *p = (id, stage, fraction),
        None => i.progress.push((id, stage, fraction)),
    });
}

/// A profile has loaded: shown now if it was the last loading, else with the next progress
/// (a folder of 100 snapshots is then not 100 renders of a growing profile list).
fn loaded(inner: &Rc<RefCell<Option<Inner>>>, sink: &Sink, action: Action, id: u32) {
    let Some(last) = inner.borrow_mut().as_mut().map(|i| {
        i.loading.remove(&id);
        i.loading.is_empty()
    }) else {
        return;
    };
    if last {
        flush(inner, sink);
        sink(action);
    } else {
        defer(inner, sink, |i| i.loaded.push(action));
    }
}

/// Keeps something to show (`keep` puts it in `Inner`) for the next flush, which is due in
/// [`PROGRESS_MS`] if none is yet.
fn defer(inner: &Rc<RefCell<Option<Inner>>>, sink: &Sink, keep: impl FnOnce(&mut Inner)) {
    let schedule = {
        let mut b = inner.borrow_mut();
        let Some(i) = b.as_mut() else { return };
        keep(i);
        !std::mem::replace(&mut i.flush_due, true)
    };
    if schedule {
        let (inner, sink) = (Rc::downgrade(inner), sink.clone());
        wasm_bindgen_futures::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(PROGRESS_MS).await;
            if let Some(inner) = inner.upgrade() {
                flush(&inner, &sink);
            }
        });
    }
}

/// Shows the progress and the loads not shown yet.
fn flush(inner: &RefCell<Option<Inner>>, sink: &Sink) {
    let (progress, loaded, memory) = inner
        .borrow_mut()
        .as_mut()
        .map(|i| {
            i.flush_due = false;
            (std::mem::take(&mut i.progress), std::mem::take(&mut i.loaded), i.memory.take())
        })
        .unwrap_or_default();
    // The workers' WebAssembly memory after the last load shown, for benchmarks.
    if let Some(memory) = memory {
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-worker-memory", &format!("{memory}"));
        }
    }
    for (id, stage, fraction) in progress {
        sink(Action::Progress(id, stage, fraction));
    }
    for action in loaded {
        sink(action);
    }
}

/// A message from the engine worker.
fn on_message(inner: &Rc<RefCell<Option<Inner>>>, sink: &Sink, m: FromEngine) {
    if !matches!(m, FromEngine::Progress { .. } | FromEngine::Loaded { .. }) {
        // (In order: what came before this message is shown before it.)
        flush(inner, sink);
    }
    match m {
        FromEngine::Progress { id, stage, fraction } => progress(inner, sink, id, stage, fraction),
        FromEngine::Loaded { summary, memory } => {
            // (Shown with the load: an attribute of the page is a style recalculation.)
            if let Some(i) = inner.borrow_mut().as_mut() {
                i.memory = Some(memory);
            }
            let id = summary.id;
            loaded(inner, sink, Action::Loaded(summary), id);
        }
        FromEngine::Preview { summary, top } => {
            // The new profile and its table in one render (rows are built in one call per
            // table: on L the render is no long task; in a task of its own the table came a
            // frame later, 36 -> 65 ms after the stream's end on M).
            sink(Action::Preview(summary));
            sink(Action::PreviewTop(top));
        }
        FromEngine::LoadError { id, message } => {
            if let Some(i) = inner.borrow_mut().as_mut() {
                i.files.retain(|f| f.0 != id);
                i.loading.remove(&id);
            }
            sink(Action::LoadFailed(id, message));
        }
        FromEngine::Resp { seq, resp } => {
            let then = inner.borrow_mut().as_mut().and_then(|i| {
                let then = i.callbacks.remove(&seq)?;
                i.pending.remove(&seq);
                Some(then)
            });
            if let Some(then) = then {
                then(resp);
                return;
            }
            let req = inner.borrow_mut().as_mut().and_then(|i| {
                let req = i.pending.remove(&seq)?;
                // The query of this kind that waited for this answer goes now.
                if let Some(at) = i.held.iter().position(|h| same_kind(h, &req)) {
                    let next = i.held.remove(at);
                    i.send(next);
                }
                Some(req)
            });
            if let Some(req) = req {
                sink(Action::Answer(req, resp));
            }
        }
    }
}
