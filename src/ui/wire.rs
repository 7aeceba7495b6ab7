//! How data crosses between the page and the worker: serde-wasm-bindgen with 64-bit integers
//! as `BigInt`, so values beyond 2^53 (large heaps, long CPU profiles) stay exact.

use wasm_bindgen::JsValue;

/// Rust value → JS value.
pub fn to_js<T: serde::Serialize>(v: &T) -> Result<JsValue, String> {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
    v.serialize(&ser).map_err(|e| e.to_string())
}

/// JS value → Rust value.
pub fn from_js<T: serde::de::DeserializeOwned>(v: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(v).map_err(|e| e.to_string())
}
