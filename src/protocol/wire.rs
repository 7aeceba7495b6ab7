//! The messages between the page, the engine worker and the inflate worker, one enum per
//! direction, and the one place where they are encoded, decoded and posted.
//!
//! ```text
//!            Boot ─▶ engine worker ◀─ Boot            (www/main.js, or the page after a Cancel)
//!   page ── ToEngine ──▶ engine worker ── ToInflater ──▶ inflate worker
//!   page ◀── FromEngine ── engine worker ◀── FromInflater ── inflate worker
//! ```
//!
//! A message is a serde enum, externally tagged (`{"Progress": {"id": 1, …}}`), turned into a
//! JS value by serde-wasm-bindgen in [`encode`] and back in [`decode`]; [`send`] posts one with
//! the buffers it moves ([`Message::transfer`]). Browser objects (`File`s, `ArrayBuffer`s,
//! ports, the compiled module) ride along unchanged (`serde_wasm_bindgen::preserve`).
//!
//! What the page reads of a profile goes as JSON text inside the message: a big answer (top
//! and diff tables) is serialized in one pass, copied between threads as one string and parsed
//! by the page in one pass; serde-wasm-bindgen would instead build (and the page walk) a JS
//! object graph with one JS call per number, which made the page's main thread stall for
//! hundreds of milliseconds on a big profile. JSON keeps 64-bit integers exact (and floats:
//! serde_json's `float_roundtrip`). A flame graph's per-node columns go as typed arrays
//! instead (copied once, never parsed; 64-bit values as `BigInt64Array`).

use super::{Request, Response, Stage, Summary};
use crate::analysis::tree::FlameData;
use js_sys::{ArrayBuffer, BigInt64Array, Uint32Array};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_wasm_bindgen::preserve;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessagePort, Worker};

/// Name the page gives the inflate worker (`www/main.js` spells it too).
pub const INFLATER: &str = "profdrop-inflate";

/// A worker's first message: the app's compiled WebAssembly module (undefined: the worker
/// fetches it), and its end of the channel between the engine and the inflate worker.
/// `www/main.js` writes it too (it starts both workers while the page boots), and
/// `www/worker.js` reads `module` from it before the WebAssembly runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Boot {
    /// A `WebAssembly.Module`, or undefined.
    #[serde(with = "preserve", default)]
    pub module: JsValue,
    /// The worker's end of the channel between the two workers (none: the engine worker reads
    /// files whole).
    #[serde(with = "opt_js", default)]
    pub port: Option<MessagePort>,
}

/// Page → engine worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToEngine {
    /// Read a file (a `File` or `Blob`) and load it under `id`.
    Load {
        /// Profile id.
        id: u32,
        /// Display name.
        name: String,
        /// The file.
        #[serde(with = "preserve")]
        file: Blob,
        /// Post its table before its model is built ([`FromEngine::Preview`])?
        preview: bool,
    },
    /// A request; answered by [`FromEngine::Resp`] with the same `seq`.
    Req {
        /// Request number.
        seq: u32,
        /// The request.
        req: Request,
    },
    /// The page saw the inflate worker fail: later files are read whole, the one in flight
    /// fails with the reason.
    InflaterFailed {
        /// What the browser said.
        message: String,
    },
}

/// Engine worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromEngine {
    /// How far a load is.
    Progress {
        /// Profile id.
        id: u32,
        /// Stage.
        stage: Stage,
        /// Fraction of the stage done.
        fraction: f64,
    },
    /// The top table of a profile whose model is still being built.
    Preview {
        /// The profile.
        #[serde(with = "json")]
        summary: Summary,
        /// Its top table ([`Response::Top`]).
        #[serde(with = "answer")]
        top: Response,
    },
    /// A profile has loaded.
    Loaded {
        /// The profile.
        #[serde(with = "json")]
        summary: Summary,
        /// Bytes of WebAssembly memory both workers hold (for benchmarks).
        memory: f64,
    },
    /// A file could not be loaded.
    LoadError {
        /// Profile id.
        id: u32,
        /// Why, in words for people.
        message: String,
    },
    /// The answer to [`ToEngine::Req`] number `seq`.
    Resp {
        /// Request number.
        seq: u32,
        /// The answer.
        #[serde(with = "answer")]
        resp: Response,
    },
}

