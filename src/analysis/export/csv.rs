//! The tables as CSV (RFC 4180): a header row naming each column's unit, raw integers (never
//! formatted), and every text cell quoted when it holds a comma, a quote or a line break.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage return)
//! as a formula: a function name such as `=HYPERLINK(…)` in a profile must not. Such a text
//! cell is written with a leading `'` (OWASP's advice), which spreadsheets show as text; number
//! cells (negative deltas included) are written as they are.

use crate::analysis::labels::LabelSummary;
use crate::analysis::leaks::LeakReport;

/// One text cell: guarded against formula injection, then quoted as RFC 4180 needs.
pub fn text(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if guarded.contains([',', '"', '\n', '\r']) || guarded.starts_with(' ') || guarded.ends_with(' ') {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A header cell naming a unit: `flat (bytes)`; `flat` when the unit is unknown.
fn head(name: &str, unit: &str) -> String {
    text(&if unit.is_empty() { name.to_string() } else { format!("{name} ({unit})") })
}

fn row(out: &mut String, cells: &[String]) {
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// The top table: `function,flat (UNIT),cum (UNIT)`, one row per `(name, flat, cum)`.
pub fn top<'a>(unit: &str, rows: impl IntoIterator<Item = (&'a str, i64, i64)>) -> String {
    let mut out = String::new();
    row(&mut out, &["function".into(), head("flat", unit), head("cum", unit)]);
    for (name, flat, cum) in rows {
        row(&mut out, &[text(name), flat.to_string(), cum.to_string()]);
    }
    out
}

/// One diff row: name, base flat, target flat, base cum, target cum.
pub type DiffCells<'a> = (&'a str, i64, i64, i64, i64);

/// The diff table: flat and cum of base and target and their deltas (target − base).
pub fn diff<'a>(unit: &str, rows: impl IntoIterator<Item = DiffCells<'a>>) -> String {
    let mut out = String::new();
    let cols = ["base flat", "target flat", "delta flat", "base cum", "target cum", "delta cum"];
    let mut h = vec!["function".to_string()];
    h.extend(cols.iter().map(|c| head(c, unit)));
    row(&mut out, &h);
    for (name, b, t, bc, tc) in rows {
        let cells = [
            text(name),
            b.to_string(),
            t.to_string(),
            t.wrapping_sub(b).to_string(),
            bc.to_string(),
            tc.to_string(),
            tc.wrapping_sub(bc).to_string(),
        ];
        row(&mut out, &cells);
    }
    out
}

/// The leak table: rank, function, pattern, growth, growth per minute, intervals grown, then
/// the value at each snapshot (headed by its file name).
pub fn leaks(r: &LeakReport) -> String {
    let unit = match &r.rate {
        Some(rate) if !r.unit.is_empty() => format!("{}{rate}", r.unit),
        Some(rate) => rate.trim_start_matches('/').to_string(),
        None => r.unit.clone(),
    };
    let mut out = String::new();
    let mut h = vec!["rank".to_string(), "function".into(), "pattern".into(), head("growth", &unit)];
    h.push(head("growth per minute", &unit));
    h.push("intervals grown".into());
    h.push("intervals".into());
    // (The series is about the last files when a counter's rates have one value fewer.)
    let n = r.suspects.first().map_or(r.files.len(), |s| s.series.len());
    let files = &r.files[r.files.len().saturating_sub(n)..];
    h.extend(files.iter().map(|f| head(f, &unit)));
    row(&mut out, &h);
    for s in &r.suspects {
        let mut cells = vec![s.rank.to_string(), text(&s.function), text(s.pattern.name()), s.growth.to_string()];
        cells.push(s.per_minute.map(|v| v.to_string()).unwrap_or_default());
        cells.push(s.grew.to_string());
        cells.push(s.intervals.to_string());
        cells.extend(s.series.iter().map(|v| v.to_string()));
        row(&mut out, &cells);
    }
    out
}

/// The label browser: one row per key and value (a numeric bucket as its range `lo`–`hi`),
/// with the value of the samples carrying it and how many there are.
pub fn labels(l: &LabelSummary) -> String {
    let mut out = String::new();
    let h =
        ["key".to_string(), "value".into(), "from".into(), "to".into(), "numeric unit".into(), head("value", &l.unit), "samples".into()];
    row(&mut out, &h);
    for k in &l.keys {
        for v in &k.values {
            let (lo, hi) = if k.numeric { (v.lo.to_string(), v.hi.to_string()) } else { (String::new(), String::new()) };
            let cells = [text(&k.key), text(&v.text), lo, hi, text(&k.unit), v.value.to_string(), v.samples.to_string()];
            row(&mut out, &cells);
        }
    }
    out
}

/// Reads CSV text back into rows of cells (RFC 4180 quoting). For tests and checks.
pub fn parse(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_formula_guard() {
        assert_eq!(text("main.f"), "main.f");
        assert_eq!(text("a,b"), "\"a,b\"");
        assert_eq!(text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("+1"), "'+1");
        assert_eq!(text("-x"), "'-x");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("a=b"), "a=b");
    }

    #[test]
    fn top_table_round_trips_with_raw_integers() {
        let names = ["main.f", "a,\"b\"\nc", "=cmd|' /C calc'!A0", "-neg"];
        let rows: Vec<(&str, i64, i64)> =
            names.iter().enumerate().map(|(i, n)| (*n, -(i as i64) * 1000, i as i64 * 1_000_000_007)).collect();
        let csv = top("bytes", rows.iter().copied());
        let back = parse(&csv);
        assert_eq!(back[0], ["function", "flat (bytes)", "cum (bytes)"]);
        assert_eq!(back.len(), names.len() + 1);
        for (i, r) in back[1..].iter().enumerate() {
            let want = if names[i].starts_with(['=', '-']) { format!("'{}", names[i]) } else { names[i].to_string() };
            assert_eq!(r[0], want);
            assert_eq!(r[1].parse::<i64>().unwrap(), rows[i].1);
            assert_eq!(r[2].parse::<i64>().unwrap(), rows[i].2);
        }
    }

    #[test]
    fn diff_deltas_are_target_minus_base() {
        let csv = diff("count", [("g", 5, 2, 7, 9)]);
        let back = parse(&csv);
        assert_eq!(back[0][3], "delta flat (count)");
        assert_eq!(back[1], ["g", "5", "2", "-3", "7", "9", "2"]);
    }
}
