//! `perf script` text (`perf record -g …; perf script > out.perf`): per sample an event line
//! (`comm pid/tid [cpu] time: [period] event:`) and its call chain, one frame per indented
//! line (`addr symbol+0xoff (module)`), leaf first, then an empty line.
//!
//! Read as stackcollapse-perf.pl and inferno's `collapse-perf` read it with their default
//! options, so that a file gives the same stacks and counts as `inferno-collapse-perf`
//! (`tests/formats.rs` checks that on every fixture): the process name (`comm`, spaces made
//! `_`) is the root frame; a sample weighs its period when the event line has one, else 1;
//! only the first event type in the file is kept (merging cycles with instructions would
//! mislead); symbol offsets (`+0x1f`) are dropped, an `[unknown]` symbol is named after its
//! module (`[libc.so.6]`), argument lists are cut (`f(int)` → `f`, but not Go's
//! `pkg.(*T).M`), `;` becomes `:`, Java's `Lpkg/Class;` loses its `L` in `java` processes, and
//! a frame `a->b` (perf-map-agent's inlined Java) is `a` calling `b_[i]`. The sample type is
//! `samples` (count), or, when samples are weighed by their periods, the event's name in its
//! unit (`cpu-clock` and `task-clock` in nanoseconds, other events in counts). As the
//! collapsers, a period is the word just before the event name (`2000000  cpu-clock:`, with
//! two spaces, has none).

use super::error::{DecodeError, Limits};
use super::stacks::Builder;
use crate::model::{Profile, ValueType};

/// Parses `perf script` output.
pub fn parse(b: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    let types = vec![ValueType { name: "samples".into(), unit: "count".into() }];
    let mut out = Builder::new(types, 0, "perf script", limits);
    let mut r = Reader {
        filter: None,
        comm: Vec::new(),
        period: None,
        periods: false,
        in_event: false,
        skip: false,
        frames: Vec::new(),
        name: Vec::new(),
        parts: Vec::new(),
    };
    let mut stack: Vec<u32> = Vec::new();
    for (i, line) in b.split(|&c| c == b'\n').enumerate() {
        if line.first() == Some(&b'#') {
            continue;
        }
        let line = trim_end(line);
        if line.is_empty() {
            r.end(&mut out, &mut stack, limits)?;
        } else if r.in_event {
            r.stack_line(&mut out, line, i + 1, limits)?;
        } else {
            r.event_line(&mut out, line, i + 1, limits)?;
            if !r.frames.is_empty() {
                r.end(&mut out, &mut stack, limits)?;
            }
        }
    }
    r.end(&mut out, &mut stack, limits)?;
    let mut p = out.finish();
    // Weighed by periods: the values are in the event's unit.
    if let (true, Some(event)) = (r.periods, &r.filter) {
        let event = String::from_utf8_lossy(event);
        let name = event.split(':').next().unwrap_or("").to_string();
        let unit = if matches!(name.as_str(), "cpu-clock" | "task-clock") { "nanoseconds" } else { "count" };
        p.sample_types[0] = ValueType { name, unit: unit.into() };
    }
    Ok(p)
}

struct Reader {
    /// The event type kept (the first one seen).
    filter: Option<Vec<u8>>,
    /// The sample's process name, as its root frame.
    comm: Vec<u8>,
    period: Option<i64>,
    /// Some kept sample was weighed by its period.
    periods: bool,
    in_event: bool,
    /// This sample is of another event type.
    skip: bool,
    /// The sample's frames so far, leaf first.
    frames: Vec<u32>,
    name: Vec<u8>,
    /// Scratch: a frame's `->`-separated parts.
    parts: Vec<(usize, usize)>,
}

fn trim_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t' | b'\r'] = s {
        s = rest;
    }
    s
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r', rest @ ..] = s {
        s = rest;
    }
    trim_end(s)
}

/// Splits an event line at its first all-digit word (the pid or `pid/tid`): the process
/// name before it, and where the rest starts.
fn event_parts(line: &[u8]) -> Option<(&[u8], usize)> {
    let (mut word_start, mut digits, mut last_space) = (0, false, false);
    for (i, &c) in line.iter().enumerate() {
        if c == b' ' {
            if digits && !last_space {
                return Some((trim(&line[..word_start.max(1) - 1]), i + 1));
            }
            word_start = i + 1;
            digits = true;
        } else if !(c.is_ascii_digit() || (c == b'/' && digits)) {
            digits = false;
        }
        last_space = c == b' ';
    }
    None
}

