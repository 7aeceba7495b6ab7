//! pprof's legacy text profiles: heap (`heap profile: …`: Go's legacy heap profile,
//! tcmalloc's heapz, growthz, fragmentationz), contention (`--- contentionz`, `--- mutex:`,
//! `--- contention:`) and Java's `--- heapz 1 ---` / `--- contentionz 1 ---`, with pprof's
//! arithmetic: heap records un-sampled (`scaleHeapSample`), contention values scaled by the
//! sampling period, Java's columns in their own order.

use super::error::{DecodeError, Limits};
use super::legacy::{cached, clip, frame_info, go_int64, is_memory_map_sentinel, scale_heap_sample, vt, JavaSymbols, Legacy, MapParser};

/// Lines as Go's `bufio.ScanLines` gives them: split at `\n`, a final `\r` dropped, no
/// empty line after a final `\n`. Paired with their 1-based numbers.
fn scan_lines(text: &str) -> Vec<(usize, &str)> {
    let mut v: Vec<(usize, &str)> = text.split('\n').enumerate().map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l))).collect();
    if text.ends_with('\n') || text.is_empty() {
        v.pop();
    }
    v
}

/// pprof's `isSpaceOrComment`.
fn is_space_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

fn text_err(line: usize, what: impl Into<String>) -> DecodeError {
    DecodeError::Text { line, what: what.into() }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, then `0x`/`0o`/`0b` or a leading
/// `0` (octal) chooses the base.
pub(super) fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.bytes().all(|c| (c as char).is_digit(radix)) {
        return None;
    }
    let mag = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if mag <= 1 << 63 {
            Some((mag as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// pprof's `parseHexAddresses`: every `0x[0-9a-f]+` in the text, as 64-bit numbers.
fn hex_addresses(s: &str, line: usize, out: &mut Vec<u64>) -> Result<(), DecodeError> {
    out.clear();
    let b = s.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() + 1 {
        if b[i] == b'0' && b.get(i + 1) == Some(&b'x') && b.get(i + 2).is_some_and(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
            let start = i + 2;
            let mut end = start;
            while end < b.len() && matches!(b[end], b'0'..=b'9' | b'a'..=b'f') {
                end += 1;
            }
            let digits = &s[start..end];
            let a = u64::from_str_radix(digits, 16)
                .map_err(|_| text_err(line, format!("address 0x{} does not fit in 64 bits", clip(digits))))?;
            out.push(a);
            i = end;
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// Reads the memory map from these lines (pprof's `ParseMemoryMapFromScanner`).
fn read_maps(lines: &[(usize, &str)], p: &mut Legacy, limits: &Limits) -> Result<(), DecodeError> {
    let mut mp = MapParser::new();
    let mut maps = Vec::new();
    for (_, l) in lines {
        mp.line(l, &mut maps, limits)?;
    }
    p.mappings = maps;
    Ok(())
}

/// A regex compiled once per process: `regex!(r"…")`.
macro_rules! regex {
    ($rx:expr) => {{
        static CELL: std::sync::OnceLock<regex_lite::Regex> = std::sync::OnceLock::new();
        cached(&CELL, $rx)
    }};
}

/// A heap record that starts the line, `N: N [N: N] @ addresses`, read without a regex: the
/// fields `heapSampleRE` captures (index 1 to 5), when its match starts at the line's first
/// byte (then it is the leftmost match, and each greedy part has one way to match). Other
/// lines are left to the regex.
fn heap_record(line: &str) -> Option<[&str; 6]> {
    let b = line.as_bytes();
    let mut i = 0;
    let num = |i: &mut usize, signed: bool| -> Option<(usize, usize)> {
        let start = *i;
        if signed && b.get(*i) == Some(&b'-') {
            *i += 1;
        }
        let d = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        (*i > d).then_some((start, *i))
    };
    let lit = |i: &mut usize, c: u8| -> Option<()> { (b.get(*i) == Some(&c)).then(|| *i += 1) };
    let spaces = |i: &mut usize| {
        while b.get(*i) == Some(&b' ') {
            *i += 1;
        }
    };
    let f1 = num(&mut i, true)?;
    lit(&mut i, b':')?;
    spaces(&mut i);
    let f2 = num(&mut i, true)?;
    spaces(&mut i);
    lit(&mut i, b'[')?;
    spaces(&mut i);
    let f3 = num(&mut i, false)?;
    lit(&mut i, b':')?;
    spaces(&mut i);
    let f4 = num(&mut i, false)?;
    spaces(&mut i);
    lit(&mut i, b']')?;
    lit(&mut i, b' ')?;
    lit(&mut i, b'@')?;
    let start = i;
    while b.get(i).is_some_and(|c| matches!(c, b' ' | b'x' | b'0'..=b'9' | b'a'..=b'f')) {
        i += 1;
    }
    let s = |(a, e): (usize, usize)| &line[a..e];
    Some(["", s(f1), s(f2), s(f3), s(f4), &line[start..i]])
}

/// A `heap profile: …` file (pprof's `parseHeap`).
pub fn parse_heap(b: &[u8], limits: &Limits) -> Result<super::super::model::Profile, DecodeError> {
    let text = String::from_utf8_lossy(b);
    let lines = scan_lines(&text);
    let Some(&(_, first)) = lines.first() else { return Err(DecodeError::Empty) };
    let header = regex!(r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] *@ *(heap[_a-z0-9]*)/?(\d*)");
    let growth = regex!(r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] @ growthz?");
    let fragmentation = regex!(r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] @ fragmentationz?");
    let (mut v2, mut period, mut has_alloc) = (false, 0i64, false);
    if let Some(h) = header.captures(first) {
        if !h[6].is_empty() {
            period = h[6].parse().map_err(|_| text_err(1, format!("sampling rate {} does not fit in 64 bits", clip(&h[6]))))?;
        }
        has_alloc = (h[3] != h[1] && &h[3] != "0") || (h[4] != h[2] && &h[4] != "0");
        match &h[5] {
            "heapz_v2" | "heap_v2" => v2 = true,
            "heapprofile" => period = 1,
            "heap" => {
                v2 = true;
                period /= 2;
            }
            other => return Err(text_err(1, format!("unknown heap profile kind \"{}\"", clip(other)))),
        }
    } else if growth.is_match(first) || fragmentation.is_match(first) {
        period = 1;
    } else {
        return Err(text_err(1, format!("not a heap profile header: \"{}\"", clip(first))));
    }
    let types = if has_alloc {
        vec![vt("alloc_objects", "count"), vt("alloc_space", "bytes"), vt("inuse_objects", "count"), vt("inuse_space", "bytes")]
    } else {
        vec![vt("objects", "count"), vt("space", "bytes")]
    };
    let mut p = Legacy::new(types, "legacy heap profile (text)", limits);
    p.period_type = Some(vt("space", "bytes"));
    p.period = period;
    let sample = regex!(r"(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *] @([ x0-9a-f]*)");
    let mut addrs = Vec::new();
    let mut values = Vec::with_capacity(4);
    let mut map_from = lines.len();
    for (i, &(ln, raw)) in lines.iter().enumerate().skip(1) {
        let line = raw.trim();
        if is_space_or_comment(line) {
            continue;
        }
        if is_memory_map_sentinel(line) {
            map_from = i + 1;
            break;
        }
        let s = match heap_record(line) {
            Some(f) => f,
            None => {
                let Some(c) = sample.captures(line) else {
                    return Err(text_err(ln, format!("expected \"inuse: bytes [alloc: bytes] @ addresses\", got \"{}\"", clip(line))));
                };
                let g = |i| c.get(i).map_or("", |m| m.as_str());
                ["", g(1), g(2), g(3), g(4), g(5)]
            }
        };
        values.clear();
        let mut blocksize = 0i64;
        let mut add = |count: &str, size: &str, what: &str| -> Result<(), DecodeError> {
            let num = |x: &str| x.parse::<i64>().map_err(|_| text_err(ln, format!("{what} value {} does not fit in 64 bits", clip(x))));
            let (mut count, mut size) = (num(count)?, num(size)?);
            if count == 0 && size != 0 {
                return Err(text_err(ln, format!("{what} count was 0 but {what} bytes was {size}")));
            }
            if count != 0 {
                blocksize = size.wrapping_div(count);
                if v2 {
                    (count, size) = scale_heap_sample(count, size, period);
                }
            }
            values.push(count);
            values.push(size);
            Ok(())
        };
        if has_alloc {
            add(s[3], s[4], "allocation")?;
        }
        add(s[1], s[2], "inuse")?;
        hex_addresses(s[5], ln, &mut addrs)?;
        // Return addresses: -1 lands on the call instruction.
        for a in &mut addrs {
            *a = a.wrapping_sub(1);
        }
        p.add_sample(&values, &addrs, Some(blocksize))?;
    }
    read_maps(&lines[map_from.min(lines.len())..], &mut p, limits)?;
    frame_info(&mut p);
    p.finish()
}

/// A C++ or Go contention profile (pprof's `parseContention`).
pub fn parse_contention(b: &[u8], limits: &Limits) -> Result<super::super::model::Profile, DecodeError> {
    let text = String::from_utf8_lossy(b);
    let lines = scan_lines(&text);
    let mut p = Legacy::new(vec![vt("contentions", "count"), vt("delay", "nanoseconds")], "legacy contention profile (text)", limits);
    p.period_type = Some(vt("contentions", "count"));
    p.period = 1;
    let mut cpu_hz = 0i64;
    // "attribute = value" lines before the samples.
    let mut i = 1;
    while i < lines.len() {
        let (ln, raw) = lines[i];
        let line = raw.trim();
        if is_space_or_comment(line) {
            i += 1;
            continue;
        }
        if line.starts_with("---") {
            break;
        }
        let Some((key, val)) = line.split_once('=') else { break };
        let (key, val) = (key.trim(), val.trim());
        let int = |v: &str| parse_int_base0(v).ok_or_else(|| text_err(ln, format!("{key}: \"{}\" is not an integer", clip(v))));
        match key {
            "cycles/second" => cpu_hz = int(val)?,
            "sampling period" => p.period = int(val)?,
            "ms since reset" => p.duration_nanos = int(val)?.wrapping_mul(1_000_000),
            "discarded samples" => {}
            _ => return Err(text_err(ln, format!("unknown contention profile attribute \"{}\"", clip(key)))),
        }
        i += 1;
    }
    let sample = regex!(r"(\d+) *(\d+) @([ x0-9a-f]*)");
    let mut addrs = Vec::new();
    let mut rest = lines.len();
    while i < lines.len() {
        let (ln, raw) = lines[i];
        let line = raw.trim();
        if line.starts_with("---") {
            rest = i;
            break;
        }
        if !is_space_or_comment(line) {
            let Some(s) = sample.captures(line) else {
                return Err(text_err(ln, format!("expected \"delay count @ addresses\", got \"{}\"", clip(line))));
            };
            let num = |x: &str| x.parse::<i64>().map_err(|_| text_err(ln, format!("value {} does not fit in 64 bits", clip(x))));
            let (mut delay, mut count) = (num(&s[1])?, num(&s[2])?);
            if p.period > 0 {
                if cpu_hz > 0 {
                    let cpu_ghz = cpu_hz as f64 / 1e9;
                    delay = go_int64(delay as f64 * p.period as f64 / cpu_ghz);
                }
                count = count.wrapping_mul(p.period);
            }
            hex_addresses(&s[3], ln, &mut addrs)?;
            for a in &mut addrs {
                *a = a.wrapping_sub(1);
            }
            p.add_sample(&[count, delay], &addrs, None)?;
        }
        i += 1;
    }
    // Further sections are skipped up to the memory map.
    let map_from = (rest..lines.len()).find(|&j| is_memory_map_sentinel(lines[j].1)).map_or(lines.len(), |j| j + 1);
    read_maps(&lines[map_from..], &mut p, limits)?;
    frame_info(&mut p);
    p.finish()
}

/// A Java `--- heapz 1 ---` or `--- contentionz 1 ---` profile (pprof's
/// `parseJavaProfile`).
pub fn parse_java(b: &[u8], limits: &Limits) -> Result<super::super::model::Profile, DecodeError> {
    let text = String::from_utf8_lossy(b);
    let Some((first, mut rest)) = text.split_once('\n') else {
        return Err(text_err(1, "a Java profile header needs a line after it"));
    };
    let heap = match first.trim() {
        "--- heapz 1 ---" => true,
        "--- contentionz 1 ---" => false,
        other => return Err(text_err(1, format!("not a Java profile header: \"{}\"", clip(other)))),
    };
    let mut p = Legacy::new(Vec::new(), if heap { "legacy Java heap profile" } else { "legacy Java contention profile" }, limits);
    let mut ln = 2;
    // Attributes: complete lines until one is not "name = value".
    let attribute = regex!(r"([\w ]+)=([\w ]+)");
    while let Some((line, after)) = rest.split_once('\n') {
        let line = line.trim();
        if !line.is_empty() {
            let Some(h) = attribute.captures(line) else { break };
            let (name, value) = (h[1].trim(), h[2].trim());
            let int = |v: &str| parse_int_base0(v).ok_or_else(|| text_err(ln, format!("{name}: \"{}\" is not an integer", clip(v))));
            match (heap, name) {
                (_, "format") => {
                    if value != "java" {
                        return Err(text_err(ln, format!("format is \"{}\", not java", clip(value))));
                    }
                }
                (true, "resolution") => p.sample_types = vec![vt("inuse_objects", "count"), vt("inuse_space", value)],
                (false, "resolution") => p.sample_types = vec![vt("contentions", "count"), vt("delay", value)],
                (false, "sampling period") => {
                    p.period_type = Some(vt("contentions", "count"));
                    p.period = int(value)?;
                }
                (false, "ms since reset") => p.duration_nanos = int(value)?.wrapping_mul(1_000_000),
                _ => return Err(text_err(ln, format!("unknown Java profile attribute \"{}\"", clip(name)))),
            }
        }
        rest = after;
        ln += 1;
    }
    if p.sample_types.is_empty() {
        return Err(text_err(ln, "the Java profile has no \"resolution\" attribute: its sample types are unknown"));
    }
    // Samples: complete lines of "value count @ addresses" (Java's columns are the other way
    // round), until a line is not one.
    let sample = regex!(r" *(\d+) +(\d+) +@ +([ x0-9a-f]*)");
    let mut addrs = Vec::new();
    while let Some((line, after)) = rest.split_once('\n') {
        let line = line.trim();
        if !line.is_empty() {
            let Some(s) = sample.captures(line) else { break };
            hex_addresses(&s[3], ln, &mut addrs)?;
            let num = |x: &str| parse_int_base0(x).ok_or_else(|| text_err(ln, format!("\"{}\" is not a 64-bit integer", clip(x))));
            let (mut count, mut value) = (num(&s[2])?, num(&s[1])?);
            let mut bytes = None;
            if heap {
                if count == 0 {
                    return Err(text_err(ln, "a heap record's count (its second value) must not be 0"));
                }
                bytes = Some(value.wrapping_div(count));
                // Java's heapz samples every 512 KiB on average.
                (count, value) = scale_heap_sample(count, value, 524288);
            } else if p.period != 0 {
                count = count.wrapping_mul(p.period);
                value = value.wrapping_mul(p.period);
            }
            p.add_sample(&[count, value], &addrs, bytes)?;
        }
        rest = after;
        ln += 1;
    }
    JavaSymbols::new().read(rest, &mut p)?;
    frame_info(&mut p);
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_parse_int_base0() {
        assert_eq!(parse_int_base0("100"), Some(100));
        assert_eq!(parse_int_base0("0100"), Some(64));
        assert_eq!(parse_int_base0("0x10"), Some(16));
        assert_eq!(parse_int_base0("-5"), Some(-5));
        assert_eq!(parse_int_base0("0"), Some(0));
        assert_eq!(parse_int_base0("09"), None);
        assert_eq!(parse_int_base0("99999999999999999999"), None);
        assert_eq!(parse_int_base0("-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn hex_addresses_as_pprof_finds_them() {
        let mut v = Vec::new();
        hex_addresses(" 0x1 0xabc junk 0x 0x10", 1, &mut v).unwrap();
        assert_eq!(v, vec![1, 0xabc, 0x10]);
        assert!(hex_addresses("0x11112222333344445", 3, &mut v).is_err());
    }

    #[test]
    fn heap_records_read_as_the_regex_reads_them() {
        let rx = regex_lite::Regex::new(r"(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *] @([ x0-9a-f]*)").unwrap();
        for line in [
            "1: 524288 [3: 1572864] @ 0x420cef 0x422151",
            "1: 288 [2: 296] @",
            "-1: -5 [0: 0] @ 0x1 junk 0x2",
            "144:  8498176 [   144:  8498176] @ heapz_v2",
            "0: 0 [1: 1024] @ 0x420cef 0x422151 0X7",
        ] {
            let c = rx.captures(line).unwrap();
            let g = |i| c.get(i).map_or("", |m| m.as_str());
            assert_eq!(heap_record(line), Some(["", g(1), g(2), g(3), g(4), g(5)]), "{line}");
        }
        for line in ["1:2 [3:4]  @ 0x1", "x 1: 2 [3: 4] @ 0x1", "1: 2 [3: 4]"] {
            assert_eq!(heap_record(line), None, "{line}");
        }
    }

    #[test]
    fn scan_lines_like_bufio() {
        assert_eq!(scan_lines("a\r\nb\n"), vec![(1, "a"), (2, "b")]);
        assert_eq!(scan_lines("a\n\nb"), vec![(1, "a"), (2, ""), (3, "b")]);
    }
}
