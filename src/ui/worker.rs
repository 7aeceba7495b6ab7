//! The Web Worker side: owns the [`Engine`], reads files, reports progress, answers requests.

use crate::decode::Stage;
use crate::engine::{Engine, Request, Response};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

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
    wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>().buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64
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

pub fn start() {
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = e.data();
        let seq = get(&data, "seq");
        let kind = get(&data, "kind").as_string().unwrap_or_default();
        match kind.as_str() {
            "load" => load(seq, &data),
            "req" => {
                let resp = match serde_wasm_bindgen::from_value::<Request>(get(&data, "req")) {
                    Ok(req) => ENGINE.with(|en| en.borrow_mut().handle(req)),
                    Err(e) => Response::Error { message: format!("bad request: {e}") },
                };
                // Tables and flame data hold no floats: JSON is exact for them and fast.
                let js = match resp {
                    Response::Flame { .. } => super::wire::flame_to_js(&resp),
                    Response::Top { .. } | Response::Diff { .. } => super::wire::to_json(&resp),
                    _ => Ok(to_js(&resp)),
                }
                .unwrap_or_else(|_| to_js(&resp));
                post(&obj(&[("seq", seq), ("kind", "resp".into()), ("resp", js)]));
            }
            _ => {}
        }
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&obj(&[("kind", "ready".into())]));
}

fn load(seq: JsValue, data: &JsValue) {
    let id = get(data, "id").as_f64().unwrap_or(0.0) as u32;
    let name = get(data, "name").as_string().unwrap_or_default();
    let progress = |stage: Stage, f: f64| {
        post(&obj(&[
            ("seq", seq.clone()),
            ("kind", "progress".into()),
            ("id", id.into()),
            ("stage", to_js(&stage)),
            ("fraction", f.into()),
        ]));
    };
    progress(Stage::Reading, 0.0);
    let buf = get(data, "buffer");
    let bytes: Vec<u8> = if buf.is_instance_of::<js_sys::ArrayBuffer>() {
        js_sys::Uint8Array::new(&buf).to_vec()
    } else {
        let file: web_sys::Blob = get(data, "file").unchecked_into();
        match web_sys::FileReaderSync::new().and_then(|r| r.read_as_array_buffer(&file)) {
            Ok(ab) => js_sys::Uint8Array::new(&ab).to_vec(),
            Err(e) => {
                let msg = format!("the file could not be read ({})", e.as_string().unwrap_or_else(|| "browser refused".into()));
                post(&obj(&[("seq", seq), ("kind", "load_error".into()), ("id", id.into()), ("message", msg.into())]));
                return;
            }
        }
    };
    let mut last = -1.0f64;
    let mut report = |stage: Stage, f: f64| {
        if (f - last).abs() >= 0.02 || f == 0.0 {
            last = f;
            progress(stage, f);
        }
        true
    };
    let result = ENGINE.with(|en| en.borrow_mut().load(id, &name, bytes, &mut report));
    match result {
        Ok(summary) => post(&obj(&[
            ("seq", seq),
            ("kind", "loaded".into()),
            ("summary", to_js(&summary)),
            ("memory", wasm_memory().into()),
        ])),
        Err(msg) => post(&obj(&[("seq", seq), ("kind", "load_error".into()), ("id", id.into()), ("message", msg.into())])),
    }
}
