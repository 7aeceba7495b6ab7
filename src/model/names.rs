//! pprof's names for frames without a function name, written once: `[<basename of the mapping
//! file>]`, or `<unknown>` when there is no mapping file. The decoders name frames with
//! them; the analysis recognises them (an unsymbolized frame is nobody's own code).

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

/// Is this a name [`unsymbolized`] gives (or one shaped like it)?
pub fn is_unsymbolized(name: &str) -> bool {
    name.as_bytes() == UNKNOWN || (name.starts_with('[') && name.ends_with(']')) || name.starts_with('<')
}

/// pprof's `simplifyFunc`: a leading `.` dropped, and the name cut at its first `(` that
/// does not start `(anonymous namespace)` or belong to `operator()`. (So a Go method
/// `main.(*T).f` is `main.`, as in pprof.) What `drop_frames`, `keep_frames` and `-prune_from`
/// are matched against.
pub fn simplify_func(f: &str) -> &str {
    let name = f.strip_prefix('.').unwrap_or(f);
    let b = name.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Byte-wise: the markers are ASCII, and `(` is always a char boundary.
        let rest = &b[i..];
        if rest.starts_with(b"(anonymous namespace)") {
            i += "(anonymous namespace)".len();
        } else if rest.starts_with(b"operator()") {
            i += "operator()".len();
        } else if b[i] == b'(' {
            return &name[..i];
        } else {
            i += 1;
        }
    }
    name
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
        assert!(is_unsymbolized(std::str::from_utf8(&out).unwrap()));
        unsymbolized(b"", &mut out);
        assert_eq!(out, b"<unknown>");
        assert!(is_unsymbolized("<unknown>"));
        assert!(!is_unsymbolized("main.main"));
    }
}
