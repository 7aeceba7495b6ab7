//! The page as a drop target: files dropped anywhere are opened; a dropped folder opens every
//! file inside it (and in its sub-folders), in path order.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DragEvent, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};
use yew::prelude::*;

/// Props of [`DropZone`].
#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    /// Files were dropped.
    pub on_files: Callback<Vec<File>>,
    /// The page.
    pub children: Html,
}

/// The files of a `FileList`.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else { return vec![] };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Calls a callback-style browser API once and awaits its first callback's argument.
async fn callback_once(start: impl FnOnce(&js_sys::Function, &js_sys::Function)) -> Result<JsValue, JsValue> {
    let mut start = Some(start);
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        if let Some(f) = start.take() {
            f(&resolve, &reject);
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise).await
}

/// Every file under a dropped entry, with its path, depth first.
pub async fn files_under(root: FileSystemEntry) -> Vec<(String, File)> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(entry) = stack.pop() {
        if entry.is_file() {
            let fe: FileSystemFileEntry = entry.clone().unchecked_into();
            let got = callback_once(|ok, err| fe.file_with_callback_and_callback(ok, err)).await;
            if let Ok(f) = got.and_then(|v| v.dyn_into::<File>()) {
                out.push((entry.full_path(), f));
            }
        } else if entry.is_directory() {
            let reader = entry.unchecked_ref::<FileSystemDirectoryEntry>().create_reader();
            // `readEntries` gives a directory's entries in batches, then an empty one.
            loop {
                let got = callback_once(|ok, err| {
                    let _ = reader.read_entries_with_callback_and_callback(ok, err);
                })
                .await;
                let Ok(batch) = got.map(|v| js_sys::Array::from(&v)) else { break };
                if batch.length() == 0 {
                    break;
                }
                stack.extend(batch.iter().map(|e| e.unchecked_into::<FileSystemEntry>()));
            }
        }
    }
    out
}

/// The dropped files, folders opened: the entries are taken while the drop event lasts (the
/// browser forgets them after), their files read after.
fn dropped(e: &DragEvent, on_files: Callback<Vec<File>>) {
    let Some(dt) = e.data_transfer() else { return };
    let items = dt.items();
    let entries: Vec<FileSystemEntry> = (0..items.length())
        .filter_map(|i| items.get(i))
        .filter(|it| it.kind() == "file")
        .filter_map(|it| it.webkit_get_as_entry().ok().flatten())
        .collect();
    if !entries.iter().any(|e| e.is_directory()) {
        on_files.emit(files_of(dt.files()));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let mut all = Vec::new();
        for e in entries {
            all.extend(files_under(e).await);
        }
        // Path order: snapshots named in time order load in that order.
        all.sort_by(|a, b| a.0.cmp(&b.0));
        // (A folder's own clutter, `.DS_Store` and the like, is not offered as a profile.)
        all.retain(|(path, _)| !path.rsplit('/').next().is_some_and(|n| n.starts_with('.')));
        on_files.emit(all.into_iter().map(|x| x.1).collect());
    });
}

/// Wraps the page; shows an overlay while files are dragged over it.
#[function_component(DropZone)]
pub fn drop_zone(p: &DropZoneProps) -> Html {
    let dragging = use_state(|| false);
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let ondrop = {
        let dragging = dragging.clone();
        let on_files = p.on_files.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            dropped(&e, on_files.clone());
        })
    };
    html! {
        <div class={classes!("page", dragging.then_some("dragging"))} {ondragover} {ondragleave} {ondrop}>
            { p.children.clone() }
            <div class="drop-overlay">{"Drop profiles or a folder of snapshots to load them"}</div>
        </div>
    }
}
