//! Go's text profiles: `goroutine profile: total N` (`?debug=1`, also `threadcreate`) and the
//! full goroutine dump of `?debug=2`, which `go tool pprof` cannot read at all.

use super::error::{DecodeError, Limits};
use super::names::UNKNOWN;
use super::sniff::TextKind;
use crate::model::{GoroutineInfo, Label, Profile, ValueType};

/// Parses a sniffed text profile.
pub fn parse(kind: TextKind, b: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    let text = String::from_utf8_lossy(b);
    match kind {
        TextKind::Count => parse_count(&text, limits),
        TextKind::Dump => parse_dump(&text, limits),
    }
}

fn count_profile(name: &str, format: &str) -> Profile {
    Profile {
        sample_types: vec![ValueType { name: name.into(), unit: "count".into() }],
        default_sample_type: 0,
        period_type: Some(ValueType { name: name.into(), unit: "count".into() }),
        period: 1,
        values: vec![Vec::new()],
        format: format.into(),
        ..Default::default()
    }
}

/// Strips `+0x1f` from `main.f+0x1f`.
fn strip_offset(f: &str) -> &str {
    match f.rfind("+0x") {
        Some(i) if i > 0 => &f[..i],
        _ => f,
    }
}

fn parse_count(text: &str, limits: &Limits) -> Result<Profile, DecodeError> {
    let mut lines = text.lines().enumerate();
    let (_, header) = lines.next().unwrap_or((0, ""));
    let header = header.trim_start_matches('\u{feff}').trim();
    let name = header.split(" profile:").next().unwrap_or("goroutine").to_string();
    let mut p = count_profile(&name, &format!("{name} text (debug=1)"));
    let mut frames: Vec<u32> = Vec::new();
    let mut current: Option<(i64, usize, Vec<Label>)> = None; // count, line, labels
    let flush = |p: &mut Profile, cur: &mut Option<(i64, usize, Vec<Label>)>, frames: &mut Vec<u32>| {
        if let Some((count, _, labels)) = cur.take() {
            if frames.is_empty() {
                frames.push(p.functions.intern(UNKNOWN, b""));
            }
            let st = p.stacks.intern(frames);
            p.sample_stack.push(st);
            p.values[0].push(count);
            let l = p.label_sets.intern(labels);
            p.sample_labels.push(l);
            frames.clear();
        }
    };
    for (ln, line) in lines {
        let ln = ln + 1;
        let t = line.trim_end();
        if t.is_empty() {
            continue;
        }
        if let Some(rest) = t.strip_prefix('#') {
            let rest = rest.trim_start_matches([' ', '\t']);
            if let Some(lbl) = rest.strip_prefix("labels:") {
                if let Some((_, _, labels)) = current.as_mut() {
                    *labels = parse_labels(lbl.trim());
                }
                continue;
            }
            if current.is_none() {
                continue;
            }
            // "#\t0xADDR\tfunc+0xOFF\tfile:line"
            let mut parts = rest.split('\t').filter(|s| !s.is_empty());
            let _addr = parts.next();
            let Some(func) = parts.next() else { continue };
            let file = parts.next().unwrap_or("").trim();
            let file = file.rsplit_once(':').map(|x| x.0).unwrap_or(file);
            frames.push(p.functions.intern(strip_offset(func.trim()).as_bytes(), file.as_bytes()));
            if frames.len() > limits.max_stack_depth {
                return Err(DecodeError::Limit { what: format!("stack depth at line {ln}"), limit: limits.max_stack_depth });
            }
            continue;
        }
        if let Some((count, _addrs)) = t.split_once(" @") {
            flush(&mut p, &mut current, &mut frames);
            let count: i64 = count
                .trim()
                .parse()
                .map_err(|_| DecodeError::Text { line: ln, what: format!("expected \"count @ addresses\", got \"{}\"", clip(t)) })?;
            current = Some((count, ln, Vec::new()));
            if p.sample_stack.len() >= limits.max_entries {
                return Err(DecodeError::Limit { what: "record count".into(), limit: limits.max_entries });
            }
            continue;
        }
        return Err(DecodeError::Text { line: ln, what: format!("unexpected line \"{}\"", clip(t)) });
    }
    flush(&mut p, &mut current, &mut frames);
    p.stacks.seal();
    p.label_sets.seal();
    Ok(p)
}

