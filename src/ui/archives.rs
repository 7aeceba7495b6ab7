//! Archives among opened files: each file's first bytes are sniffed
//! ([`crate::decode::archive::sniff`]: never its name); a `.zip`, `.tar` or `.tar.gz` of
//! snapshots expands into its members, each opened as a file of its own (named after the
//! member, so the unique-name rule and the series' file-name order apply), in member path
//! order where the archive stood. Members that cannot be read are named in the page's
//! errors; the others load.

use super::store::StoreHandle;
use crate::decode::archive::{read, sniff, ArchiveKind, SNIFF_BYTES};
use crate::view::state::Action;
use web_sys::{Blob, File};

/// Largest member read out of an archive (the engine refuses bigger profiles anyway).
const MEMBER_CAP: usize = 1 << 30;

async fn bytes_of(blob: &Blob) -> Option<Vec<u8>> {
    let buf = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await.ok()?;
    Some(js_sys::Uint8Array::new(&buf).to_vec())
}

async fn kind_of(f: &File) -> Option<ArchiveKind> {
    let head = f.slice_with_f64_and_f64(0.0, SNIFF_BYTES as f64).ok()?;
    sniff(&bytes_of(&head).await?)
}

/// A browser `File` holding `data`, called `name`.
pub fn file_of(data: &[u8], name: &str) -> Option<File> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(data));
    File::new_with_u8_array_sequence(&parts, name).ok()
}

/// The files of an archive (`Err`: "name: why" per member or for the whole archive).
pub async fn expand(f: &File, kind: ArchiveKind) -> (Vec<(String, File)>, Vec<String>) {
    let mut errors = Vec::new();
    let Some(bytes) = bytes_of(f).await else {
        return (Vec::new(), vec![format!("{}: the file cannot be read", f.name())]);
    };
    let members = match read(&bytes, kind, MEMBER_CAP, &|_| true) {
        Ok(m) => m,
        Err(e) => return (Vec::new(), vec![format!("{}: {}: {e}", f.name(), kind.name())]),
    };
    let mut out = Vec::new();
    for m in members {
        let base = m.name.rsplit('/').next().unwrap_or(&m.name).to_string();
        match m.data {
            Ok(d) => match file_of(&d, &base) {
                Some(file) => out.push((m.name, file)),
                None => errors.push(format!("{base} (in {}): the browser cannot hold it", f.name())),
            },
            Err(e) => errors.push(format!("{base} (in {}): {e}", f.name())),
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    if out.is_empty() && errors.is_empty() {
        errors.push(format!("{}: the {} holds no files", f.name(), kind.name()));
    }
    (out, errors)
}

/// Opens `files` through the store, archives expanded into their members.
pub fn open(store: StoreHandle, files: Vec<File>) {
    wasm_bindgen_futures::spawn_local(async move {
        let mut out = Vec::with_capacity(files.len());
        let mut errors = Vec::new();
        for f in files {
            match kind_of(&f).await {
                Some(kind) => {
                    let (members, errs) = expand(&f, kind).await;
                    out.extend(members.into_iter().map(|m| m.1));
                    errors.extend(errs);
                }
                None => out.push(f),
            }
        }
        store.open(out);
        if !errors.is_empty() {
            store.state.dispatch(Action::LoadErrors(errors));
        }
    });
}
