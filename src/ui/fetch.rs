//! Profiles by URL (a link's `#url=`, the bundled examples): downloaded from the page's own
//! origin only, with progress, then handed to the workers as a dropped file is.
//!
//! The origin check is the browser's own URL parser's (`new URL(url, location.href)`): a URL
//! that resolves to another origin (or scheme) gets a message and no request; the page's
//! Content-Security-Policy (`connect-src 'self'`) would refuse it anyway.

use crate::protocol::Stage;
use crate::view::state::Action;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// Downloads in flight, by profile id (aborted by Cancel or Remove).
    static INFLIGHT: RefCell<HashMap<u32, web_sys::AbortController>> = RefCell::new(HashMap::new());
}

/// Stops the download of a profile, if one is in flight; nothing more is said about it.
pub fn abort(id: u32) {
    if let Some(c) = INFLIGHT.with(|m| m.borrow_mut().remove(&id)) {
        c.abort();
    }
}

/// The absolute URL of `url` (relative to the page), when it is on the page's own origin;
/// else why it is not fetched.
pub fn resolve(url: &str) -> Result<String, String> {
    let loc = web_sys::window().ok_or("no window")?.location();
    let page = loc.href().map_err(|_| "the page has no address")?;
    let origin = loc.origin().unwrap_or_default();
    let u = web_sys::Url::new_with_base(url, &page).map_err(|_| format!("`{url}` is not a URL"))?;
    let protocol = loc.protocol().unwrap_or_default();
    // (A page opened from a file: browsers differ on a file URL's origin; its own files are
    // what the single-file page holds, and nothing else can be fetched from it.)
    let same = if protocol == "file:" { u.protocol() == "file:" } else { u.origin() == origin && u.protocol() == protocol };
    if !same {
        return Err(format!(
            "`{url}` is not on this page's own site ({}): profdrop only fetches profiles from the site it is served from, so \
             nothing was requested. Download the file and drop it here instead.",
            if origin == "null" { "a local file".to_string() } else { origin }
        ));
    }
    Ok(u.href())
}

/// Downloads `url` as the file `file_name` for profile `id`: progress and failure go to
/// `sink` as they would for a dropped file; the file, once whole, to `done`.
pub fn start(id: u32, url: String, file_name: String, sink: Rc<dyn Fn(Action)>, done: impl FnOnce(web_sys::File) + 'static) {
    let ctrl = web_sys::AbortController::new().ok();
    if let Some(c) = &ctrl {
        INFLIGHT.with(|m| m.borrow_mut().insert(id, c.clone()));
    }
    wasm_bindgen_futures::spawn_local(async move {
        let result = download(id, &url, &file_name, ctrl.as_ref().map(|c| c.signal()), &sink).await;
        // (Aborted: the page has forgotten the profile already.)
        let aborted = ctrl.as_ref().is_some_and(|c| c.signal().aborted());
        INFLIGHT.with(|m| m.borrow_mut().remove(&id));
        match result {
            _ if aborted => {}
            Ok(file) => done(file),
            Err(message) => sink(Action::LoadFailed(id, message)),
        }
    });
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string()).unwrap_or_else(|| format!("{e:?}"))
}

async fn download(
    id: u32,
    url: &str,
    file_name: &str,
    signal: Option<web_sys::AbortSignal>,
    sink: &Rc<dyn Fn(Action)>,
) -> Result<web_sys::File, String> {
    let href = resolve(url)?;
    let w = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_signal(signal.as_ref());
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let failed = |why: String| format!("could not download `{url}`: {why}");
    let resp = JsFuture::from(w.fetch_with_str_and_init(&href, &init)).await.map_err(|e| {
        let local = w.location().protocol().is_ok_and(|p| p == "file:");
        failed(if local {
            format!("{} (a page opened from a file holds only its own examples; open other profiles with Open profiles…)", js_message(&e))
        } else {
            js_message(&e)
        })
    })?;
    let resp: web_sys::Response = resp.unchecked_into();
    if !resp.ok() {
        return Err(failed(format!("the server answered {} {}", resp.status(), resp.status_text()).trim_end().to_string()));
    }
    let header = |name: &str| resp.headers().get(name).ok().flatten().unwrap_or_default();
    if header("content-type").to_ascii_lowercase().starts_with("text/html") {
        return Err(failed("the server answered with a web page (text/html), not a profile; check the path".into()));
    }
    let total: f64 = header("content-length").trim().parse().unwrap_or(0.0);
    let parts = js_sys::Array::new();
    match resp.body() {
        Some(body) => {
            let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
            let (mut got, mut shown) = (0.0f64, 0.0f64);
            loop {
                let r = JsFuture::from(reader.read()).await.map_err(|e| failed(js_message(&e)))?;
                if js_sys::Reflect::get(&r, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
                    break;
                }
                let chunk: js_sys::Uint8Array =
                    js_sys::Reflect::get(&r, &"value".into()).map_err(|e| failed(js_message(&e)))?.unchecked_into();
                got += chunk.length() as f64;
                parts.push(&chunk);
                // (A page re-render per percent, not per network chunk.)
                let f = if total > 0.0 { (got / total).min(1.0) } else { 0.0 };
                if f - shown >= 0.01 {
                    shown = f;
                    sink(Action::Progress(id, Stage::Downloading, f));
                }
            }
        }
        None => {
            let blob = JsFuture::from(resp.blob().map_err(|e| failed(js_message(&e)))?).await.map_err(|e| failed(js_message(&e)))?;
            parts.push(&blob);
        }
    }
    web_sys::File::new_with_u8_array_sequence(&parts, file_name).map_err(|e| failed(js_message(&e)))
}