/// A line as an error message quotes it: at most 60 characters, control characters (NUL,
/// escapes…) shown as U+FFFD.
fn clip(s: &str) -> String {
    let c: String = s.chars().take(60).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
    if s.chars().count() > 60 {
        format!("{c}…")
    } else {
        c
    }
}

/// `{"k":"v", "k2":"v2"}` → labels (best effort, as printed by runtime/pprof).
fn parse_labels(s: &str) -> Vec<Label> {
    let inner = s.trim().trim_start_matches('{').trim_end_matches('}');
    let mut out = Vec::new();
    for kv in inner.split(", ") {
        if let Some((k, v)) = kv.split_once(':') {
            let unq = |x: &str| x.trim().trim_matches('"').to_string();
            out.push(Label { key: unq(k), str: Some(unq(v)), num: 0, unit: String::new() });
        }
    }
    out
}

/// Removes the argument list from a traceback function line: `main.f(0x1, 0x2)` → `main.f`.
fn strip_args(line: &str) -> &str {
    let t = line.trim();
    if t.ends_with(')') {
        // Find the '(' matching the final ')'.
        let mut depth = 0i32;
        for (i, c) in t.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' => {
                    depth -= 1;
                    if depth == 0 {
                        return &t[..i];
                    }
                }
                _ => {}
            }
        }
    }
    t
}

/// Parses `chan receive, 5 minutes, locked to thread` into state and minutes.
fn parse_state(s: &str) -> (String, Option<u32>) {
    let mut parts = s.split(", ");
    let state = parts.next().unwrap_or("").to_string();
    let mut minutes = None;
    for p in parts {
        if let Some(m) = p.strip_suffix(" minutes").or_else(|| p.strip_suffix(" minute")) {
            minutes = m.trim().parse().ok();
        }
    }
    (state, minutes)
}

