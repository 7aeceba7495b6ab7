//! Folded ("collapsed") stacks: one line per stack, `root;caller;leaf COUNT`, as Brendan
//! Gregg's stackcollapse scripts, inferno, async-profiler (`-o collapsed`) and py-spy
//! (`--format raw`) write them. Each line is a sample of COUNT; lines with the same stack add
//! up, so every total is the exact sum of the file's counts.
//!
//! Frames are names: async-profiler's type suffixes (`_[j]` JIT-compiled, `_[i]` inlined,
//! `_[k]` kernel, `_[0]`/`_[1]` interpreted/C1) are dropped so one function is one function
//! whatever tier ran it; py-spy's `func (file.py:12)` becomes the function `func (file.py)`
//! in `file.py` (function granularity: a function's lines are one function, and two
//! functions of the same name in different files stay apart). The file does not say what a
//! count is: it is a count of samples (`samples`, unit `count`) unless the caller names a
//! unit ([`parse_with_unit`]).

use super::error::{DecodeError, Limits};
use super::stacks::{clip, Builder};
use crate::model::{Profile, ValueType};

/// The units a folded file's counts can be given in (the file does not say).
pub const UNITS: [&str; 6] = ["count", "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes"];

/// The profile format name of a folded file.
pub const FORMAT: &str = "folded stacks";

/// The sample type of a folded file whose counts are in `unit` (`count` by default). Its
/// name stays `samples` whatever the unit, so that a link or a chosen view still names it.
pub fn sample_type(unit: &str) -> ValueType {
    ValueType { name: "samples".into(), unit: if unit.is_empty() { "count".into() } else { unit.into() } }
}

/// Says that a folded profile's counts are in `unit`.
pub fn set_unit(p: &mut Profile, unit: &str) {
    if let Some(t) = p.sample_types.first_mut() {
        *t = sample_type(unit);
    }
}

/// Parses folded stacks whose counts are samples.
pub fn parse(b: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    parse_with_unit(b, "count", limits)
}

/// Parses folded stacks whose counts are in `unit`.
pub fn parse_with_unit(b: &[u8], unit: &str, limits: &Limits) -> Result<Profile, DecodeError> {
    let mut out = Builder::new(vec![sample_type(unit)], 0, FORMAT, limits);
    let mut stack: Vec<u32> = Vec::new();
    let mut name = Vec::new();
    for (i, line) in b.split(|&c| c == b'\n').enumerate() {
        let ln = i + 1;
        let line = trim(line);
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        // A line of only a count is a sample without frames (py-spy writes one for a thread
        // caught outside Python code): it counts in the total, in no function.
        let cut = match line.iter().rposition(|&c| c == b' ' || c == b'\t') {
            Some(cut) => cut,
            None if parse_count(line).is_some() => usize::MAX,
            None => {
                return Err(DecodeError::Text { line: ln, what: format!("expected \"frame;frame;… COUNT\", got \"{}\"", clip(line)) })
            }
        };
        let (frames, count) = if cut == usize::MAX { (&b""[..], line) } else { (trim(&line[..cut]), &line[cut + 1..]) };
        let count = parse_count(count).ok_or_else(|| DecodeError::Text {
            line: ln,
            what: format!("expected a count (a whole number ≥ 0) at the end of the line, got \"{}\"", clip(count)),
        })?;
        stack.clear();
        for frame in frames.split(|&c| c == b';') {
            if frame.is_empty() {
                continue;
            }
            if stack.len() >= limits.max_stack_depth {
                return Err(DecodeError::Limit { what: format!("stack depth at line {ln}"), limit: limits.max_stack_depth });
            }
            let id = match frame_name(frame, &mut name) {
                Some(file) => out.func(&name, file)?,
                None => out.func(strip_annotation(frame), b"")?,
            };
            stack.push(id);
        }
        out.add(&stack, 0, 0, count)?;
    }
    Ok(out.finish())
}

/// The line without the `\r`, spaces and tabs around it.
fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r'] = s {
        s = rest;
    }
    s
}

/// A count: decimal digits, fitting an i64.
fn parse_count(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 19 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// async-profiler's frame type suffixes, dropped from names.
const ANNOTATIONS: [&[u8]; 5] = [b"_[j]", b"_[i]", b"_[k]", b"_[0]", b"_[1]"];

fn strip_annotation(frame: &[u8]) -> &[u8] {
    for a in ANNOTATIONS {
        if let Some(s) = frame.strip_suffix(a) {
            return s;
        }
    }
    frame
}

/// A py-spy frame `func (file:line)`: writes `func (file)` into `name` and returns the file.
fn frame_name<'a>(frame: &'a [u8], name: &mut Vec<u8>) -> Option<&'a [u8]> {
    let inner = frame.strip_suffix(b")")?;
    let open = inner.windows(2).rposition(|w| w == b" (")?;
    let loc = &inner[open + 2..];
    let colon = loc.iter().rposition(|&c| c == b':')?;
    let (file, line) = (&loc[..colon], &loc[colon + 1..]);
    if file.is_empty() || line.is_empty() || !line.iter().all(u8::is_ascii_digit) || open == 0 {
        return None;
    }
    name.clear();
    name.extend_from_slice(&inner[..open]);
    name.extend_from_slice(b" (");
    name.extend_from_slice(file);
    name.push(b')');
    Some(file)
}

