//! Names of frames, written once: string table lookups, and pprof's names for frames that
//! have no function name (`[libc.so.6]` after the mapping's file, `<unknown>` without one).
//! The model build (`proto`), the early table (`preview`) and the text dumps (`text`) all
//! name frames here.

use super::error::DecodeError;

/// pprof's name for a frame without a function and without a mapping file.
pub const UNKNOWN: &[u8] = b"<unknown>";

/// pprof's name for a frame without a function name: `[<basename of the mapping file>]`, or
/// [`UNKNOWN`] when the mapping has no file. Written into `out` (cleared first).
pub fn unsymbolized(mapping_file: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let file = basename(mapping_file);
    if file.is_empty() {
        out.extend_from_slice(UNKNOWN);
    } else {
        out.push(b'[');
        out.extend_from_slice(file);
        out.push(b']');
    }
}

/// The last element of a path, as Go's `filepath.Base` (trailing slashes ignored).
pub fn basename(path: &[u8]) -> &[u8] {
    let trimmed = match path.iter().rposition(|&c| c != b'/') {
        Some(e) => &path[..=e],
        None => return path,
    };
    match trimmed.iter().rposition(|&c| c == b'/') {
        Some(s) => &trimmed[s + 1..],
        None => trimmed,
    }
}

/// String `i` of the table (0 is "" even when the table is empty); `what` names the
/// reference for the error.
pub fn string<'a>(strings: &[&'a [u8]], i: i64, what: &dyn Fn() -> String) -> Result<&'a [u8], DecodeError> {
    if i == 0 && strings.is_empty() {
        return Ok(b"");
    }
    usize::try_from(i).ok().and_then(|i| strings.get(i)).copied().ok_or_else(|| {
        DecodeError::Malformed(format!("{} refers to string {i}, but the string table has {} entries", what(), strings.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basename_like_go() {
        assert_eq!(basename(b"/usr/lib/libc.so.6"), b"libc.so.6");
        assert_eq!(basename(b"libc.so"), b"libc.so");
        assert_eq!(basename(b"/a/b/"), b"b");
    }

    #[test]
    fn unsymbolized_frames_are_named_as_pprof_names_them() {
        let mut out = Vec::new();
        unsymbolized(b"/lib/x86_64-linux-gnu/libc.so.6", &mut out);
        assert_eq!(out, b"[libc.so.6]");
        unsymbolized(b"", &mut out);
        assert_eq!(out, b"<unknown>");
    }
}
