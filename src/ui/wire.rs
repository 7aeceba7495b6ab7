//! How data crosses between the page and the worker.
//!
//! Big answers (top and diff tables, flame graph data) go as one JSON string: the worker
//! serializes in one pass, the browser copies one string between threads, and the page parses
//! it in one pass. serde-wasm-bindgen would instead build (and the page walk) a JS object graph
//! with one JS call per number, which made the page's main thread stall for hundreds of
//! milliseconds on a big profile. Integers stay exact (serde_json reads and writes i64).
//! Small messages (progress, summaries, leak reports) use serde-wasm-bindgen.

use crate::analysis::tree::FlameData;
use crate::protocol::Response;
use wasm_bindgen::{JsCast, JsValue};

/// Rust value → JS value through serde-wasm-bindgen. Integers go as plain numbers (fast);
/// only when one is beyond 2^53 does the whole value go again with 64-bit integers as `BigInt`
/// (exact, slower).
pub fn to_js<T: serde::Serialize>(v: &T) -> Result<JsValue, String> {
    let fast = serde_wasm_bindgen::Serializer::new();
    match v.serialize(&fast) {
        Ok(js) => Ok(js),
        Err(_) => {
            let exact = serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
            v.serialize(&exact).map_err(|e| e.to_string())
        }
    }
}

/// Rust value → a JSON string as a JS value (for big answers without floats).
pub fn to_json<T: serde::Serialize>(v: &T) -> Result<JsValue, String> {
    serde_json::to_string(v).map(|s| JsValue::from_str(&s)).map_err(|e| e.to_string())
}

/// JS value → Rust value: a string is JSON from [`to_json`], anything else came from [`to_js`].
pub fn from_js<T: serde::de::DeserializeOwned>(v: JsValue) -> Result<T, String> {
    match v.as_string() {
        Some(s) => serde_json::from_str(&s).map_err(|e| e.to_string()),
        None => serde_wasm_bindgen::from_value(v).map_err(|e| e.to_string()),
    }
}

fn set(o: &js_sys::Object, k: &str, v: &JsValue) {
    let _ = js_sys::Reflect::set(o, &JsValue::from_str(k), v);
}

fn get(v: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

/// A flame answer: its per-node columns as typed arrays (copied once, never parsed; 64-bit
/// values as `BigInt64Array`, exact), everything else as JSON. Other answers: [`to_json`].
pub fn flame_to_js(resp: &Response) -> Result<JsValue, String> {
    let Response::Flame { sample_type, unit, total, matched, data, diff } = resp else { return to_json(resp) };
    let head = Response::Flame {
        sample_type: sample_type.clone(),
        unit: unit.clone(),
        total: *total,
        matched: *matched,
        data: FlameData { names: data.names.clone(), ancestors: data.ancestors.clone(), culled: data.culled, ..Default::default() },
        diff: *diff,
    };
    let o = js_sys::Object::new();
    set(&o, "json", &to_json(&head)?);
    set(&o, "parent", &js_sys::Uint32Array::from(&data.parent[..]).into());
    set(&o, "name", &js_sys::Uint32Array::from(&data.name[..]).into());
    set(&o, "depth", &js_sys::Uint32Array::from(&data.depth[..]).into());
    set(&o, "value", &js_sys::BigInt64Array::from(&data.value[..]).into());
    if data.base.iter().any(|&b| b != 0) {
        set(&o, "base", &js_sys::BigInt64Array::from(&data.base[..]).into());
    }
    Ok(o.into())
}

/// An answer as the worker sent it: from [`flame_to_js`], [`to_json`] or [`to_js`].
pub fn response_from_js(v: JsValue) -> Result<Response, String> {
    let json = get(&v, "json");
    let Some(text) = json.as_string() else { return from_js(v) };
    let mut resp: Response = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    if let Response::Flame { data, .. } = &mut resp {
        let u32s = |k: &str| -> Result<Vec<u32>, String> {
            get(&v, k).dyn_into::<js_sys::Uint32Array>().map(|a| a.to_vec()).map_err(|_| format!("flame column {k} is missing"))
        };
        let i64s = |k: &str| get(&v, k).dyn_into::<js_sys::BigInt64Array>().ok().map(|a| a.to_vec());
        data.parent = u32s("parent")?;
        data.name = u32s("name")?;
        data.depth = u32s("depth")?;
        data.value = i64s("value").ok_or("flame column value is missing")?;
        data.base = i64s("base").unwrap_or_default();
        data.fill_base();
    }
    Ok(resp)
}
