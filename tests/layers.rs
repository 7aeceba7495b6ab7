//! The architecture as a test: layers only point down, and no source file imports another that
//! imports it back (directly or through others).
//!
//! Reads `src/` as text. A file's imports are every `crate::…`, `super::…` and `self::…` path it
//! names (in `use` lines and inline), resolved to the longest module path that is a file. A
//! module's own children (its `mod child;` lines and relative `pub use child::X` re-exports) are
//! its structure, not imports. Test-only files (`tests.rs`, `#[cfg(test)]
//! mod tests` blocks) are left out: tests may reach anywhere.
//!
//! Layers, bottom to top (each may import the ones listed for it, never one above):
//!
//! | layer | may import |
//! |---|---|
//! | `units` | nothing |
//! | `model` | units |
//! | `decode` | model, units |
//! | `analysis` | model, units |
//! | `protocol` | analysis, decode, model, units |
//! | `view` | protocol, analysis, model, units |
//! | `engine` | protocol, analysis, decode, model, units |
//! | `ui` | everything |

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LAYERS: &[(&str, &[&str])] = &[
    ("units", &[]),
    ("model", &["units"]),
    ("decode", &["model", "units"]),
    ("analysis", &["model", "units"]),
    ("protocol", &["analysis", "decode", "model", "units"]),
    ("view", &["protocol", "analysis", "model", "units"]),
    ("engine", &["protocol", "analysis", "decode", "model", "units"]),
    ("ui", &["engine", "view", "protocol", "analysis", "decode", "model", "units"]),
];

/// A module path (`["decode", "proto"]`) for each source file of the library.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("src/ is readable") {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.file_name().unwrap() != "bin" {
                    stack.push(p);
                }
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap();
            let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
            if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
                parts.pop();
            }
            if parts.last().is_some_and(|l| l == "tests") {
                continue;
            }
            out.insert(parts, p);
        }
    }
    out
}

/// The text of a file without comments, string literals and `#[cfg(test)] mod tests { … }`.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("");
        // String literals may hold `crate::` as text.
        let mut in_str = false;
        let mut prev = ' ';
        for c in line.chars() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// Every path the code names that starts at `crate`, `super` or `self`, as absolute module
/// paths (brace groups expanded one level: `use crate::a::{b, c::d}`).
fn paths(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = ["crate::", "super::", "self::"].iter().find(|s| bytes[i..].starts_with(s.as_bytes()));
        let boundary = i == 0 || !(ident(bytes[i - 1]) || bytes[i - 1] == b':');
        let Some(s) = starts.filter(|_| boundary) else {
            i += 1;
            continue;
        };
        // The module this path is relative to.
        let mut base: Vec<String> = match *s {
            "crate::" => vec![],
            _ => {
                let mut b = here.to_vec();
                // In `a/b.rs` (module a::b), `super` is `a`; in `a/mod.rs` (module a), `super` is the root.
                if *s == "super::" {
                    b.pop();
                }
                b
            }
        };
        let mut j = i + s.len();
        loop {
            // `super::super::`
            if bytes[j..].starts_with(b"super::") {
                base.pop();
                j += 7;
                continue;
            }
            break;
        }
        let mut segs = base.clone();
        loop {
            let st = j;
            while j < bytes.len() && ident(bytes[j]) {
                j += 1;
            }
            if st == j {
                break;
            }
            segs.push(code[st..j].to_string());
            if bytes[j..].starts_with(b"::{") {
                // One level of braces: `a::{b, c::d}`.
                let close = bytes[j..].iter().position(|&c| c == b'}').map(|k| j + k).unwrap_or(bytes.len());
                for item in code[j + 3..close].split(',') {
                    let mut p = segs.clone();
                    p.extend(
                        item.split("::")
                            .map(|x| x.split_whitespace().next().unwrap_or("").to_string())
                            .filter(|x| !x.is_empty() && x != "self" && x != "*"),
                    );
                    out.push(p);
                }
                j = close;
                segs.clear();
                break;
            }
            if bytes[j..].starts_with(b"::") {
                j += 2;
            } else {
                break;
            }
        }
        if !segs.is_empty() {
            out.push(segs);
        }
        i = j.max(i + 1);
    }
    out
}

