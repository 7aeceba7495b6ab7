//! How data crosses between the page and the worker: serde-wasm-bindgen with 64-bit integers
//! as `BigInt`, so values beyond 2^53 (large heaps, long CPU profiles) stay exact.

use wasm_bindgen::JsValue;

/// Rust value → JS value. Integers go as plain numbers (fast); only when one is beyond 2^53
/// does the whole value go again with 64-bit integers as `BigInt` (exact, slower).
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

/// JS value → Rust value.
pub fn from_js<T: serde::de::DeserializeOwned>(v: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(v).map_err(|e| e.to_string())
}