/// `addr symbol (module)` → (symbol, module); `None` for a line that is not a frame.
fn frame_parts(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let line = trim(line);
    let sp = line.iter().position(|&c| c == b' ')?;
    let rest = &line[sp + 1..];
    let msp = rest.iter().rposition(|&c| c == b' ')?;
    let module = rest[msp + 1..].strip_prefix(b"(")?.strip_suffix(b")")?;
    let sym = trim(&rest[..msp]);
    Some((if sym.is_empty() { b" " } else { sym }, module))
}

impl Reader {
    fn event_line(&mut self, out: &mut Builder, line: &[u8], ln: usize, limits: &Limits) -> Result<(), DecodeError> {
        self.in_event = true;
        let Some((comm, end)) = event_parts(line) else {
            // Not an event line: skipped, as the collapsers skip it.
            self.in_event = false;
            return Ok(());
        };
        let rest = &line[end..];
        let mut by_colon = rest.splitn(3, |&c| c == b':').skip(1);
        if let Some(period_event) = by_colon.next() {
            let mut words = period_event.rsplit(|&c| c == b' ');
            let event = words.next().unwrap_or(b"");
            self.period = words
                .next()
                .and_then(|w| std::str::from_utf8(w).ok())
                .and_then(|w| w.parse::<u64>().ok())
                .map(|p| p.min(i64::MAX as u64) as i64);
            match &self.filter {
                Some(f) if f.as_slice() != event => {
                    self.skip = true;
                    return Ok(());
                }
                Some(_) => {}
                None => self.filter = Some(event.to_vec()),
            }
        }
        self.comm.clear();
        self.comm.extend(comm.iter().map(|&c| if c == b' ' { b'_' } else { c }));
        // A one-frame sample may carry its frame on the event line.
        if let Some(post) = by_colon.next() {
            let start = post.iter().position(|&c| c == b':' || c == b' ').map(|i| i + 1).unwrap_or(0);
            let post = trim(&post[start..]);
            if !post.is_empty() {
                self.stack_line(out, post, ln, limits)?;
                self.in_event = false;
            }
        }
        Ok(())
    }

    fn stack_line(&mut self, out: &mut Builder, line: &[u8], ln: usize, limits: &Limits) -> Result<(), DecodeError> {
        if self.skip {
            return Ok(());
        }
        let Some((mut sym, module)) = frame_parts(line) else { return Ok(()) };
        if let Some(at) = sym.windows(3).rposition(|w| w == b"+0x") {
            if sym[at + 3..].iter().all(u8::is_ascii_hexdigit) {
                sym = &sym[..at];
            }
        }
        if sym.first() == Some(&b'(') {
            return Ok(());
        }
        // `a->b->c`: a calls b calls c, the callees inlined; leaf first here, so c comes first.
        let mut parts = std::mem::take(&mut self.parts);
        parts.clear();
        split_arrow(sym, &mut parts);
        let java = self.comm.starts_with(b"java");
        for (k, &(from, to)) in parts.iter().enumerate().rev() {
            let part = &sym[from..to];
            self.name.clear();
            if part == b"[unknown]" && module != b"[unknown]" {
                let base = module.iter().rposition(|&c| c == b'/').map(|i| &module[i + 1..]).unwrap_or(module);
                self.name.push(b'[');
                self.name.extend_from_slice(base);
                self.name.push(b']');
            } else {
                self.name.extend_from_slice(part);
            }
            tidy(&mut self.name, java);
            if k > 0 && !contains(&self.name, b"_[i]") {
                self.name.extend_from_slice(b"_[i]");
            }
            if self.frames.len() >= limits.max_stack_depth {
                return Err(DecodeError::Limit { what: format!("stack depth at line {ln}"), limit: limits.max_stack_depth });
            }
            let id = out.func(&self.name, module)?;
            self.frames.push(id);
        }
        self.parts = parts;
        Ok(())
    }

    /// The sample ends: adds it.
    fn end(&mut self, out: &mut Builder, stack: &mut Vec<u32>, limits: &Limits) -> Result<(), DecodeError> {
        if !self.frames.is_empty() {
            stack.clear();
            if self.frames.len() >= limits.max_stack_depth {
                return Err(DecodeError::Limit { what: "stack depth".into(), limit: limits.max_stack_depth });
            }
            stack.push(out.func(&self.comm, b"")?);
            stack.extend(self.frames.iter().rev());
            self.periods |= self.period.is_some();
            out.add(stack, 0, 0, self.period.unwrap_or(1))?;
        }
        self.in_event = false;
        self.skip = false;
        self.frames.clear();
        self.period = None;
        Ok(())
    }
}