/// The file a path lands in: its longest prefix that is a module with a file.
fn resolve<'a>(path: &[String], mods: &'a BTreeMap<Vec<String>, PathBuf>) -> Option<&'a Vec<String>> {
    (1..=path.len()).rev().find_map(|n| mods.get_key_value(&path[..n]).map(|(k, _)| k))
}

fn layer(m: &[String]) -> &str {
    m.first().map(String::as_str).unwrap_or("")
}

struct Graph {
    mods: BTreeMap<Vec<String>, PathBuf>,
    edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&src);
    let mut edges = BTreeMap::new();
    for (m, file) in &mods {
        let text = std::fs::read_to_string(file).unwrap();
        let mut to = BTreeSet::new();
        for p in paths(&code(&text), m) {
            if let Some(t) = resolve(&p, &mods) {
                // A module naming its own children (`mod x; pub use x::Y`) still imports them;
                // naming itself does not count.
                if t != m {
                    to.insert(t.clone());
                }
            }
        }
        edges.insert(m.clone(), to);
    }
    Graph { mods, edges }
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "lib".into()
    } else {
        m.join("::")
    }
}

#[test]
fn layers_only_point_down() {
    let g = graph();
    let mut bad = Vec::new();
    for (from, tos) in &g.edges {
        let Some((_, allowed)) = LAYERS.iter().find(|(l, _)| *l == layer(from)) else {
            // lib.rs declares the layers.
            assert!(from.is_empty(), "{} is in no layer: add it to LAYERS in tests/layers.rs", name(from));
            continue;
        };
        for to in tos {
            let l = layer(to);
            if l != layer(from) && !allowed.contains(&l) {
                bad.push(format!("{} imports {}", name(from), name(to)));
            }
        }
    }
    assert!(bad.is_empty(), "imports that point up or sideways:\n  {}", bad.join("\n  "));
}

#[test]
fn no_import_cycles_between_files() {
    let g = graph();
    // Tarjan's strongly connected components, iteratively.
    let ids: Vec<&Vec<String>> = g.mods.keys().collect();
    let index_of = |m: &Vec<String>| ids.iter().position(|x| *x == m).unwrap();
    let adj: Vec<Vec<usize>> = ids.iter().map(|m| g.edges[*m].iter().map(&index_of).collect()).collect();
    let n = ids.len();
    let (mut index, mut low, mut on) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut next, mut comps) = (Vec::new(), 0, Vec::new());
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut k)) = work.last_mut() {
            if *k == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on[v] = true;
            }
            if let Some(&w) = adj[v].get(*k) {
                *k += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(u, _)) = work.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on[w] = false;
                    comp.push(name(ids[w]));
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    comps.push(comp.join(" <-> "));
                }
            }
        }
    }
    assert!(comps.is_empty(), "files that import each other (directly or through others):\n  {}", comps.join("\n  "));
}

#[test]
fn the_checker_sees_imports() {
    // The checker itself must find what it is meant to find, or the two tests above pass for
    // nothing.
    let here = vec!["decode".to_string(), "proto".to_string()];
    let code = code("use super::raw::{self, RawProfile};\nuse crate::model::{Label, Profile};\nfn f() { crate::units::human(1, \"crate::view::x\"); }\n");
    let mut got = paths(&code, &here);
    got.sort();
    let want: Vec<Vec<String>> = vec![
        vec!["crate_units_human"],
        vec!["decode", "raw"],
        vec!["decode", "raw", "RawProfile"],
        vec!["model", "Label"],
        vec!["model", "Profile"],
    ]
    .into_iter()
    .map(|v| if v[0] == "crate_units_human" { vec!["units".into(), "human".into()] } else { v.into_iter().map(String::from).collect() })
    .collect();
    let mut want = want;
    want.sort();
    assert_eq!(got, want);
    let g = graph();
    let engine = &g.edges[&vec!["engine".to_string()]];
    assert!(engine.contains(&vec!["protocol".to_string()]), "engine.rs imports protocol: {engine:?}");
}