/// Do these first bytes look like folded stacks? Every complete line (the last one may be cut
/// by the sniff window) is a comment, empty, or text ending in a space and a count, and at
/// least one line is a stack.
pub(super) fn sniff(head: &[u8], whole: bool) -> bool {
    if head.iter().any(|&c| c < 0x20 && !matches!(c, b'\n' | b'\r' | b'\t')) {
        return false;
    }
    let mut lines: Vec<&[u8]> = head.split(|&c| c == b'\n').collect();
    if !whole {
        // The first line is longer than the head (a deep stack): frames, so far.
        if lines.len() == 1 {
            return head[0] != b'#' && head.contains(&b';');
        }
        lines.pop();
    }
    let mut stacks = 0;
    for line in lines {
        let line = trim(line);
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let Some(cut) = line.iter().rposition(|&c| c == b' ' || c == b'\t') else {
            if parse_count(line).is_none() {
                return false;
            }
            continue;
        };
        if parse_count(&line[cut + 1..]).is_none() || trim(&line[..cut]).is_empty() {
            return false;
        }
        stacks += 1;
    }
    stacks > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::top::top_table;

    fn flat_cum(p: &Profile, name: &str) -> (i64, i64) {
        let (rows, _) = top_table(p, 0);
        let id = p.functions.get(name.as_bytes()).unwrap_or_else(|| panic!("no {name}: {:?}", p.functions.names));
        rows.iter().find(|r| r.func == id).map(|r| (r.flat, r.cum)).unwrap_or((0, 0))
    }

    #[test]
    fn sums_are_exact() {
        // main calls a (3 + 4 samples) and b (5); a calls b (2). Built so every number is known.
        let f = b"main;a 3\nmain;a 4\nmain;b 5\r\nmain;a;b 2\n\n# comment\n 6\n";
        let p = parse(f, &Limits::default()).unwrap();
        assert_eq!(top_table(&p, 0).1, 20, "the frameless sample counts in the total");
        assert_eq!(flat_cum(&p, "main"), (0, 14));
        assert_eq!(flat_cum(&p, "a"), (7, 9));
        assert_eq!(flat_cum(&p, "b"), (7, 7));
        assert_eq!(p.num_samples(), 4, "identical stacks merge");
        assert_eq!(p.sample_types[0], ValueType { name: "samples".into(), unit: "count".into() });
        let p = parse_with_unit(f, "nanoseconds", &Limits::default()).unwrap();
        assert_eq!(p.sample_types[0], ValueType { name: "samples".into(), unit: "nanoseconds".into() });
    }

    #[test]
    fn producer_variants() {
        let f = b"java;Foo.run_[j];Foo.work_[i] 2\njava;Foo.run_[0];Foo.work 3\nthread (t.py:1);f (a.py:10) 4\nthread (t.py:1);f (a.py:12) 1\nthread (t.py:1);f (b.py:3) 1\n";
        let p = parse(f, &Limits::default()).unwrap();
        assert_eq!(flat_cum(&p, "Foo.work"), (5, 5));
        assert_eq!(flat_cum(&p, "Foo.run"), (0, 5));
        assert_eq!(flat_cum(&p, "f (a.py)"), (5, 5));
        assert_eq!(flat_cum(&p, "f (b.py)"), (1, 1));
        let id = p.functions.get(b"f (a.py)").unwrap();
        assert_eq!(p.functions.files[id as usize], "a.py");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse(b"a;b 1\na;b x\n", &Limits::default()).unwrap_err();
        assert_eq!(e.position(), Some(2));
        let e = parse(b"a;b 1\na;b -1\n", &Limits::default()).unwrap_err();
        assert_eq!(e.kind(), "Text");
        let e = parse(b"a 9223372036854775807\nb 1\n", &Limits::default()).unwrap_err();
        assert_eq!(e.kind(), "Limit");
        let limits = Limits { max_stack_depth: 2, ..Limits::default() };
        assert_eq!(parse(b"a;b;c 1\n", &limits).unwrap_err().kind(), "Limit");
    }

    #[test]
    fn sniffs_only_folded_text() {
        assert!(sniff(b"a;b;c 1\nd 2\n", true));
        assert!(sniff(b"a;b;c 1\nd 2\nhalf a li", false));
        assert!(sniff(b"a;b;c;d;e;f", false), "a first line longer than the head");
        assert!(!sniff(b"a;b;c 1\nnot folded\n", true));
        assert!(!sniff(b"12\n", true));
        assert!(sniff(b"12\na 1\n", true));
        assert!(!sniff(b"a 1\x00\n", true));
        assert!(!sniff(b"# only comments\n", true));
    }
}
