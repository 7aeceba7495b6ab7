//! pprof's `-list REGEX` (`report.printSource`): for every function whose name matches, the
//! lines of its source file around its samples, each with flat and cum.
//!
//! pprof builds it from its call graph at `-lines` granularity (the `list` command forces
//! it; `-noinlines` is kept): one node per (function, file, line), an inlined call being a
//! node of the callee at its own line *and* a node of the caller at the call's line, so the
//! caller's line gets the callee's time as cum. The nodes of one function are grouped by file
//! (pprof's `Clean`ed path); each group is one routine, whose listing runs from the function's
//! start line (or 5 lines above its first sampled line when the profile has no start line)
//! to 5 lines below its last sampled line, cut at the end of the file. Lines without a node
//! show 0 (pprof's `.`).
//!
//! [`list`] computes the numbers from a profile refined at `-lines` ([`lines_refine`] turns
//! the current refinement into that one), so every filter applies as it does to pprof's
//! listing; [`annotate`] lays a routine over the text of its file when the user gave it.

use super::refine::names::display_file;
use super::refine::{Granularity, Refine};
use crate::model::sums::flat_cum;
use crate::model::Profile;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Per line: (flat, cum).
type LineSums = FxHashMap<i64, (i64, i64)>;

/// Lines pprof shows before the first and after the last sampled line.
pub const MARGIN: i64 = 5;

/// One sampled line of a routine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineValue {
    /// Line number (1-based; 0 when the profile has none).
    pub line: i64,
    /// Flat: samples whose leaf is this line of the function.
    pub flat: i64,
    /// Cum: samples passing through this line of the function (inlined callees included).
    pub cum: i64,
}

/// One function in one file: a block of pprof's `-list` output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routine {
    /// The function's name.
    pub name: String,
    /// The file as the profile names it (the path to match against the user's files); empty
    /// when the profile has no file for the function (pprof: "No source information").
    pub file: String,
    /// The file as pprof prints it (`Clean`ed, `/proc/self/cwd/` trimmed).
    pub display_file: String,
    /// Sum of the function's nodes' flat in this file (the `ROUTINE` line).
    pub flat: i64,
    /// Sum of the function's nodes' cum in this file.
    pub cum: i64,
    /// First line of the listing.
    pub start: i64,
    /// Last line of the listing (a shorter file ends it sooner).
    pub end: i64,
    /// The sampled lines, by line number.
    pub lines: Vec<LineValue>,
}

/// One line of an annotated listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListedLine {
    /// Line number.
    pub line: i64,
    /// Flat.
    pub flat: i64,
    /// Cum.
    pub cum: i64,
}

/// The refinement a listing reads: `r` at `-lines` granularity (pprof's `list` forces it,
/// and keeps `-noinlines`), without `-mean`.
pub fn lines_refine(r: &Refine) -> Refine {
    Refine { granularity: Granularity::Lines, mean: false, ..r.clone() }
}

/// A node of a profile refined at `-lines`: its function, display file and line, read back
/// from the name the refinement gave it (`NAME FILE:LINE`, pprof's `-lines` name), knowing its
/// file. `None` for a node without a function (named after its binary, `[bin]`).
fn node_of(name: &str, raw_file: &str) -> Option<(String, String, i64)> {
    let d = display_file(raw_file);
    let tail = format!(" {d}:");
    if let Some(k) = name.rfind(&tail) {
        let digits = &name[k + tail.len()..];
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return Some((name[..k].to_string(), d, digits.parse().unwrap_or(0)));
        }
    }
    if !d.is_empty() {
        if let Some(f) = name.strip_suffix(&format!(" {d}")) {
            return Some((f.to_string(), d, 0));
        }
    }
    if raw_file.is_empty() && name.starts_with('[') && name.ends_with(']') {
        return None;
    }
    Some((name.to_string(), d, 0))
}