fn parse_dump(text: &str, limits: &Limits) -> Result<Profile, DecodeError> {
    let mut p = count_profile("goroutine", "goroutine dump (debug=2)");
    let mut frames: Vec<u32> = Vec::new();
    let mut info: Option<GoroutineInfo> = None;
    let mut expect_file = false;
    let mut in_created_by = false;
    let finish = |p: &mut Profile, info: &mut Option<GoroutineInfo>, frames: &mut Vec<u32>| {
        if let Some(gi) = info.take() {
            if frames.is_empty() {
                frames.push(p.functions.intern(UNKNOWN, b""));
            }
            let st = p.stacks.intern(frames);
            p.sample_stack.push(st);
            p.values[0].push(1);
            let mut labels = vec![Label { key: "state".into(), str: Some(gi.state.clone()), num: 0, unit: String::new() }];
            if let Some(c) = &gi.created_by {
                labels.push(Label { key: "created by".into(), str: Some(c.clone()), num: 0, unit: String::new() });
            }
            if let Some(m) = gi.minutes {
                labels.push(Label { key: "blocked".into(), str: None, num: m as i64, unit: "minutes".into() });
            }
            let l = p.label_sets.intern(labels);
            p.sample_labels.push(l);
            p.goroutines.push(gi);
            frames.clear();
        }
    };
    for (ln, line) in text.lines().enumerate() {
        let ln = ln + 1;
        let t = line.trim_end();
        if t.is_empty() {
            finish(&mut p, &mut info, &mut frames);
            expect_file = false;
            in_created_by = false;
            continue;
        }
        if let Some(rest) = t.strip_prefix("goroutine ") {
            if rest.starts_with(|c: char| c.is_ascii_digit()) && t.ends_with("]:") {
                finish(&mut p, &mut info, &mut frames);
                let open = t.rfind('[').unwrap_or(0);
                let (state, minutes) = parse_state(&t[open + 1..t.len() - 2]);
                info = Some(GoroutineInfo { state, minutes, created_by: None });
                if p.sample_stack.len() >= limits.max_entries {
                    return Err(DecodeError::Limit { what: "goroutine count".into(), limit: limits.max_entries });
                }
                expect_file = false;
                in_created_by = false;
                continue;
            }
        }
        let Some(gi) = info.as_mut() else {
            // Text before the first goroutine header (e.g. "panic: …") is skipped.
            continue;
        };
        if line.starts_with('\t') || line.starts_with("    ") {
            if !expect_file {
                return Err(DecodeError::Text { line: ln, what: format!("a file line without a function line: \"{}\"", clip(t.trim())) });
            }
            expect_file = false;
            continue;
        }
        if let Some(c) = t.strip_prefix("created by ") {
            let c = c.split(" in goroutine ").next().unwrap_or(c).trim();
            gi.created_by = Some(c.to_string());
            in_created_by = true;
            expect_file = true;
            continue;
        }
        if t.starts_with("...") {
            // "...additional frames elided..."
            continue;
        }
        if in_created_by {
            return Err(DecodeError::Text { line: ln, what: format!("unexpected line after \"created by\": \"{}\"", clip(t)) });
        }
        let name = strip_args(t);
        frames.push(p.functions.intern(name.as_bytes(), b""));
        if frames.len() > limits.max_stack_depth {
            return Err(DecodeError::Limit { what: format!("stack depth at line {ln}"), limit: limits.max_stack_depth });
        }
        expect_file = true;
    }
    finish(&mut p, &mut info, &mut frames);
    if p.sample_stack.is_empty() {
        return Err(DecodeError::NotAProfile("no goroutines in the dump".into()));
    }
    p.stacks.seal();
    p.label_sets.seal();
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(b: &[u8]) -> TextKind {
        match crate::decode::sniff::sniff(b) {
            Ok(crate::decode::sniff::Format::Text(k)) => k,
            other => panic!("not a text dump: {other:?}"),
        }
    }

    #[test]
    fn parses_debug2_dump() {
        let dump = "goroutine 1 [running]:\nmain.main()\n\t/x/main.go:10 +0x25\n\ngoroutine 18 [chan receive, 5 minutes]:\nmain.waitForever(0xc000012345)\n\t/x/main.go:20 +0x45\ncreated by main.startWorker in goroutine 1\n\t/x/main.go:15 +0x56\n\ngoroutine 19 [select, locked to thread]:\nmain.(*T).loop(...)\n\t/x/t.go:3\nmain.run()\n\t/x/t.go:9 +0x1\n";
        let p = parse(kind(dump.as_bytes()), dump.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(p.num_samples(), 3);
        assert_eq!(p.goroutines[1].state, "chan receive");
        assert_eq!(p.goroutines[1].minutes, Some(5));
        assert_eq!(p.goroutines[1].created_by.as_deref(), Some("main.startWorker"));
        assert_eq!(p.goroutines[2].state, "select");
        let st = p.stacks.get(p.sample_stack[2]);
        assert_eq!(p.functions.names[st[0] as usize], "main.(*T).loop");
        assert_eq!(p.functions.names[st[1] as usize], "main.run");
    }

    #[test]
    fn parses_debug1_counts() {
        let t = "goroutine profile: total 3\n2 @ 0x1 0x2\n# labels: {\"a\":\"b\"}\n#\t0x1\ttime.Sleep+0xbe\t/go/time.go:188\n#\t0x2\tmain.loop+0x29\t/x/main.go:165\n\n1 @ 0x3\n#\t0x3\tmain.main+0x4\t/x/main.go:1\n";
        let p = parse(kind(t.as_bytes()), t.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(p.values[0], vec![2, 1]);
        let st = p.stacks.get(p.sample_stack[0]);
        assert_eq!(p.functions.names[st[0] as usize], "time.Sleep");
        assert_eq!(p.label_sets.sets[p.sample_labels[0] as usize][0].key, "a");
    }

    #[test]
    fn rejects_garbage_lines_with_line_numbers() {
        let t = "goroutine profile: total 3\nnonsense here\n";
        let e = parse(TextKind::Count, t.as_bytes(), &Limits::default()).unwrap_err();
        assert!(matches!(e, DecodeError::Text { line: 2, .. }), "{e:?}");
    }
}
