//! The Web Worker side: owns the [`Engine`], reads files, reports progress, answers requests.
//! The messages are [`crate::protocol::wire`]'s.

use crate::decode::Stage;
use crate::engine::Engine;
use crate::protocol::wire::{self, Boot, FromEngine, FromInflater, ToEngine, ToInflater};
use crate::protocol::{FlameSource, Request, FLAME_MIN_FRACTION, TOP_PAGE};
use gloo_events::EventListener;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessagePort};

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts to the page.
fn post(m: &FromEngine) {
    if let Err(e) = wire::send(&scope(), m) {
        web_sys::console::error_1(&e.into());
    }
}

/// Bytes of WebAssembly memory the worker holds (it only grows: this is the peak).
fn wasm_memory() -> f64 {
    wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>().buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length()
        as f64
}

/// Compressed bytes the inflate worker reads at a time.
const PIECE: f64 = (1 << 20) as f64;
/// The first piece is smaller, so that decoding starts sooner.
const FIRST_PIECE: f64 = (128 << 10) as f64;
/// Most decompressed bytes in one message to the engine worker (plus 32 KiB).
const OUT_CHUNK: usize = 4 << 20;

/// Starts this worker: the inflate worker if the page named it so, else the engine worker.
/// `boot`: its first message; `early`: the page's messages that came while it started.
pub fn start(boot: JsValue, early: js_sys::Array) {
    let port = match wire::decode::<Boot>(boot) {
        Ok(boot) => boot.port,
        Err(e) => {
            web_sys::console::error_1(&e.into());
            None
        }
    };
    if scope().name() == wire::INFLATER {
        // (Without a channel to the engine worker it has nobody to work for.)
        if let Some(port) = port {
            inflater::start(port);
        }
        return;
    }
    EventListener::new(&scope(), "message", |e| on_message(wire::received(e))).forget();
    if let Some(port) = port {
        loads::connect_inflater(port);
    }
    if early.length() == 0 {
        warm_up(true);
    }
    for m in early.iter() {
        on_message(wire::decode(m));
    }
}

/// A message from the page.
fn on_message(m: Result<ToEngine, String>) {
    stop_warm_up();
    match m {
        Ok(ToEngine::Load { id, name, file, preview }) => loads::queue(loads::Load { id, name, file, preview }),
        // A request for a profile still loading (say, one read again after a Cancel
        // restarted this worker) is answered once it has loaded.
        Ok(ToEngine::Req { seq, req }) if loads::busy_with(&req.profiles()) => loads::defer(seq, req),
        Ok(ToEngine::Req { seq, req }) => answer(seq, req),
        // The page saw the inflate worker fail.
        Ok(ToEngine::InflaterFailed { message }) => loads::inflater_failed(message),
        Err(e) => web_sys::console::error_1(&format!("from the page: {e}").into()),
    }
}

/// Runs the load path on the bundled example profile a few times while the page starts:
/// the browser first runs WebAssembly with a quick baseline compiler and recompiles a function
/// with its optimising one only once it has run a while, so without this the first file the
/// user drops would be the one that pays for it. `engine`: the whole load and the first views
/// (the engine worker, 24 times), else only inflating (the inflate worker, 160 times).
///
/// It runs a few rounds per task, and the first real message stops it: a file dropped as soon
/// as the page shows does not wait for it.
fn warm_up(engine: bool) {
    WARM_ROUNDS_LEFT.set(if engine { 24 } else { 160 });
    let per_task = if engine { 3 } else { 5 };
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            for _ in 0..per_task {
                let left = WARM_ROUNDS_LEFT.get();
                if left == 0 {
                    return;
                }
                WARM_ROUNDS_LEFT.set(left - 1);
                warm_round(engine);
            }
            // The next rounds in a task of their own: messages that came meanwhile go first.
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
    });
}