/// The listing of every function of `refined` (a profile refined by [`lines_refine`]) whose
/// name matches `rx`, for sample type `st`, in pprof's order (by function name, then file).
/// `orig` is the profile before refinement: its locations give the functions' start lines.
pub fn list(orig: &Profile, refined: &Profile, st: usize, rx: &regex_lite::Regex) -> Vec<Routine> {
    let n = refined.functions.len();
    let (flat, cum) = flat_cum(refined, &refined.stack_values(st), None, n);
    // (function, display file) → routine index.
    let mut groups: FxHashMap<(String, String), usize> = FxHashMap::default();
    let mut out: Vec<Routine> = Vec::new();
    // Per routine: line → (flat, cum).
    let mut by_line: Vec<LineSums> = Vec::new();
    for f in 0..n {
        if flat[f] == 0 && cum[f] == 0 {
            continue;
        }
        let raw_file = &refined.functions.files[f];
        let Some((name, d, line)) = node_of(&refined.functions.names[f], raw_file) else { continue };
        if !rx.is_match(&name) {
            continue;
        }
        let i = *groups.entry((name.clone(), d.clone())).or_insert_with(|| {
            out.push(Routine {
                name,
                file: if d.is_empty() { String::new() } else { raw_file.clone() },
                display_file: d,
                flat: 0,
                cum: 0,
                start: i64::MAX,
                end: i64::MIN,
                lines: Vec::new(),
            });
            by_line.push(FxHashMap::default());
            out.len() - 1
        });
        let r = &mut out[i];
        r.flat = r.flat.wrapping_add(flat[f]);
        r.cum = r.cum.wrapping_add(cum[f]);
        let e = by_line[i].entry(line).or_insert((0, 0));
        e.0 = e.0.wrapping_add(flat[f]);
        e.1 = e.1.wrapping_add(cum[f]);
    }
    // Functions with a file drop their nodes without one (pprof lists the files it has).
    let with_file: rustc_hash::FxHashSet<String> = out.iter().filter(|r| !r.display_file.is_empty()).map(|r| r.name.clone()).collect();
    let starts = start_lines(orig);
    let mut keep: Vec<(Routine, LineSums)> =
        out.into_iter().zip(by_line).filter(|(r, _)| !r.display_file.is_empty() || !with_file.contains(&r.name)).collect();
    for (r, lines) in &mut keep {
        let mut v: Vec<LineValue> = lines.iter().map(|(&line, &(flat, cum))| LineValue { line, flat, cum }).collect();
        v.sort_by_key(|l| l.line);
        if r.display_file.is_empty() {
            // Nothing to list: pprof says "No source information".
            r.start = 0;
            r.end = -1;
        } else {
            let start_line = starts.get(&(r.name.clone(), r.display_file.clone())).copied().unwrap_or(0);
            // pprof: each node starts at the function's start line, else 5 lines above its
            // own line; the listing ends 5 lines below the last node.
            r.start = v.iter().map(|l| if start_line != 0 { start_line } else { l.line - MARGIN }).min().unwrap_or(1).max(1);
            r.end = v.iter().map(|l| l.line + MARGIN).max().unwrap_or(MARGIN);
        }
        r.lines = v;
    }
    let mut routines: Vec<Routine> = keep.into_iter().map(|(r, _)| r).collect();
    routines.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.display_file.cmp(&b.display_file)));
    routines
}

/// (function name, display file) → its start line (the smallest nonzero one when several
/// functions of that name and file have one), from the profile's locations.
fn start_lines(p: &Profile) -> FxHashMap<(String, String), i64> {
    let locs = p.locations();
    let mut m: FxHashMap<(String, String), i64> = FxHashMap::default();
    for f in 0..locs.func_name.len() {
        let s = locs.func_start_line[f];
        if s > 0 {
            let e = m.entry((locs.func_name[f].clone(), display_file(&locs.func_file[f]))).or_insert(s);
            *e = (*e).min(s);
        }
    }
    m
}

/// The lines pprof prints for routine `r` over the text of its file: `r.start..=r.end`, cut
/// where the file ends (pprof reads lines as Go's `bufio.Scanner` does: `\n` ends a line, a
/// `\r` before it is dropped, a last line without `\n` counts). With the text, the listing's
/// lines are the text's `line - 1`th lines.
pub fn annotate(r: &Routine, text: &str) -> Vec<ListedLine> {
    let n = text.lines().count() as i64;
    let vals: FxHashMap<i64, (i64, i64)> = r.lines.iter().map(|l| (l.line, (l.flat, l.cum))).collect();
    (r.start.max(1)..=r.end.min(n))
        .map(|line| {
            let (flat, cum) = vals.get(&line).copied().unwrap_or((0, 0));
            ListedLine { line, flat, cum }
        })
        .collect()
}
