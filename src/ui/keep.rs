//! Dropped profiles kept across reloads: the files themselves, in the browser's IndexedDB on
//! this machine (database `profdrop`, store `profiles`, one record `{seq, name, size, file}` per
//! file, `seq` its place in the order the files were opened). A reload opens them again, in
//! that order, so they get the same display names and the view in the hash applies to them.
//!
//! What is kept: files dropped or opened, once loaded, while no other load is in flight (a big
//! file's load is never slowed by writing it), up to [`LIMIT`] bytes in all; a file that would
//! pass the limit is not kept, and the page says so. Profiles by URL come back through the link
//! (`#url=`) instead, and merges are not files. Removing a profile removes its record; a file
//! that fails to load is not kept. *Forget all* clears the store; keeping can be switched off
//! (`localStorage` `profdrop-keep` = `0`). Embedded pages (`#embed=1`) neither keep nor restore.
//!
//! Written against web-sys's IndexedDB bindings directly (open, getAll, put, delete, clear:
//! five requests wrapped in promises below) rather than `rexie` or `idb`: those bring an
//! async-runtime layer and their own error types for the same five calls, and the wasm grows
//! with each.

use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};
use yew::Callback;

const DB: &str = "profdrop";
const STORE: &str = "profiles";
const ENABLED_KEY: &str = "profdrop-keep";

/// Most bytes kept in all.
pub const LIMIT: f64 = 256.0 * 1024.0 * 1024.0;

/// What is kept, for the page to show.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Usage {
    /// Files kept.
    pub count: usize,
    /// Their bytes.
    pub bytes: f64,
    /// Keeping is on.
    pub enabled: bool,
    /// Why the storage cannot be used (no IndexedDB, a private window that refuses it).
    pub unavailable: Option<String>,
    /// Files loaded but not kept (over the limit), by name.
    pub not_kept: Vec<String>,
    /// The kept files have been opened again (or there was nothing to open).
    pub restored: bool,
}

#[derive(Default)]
struct Keeper {
    /// Kept records of loaded profiles: id → (seq, size).
    kept: HashMap<u32, (f64, f64)>,
    /// Files opened, not kept yet: id → (seq, file).
    pending: HashMap<u32, (f64, web_sys::File)>,
    /// Profiles loaded or loading, as of the last [`sync`].
    live: Vec<u32>,
    usage: Usage,
    listener: Option<Callback<Usage>>,
    db: Option<IdbDatabase>,
    last_seq: f64,
}

thread_local! {
    static K: RefCell<Keeper> = RefCell::new(Keeper {
        usage: Usage { enabled: enabled_setting(), ..Usage::default() },
        ..Keeper::default()
    });
}

fn enabled_setting() -> bool {
    let st = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    st.and_then(|s| s.get_item(ENABLED_KEY).ok().flatten()).is_none_or(|v| v != "0")
}

fn changed() {
    let (cb, usage) = K.with(|k| {
        let k = k.borrow();
        (k.listener.clone(), k.usage.clone())
    });
    if let Some(cb) = cb {
        cb.emit(usage);
    }
}

/// The page's display of what is kept: called now and on every change.
pub fn listen(cb: Option<Callback<Usage>>) {
    K.with(|k| k.borrow_mut().listener = cb);
    changed();
}

/// Is keeping on?
pub fn enabled() -> bool {
    K.with(|k| k.borrow().usage.enabled)
}

