//! How data crosses between the page and the worker.
//!
//! Big answers (top and diff tables, flame graph data) go as one JSON string: the worker
//! serializes in one pass, the browser copies one string between threads, and the page parses
//! it in one pass. serde-wasm-bindgen would instead build (and the page walk) a JS object graph
//! with one JS call per number, which made the page's main thread stall for hundreds of
//! milliseconds on a big profile. Integers stay exact (serde_json reads and writes i64).
//! Small messages (progress, summaries, leak reports) use serde-wasm-bindgen.

use wasm_bindgen::JsValue;

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
