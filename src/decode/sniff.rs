//! What a file is, decided once from its first bytes: gzip (inflated, then sniffed again),
//! pprof protobuf, Go's goroutine text dumps (`debug=1`, `debug=2`), or something else, named
//! in the error when it is a known kind of file (an image, an archive, a legacy text profile).

use super::error::DecodeError;

/// Bytes [`sniff`] looks at (at most): enough for a text dump's first lines.
pub const SNIFF_BYTES: usize = 4096;

/// A format profdrop reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A gzip stream: inflate it and sniff what it holds.
    Gzip,
    /// pprof's `profile.proto`.
    Protobuf,
    /// One of Go's goroutine text dumps.
    Text(TextKind),
}

/// The format of a file (or of what a gzip stream held) from its first bytes: at most
/// [`SNIFF_BYTES`] are read, and fewer only when the file is shorter. Files that are not a
/// profile are refused here, with what they look like.
pub fn sniff(head: &[u8]) -> Result<Format, DecodeError> {
    if head.is_empty() {
        return Err(DecodeError::Empty);
    }
    if super::gzip::is_gzip(head) {
        return Ok(Format::Gzip);
    }
    if let Some(kind) = text_kind(head) {
        return Ok(Format::Text(kind));
    }
    if !plausible(head) || known_other_format(head).is_some() {
        return Err(DecodeError::NotAProfile(describe(head)));
    }
    Ok(Format::Protobuf)
}

/// A recognised text format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKind {
    /// `<name> profile: total N` followed by `count @ addrs` records (`debug=1`).
    Count,
    /// `goroutine N [state]:` blocks (`debug=2`, or a panic traceback).
    Dump,
}

/// Recognises a text profile from its first bytes.
fn text_kind(b: &[u8]) -> Option<TextKind> {
    let head = String::from_utf8_lossy(&b[..b.len().min(4096)]);
    let s = head.trim_start_matches('\u{feff}').trim_start();
    let first = s.lines().next().unwrap_or("");
    if let Some((name, rest)) = first.split_once(" profile: total ") {
        if !name.is_empty()
            && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
            && rest.trim().bytes().all(|c| c.is_ascii_digit())
        {
            return Some(TextKind::Count);
        }
    }
    // A dump starts with "goroutine N [state]:", possibly after a panic message.
    for line in s.lines().take(40) {
        if let Some(rest) = line.strip_prefix("goroutine ") {
            if rest.starts_with(|c: char| c.is_ascii_digit()) && line.trim_end().ends_with("]:") {
                return Some(TextKind::Dump);
            }
        }
    }
    None
}

/// Could these bytes start a serialized `Profile`? Checks the first field tag and that the
/// head is not plain text.
fn plausible(b: &[u8]) -> bool {
    const TAGS: [u8; 17] = [0x0a, 0x12, 0x1a, 0x22, 0x2a, 0x32, 0x38, 0x40, 0x48, 0x50, 0x5a, 0x60, 0x68, 0x6a, 0x70, 0x78, 0x08];
    if !TAGS.contains(&b[0]) {
        return false;
    }
    let head = &b[..b.len().min(64)];
    let texty = head.iter().filter(|c| c.is_ascii_graphic() || **c == b' ' || **c == b'\n' || **c == b'\r' || **c == b'\t').count();
    !(head.len() >= 16 && texty == head.len())
}

/// Recognises common files that are not profiles by their magic bytes.
fn known_other_format(b: &[u8]) -> Option<&'static str> {
    const MAGICS: [(&[u8], &str); 10] = [
        (b"PK\x03\x04", "a zip archive: unzip it and drop the profile inside"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x7fELF", "an executable (ELF); profiles come from /debug/pprof/…"),
        (b"BZh", "a bzip2 file: decompress it first"),
        (b"\xfd7zXZ", "an xz file: decompress it first"),
        (b"\x28\xb5\x2f\xfd", "a zstd file: decompress it first"),
        (b"<!DOCTYPE", "an HTML page (did the download save an error page?)"),
    ];
    MAGICS.iter().find(|(m, _)| b.starts_with(m)).map(|(_, what)| *what)
}

/// A short description of what unknown bytes look like, for error messages.
fn describe(bytes: &[u8]) -> String {
    if let Some(what) = known_other_format(bytes) {
        return what.to_string();
    }
    let head = &bytes[..bytes.len().min(64)];
    let printable = head.iter().filter(|b| b.is_ascii_graphic() || **b == b' ' || **b == b'\n' || **b == b'\t').count();
    if printable * 10 >= head.len() * 9 {
        let first_line: String = String::from_utf8_lossy(head).lines().next().unwrap_or("").chars().take(40).collect();
        if first_line.starts_with("heap profile:") || first_line.starts_with("--- ") || first_line.contains("profile: total") {
            return format!("legacy text profile \"{first_line}\" is not supported; save it with ?debug=0 to get protobuf");
        }
        let clean: String = first_line.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
        format!("text starting with \"{clean}\"")
    } else {
        let hex: Vec<String> = head.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("starts with bytes {}", hex.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_is_told_from_its_first_bytes() {
        assert_eq!(sniff(b"\x1f\x8b\x08\x00"), Ok(Format::Gzip));
        assert_eq!(sniff(b"\x0a\x04\x08\x01\x10\x02"), Ok(Format::Protobuf));
        assert_eq!(sniff(b"goroutine profile: total 3\n"), Ok(Format::Text(TextKind::Count)));
        assert_eq!(sniff(b"threadcreate profile: total 9\n"), Ok(Format::Text(TextKind::Count)));
        assert_eq!(sniff(b"goroutine 1 [running]:\nmain.main()\n"), Ok(Format::Text(TextKind::Dump)));
        assert_eq!(sniff(b""), Err(DecodeError::Empty));
        for (bytes, says) in [
            (&b"heap profile: 1: 2 [3: 4] @ heap/1048576\n"[..], "legacy text profile"),
            (b"PK\x03\x04\x14\x00", "zip archive"),
            (b"\x89PNG\r\n\x1a\n", "PNG image"),
            (b"\x28\xb5\x2f\xfd\x00", "zstd"),
            (b"hello, this is not a profile at all", "text starting with"),
        ] {
            match sniff(bytes) {
                Err(DecodeError::NotAProfile(m)) => assert!(m.contains(says), "{m:?} should say {says:?}"),
                other => panic!("{says}: {other:?}"),
            }
        }
    }
}