/// A request's result, once it has succeeded.
async fn done(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let p = js_sys::Promise::new(&mut |resolve, reject| {
        let r = req.clone();
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let r = req.clone();
        let err = Closure::once_into_js(move |_: web_sys::Event| {
            let why = r.error().ok().flatten().map(|e| JsValue::from(e.message())).unwrap_or_else(|| "IndexedDB request failed".into());
            let _ = reject.call1(&JsValue::NULL, &why);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(err.unchecked_ref()));
    });
    JsFuture::from(p).await
}

async fn open() -> Result<IdbDatabase, JsValue> {
    if let Some(db) = K.with(|k| k.borrow().db.clone()) {
        return Ok(db);
    }
    let factory = web_sys::window().ok_or("no window")?.indexed_db()?.ok_or("this browser has no IndexedDB")?;
    let req = factory.open_with_u32(DB, 1)?;
    let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new({
        let req = req.clone();
        move |_| {
            if let Some(db) = req.result().ok().and_then(|r| r.dyn_into::<IdbDatabase>().ok()) {
                if !db.object_store_names().contains(STORE) {
                    let params = web_sys::IdbObjectStoreParameters::new();
                    params.set_key_path(&"seq".into());
                    let _ = db.create_object_store_with_optional_parameters(STORE, &params);
                }
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db: IdbDatabase = done(&req).await?.dyn_into()?;
    req.set_onupgradeneeded(None);
    drop(upgrade);
    K.with(|k| k.borrow_mut().db = Some(db.clone()));
    Ok(db)
}

async fn store(mode: IdbTransactionMode) -> Result<web_sys::IdbObjectStore, JsValue> {
    let db = open().await?;
    db.transaction_with_str_and_mode(STORE, mode)?.object_store(STORE)
}

fn unavailable(e: JsValue) {
    let why = e.as_string().or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| e.message().into())).unwrap_or_else(|| format!("{e:?}"));
    K.with(|k| k.borrow_mut().usage.unavailable = Some(why));
    changed();
}

/// The kept files, in the order they were first opened (seq and file); none when keeping is
/// off or `skip` (embed mode).
pub async fn restore(skip: bool) -> Vec<(f64, web_sys::File)> {
    let out = if skip || !enabled() { Vec::new() } else { read_all().await };
    K.with(|k| k.borrow_mut().usage.restored = true);
    changed();
    out
}

async fn read_all() -> Vec<(f64, web_sys::File)> {
    let all = async {
        let st = store(IdbTransactionMode::Readonly).await?;
        done(&st.get_all()?).await
    };
    let records: js_sys::Array = match all.await {
        Ok(v) => v.unchecked_into(),
        Err(e) => {
            unavailable(e);
            return Vec::new();
        }
    };
    let mut out: Vec<(f64, web_sys::File)> = records
        .iter()
        .filter_map(|r| {
            let seq = js_sys::Reflect::get(&r, &"seq".into()).ok()?.as_f64()?;
            let file = js_sys::Reflect::get(&r, &"file".into()).ok()?.dyn_into::<web_sys::File>().ok()?;
            Some((seq, file))
        })
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    K.with(|k| {
        let mut k = k.borrow_mut();
        k.usage.count = out.len();
        k.usage.bytes = out.iter().map(|(_, f)| f.size()).sum();
        k.last_seq = out.last().map_or(0.0, |x| x.0);
    });
    out
}

/// A file handed to the workers as profile `id`: kept already (restored, `seq`), or to keep
/// once it has loaded.
pub fn track(id: u32, file: &web_sys::File, seq: Option<f64>) {
    K.with(|k| {
        let mut k = k.borrow_mut();
        match seq {
            Some(seq) => {
                k.kept.insert(id, (seq, file.size()));
            }
            None => {
                // (Later than every kept one, and than the last one given out.)
                let seq = (js_sys::Date::now() * 1000.0).max(k.last_seq + 1.0);
                k.last_seq = seq;
                k.pending.insert(id, (seq, file.clone()));
            }
        }
    });
}

/// Brings the store in step with the page: `loaded`, the profiles loaded; `live`, those
/// loaded or loading; `busy`, a load is in flight (new files are kept only when none is).
pub fn sync(loaded: &[u32], live: &[u32], busy: bool) {
    let (puts, deletes) = K.with(|k| {
        let mut k = k.borrow_mut();
        k.live = live.to_vec();
        k.pending.retain(|id, _| live.contains(id));
        let enabled = k.usage.enabled;
        let mut puts = Vec::new();
        if !busy {
            let ready: Vec<u32> = k.pending.keys().copied().filter(|id| loaded.contains(id) || !enabled).collect();
            for id in ready {
                let Some((seq, file)) = k.pending.remove(&id) else { continue };
                if !enabled {
                    continue;
                }
                if k.usage.bytes + file.size() > LIMIT {
                    k.usage.not_kept.push(file.name());
                    continue;
                }
                k.usage.bytes += file.size();
                k.usage.count += 1;
                k.kept.insert(id, (seq, file.size()));
                puts.push((seq, file));
            }
        }
        let gone: Vec<u32> = k.kept.keys().copied().filter(|id| !live.contains(id)).collect();
        let mut deletes = Vec::new();
        for id in gone {
            if let Some((seq, size)) = k.kept.remove(&id) {
                k.usage.bytes = (k.usage.bytes - size).max(0.0);
                k.usage.count = k.usage.count.saturating_sub(1);
                deletes.push(seq);
            }
        }
        (puts, deletes)
    });
    if puts.is_empty() && deletes.is_empty() {
        return;
    }
    changed();
    wasm_bindgen_futures::spawn_local(async move {
        let r = async {
            let st = store(IdbTransactionMode::Readwrite).await?;
            for (seq, file) in &puts {
                let rec = js_sys::Object::new();
                js_sys::Reflect::set(&rec, &"seq".into(), &JsValue::from_f64(*seq))?;
                js_sys::Reflect::set(&rec, &"name".into(), &file.name().into())?;
                js_sys::Reflect::set(&rec, &"size".into(), &JsValue::from_f64(file.size()))?;
                js_sys::Reflect::set(&rec, &"file".into(), file)?;
                st.put(&rec)?;
            }
            for seq in &deletes {
                st.delete(&JsValue::from_f64(*seq))?;
            }
            // (Requests of one transaction complete in order: the last one's success is all.)
            let last = st.count()?;
            done(&last).await
        };
        if let Err(e) = r.await {
            unavailable(e);
        }
    });
}

/// Removes every kept file (the page removes the loaded set).
pub async fn forget_all() {
    K.with(|k| {
        let mut k = k.borrow_mut();
        k.kept.clear();
        k.pending.clear();
        k.usage.count = 0;
        k.usage.bytes = 0.0;
        k.usage.not_kept.clear();
    });
    changed();
    let r = async {
        let st = store(IdbTransactionMode::Readwrite).await?;
        done(&st.clear()?).await
    };
    if let Err(e) = r.await {
        unavailable(e);
    }
}

/// Keeping on or off (remembered on this machine). Off forgets what was kept; the loaded
/// profiles stay loaded.
pub fn set_enabled(on: bool) {
    if let Some(st) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = st.set_item(ENABLED_KEY, if on { "1" } else { "0" });
    }
    K.with(|k| k.borrow_mut().usage.enabled = on);
    if on {
        // What is loaded now is kept from here on only when opened again.
        changed();
    } else {
        wasm_bindgen_futures::spawn_local(forget_all());
    }
}
