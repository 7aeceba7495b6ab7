//! What a file is, decided once from its first bytes: gzip (inflated, then sniffed again),
//! pprof protobuf, Go's goroutine text dumps (`debug=1`, `debug=2`), pprof's legacy formats
//! (binary CPU profiles, heap and contention text, Java's), or something else, named in the
//! error when it is a known kind of file (an image, an archive).

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
    /// One of pprof's legacy formats.
    Legacy(LegacyKind),
    /// Stacks of function names from another profiler (folded, perf script, speedscope,
    /// Chrome's profiles).
    Stacks(StacksKind),
}

/// The other profilers' formats (each read by its own file of `decode/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StacksKind {
    /// `frame;frame;frame COUNT` lines (`folded.rs`).
    Folded,
    /// `perf script` output (`perf.rs`).
    PerfScript,
    /// speedscope's JSON (`speedscope.rs`).
    Speedscope,
    /// Chrome's or Node's `.cpuprofile` (`chrome.rs`).
    CpuProfile,
    /// Chrome's or Node's `.heapprofile` (`chrome.rs`).
    HeapProfile,
}

pub use super::error::READS;

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
    if let Some(java) = super::legacy_cpu::sniff(head) {
        return Ok(Format::Legacy(if java { LegacyKind::JavaCpu } else { LegacyKind::Cpu }));
    }
    if let Some(kind) = text_kind(head) {
        return Ok(Format::Text(kind));
    }
    if let Some(kind) = legacy_text_kind(head) {
        return Ok(Format::Legacy(kind));
    }
    if let Some(kind) = stacks_kind(head)? {
        return Ok(Format::Stacks(kind));
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

/// Which legacy format the first bytes show ([`super::sniff`] decides, once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegacyKind {
    /// A binary CPU profile (`profilez`) of a C++ or Go program: words of 32 or 64 bits,
    /// either byte order; a memory map as text after the samples.
    Cpu,
    /// A binary CPU profile of a Java program: the same samples, then a symbol table.
    JavaCpu,
    /// `heap profile: …` text: Go's legacy heap profile, tcmalloc's heapz, growthz and
    /// fragmentationz.
    Heap,
    /// `--- contentionz …`, `--- mutex:` or `--- contention:`: a C++ or Go contention
    /// profile.
    Contention,
    /// `--- heapz 1 ---` with `format = java`.
    JavaHeap,
    /// `--- contentionz 1 ---` with `format = java`.
    JavaContention,
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

/// Recognises pprof's legacy text profiles from their first line (and, for
/// `--- contentionz 1 ---`, from the attributes after it: a Java profile names its `format`
/// and `resolution`, which the C++ format does not have).
fn legacy_text_kind(b: &[u8]) -> Option<LegacyKind> {
    let head = String::from_utf8_lossy(&b[..b.len().min(SNIFF_BYTES)]);
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let first = lines.next().unwrap_or("");
    if is_heap_header(first) {
        return Some(LegacyKind::Heap);
    }
    let t = first.trim();
    if t == "--- heapz 1 ---" {
        return Some(LegacyKind::JavaHeap);
    }
    if first.starts_with("--- contentionz ") || first.starts_with("--- mutex:") || first.starts_with("--- contention:") {
        if first.starts_with("--- contentionz ") && t == "--- contentionz 1 ---" {
            for line in lines.map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let Some((key, _)) = line.split_once('=') else { break };
                if !matches!(key.trim(), "cycles/second" | "sampling period" | "ms since reset" | "discarded samples") {
                    return Some(LegacyKind::JavaContention);
                }
            }
        }
        return Some(LegacyKind::Contention);
    }
    if t == "--- contentionz 1 ---" {
        return Some(LegacyKind::JavaContention);
    }
    None
}

/// Recognises the other profilers' formats: JSON by its keys, `perf script` by an event line
/// and a frame, folded stacks by every line. JSON that is none of them is refused here.
fn stacks_kind(b: &[u8]) -> Result<Option<StacksKind>, DecodeError> {
    let b = b.strip_prefix("\u{feff}".as_bytes()).unwrap_or(b);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    if matches!(b.get(start), Some(b'{' | b'[')) {
        let head = String::from_utf8_lossy(&b[..b.len().min(SNIFF_BYTES)]);
        if super::speedscope::sniff(&head) {
            return Ok(Some(StacksKind::Speedscope));
        }
        match super::chrome::sniff(&head) {
            Some(true) => return Ok(Some(StacksKind::CpuProfile)),
            Some(false) => return Ok(Some(StacksKind::HeapProfile)),
            None => {}
        }
        let what = if head.contains("\"traceEvents\"") || b[start] == b'[' {
            "a JSON trace (Chrome's Performance panel or a trace event file); save a .cpuprofile from the JavaScript profiler or node --cpu-prof instead"
        } else {
            "JSON that is neither speedscope's format nor a Chrome .cpuprofile or .heapprofile"
        };
        return Err(DecodeError::NotAProfile(what.into()));
    }
    let head = &b[..b.len().min(SNIFF_BYTES)];
    if super::perf::sniff(head) {
        return Ok(Some(StacksKind::PerfScript));
    }
    // A head of SNIFF_BYTES may end inside a line (a stream decides once it has that many
    // bytes, whatever follows): only a shorter file is known to be whole.
    if super::folded::sniff(head, b.len() < SNIFF_BYTES) {
        return Ok(Some(StacksKind::Folded));
    }
    Ok(None)
}

/// Does the line hold pprof's `heap profile: N: N [N: N] @ heap…`, `@ growthz` or
/// `@ fragmentationz` header (anywhere in it, as pprof's unanchored regexes find it)?
fn is_heap_header(line: &str) -> bool {
    let Some(at) = line.find("heap profile:") else { return false };
    static HEADER: std::sync::OnceLock<regex_lite::Regex> = std::sync::OnceLock::new();
    HEADER
        .get_or_init(|| {
            regex_lite::Regex::new(r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] *@ *(heap[_a-z0-9]*|growthz?|fragmentationz?)")
                .expect("a valid regex")
        })
        .is_match(&line[at..])
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
        assert_eq!(sniff(b"heap profile: 1: 2 [3: 4] @ heap/1048576\n"), Ok(Format::Legacy(LegacyKind::Heap)));
        assert_eq!(sniff(b"heap profile:    1:  2 [ 1:  2] @ heapz_v2/524288\n"), Ok(Format::Legacy(LegacyKind::Heap)));
        assert_eq!(sniff(b"--- heapz 1 ---\nformat = java\n"), Ok(Format::Legacy(LegacyKind::JavaHeap)));
        assert_eq!(sniff(b"--- contentionz 1 ---\nformat = java\n"), Ok(Format::Legacy(LegacyKind::JavaContention)));
        assert_eq!(sniff(b"--- contentionz 1 ---\ncycles/second = 3\n1 1 @ 0x1\n"), Ok(Format::Legacy(LegacyKind::Contention)));
        assert_eq!(sniff(b"--- mutex:\ncycles/second=3\n"), Ok(Format::Legacy(LegacyKind::Contention)));
        assert_eq!(sniff(b"\0\0\0\0\x03\0\0\0\0\0\0\0\x10\x27\0\0\0\0\0\0"), Ok(Format::Legacy(LegacyKind::Cpu)));
        assert_eq!(sniff(b"\0\0\0\0\0\0\0\x03\0\0\0\x01\0\0\x27\x10\0\0\0\0"), Ok(Format::Legacy(LegacyKind::JavaCpu)));
        for (bytes, says) in [
            (&b"\0\0\0\0\x03\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"[..], "starts with bytes"),
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