/// Engine worker → inflate worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToInflater {
    /// Read a file; if it is gzip, inflate it and post the pieces ([`FromInflater`]).
    Inflate {
        /// Load number (the answers carry it).
        job: u32,
        /// The file.
        #[serde(with = "preserve")]
        file: Blob,
        /// Most decompressed bytes allowed.
        cap: u64,
    },
    /// A buffer of a [`FromInflater::Chunk`] given back (transferred) to be filled again.
    GiveBack {
        /// The buffer.
        #[serde(with = "preserve")]
        buffer: ArrayBuffer,
    },
}

/// Inflate worker → engine worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromInflater {
    /// gzip's size field: how big the file will be decompressed (sent before any piece).
    Hint {
        /// Load number.
        job: u32,
        /// Decompressed bytes.
        total: u64,
    },
    /// Decompressed bytes: the first `len` bytes of `data` (transferred).
    Chunk {
        /// Load number.
        job: u32,
        /// The bytes.
        #[serde(with = "preserve")]
        data: ArrayBuffer,
        /// How many bytes of `data` are the file's.
        len: u32,
        /// Share of the compressed file read so far.
        fraction: f64,
    },
    /// The file is not gzip: the engine worker reads it whole.
    Plain {
        /// Load number.
        job: u32,
    },
    /// The file is inflated to its end.
    End {
        /// Load number.
        job: u32,
        /// Bytes of WebAssembly memory the inflate worker holds.
        memory: f64,
    },
    /// The file could not be read or inflated.
    Error {
        /// Load number.
        job: u32,
        /// Why.
        message: String,
    },
}

/// A message between the threads.
pub trait Message: Serialize + DeserializeOwned {
    /// The JS objects the message moves to the receiver rather than copies (their sender can
    /// no longer use them).
    fn transfer(&self) -> Option<JsValue> {
        None
    }
}

impl Message for Boot {
    fn transfer(&self) -> Option<JsValue> {
        self.port.clone().map(Into::into)
    }
}

impl Message for ToEngine {}

impl Message for FromEngine {}

impl Message for ToInflater {
    fn transfer(&self) -> Option<JsValue> {
        match self {
            ToInflater::GiveBack { buffer } => Some(buffer.into()),
            ToInflater::Inflate { .. } => None,
        }
    }
}

impl Message for FromInflater {
    fn transfer(&self) -> Option<JsValue> {
        match self {
            FromInflater::Chunk { data, .. } => Some(data.into()),
            _ => None,
        }
    }
}

/// A message as a JS value (what `postMessage` takes).
pub fn encode<M: Message>(m: &M) -> Result<JsValue, String> {
    m.serialize(&serde_wasm_bindgen::Serializer::new()).map_err(|e| format!("encoding a message: {e}"))
}

/// A message from its JS value.
pub fn decode<M: Message>(v: JsValue) -> Result<M, String> {
    serde_wasm_bindgen::from_value(v).map_err(|e| format!("decoding a message: {e}"))
}

/// The message a `message` event carries.
pub fn received<M: Message>(e: &web_sys::Event) -> Result<M, String> {
    let e: &web_sys::MessageEvent = e.dyn_ref().ok_or("not a message event")?;
    decode(e.data())
}

/// Somewhere a message can be posted.
pub trait Endpoint {
    /// `postMessage(v, transfer)`.
    fn post(&self, v: &JsValue, transfer: Option<&js_sys::Array>) -> Result<(), JsValue>;
}

impl Endpoint for Worker {
    fn post(&self, v: &JsValue, transfer: Option<&js_sys::Array>) -> Result<(), JsValue> {
        match transfer {
            Some(t) => self.post_message_with_transfer(v, t),
            None => self.post_message(v),
        }
    }
}

impl Endpoint for MessagePort {
    fn post(&self, v: &JsValue, transfer: Option<&js_sys::Array>) -> Result<(), JsValue> {
        match transfer {
            Some(t) => self.post_message_with_transferable(v, t),
            None => self.post_message(v),
        }
    }
}