thread_local! {
    /// Warm-up rounds still to run (0 once it is over or stopped).
    static WARM_ROUNDS_LEFT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Real work has come: the warm-up stops before its next round.
fn stop_warm_up() {
    WARM_ROUNDS_LEFT.set(0);
    IDLE_GEN.set(IDLE_GEN.get().wrapping_add(1));
}

/// The bundled example profile the warm-ups run on.
const EXAMPLE: &[u8] = include_bytes!("../../testdata/example/heap.pb.gz");

fn warm_round(engine: bool) {
    let limits = crate::decode::Limits::default();
    let mut gz = crate::decode::gzip::GzInflater::streaming(limits.max_bytes, OUT_CHUNK);
    let mut dec = crate::decode::StreamDecoder::new(limits, true);
    let _ = gz.feed(EXAMPLE, true, &mut |out| {
        if engine {
            let _ = dec.push(out);
        }
    });
    if !engine {
        return;
    }
    let Ok(p) = dec.finish(&mut crate::decode::NoProgress) else { return };
    let mut en = Engine::new();
    let st = p.sample_types[p.default_sample_type].name.clone();
    en.add(1, "", p, EXAMPLE.len());
    let _ =
        en.handle(Request::Top { id: 1, sample_type: st.clone(), order: Default::default(), limit: TOP_PAGE, refine: Default::default() });
    let _ = en.handle(Request::Flame {
        source: FlameSource::Single { id: 1 },
        sample_type: st.clone(),
        focus: None,
        zoom: vec![],
        search: String::new(),
        min_fraction: FLAME_MIN_FRACTION,
        refine: Default::default(),
        inverted: false,
        pivot: None,
    });
    // (The call graph's passes too: a big profile's graph then starts in optimised code.)
    let _ = en.handle(Request::Graph { id: 1, base: None, sample_type: st, options: Default::default(), refine: Default::default() });
}

/// Rounds of [`warm_refine_round`] to run once the first loads are done.
const REFINE_WARM_ROUNDS: u32 = 32;

thread_local! {
    /// Rounds of [`warm_refine_round`] run so far.
    static REFINE_WARM_DONE: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Once nothing has come for [`IDLE_DELAY_MS`] and no file is loading: makes the newest
/// profile's inline marks (its call graph's first pass); runs the refinement
/// path (locations made from the decoder's arrays, a focus and the lines granularity, their
/// tables) on the bundled example, a round per task, so that the browser has recompiled it
/// with its optimising tier before the user's first filter (which would otherwise run its
/// whole pass over a big profile in baseline code); then makes the newest profile's locations
/// (the first refinement's other cost). Any message stops it; it goes on at the next idle time.
fn when_idle() {
    when_idle_after(IDLE_DELAY_MS)
}

/// [`when_idle`], after `delay_ms` of quiet.
fn when_idle_after(delay_ms: u32) {
    let gen = IDLE_GEN.get().wrapping_add(1);
    IDLE_GEN.set(gen);
    if REFINE_WARM_DONE.get() >= REFINE_WARM_ROUNDS && loads::newest_prepared() {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(delay_ms).await;
        loop {
            if IDLE_GEN.get() != gen || WARM_ROUNDS_LEFT.get() > 0 || !loads::idle() {
                return;
            }
            // First what the newest profile's call graph reads first (0.1 s on a big heap
            // profile, a few MB), in a task of its own.
            if loads::mark_newest() {
                gloo_timers::future::TimeoutFuture::new(0).await;
                continue;
            }
            if REFINE_WARM_DONE.get() >= REFINE_WARM_ROUNDS {
                loads::prepare_newest();
                return;
            }
            warm_refine_round();
            REFINE_WARM_DONE.set(REFINE_WARM_DONE.get() + 1);
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
    });
}

/// Quiet time before [`when_idle`]'s work starts.
const IDLE_DELAY_MS: u32 = 100;

/// Quiet time before idle work after a graph: the page lays the graph out meanwhile, in
/// Graphviz's worker (0.2 s with straight edges, then 0.5 s with curves, on the L heap
/// graph), and draws it. On two cores, idle work then takes a core from them: the straight
/// layout took 0.33–0.42 s instead of 0.19–0.2 s.
const AFTER_GRAPH_DELAY_MS: u32 = 1500;

thread_local! {
    /// Bumped by every message and idle time: idle work started before stops.
    static IDLE_GEN: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn warm_refine_round() {
    let mut en = Engine::new();
    let Ok(_) = en.load(1, "", EXAMPLE.to_vec(), &mut crate::decode::NoProgress) else { return };
    let Some(p) = en.profile(1) else { return };
    let st = p.sample_types[p.default_sample_type].name.clone();
    let (rows, _) = crate::analysis::top::top_table(p, p.default_sample_type);
    let Some(row) = rows.get(3).or(rows.first()) else { return };
    let focus = format!("^{}$", regex_lite::escape(&p.functions.names[row.func as usize]));
    let refine = crate::analysis::refine::Refine { focus, ..Default::default() };
    let lines = crate::analysis::refine::Refine { granularity: crate::analysis::refine::Granularity::Lines, ..refine.clone() };
    for refine in [refine, lines] {
        let _ = en.handle(Request::Top { id: 1, sample_type: st.clone(), order: Default::default(), limit: TOP_PAGE, refine });
    }
}

/// Answers a request.
fn answer(seq: u32, req: Request) {
    let graph = matches!(req, Request::Graph { .. });
    let resp = ENGINE.with(|en| en.borrow_mut().handle(req));
    post(&FromEngine::Resp { seq, resp });
    // Idle again: the refinement's warm-up goes on.
    if loads::idle() {
        when_idle_after(if graph { AFTER_GRAPH_DELAY_MS } else { IDLE_DELAY_MS });
    }
}

/// Progress reports to the page for one load.
///
/// A new stage is always told; within one, a step of 2% at most every 50 ms (a folder of 100
/// small files otherwise posts some 3,000 messages, each a task of the page's thread, which
/// shares the machine's cores with the two workers).
fn reporter(id: u32) -> impl FnMut(Stage, f64) -> bool {
    let mut last: Option<(Stage, f64, f64)> = None;
    move |stage: Stage, fraction: f64| {
        let now = js_sys::Date::now();
        if last.is_none_or(|(s, l, t)| s != stage || ((fraction - l).abs() >= 0.02 && now - t >= 50.0)) {
            last = Some((stage, fraction, now));
            post(&FromEngine::Progress { id, stage, fraction });
        }
        true
    }
}

fn load_error(id: u32, message: String) {
    post(&FromEngine::LoadError { id, message });
}

/// Loads, one at a time in the order they came. A file goes to the inflate worker (the
/// machine's other core), which reads it; if it is gzip, it inflates it piece by piece while
/// this worker reads the protobuf as the pieces arrive, so reading, inflating and decoding
/// overlap. Requests are answered between pieces. Anything else (plain files, or no inflate
/// worker) is read whole here.
mod loads {
    use super::*;
    use crate::decode::StreamDecoder;
    use std::collections::VecDeque;

    /// A file to load.
    pub struct Load {
        pub id: u32,
        pub name: String,
        pub file: web_sys::Blob,
        /// Post its table before its model is built?
        pub preview: bool,
    }

    struct Streaming {
        /// Its number in the messages to and from the inflate worker.
        job: u32,
        id: u32,
        name: String,
        size: usize,
        /// The file (read whole here if it is not gzip).
        file: web_sys::Blob,
        dec: StreamDecoder,
        report: Box<dyn FnMut(Stage, f64) -> bool>,
        preview: bool,
    }

    #[derive(Default)]
    struct Loads {
        waiting: VecDeque<Load>,
        current: Option<Streaming>,
        /// The load after `current`, already handed to the inflate worker (which inflates
        /// its files one after the other): it starts the moment `current` is inflated, not
        /// once this worker has read that news and built `current`'s model.
        ahead: Option<Streaming>,
        /// Loads handed to the inflate worker so far.
        jobs: u32,
        /// This worker's end of the channel to the inflate worker.
        inflater: Option<MessagePort>,
        /// Its messages (removed with the channel).
        _listener: Option<EventListener>,
        /// Requests waiting for a profile that is loading.
        deferred: Vec<(u32, Request)>,
    }

    impl Loads {
        /// Is one of these profiles loading (streaming, or queued to load)?
        fn busy_with(&self, ids: &[u32]) -> bool {
            ids.iter().any(|id| {
                self.current.as_ref().is_some_and(|j| j.id == *id)
                    || self.ahead.as_ref().is_some_and(|j| j.id == *id)
                    || self.waiting.iter().any(|l| l.id == *id)
            })
        }
    }

    /// Is one of these profiles loading?
    pub fn busy_with(ids: &[u32]) -> bool {
        LOADS.with(|l| l.borrow().busy_with(ids))
    }

    /// Keeps a request until its profiles have loaded (or failed to).
    pub fn defer(seq: u32, req: Request) {
        LOADS.with(|l| l.borrow_mut().deferred.push((seq, req)));
    }

    /// Answers the kept requests whose profiles are no longer loading, in the order they came.
    fn answer_deferred() {
        loop {
            let ready = LOADS.with(|l| {
                let mut l = l.borrow_mut();
                let at = l.deferred.iter().position(|(_, r)| !l.busy_with(&r.profiles()));
                at.map(|i| l.deferred.remove(i))
            });
            match ready {
                Some((seq, req)) => answer(seq, req),
                None => return,
            }
        }
    }

    thread_local! {
        static LOADS: RefCell<Loads> = RefCell::new(Loads::default());
    }

    /// Takes the channel to the inflate worker the page started.
    pub fn connect_inflater(port: MessagePort) {
        let listener = EventListener::new(&port, "message", |e| match wire::received(e) {
            Ok(m) => on_inflated(m),
            Err(e) => web_sys::console::error_1(&format!("from the inflate worker: {e}").into()),
        });
        // (A listener added this way, unlike `onmessage`, needs the port started.)
        port.start();
        LOADS.with(|l| {
            let mut l = l.borrow_mut();
            l.inflater = Some(port);
            l._listener = Some(listener);
        });
    }

    /// The inflate worker failed: later loads are read whole, a load in flight fails with the
    /// reason.
    pub fn inflater_failed(message: String) {
        let current = LOADS.with(|l| {
            let mut l = l.borrow_mut();
            l.inflater = None;
            l._listener = None;
            // The load handed on ahead is read whole instead, in its turn.
            if let Some(a) = l.ahead.take() {
                l.waiting.push_front(Load { id: a.id, name: a.name, file: a.file, preview: a.preview });
            }
            l.current.take()
        });
        if let Some(job) = current {
            load_error(job.id, format!("the file could not be inflated ({message})"));
            next();
        }
    }

    pub fn queue(load: Load) {
        let idle = LOADS.with(|l| {
            let mut l = l.borrow_mut();
            l.waiting.push_back(load);
            l.current.is_none()
        });
        if idle {
            next();
        } else {
            send_ahead();
        }
    }

    /// Hands the next waiting load to the inflate worker while `current` is still in
    /// flight, if it has none yet.
    fn send_ahead() {
        let load = LOADS.with(|l| {
            let mut l = l.borrow_mut();
            if l.inflater.is_some() && l.current.is_some() && l.ahead.is_none() {
                l.waiting.pop_front()
            } else {
                None
            }
        });
        if let Some(load) = load {
            if let Some(s) = streaming(load) {
                LOADS.with(|l| l.borrow_mut().ahead = Some(s));
            }
        }
    }

    /// Starts the loads waiting, up to the first one that streams, and answers the requests
    /// that waited for the loads done.
    fn next() {
        loop {
            answer_deferred();
            let Some(load) = take_waiting() else {
                if idle() {
                    super::when_idle();
                }
                return;
            };
            if start(load) {
                return;
            }
        }
    }

    /// Is nothing loading or waiting to?
    pub fn idle() -> bool {
        LOADS.with(|l| {
            let l = l.borrow();
            l.current.is_none() && l.waiting.is_empty()
        })
    }

    /// The next waiting load, taken, when none is in flight.
    fn take_waiting() -> Option<Load> {
        LOADS.with(|l| {
            let mut l = l.borrow_mut();
            if l.current.is_some() {
                None
            } else {
                l.waiting.pop_front()
            }
        })
    }

    /// Starts the next waiting load if it streams (without answering the requests that wait:
    /// the load that just ended is not added yet).
    fn start_next() {
        let has_inflater = LOADS.with(|l| l.borrow().inflater.is_some());
        if !has_inflater {
            return;
        }
        if let Some(load) = take_waiting() {
            start(load);
        }
    }

    /// Starts one load; true when the inflate worker has it (and it finishes later).
    fn start(load: Load) -> bool {
        if LOADS.with(|l| l.borrow().inflater.is_none()) {
            let mut report = reporter(load.id);
            report(Stage::Reading, 0.0);
            read_whole(load.id, &load.name, &load.file, report);
            return false;
        }
        match streaming(load) {
            Some(s) => {
                LOADS.with(|l| l.borrow_mut().current = Some(s));
                send_ahead();
                true
            }
            None => false,
        }
    }

    /// Hands a load to the inflate worker: its stream, to keep as `current` or `ahead`; none
    /// when it could not be handed on (the load has failed).
    fn streaming(Load { id, name, file, preview }: Load) -> Option<Streaming> {
        let mut report = reporter(id);
        report(Stage::Reading, 0.0);
        let inflater = LOADS.with(|l| l.borrow().inflater.clone())?;
        // The inflate worker tells gzip from the rest and sends gzip's size field (which sizes
        // the decoder's columns) before the first piece: nothing is read here meanwhile.
        let limits = ENGINE.with(|en| en.borrow().limits);
        let size = file.size() as usize;
        // (Built against the template of the file loaded before it, set in `finish` once that
        // one is built: a series' snapshots share their stacks, see `decode::series`.)
        let dec = StreamDecoder::new(limits, true).with_preview(preview);
        let job = LOADS.with(|l| {
            let mut l = l.borrow_mut();
            l.jobs += 1;
            l.jobs
        });
        let msg = ToInflater::Inflate { job, file: file.clone(), cap: limits.max_bytes as u64 };
        if wire::send(&inflater, &msg).is_err() {
            load_error(id, "the file could not be handed to the inflate worker".into());
            return None;
        }
        Some(Streaming { job, id, name, size, file, dec, report: Box::new(report), preview })
    }

    /// A file's bytes, read here (synchronously: this is a worker).
    fn read_all(file: &web_sys::Blob) -> Result<Vec<u8>, String> {
        web_sys::FileReaderSync::new().map_err(|_| "the file could not be read (no FileReaderSync in this worker)".to_string()).and_then(
            |r| {
                r.read_as_array_buffer(file)
                    .map(|ab| js_sys::Uint8Array::new(&ab).to_vec())
                    .map_err(|e| format!("the file could not be read ({})", e.as_string().unwrap_or_else(|| "browser refused".into())))
            },
        )
    }

    /// Where a loaded profile's locations come from when a refinement first needs them: its
    /// file, read again, rather than the decoder's arrays (several megabytes per profile kept
    /// for every snapshot of a long series, most of which are never refined).
    struct FileLocations(web_sys::Blob);

    // SAFETY: profdrop's wasm is built without threads (no `atomics` target feature): the one
    // thread of this worker is the only one that can ever hold the `Blob`. The bound is there
    // for native code, where profiles are shared between test threads.
    unsafe impl Send for FileLocations {}
    unsafe impl Sync for FileLocations {}

    impl crate::model::locations::LocationSource for FileLocations {
        fn locations(&self) -> crate::model::locations::Locations {
            let limits = crate::decode::Limits::default();
            match read_all(&self.0).and_then(|b| crate::decode::locations_from(&b, &limits).map_err(|e| e.to_string())) {
                Ok(l) => l,
                Err(e) => {
                    web_sys::console::error_1(&format!("reading a profile's locations again: {e}").into());
                    Default::default()
                }
            }
        }
    }

    thread_local! {
        /// The template the protobuf file streamed last left for the next one.
        static TEMPLATE: RefCell<Option<crate::decode::series::Template>> = const { RefCell::new(None) };
        /// The profile loaded last, and its file: the one whose decoder's arrays are kept.
        static NEWEST: RefCell<Option<(u32, web_sys::Blob)>> = const { RefCell::new(None) };
    }

    fn newest_id() -> Option<u32> {
        NEWEST.with(|n| n.borrow().as_ref().map(|(id, _)| *id))
    }

    /// Makes the newest profile's locations, if not made yet.
    pub fn prepare_newest() {
        if let Some(id) = newest_id() {
            ENGINE.with(|en| en.borrow().prepare_locations(id));
        }
    }

    /// Are the newest profile's inline marks and locations made (or is there none)?
    pub fn newest_prepared() -> bool {
        newest_id().is_none_or(|id| {
            ENGINE.with(|en| {
                let en = en.borrow();
                !en.can_prepare_inline_marks(id) && !en.can_prepare_locations(id)
            })
        })
    }

    /// Makes the newest profile's inline marks, if not made yet; false when there was nothing
    /// to do.
    pub fn mark_newest() -> bool {
        newest_id().is_some_and(|id| ENGINE.with(|en| en.borrow().prepare_inline_marks(id)))
    }

    /// The profile `id` (just added, from `file`) keeps its decoder's arrays, so that its
    /// first refinement makes its locations from memory (the profile just dropped is the one
    /// the user refines first); the one loaded before it makes its locations from its file
    /// from now on, so a series of snapshots keeps one set of arrays, not one per snapshot.
    fn from_file(id: u32, file: &web_sys::Blob) {
        if let Some((prev, prev_file)) = NEWEST.with(|n| n.borrow_mut().replace((id, file.clone()))) {
            let cell = crate::model::locations::LocationCell::new(std::sync::Arc::new(FileLocations(prev_file)));
            ENGINE.with(|en| en.borrow_mut().relocate(prev, cell));
        }
    }

    /// Reads a file whole, here.
    fn read_whole(id: u32, name: &str, file: &web_sys::Blob, report: impl FnMut(Stage, f64) -> bool) {
        match read_all(file) {
            Ok(bytes) => whole(id, name, bytes, file, report),
            Err(msg) => load_error(id, msg),
        }
    }

    /// Reads a file that is all in memory.
    fn whole(id: u32, name: &str, bytes: Vec<u8>, file: &web_sys::Blob, mut report: impl FnMut(Stage, f64) -> bool) {
        match ENGINE.with(|en| en.borrow_mut().load(id, name, bytes, &mut report)) {
            Ok(summary) => {
                from_file(id, file);
                post(&FromEngine::Loaded { summary, memory: wasm_memory() })
            }
            Err(msg) => load_error(id, msg),
        }
    }

    /// The load in flight, if `job` is its number.
    fn current_is(job: u32) -> bool {
        LOADS.with(|l| l.borrow().current.as_ref().is_some_and(|j| j.job == job))
    }

    /// A message from the inflate worker: gzip's size field, a piece of the file, its end, an
    /// error, or that the file is not gzip.
    fn on_inflated(m: FromInflater) {
        match m {
            FromInflater::Chunk { job, data, len, fraction } => {
                if !current_is(job) {
                    return;
                }
                // One copy into wasm memory; the decoder reads fields where they lie. The
                // buffer goes back to the inflate worker, which fills it again.
                let bytes = js_sys::Uint8Array::new_with_byte_offset_and_length(&data, 0, len.min(data.byte_length())).to_vec();
                if let Some(port) = LOADS.with(|l| l.borrow().inflater.clone()) {
                    let _ = wire::send(&port, &ToInflater::GiveBack { buffer: data });
                }
                LOADS.with(|l| {
                    if let Some(job) = l.borrow_mut().current.as_mut() {
                        // An error is kept for the end: a gzip error found later wins, as
                        // when the file is read whole.
                        let _ = job.dec.push(&bytes);
                        (job.report)(Stage::Streaming, fraction);
                    }
                });
            }
            FromInflater::Hint { job, total } => {
                LOADS.with(|l| {
                    if let Some(j) = l.borrow_mut().current.as_mut().filter(|j| j.job == job) {
                        j.dec.size_hint(total as usize);
                    }
                });
            }
            FromInflater::Plain { job } => {
                let Some(load) = take(job) else { return };
                read_whole(load.id, &load.name, &load.file, load.report);
                next();
            }
            FromInflater::Error { job, message } => {
                let Some(load) = take(job) else { return };
                load_error(load.id, message);
                next();
            }
            FromInflater::End { job, memory } => {
                let Some(load) = take(job) else { return };
                // The next file is with the inflate worker already (`ahead`): it inflates
                // while this one's model is built (the two workers run at once).
                start_next();
                finish(load, memory);
                next();
            }
        }
    }

    /// The load in flight, taken, if `job` is its number; the one handed on ahead (whose
    /// messages come next) is in flight now, and the one after it is handed on.
    fn take(job: u32) -> Option<Streaming> {
        let taken = LOADS.with(|l| {
            let mut l = l.borrow_mut();
            if l.current.as_ref().is_some_and(|j| j.job == job) {
                let taken = l.current.take();
                l.current = l.ahead.take();
                taken
            } else {
                None
            }
        });
        if taken.is_some() {
            send_ahead();
        }
        taken
    }

    /// The stream has ended: the top table summed while the samples came is shown while the
    /// model (the flame graph's input) is built. `memory`: the inflate worker's.
    fn finish(mut job: Streaming, memory: f64) {
        let (id, name, size) = (job.id, &job.name, job.size);
        let mut show = |pv: &crate::decode::Preview| {
            let (summary, top) = crate::engine::preview(id, name, size, pv, TOP_PAGE);
            post(&FromEngine::Preview { summary, top });
        };
        job.dec.set_template(TEMPLATE.with(|t| t.borrow().clone()));
        let result = job.dec.finish_series(&mut job.report, &mut show).map_err(|e| e.to_string());
        match result {
            Ok((p, template)) => {
                TEMPLATE.with(|t| *t.borrow_mut() = template);
                let summary = ENGINE.with(|en| en.borrow_mut().add(job.id, &job.name, p, job.size));
                from_file(job.id, &job.file);
                // Both workers' WebAssembly memory: what the load costs.
                post(&FromEngine::Loaded { summary, memory: wasm_memory() + memory });
            }
            Err(msg) => load_error(job.id, msg),
        }
    }
}

/// The inflate worker: reads a file in pieces (the next piece is read while this one
/// inflates) and, if it is gzip, posts the decompressed bytes to the engine worker as they
/// come; else it says so, and the engine worker reads the file whole.
mod inflater {
    use super::*;
    use crate::decode::gzip::{self, GzInflater};
    use wasm_bindgen_futures::JsFuture;

    pub fn start(port: MessagePort) {
        EventListener::new(&port, "message", |e| {
            super::stop_warm_up();
            match wire::received(e) {
                Ok(ToInflater::Inflate { job, file, cap }) => queue(job, file, cap as usize),
                Ok(ToInflater::GiveBack { buffer }) => give_back(buffer),
                Err(e) => web_sys::console::error_1(&format!("from the engine worker: {e}").into()),
            }
        })
        .forget();
        // (A listener added this way, unlike `onmessage`, needs the port started.)
        port.start();
        ENGINE_PORT.with(|p| *p.borrow_mut() = Some(port));
        super::warm_up(false);
    }

    /// Files are inflated one after the other, in the order they came: the engine worker
    /// may hand on the next one before this one is done (its messages then follow this
    /// one's end).
    fn queue(job: u32, file: web_sys::Blob, cap: usize) {
        JOBS.with(|j| j.borrow_mut().push_back((job, file, cap)));
        if RUNNING.replace(true) {
            return;
        }
        wasm_bindgen_futures::spawn_local(async {
            while let Some((job, file, cap)) = JOBS.with(|j| j.borrow_mut().pop_front()) {
                run(job, file, cap).await;
            }
            RUNNING.set(false);
            POOL.with(|p| p.borrow_mut().clear());
        });
    }

    /// Posts to the engine worker.
    fn send(m: &FromInflater) {
        ENGINE_PORT.with(|p| {
            if let Some(p) = p.borrow().as_ref() {
                let _ = wire::send(p, m);
            }
        });
    }

    /// Bytes of a pooled buffer: the most one message carries.
    const BUFFER: usize = OUT_CHUNK + (64 << 10);

    thread_local! {
        /// The channel to the engine worker.
        static ENGINE_PORT: RefCell<Option<MessagePort>> = const { RefCell::new(None) };
        /// Buffers the engine worker has copied and sent back, while a file inflates: filling
        /// one again costs no fresh memory (a new 4 MB buffer per message cost more than
        /// copying into it). Emptied when no file is left to inflate.
        static POOL: RefCell<Vec<js_sys::ArrayBuffer>> = const { RefCell::new(Vec::new()) };
        /// Files to inflate after the one inflating.
        static JOBS: RefCell<std::collections::VecDeque<(u32, web_sys::Blob, usize)>> = const { RefCell::new(std::collections::VecDeque::new()) };
        /// Is a file inflating (or are more queued)?
        static RUNNING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    fn give_back(buf: js_sys::ArrayBuffer) {
        if RUNNING.get() && buf.byte_length() as usize == BUFFER {
            POOL.with(|p| {
                let mut p = p.borrow_mut();
                // (At most a few are ever in flight.)
                if p.len() < 8 {
                    p.push(buf);
                }
            });
        }
    }

    /// A buffer for `len` bytes: a pooled one, or a new one.
    fn buffer(len: usize) -> js_sys::ArrayBuffer {
        if len <= BUFFER {
            if let Some(b) = POOL.with(|p| p.borrow_mut().pop()) {
                return b;
            }
        }
        js_sys::ArrayBuffer::new(len.max(BUFFER) as u32)
    }

    /// How a file went.
    enum Outcome {
        /// Inflated to its end.
        Inflated,
        /// Not gzip.
        Plain,
    }

    async fn run(job: u32, file: web_sys::Blob, cap: usize) {
        let result = inflate(job, &file, cap).await;
        send(&match result {
            Ok(Outcome::Inflated) => FromInflater::End { job, memory: wasm_memory() },
            Ok(Outcome::Plain) => FromInflater::Plain { job },
            Err(message) => FromInflater::Error { job, message },
        });
    }

    fn read_range(file: &web_sys::Blob, from: f64, to: f64) -> Option<JsFuture> {
        file.slice_with_f64_and_f64(from, to).ok().map(|b| JsFuture::from(b.array_buffer()))
    }

    fn read(file: &web_sys::Blob, from: f64, size: f64) -> Option<JsFuture> {
        let piece = if from == 0.0 { FIRST_PIECE } else { PIECE };
        (from < size).then(|| read_range(file, from, (from + piece).min(size))).flatten()
    }

    async fn array(reading: JsFuture) -> Result<js_sys::Uint8Array, String> {
        let ab = reading
            .await
            .map_err(|e| format!("the file could not be read ({})", e.as_string().unwrap_or_else(|| "browser refused".into())))?;
        Ok(js_sys::Uint8Array::new(&ab))
    }

    async fn inflate(job: u32, file: &web_sys::Blob, cap: usize) -> Result<Outcome, String> {
        let size = file.size();
        let mut gz = GzInflater::streaming(cap, OUT_CHUNK);
        let mut from = 0.0;
        let mut pending = read(file, from, size);
        // gzip's size field, read with the first piece.
        let mut tail = if size >= 18.0 { read_range(file, size - 4.0, size) } else { None };
        let mut piece = Vec::new();
        while let Some(reading) = pending.take() {
            let arr = array(reading).await?;
            piece.resize(arr.length() as usize, 0);
            arr.copy_to(&mut piece);
            if from == 0.0 {
                if !gzip::is_gzip(&piece) {
                    return Ok(Outcome::Plain);
                }
                let hint = match tail.take() {
                    Some(t) => array(t).await?.to_vec().try_into().ok().and_then(|t| gzip::size_hint(size as usize, t, cap)),
                    None => None,
                };
                if let Some(total) = hint {
                    send(&FromInflater::Hint { job, total: total as u64 });
                }
            }
            from += piece.len() as f64;
            // The next piece is read while this one inflates.
            pending = read(file, from, size);
            let fraction = if size > 0.0 { from / size } else { 1.0 };
            let mut emit = |out: &[u8]| {
                let buf = buffer(out.len());
                js_sys::Uint8Array::new_with_byte_offset_and_length(&buf, 0, out.len() as u32).copy_from(out);
                send(&FromInflater::Chunk { job, data: buf, len: out.len() as u32, fraction });
            };
            gz.feed(&piece, pending.is_none(), &mut emit).map_err(|e| e.to_string())?;
        }
        if from == 0.0 {
            // An empty file: not gzip.
            return Ok(Outcome::Plain);
        }
        Ok(Outcome::Inflated)
    }
}
