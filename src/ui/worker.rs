//! The Web Worker side: owns the [`Engine`], reads files, reports progress, answers requests.

use crate::decode::Stage;
use crate::engine::Engine;
use crate::protocol::{Request, Response};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, MessagePort};

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(v: &JsValue) {
    let _ = scope().post_message(v);
}

fn to_js<T: serde::Serialize>(v: &T) -> JsValue {
    super::wire::to_js(v).unwrap_or_else(|e| JsValue::from_str(&format!("serialize: {e}")))
}

/// Bytes of WebAssembly memory the worker holds (it only grows: this is the peak).
fn wasm_memory() -> f64 {
    wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>().buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length()
        as f64
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn get(v: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

/// Name the page gives the inflate worker (`main.js` spells it too).
pub(super) const INFLATER: &str = "profdrop-inflate";
/// Compressed bytes the inflate worker reads at a time.
const PIECE: f64 = (1 << 20) as f64;
/// The first piece is smaller, so that decoding starts sooner.
const FIRST_PIECE: f64 = (128 << 10) as f64;
/// Most decompressed bytes in one message to the engine worker (plus 32 KiB).
const OUT_CHUNK: usize = 4 << 20;

/// Starts this worker: the inflate worker if the page named it so, else the analysis worker.
/// `port`: its end of the channel between the two.
pub fn start(port: Option<MessagePort>) {
    if scope().name() == INFLATER {
        // (Without a channel to the analysis worker it has nobody to work for.)
        if let Some(port) = port {
            inflater::start(port);
        }
        return;
    }
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = e.data();
        let seq = get(&data, "seq");
        let kind = get(&data, "kind").as_string().unwrap_or_default();
        stop_warm_up();
        match kind.as_str() {
            "load" => loads::queue(seq, data),
            "req" => match serde_wasm_bindgen::from_value::<Request>(get(&data, "req")) {
                // A request for a profile still loading (say, one read again after a Cancel
                // restarted this worker) is answered once it has loaded.
                Ok(req) if loads::busy_with(&req.profiles()) => loads::defer(seq, req),
                Ok(req) => answer(seq, req),
                Err(e) => reply(seq, Response::Error { message: format!("bad request: {e}") }),
            },
            // The page saw the inflate worker fail.
            "inflater-failed" => loads::inflater_failed(get(&data, "message").as_string().unwrap_or_default()),
            _ => {}
        }
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    if let Some(port) = port {
        loads::connect_inflater(port);
    }
    warm_up(true);
}

/// Runs the load path on the bundled example profile a few times while the page starts:
/// the browser first runs WebAssembly with a quick baseline compiler and recompiles a function
/// with its optimising one only once it has run a while, so without this the first file the
/// user drops would be the one that pays for it. `engine`: the whole load and the first views
/// (the engine worker, 24 times), else only inflating (the inflate worker, 160 times).
///
/// It runs a few rounds per task, and the first real message stops it: a file dropped as soon
/// as the page shows does not wait for it.
/// Posts `{kind: "ready"}` when done or stopped.
fn warm_up(engine: bool) {
    WARM_ROUNDS_LEFT.set(if engine { 24 } else { 160 });
    warm_step(engine);
}

thread_local! {
    /// Warm-up rounds still to run (0 once it is over or stopped).
    static WARM_ROUNDS_LEFT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Real work has come: the warm-up stops before its next round.
fn stop_warm_up() {
    WARM_ROUNDS_LEFT.set(0);
}

fn warm_step(engine: bool) {
    let per_task = if engine { 3 } else { 5 };
    for _ in 0..per_task {
        let left = WARM_ROUNDS_LEFT.get();
        if left == 0 {
            break;
        }
        WARM_ROUNDS_LEFT.set(left - 1);
        warm_round(engine);
    }
    if WARM_ROUNDS_LEFT.get() == 0 {
        post(&obj(&[("kind", "ready".into())]));
        return;
    }
    let next = Closure::once_into_js(move || warm_step(engine));
    if scope().set_timeout_with_callback_and_timeout_and_arguments_0(next.unchecked_ref(), 0).is_err() {
        stop_warm_up();
    }
}

fn warm_round(engine: bool) {
    const EXAMPLE: &[u8] = include_bytes!("../../testdata/example/heap.pb.gz");
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
    let _ = en.handle(Request::Top { id: 1, sample_type: st.clone(), order: Default::default(), limit: crate::view::state::TOP_PAGE });
    let _ = en.handle(Request::Flame {
        source: crate::protocol::FlameSource::Single { id: 1 },
        sample_type: st,
        focus: None,
        zoom: vec![],
        search: String::new(),
        min_fraction: crate::view::state::FLAME_MIN_FRACTION,
    });
}

/// Answers a request.
fn answer(seq: JsValue, req: Request) {
    reply(seq, ENGINE.with(|en| en.borrow_mut().handle(req)));
}

fn reply(seq: JsValue, resp: Response) {
    // Tables and flame data hold no floats: JSON is exact for them and fast.
    let js = match resp {
        Response::Flame { .. } => super::wire::flame_to_js(&resp),
        Response::Top { .. } | Response::Diff { .. } => super::wire::to_json(&resp),
        _ => Ok(to_js(&resp)),
    }
    .unwrap_or_else(|_| to_js(&resp));
    post(&obj(&[("seq", seq), ("kind", "resp".into()), ("resp", js)]));
}

/// Progress reports to the page for one load, at most one per 2 %.
fn reporter(seq: JsValue, id: u32) -> impl FnMut(Stage, f64) -> bool {
    let mut last: Option<(Stage, f64)> = None;
    move |stage: Stage, f: f64| {
        if last.is_none_or(|(s, l)| s != stage || (f - l).abs() >= 0.02) {
            last = Some((stage, f));
            post(&obj(&[
                ("seq", seq.clone()),
                ("kind", "progress".into()),
                ("id", id.into()),
                ("stage", to_js(&stage)),
                ("fraction", f.into()),
            ]));
        }
        true
    }
}

fn loaded(seq: JsValue, summary: &crate::protocol::Summary, memory: f64) {
    post(&obj(&[("seq", seq), ("kind", "loaded".into()), ("summary", to_js(summary)), ("memory", memory.into())]));
}

fn load_error(seq: JsValue, id: u32, msg: String) {
    post(&obj(&[("seq", seq), ("kind", "load_error".into()), ("id", id.into()), ("message", msg.into())]));
}

/// Loads, one at a time in the order they came. A file goes to the inflate worker (the
/// machine's other core), which reads it; if it is gzip, it inflates it piece by piece while
/// this worker reads the protobuf as the pieces arrive, so reading, inflating and decoding
/// overlap. Requests are answered between pieces. Anything else (plain files, bytes already in
/// memory, or no inflate worker) is read whole here.
mod loads {
    use super::*;
    use crate::decode::StreamDecoder;
    use std::collections::VecDeque;

    struct Streaming {
        seq: JsValue,
        id: u32,
        name: String,
        size: usize,
        /// The file (read whole here if it is not gzip).
        file: web_sys::Blob,
        dec: StreamDecoder,
        report: Box<dyn FnMut(Stage, f64) -> bool>,
    }

    #[derive(Default)]
    struct Loads {
        waiting: VecDeque<(JsValue, JsValue)>,
        current: Option<Streaming>,
        /// This worker's end of the channel to the inflate worker.
        inflater: Option<MessagePort>,
        /// Requests waiting for a profile that is loading.
        deferred: Vec<(JsValue, Request)>,
    }

    fn load_id(data: &JsValue) -> u32 {
        get(data, "id").as_f64().unwrap_or(0.0) as u32
    }

    impl Loads {
        /// Is one of these profiles loading (streaming, or queued to load)?
        fn busy_with(&self, ids: &[u32]) -> bool {
            ids.iter().any(|id| self.current.as_ref().is_some_and(|j| j.id == *id) || self.waiting.iter().any(|(_, d)| load_id(d) == *id))
        }
    }

    /// Is one of these profiles loading?
    pub fn busy_with(ids: &[u32]) -> bool {
        LOADS.with(|l| l.borrow().busy_with(ids))
    }

    /// Keeps a request until its profiles have loaded (or failed to).
    pub fn defer(seq: JsValue, req: Request) {
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
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(on_inflated);
        port.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        LOADS.with(|l| l.borrow_mut().inflater = Some(port));
    }

    /// The inflate worker failed: later loads are read whole, a load in flight fails with the
    /// reason.
    pub fn inflater_failed(message: String) {
        let current = LOADS.with(|l| {
            let mut l = l.borrow_mut();
            l.inflater = None;
            l.current.take()
        });
        if let Some(job) = current {
            load_error(job.seq, job.id, format!("the file could not be inflated ({message})"));
            next();
        }
    }

    pub fn queue(seq: JsValue, data: JsValue) {
        let idle = LOADS.with(|l| {
            let mut l = l.borrow_mut();
            l.waiting.push_back((seq, data));
            l.current.is_none()
        });
        if idle {
            next();
        }
    }

    /// Starts the loads waiting, up to the first one that streams, and answers the requests
    /// that waited for the loads done.
    fn next() {
        loop {
            answer_deferred();
            let Some((seq, data)) = LOADS.with(|l| {
                let mut l = l.borrow_mut();
                if l.current.is_some() {
                    None
                } else {
                    l.waiting.pop_front()
                }
            }) else {
                return;
            };
            if start(seq, &data) {
                return;
            }
        }
    }

    /// Starts one load; true when the inflate worker has it (and it finishes later).
    fn start(seq: JsValue, data: &JsValue) -> bool {
        let id = load_id(data);
        let name = get(data, "name").as_string().unwrap_or_default();
        let mut report = reporter(seq.clone(), id);
        report(Stage::Reading, 0.0);
        let buf = get(data, "buffer");
        if buf.is_instance_of::<js_sys::ArrayBuffer>() {
            whole(seq, id, &name, js_sys::Uint8Array::new(&buf).to_vec(), report);
            return false;
        }
        let file: web_sys::Blob = get(data, "file").unchecked_into();
        let Some(inflater) = LOADS.with(|l| l.borrow().inflater.clone()) else {
            read_whole(seq, id, &name, &file, report);
            return false;
        };
        // The inflate worker tells gzip from the rest and sends gzip's size field (which sizes
        // the decoder's columns) before the first piece: nothing is read here meanwhile.
        let limits = ENGINE.with(|en| en.borrow().limits);
        let size = file.size() as usize;
        let dec = StreamDecoder::new(limits, true);
        let msg = obj(&[
            ("kind", "inflate".into()),
            ("seq", seq.clone()),
            ("file", file.clone().into()),
            ("cap", (limits.max_bytes as f64).into()),
        ]);
        let job = Streaming { seq, id, name, size, file, dec, report: Box::new(report) };
        LOADS.with(|l| l.borrow_mut().current = Some(job));
        if inflater.post_message(&msg).is_err() {
            if let Some(job) = LOADS.with(|l| l.borrow_mut().current.take()) {
                load_error(job.seq, job.id, "the file could not be handed to the inflate worker".into());
            }
            return false;
        }
        true
    }

    /// Reads a file whole, here.
    fn read_whole(seq: JsValue, id: u32, name: &str, file: &web_sys::Blob, report: impl FnMut(Stage, f64) -> bool) {
        let bytes = web_sys::FileReaderSync::new()
            .map_err(|_| "the file could not be read (no FileReaderSync in this worker)".to_string())
            .and_then(|r| {
                r.read_as_array_buffer(file)
                    .map(|ab| js_sys::Uint8Array::new(&ab).to_vec())
                    .map_err(|e| format!("the file could not be read ({})", e.as_string().unwrap_or_else(|| "browser refused".into())))
            });
        match bytes {
            Ok(bytes) => whole(seq, id, name, bytes, report),
            Err(msg) => load_error(seq, id, msg),
        }
    }

    /// Reads a file that is all in memory.
    fn whole(seq: JsValue, id: u32, name: &str, bytes: Vec<u8>, mut report: impl FnMut(Stage, f64) -> bool) {
        match ENGINE.with(|en| en.borrow_mut().load(id, name, bytes, &mut report)) {
            Ok(summary) => loaded(seq, &summary, wasm_memory()),
            Err(msg) => load_error(seq, id, msg),
        }
    }

    /// A message from the inflate worker: gzip's size field, a piece of the file, its end, an
    /// error, or that the file is not gzip.
    fn on_inflated(e: MessageEvent) {
        let data = e.data();
        let seq = get(&data, "seq");
        let kind = get(&data, "kind").as_string().unwrap_or_default();
        let ours = LOADS.with(|l| l.borrow().current.as_ref().is_some_and(|j| j.seq == seq));
        if !ours {
            return;
        }
        match kind.as_str() {
            "chunk" => {
                // One copy into wasm memory; the decoder reads fields where they lie. The
                // buffer goes back to the inflate worker, which fills it again.
                let buf: js_sys::ArrayBuffer = get(&data, "data").unchecked_into();
                let len = get(&data, "len").as_f64().map_or(buf.byte_length(), |n| n as u32);
                let bytes = js_sys::Uint8Array::new_with_byte_offset_and_length(&buf, 0, len).to_vec();
                if let Some(w) = LOADS.with(|l| l.borrow().inflater.clone()) {
                    let _ = w.post_message_with_transferable(
                        &obj(&[("kind", "buffer".into()), ("data", buf.clone().into())]),
                        &js_sys::Array::of1(&buf),
                    );
                }
                let f = get(&data, "fraction").as_f64().unwrap_or(0.0);
                LOADS.with(|l| {
                    if let Some(job) = l.borrow_mut().current.as_mut() {
                        // An error is kept for the end: a gzip error found later wins, as
                        // when the file is read whole.
                        let _ = job.dec.push(&bytes);
                        (job.report)(Stage::Streaming, f);
                    }
                });
            }
            "hint" => {
                if let Some(total) = get(&data, "total").as_f64() {
                    LOADS.with(|l| {
                        if let Some(job) = l.borrow_mut().current.as_mut() {
                            job.dec.size_hint(total as usize);
                        }
                    });
                }
            }
            "plain" => {
                let Some(job) = LOADS.with(|l| l.borrow_mut().current.take()) else { return };
                read_whole(job.seq, job.id, &job.name, &job.file, job.report);
                next();
            }
            "end" | "error" => {
                let Some(mut job) = LOADS.with(|l| l.borrow_mut().current.take()) else { return };
                if kind == "error" {
                    load_error(job.seq, job.id, get(&data, "message").as_string().unwrap_or_default());
                } else {
                    // The top table summed while the samples came is shown while the model
                    // (the flame graph's input) is built.
                    let (seq, id, name, size) = (&job.seq, job.id, &job.name, job.size);
                    let mut show = |pv: &crate::decode::Preview| {
                        let (summary, top) = crate::engine::preview(id, name, size, pv, crate::view::state::TOP_PAGE);
                        let top = crate::ui::wire::to_json(&top).unwrap_or_else(|_| to_js(&top));
                        post(&obj(&[("seq", seq.clone()), ("kind", "preview".into()), ("summary", to_js(&summary)), ("top", top)]));
                    };
                    let result = job.dec.finish_with(&mut job.report, &mut show).map_err(|e| e.to_string());
                    match result {
                        Ok(p) => {
                            let summary = ENGINE.with(|en| en.borrow_mut().add(job.id, &job.name, p, job.size));
                            // Both workers' WebAssembly memory: what the load costs.
                            let memory = wasm_memory() + get(&data, "memory").as_f64().unwrap_or(0.0);
                            loaded(job.seq, &summary, memory);
                        }
                        Err(msg) => load_error(job.seq, job.id, msg),
                    }
                }
                next();
            }
            _ => {}
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
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            super::stop_warm_up();
            match get(&data, "kind").as_string().as_deref() {
                Some("inflate") => wasm_bindgen_futures::spawn_local(run(data)),
                Some("buffer") => give_back(get(&data, "data").unchecked_into()),
                _ => {}
            }
        });
        port.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        onmessage.forget();
        ENGINE_PORT.with(|p| *p.borrow_mut() = Some(port));
        super::warm_up(false);
    }

    /// Posts to the engine worker (`buffer`: transferred with the message).
    fn send(msg: &JsValue, buffer: Option<&js_sys::ArrayBuffer>) {
        ENGINE_PORT.with(|p| {
            let Some(p) = p.borrow().clone() else { return };
            let _ = match buffer {
                Some(b) => p.post_message_with_transferable(msg, &js_sys::Array::of1(b)),
                None => p.post_message(msg),
            };
        });
    }

    /// Bytes of a pooled buffer: the most one message carries.
    const BUFFER: usize = OUT_CHUNK + (64 << 10);

    thread_local! {
        /// The channel to the engine worker.
        static ENGINE_PORT: RefCell<Option<MessagePort>> = const { RefCell::new(None) };
        /// Buffers the engine worker has copied and sent back, while a file inflates: filling
        /// one again costs no fresh memory (a new 4 MB buffer per message cost more than
        /// copying into it). Emptied when the file is done.
        static POOL: RefCell<Vec<js_sys::ArrayBuffer>> = const { RefCell::new(Vec::new()) };
        static INFLATING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    fn give_back(buf: js_sys::ArrayBuffer) {
        if INFLATING.get() && buf.byte_length() as usize == BUFFER {
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

    async fn run(data: JsValue) {
        let seq = get(&data, "seq");
        let file: web_sys::Blob = get(&data, "file").unchecked_into();
        let cap = get(&data, "cap").as_f64().unwrap_or(0.0) as usize;
        let end = |kind: &str, extra: &[(&str, JsValue)]| {
            send(&obj(&[&[("kind", kind.into()), ("seq", seq.clone())], extra].concat()), None);
        };
        INFLATING.set(true);
        let result = inflate(&seq, &file, cap).await;
        INFLATING.set(false);
        POOL.with(|p| p.borrow_mut().clear());
        match result {
            Ok(Outcome::Inflated) => end("end", &[("memory", wasm_memory().into())]),
            Ok(Outcome::Plain) => end("plain", &[]),
            Err(msg) => end("error", &[("message", msg.into())]),
        }
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

    async fn inflate(seq: &JsValue, file: &web_sys::Blob, cap: usize) -> Result<Outcome, String> {
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
                    send(&obj(&[("kind", "hint".into()), ("seq", seq.clone()), ("total", (total as f64).into())]), None);
                }
            }
            from += piece.len() as f64;
            // The next piece is read while this one inflates.
            pending = read(file, from, size);
            let fraction = if size > 0.0 { from / size } else { 1.0 };
            let mut emit = |out: &[u8]| {
                let buf = buffer(out.len());
                js_sys::Uint8Array::new_with_byte_offset_and_length(&buf, 0, out.len() as u32).copy_from(out);
                let msg = obj(&[
                    ("kind", "chunk".into()),
                    ("seq", seq.clone()),
                    ("data", buf.clone().into()),
                    ("len", (out.len() as f64).into()),
                    ("fraction", fraction.into()),
                ]);
                send(&msg, Some(&buf));
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
