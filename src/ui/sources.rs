//! The user's source files for the source view, kept in the page (nothing is uploaded, and
//! nothing is read until a listing needs it): picked or dropped files and folders are kept as
//! browser `File`s (only source files: [`is_source_name`]) and read as text the first time a
//! routine needs one; a `.zip` (or tar) of a module is opened at once and its source members
//! kept as text. One set per tab.

use crate::decode::archive::{read, sniff, SNIFF_BYTES};
use crate::view::source_files::{best_match, is_source_name};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use web_sys::File;

enum Item {
    File(File),
    Text(Rc<str>),
}

#[derive(Default)]
struct Set {
    paths: Vec<String>,
    items: Vec<Item>,
    texts: HashMap<usize, Rc<str>>,
    reading: std::collections::HashSet<usize>,
}

thread_local! {
    static SET: RefCell<Set> = RefCell::default();
}

/// How many source files are held.
pub fn count() -> usize {
    SET.with(|s| s.borrow().paths.len())
}

/// The file matching a profile's path, if any: its index.
pub fn find(profile_path: &str) -> Option<usize> {
    SET.with(|s| best_match(profile_path, &s.borrow().paths))
}

/// The path (as picked) of file `i`.
pub fn path(i: usize) -> String {
    SET.with(|s| s.borrow().paths.get(i).cloned().unwrap_or_default())
}

/// The text of file `i` when read already; else starts reading it (once) and calls `done`
/// when it is there.
pub fn text(i: usize, done: impl FnOnce() + 'static) -> Option<Rc<str>> {
    let file = SET.with(|s| {
        let mut s = s.borrow_mut();
        if let Some(t) = s.texts.get(&i) {
            return Err(t.clone());
        }
        if let Some(Item::Text(t)) = s.items.get(i) {
            let t = t.clone();
            s.texts.insert(i, t.clone());
            return Err(t);
        }
        if !s.reading.insert(i) {
            return Ok(None);
        }
        Ok(match s.items.get(i) {
            Some(Item::File(f)) => Some(f.clone()),
            _ => None,
        })
    });
    match file {
        Err(t) => Some(t),
        Ok(None) => None,
        Ok(Some(f)) => {
            wasm_bindgen_futures::spawn_local(async move {
                let t = wasm_bindgen_futures::JsFuture::from(f.text()).await.ok().and_then(|v| v.as_string()).unwrap_or_default();
                SET.with(|s| {
                    s.borrow_mut().texts.insert(i, t.into());
                });
                done();
            });
            None
        }
    }
}

fn relative_path(f: &File) -> String {
    let p = js_sys::Reflect::get(f, &"webkitRelativePath".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    if p.is_empty() {
        f.name()
    } else {
        p
    }
}

fn push(path: String, item: Item) {
    SET.with(|s| {
        let mut s = s.borrow_mut();
        // A file given again replaces the one of the same path.
        if let Some(k) = s.paths.iter().position(|p| *p == path) {
            s.items[k] = item;
            s.texts.remove(&k);
            s.reading.remove(&k);
        } else {
            s.paths.push(path);
            s.items.push(item);
        }
    });
}

/// Adds picked or dropped files (`(path, file)`; a path empty takes the file's relative path
/// or name): source files are kept, archives opened for their source members, the rest
/// skipped. Returns messages for people (archives that could not be read). Calls `done` after.
pub async fn add(files: Vec<(String, File)>) -> Vec<String> {
    let mut notes = Vec::new();
    for (p, f) in files {
        let path = if p.is_empty() { relative_path(&f) } else { p.trim_start_matches('/').to_string() };
        if is_source_name(&path) {
            push(path, Item::File(f));
            continue;
        }
        // Anything else: an archive of a module, told from its bytes?
        let Ok(head) = f.slice_with_f64_and_f64(0.0, SNIFF_BYTES as f64) else { continue };
        let Some(head) = bytes_of(&head).await else { continue };
        let Some(kind) = sniff(&head) else { continue };
        let Some(all) = bytes_of(&f).await else { continue };
        match read(&all, kind, 64 << 20, &is_source_name) {
            Ok(members) => {
                for m in members {
                    match m.data {
                        Ok(d) => push(m.name, Item::Text(String::from_utf8_lossy(&d).into())),
                        Err(e) => notes.push(format!("{} (in {}): {e}", m.name, f.name())),
                    }
                }
            }
            Err(e) => notes.push(format!("{}: {e}", f.name())),
        }
    }
    notes
}

async fn bytes_of(blob: &web_sys::Blob) -> Option<Vec<u8>> {
    let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}