impl Endpoint for DedicatedWorkerGlobalScope {
    fn post(&self, v: &JsValue, transfer: Option<&js_sys::Array>) -> Result<(), JsValue> {
        match transfer {
            Some(t) => self.post_message_with_transfer(v, t),
            None => self.post_message(v),
        }
    }
}

/// Posts a message, moving what it transfers.
pub fn send<M: Message>(to: &impl Endpoint, m: &M) -> Result<(), String> {
    let v = encode(m)?;
    let transfer = m.transfer().map(|t| js_sys::Array::of1(&t));
    to.post(&v, transfer.as_ref()).map_err(|e| format!("posting a message: {}", e.as_string().unwrap_or_else(|| format!("{e:?}"))))
}

/// An optional JS object, passed through unchanged.
mod opt_js {
    use super::*;

    pub fn serialize<S: serde::Serializer, T: JsCast>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => preserve::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>, T: JsCast>(d: D) -> Result<Option<T>, D::Error> {
        let v: JsValue = preserve::deserialize(d)?;
        Ok(if v.is_undefined() || v.is_null() {
            None
        } else {
            Some(v.dyn_into().map_err(|_| serde::de::Error::custom("a JS object of another type"))?)
        })
    }
}

/// A value as JSON text.
mod json {
    use super::*;

    pub fn serialize<S: serde::Serializer, T: Serialize>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_json::to_string(v).map_err(serde::ser::Error::custom)?)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<T, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

/// An answer: JSON text, and a flame graph's per-node columns as typed arrays beside it.
mod answer {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Wire {
        /// The answer (a flame graph's without its columns).
        json: String,
        /// A flame graph's columns.
        #[serde(default)]
        flame: Option<Columns>,
    }

    #[derive(Serialize, Deserialize)]
    struct Columns {
        #[serde(with = "preserve")]
        parent: Uint32Array,
        #[serde(with = "preserve")]
        name: Uint32Array,
        #[serde(with = "preserve")]
        depth: Uint32Array,
        #[serde(with = "preserve")]
        value: BigInt64Array,
        /// Empty when all zero (not a diff).
        #[serde(with = "preserve")]
        base: BigInt64Array,
    }

    pub fn serialize<S: serde::Serializer>(resp: &Response, s: S) -> Result<S::Ok, S::Error> {
        let json = |v: &Response| serde_json::to_string(v).map_err(serde::ser::Error::custom);
        let Response::Flame { sample_type, unit, total, matched, data, diff, notes } = resp else {
            return Wire { json: json(resp)?, flame: None }.serialize(s);
        };
        let head = Response::Flame {
            sample_type: sample_type.clone(),
            unit: unit.clone(),
            total: *total,
            matched: *matched,
            data: FlameData { names: data.names.clone(), ancestors: data.ancestors.clone(), culled: data.culled, ..Default::default() },
            diff: *diff,
            notes: notes.clone(),
        };
        let base: &[i64] = if data.base.iter().all(|&b| b == 0) { &[] } else { &data.base };
        let columns = Columns {
            parent: Uint32Array::from(&data.parent[..]),
            name: Uint32Array::from(&data.name[..]),
            depth: Uint32Array::from(&data.depth[..]),
            value: BigInt64Array::from(&data.value[..]),
            base: BigInt64Array::from(base),
        };
        Wire { json: json(&head)?, flame: Some(columns) }.serialize(s)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Response, D::Error> {
        let wire = Wire::deserialize(d)?;
        let mut resp: Response = serde_json::from_str(&wire.json).map_err(serde::de::Error::custom)?;
        match (&mut resp, wire.flame) {
            (Response::Flame { data, .. }, Some(c)) => {
                data.parent = c.parent.to_vec();
                data.name = c.name.to_vec();
                data.depth = c.depth.to_vec();
                data.value = c.value.to_vec();
                data.base = c.base.to_vec();
                data.fill_base();
            }
            (Response::Flame { .. }, None) => return Err(serde::de::Error::custom("a flame graph without its columns")),
            _ => {}
        }
        Ok(resp)
    }
}