fn contains(h: &[u8], n: &[u8]) -> bool {
    h.windows(n.len()).any(|w| w == n)
}

/// The `->`-separated parts of `s`, as byte ranges, into `parts`.
fn split_arrow(s: &[u8], parts: &mut Vec<(usize, usize)>) {
    let mut start = 0;
    let mut i = 0;
    if s.contains(&b'>') {
        while i + 1 < s.len() {
            if s[i] == b'-' && s[i + 1] == b'>' {
                parts.push((start, i));
                start = i + 2;
                i += 2;
            } else {
                i += 1;
            }
        }
    }
    parts.push((start, s.len()));
}

/// stackcollapse's name tidying: `;` → `:`, the argument list cut at the first top-level `(`
/// (not Go's `.(` nor C++'s `(anonymous namespace)`), and for Java `Lpkg/…` loses its `L`.
fn tidy(name: &mut Vec<u8>, java: bool) {
    for c in name.iter_mut() {
        if *c == b';' {
            *c = b':';
        }
    }
    let mut depth = 0i32;
    let mut last_dot = None;
    let mut cut = name.len();
    for (i, &c) in name.iter().enumerate() {
        match c {
            b'<' | b'{' | b'[' => depth += 1,
            b'>' | b'}' | b']' | b')' => depth -= 1,
            b'(' => {
                if depth == 0 && last_dot != Some(i) && !name[i..].starts_with(b"(anonymous namespace)") {
                    cut = i;
                    break;
                }
                depth += 1;
            }
            b'.' => last_dot = Some(i + 1),
            _ => {}
        }
    }
    name.truncate(cut);
    if java && name.first() == Some(&b'L') && name.contains(&b'/') {
        name.remove(0);
    }
}

/// Do these first bytes start `perf script` output: after comments, an event line followed
/// by a frame line?
pub(super) fn sniff(head: &[u8]) -> bool {
    let mut lines = head.split(|&c| c == b'\n').map(trim_end).filter(|l| !l.is_empty() && l[0] != b'#');
    let Some(first) = lines.next() else { return false };
    if first[0] == b' ' || first[0] == b'\t' || event_parts(first).is_none() || !first.contains(&b':') {
        return false;
    }
    match lines.next() {
        Some(second) => (second[0] == b' ' || second[0] == b'\t') && frame_parts(second).is_some(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::top::top_table;

    #[test]
    fn reads_samples_as_the_collapsers_do() {
        let f = b"# header\nmy prog 123/124 [001] 10.5: 1000 cycles:\n\tffff0001 leaf+0x10 (/bin/p)\n\tffff0002 std::f(int) (/bin/p)\n\t7f [unknown] (/lib/libc.so.6)\n\nmy prog 123 10.6: 1000 cycles:\n\tffff0001 leaf+0x10 (/bin/p)\n\nmy prog 123 10.7: 50 instructions:\n\tffff0001 other (/bin/p)\n\n";
        let p = parse(f, &Limits::default()).unwrap();
        assert_eq!(top_table(&p, 0).1, 2000, "two cycles samples of period 1000; instructions skipped");
        for n in ["my_prog", "leaf", "std::f", "[libc.so.6]"] {
            assert!(p.functions.get(n.as_bytes()).is_some(), "{n}: {:?}", p.functions.names);
        }
        assert!(p.functions.get(b"other").is_none());
        assert!(sniff(f));
        assert!(!sniff(b"a;b 1\n"));
    }

    #[test]
    fn tidies_names() {
        for (raw, want, java) in [
            ("f(int, char)", "f", false),
            ("net/http.(*Client).Do", "net/http.(*Client).Do", false),
            ("(anonymous namespace)::g(int)", "(anonymous namespace)::g", false),
            ("std::vector<f(int)>::push", "std::vector<f(int)>::push", false),
            ("Lorg/x/Y;.call(Lorg/Z;)V", "org/x/Y:.call", true),
            ("a;b", "a:b", false),
        ] {
            let mut n = raw.as_bytes().to_vec();
            tidy(&mut n, java);
            assert_eq!(String::from_utf8(n).unwrap(), want, "{raw}");
        }
    }
}
