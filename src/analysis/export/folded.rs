//! Folded stacks (Brendan Gregg's `stackcollapse` output): one line per distinct stack, its
//! frames root first and leaf last joined by `;`, a space and the count: `main;f;g 123`.
//! inferno, flamegraph.pl and speedscope read it. A diff is written as `difffolded.pl` writes
//! it, two counts per line (`main;f;g BASE TARGET`), which `flamegraph.pl` and
//! `inferno-flamegraph` draw as a differential flame graph.
//!
//! Names cannot break the format: a `;` inside a name (it would split the frame) becomes `:`,
//! and line breaks, tabs and other control characters become a space (`\r`, `\n` would end the
//! line). An empty name is written `[unknown]`.

use crate::analysis::NameSpace;
use crate::model::Profile;
use rustc_hash::FxHashMap;

/// A function name made safe for one frame of a folded line.
pub fn frame(name: &str) -> String {
    if name.is_empty() {
        return "[unknown]".to_string();
    }
    name.chars()
        .map(|c| {
            if c == ';' {
                ':'
            } else if c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The frames of a stack (leaf first, as the model keeps them) root first, joined by `;`.
fn line(names: &[String], frames: &[u32], map: Option<&[u32]>) -> String {
    let mut s = String::new();
    for (i, &f) in frames.iter().rev().enumerate() {
        if i > 0 {
            s.push(';');
        }
        let f = map.map_or(f, |m| m[f as usize]);
        s.push_str(&frame(&names[f as usize]));
    }
    s
}

/// Folded stacks of sample type `st`: one line per distinct stack with a nonzero sum, in the
/// order of the lines' text (so the output does not depend on load order). Stacks that differ
/// only by a name's escaped characters add up on one line.
pub fn folded(p: &Profile, st: usize) -> String {
    let values = p.stack_values(st);
    let mut lines: FxHashMap<String, i64> = FxHashMap::default();
    for (s, &v) in values.iter().enumerate() {
        if v != 0 {
            let e = lines.entry(line(&p.functions.names, p.stacks.get(s as u32), None)).or_default();
            *e = e.wrapping_add(v);
        }
    }
    let mut lines: Vec<(String, i64)> = lines.into_iter().filter(|x| x.1 != 0).collect();
    lines.sort();
    let mut out = String::new();
    for (l, v) in lines {
        out.push_str(&l);
        out.push(' ');
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

/// A diff in `difffolded` form: `stack BASE TARGET` per stack found in either profile, with
/// the per-stack values given (the target's scaled when normalized).
pub fn folded_diff(base: &Profile, base_values: &[i64], target: &Profile, target_values: &[i64]) -> String {
    let mut ns = NameSpace::default();
    let mut lines: FxHashMap<String, (i64, i64)> = FxHashMap::default();
    for (p, values, side) in [(base, base_values, 0), (target, target_values, 1)] {
        let map = ns.add(p);
        for (s, &v) in values.iter().enumerate() {
            if v != 0 {
                let e = lines.entry(line(&ns.names, p.stacks.get(s as u32), Some(&map))).or_default();
                if side == 0 {
                    e.0 = e.0.wrapping_add(v);
                } else {
                    e.1 = e.1.wrapping_add(v);
                }
            }
        }
    }
    let mut lines: Vec<(String, (i64, i64))> = lines.into_iter().collect();
    lines.sort();
    let mut out = String::new();
    for (l, (b, t)) in lines {
        out.push_str(&format!("{l} {b} {t}\n"));
    }
    out
}

/// Reads folded lines back: `(frames root first, count)` per line, the count after the
/// last space. For tests and for checking what was written; `None` for a malformed line.
pub fn parse(text: &str) -> Option<Vec<(Vec<String>, i64)>> {
    text.lines()
        .map(|l| {
            let (stack, n) = l.rsplit_once(' ')?;
            Some((stack.split(';').map(str::to_string).collect(), n.parse().ok()?))
        })
        .collect()
}
