//! The inverted flame graph, the pivot's two trees and the peek report on a profile built here,
//! whose answers are known by construction (worked out by hand in the comments).
#![cfg(feature = "reference")]

use profdrop::analysis::tree::FlameData;
use profdrop::decode::pb;
use profdrop::engine::Engine;
use profdrop::protocol::{FlameSource, PeekEdge, PeekEntry, Request, Response};
use prost::Message;
use std::collections::BTreeMap;

/// Functions by id (1-based in the profile).
const FUNCS: [&str; 8] = ["main", "a", "b", "c", "malloc", "r", "inl", "z"];

/// Stacks, root first, with their values. `inl` is inlined into `a` (one location with the
/// lines [inl, a]).
const STACKS: [(&[&str], i64); 7] = [
    (&["main", "a", "malloc"], 10),
    (&["main", "b", "malloc"], 20),
    (&["main", "b", "c"], 5),
    (&["main", "a", "b", "malloc"], 7),
    (&["main", "r", "r", "malloc"], 3),
    (&["main", "c"], 4),
    (&["main", "a+inl"], 2),
];

fn fixture() -> Vec<u8> {
    let mut strings: Vec<Vec<u8>> = vec![b"".to_vec(), b"space".to_vec(), b"bytes".to_vec()];
    let mut function = Vec::new();
    for (i, f) in FUNCS.iter().enumerate() {
        strings.push(f.as_bytes().to_vec());
        function.push(pb::Function { id: i as u64 + 1, name: strings.len() as i64 - 1, ..Default::default() });
    }
    let fid = |name: &str| FUNCS.iter().position(|f| *f == name).expect("a function") as u64 + 1;
    let line = |name: &str| pb::Line { function_id: fid(name), line: 1, ..Default::default() };
    // One location per function, and one (id 100) holding `inl` inlined into `a`.
    let mut location: Vec<pb::Location> =
        FUNCS.iter().map(|f| pb::Location { id: fid(f), line: vec![line(f)], ..Default::default() }).collect();
    location.push(pb::Location { id: 100, line: vec![line("inl"), line("a")], ..Default::default() });
    let sample = STACKS
        .iter()
        .map(|(frames, v)| pb::Sample {
            location_id: frames.iter().rev().map(|f| if *f == "a+inl" { 100 } else { fid(f) }).collect(),
            value: vec![*v],
            label: vec![],
        })
        .collect();
    let p = pb::Profile {
        sample_type: vec![pb::ValueType { r#type: 1, unit: 2 }],
        sample,
        location,
        function,
        string_table: strings,
        ..Default::default()
    };
    p.encode_to_vec()
}

fn engine() -> Engine {
    let mut en = Engine::new();
    en.load(1, "fixture", fixture(), &mut profdrop::decode::NoProgress).expect("the fixture loads");
    en
}

fn flame(en: &mut Engine, inverted: bool, pivot: Option<&str>, zoom: &[&str]) -> (FlameData, Vec<String>) {
    match en.handle(Request::Flame {
        source: FlameSource::Single { id: 1 },
        sample_type: String::new(),
        focus: None,
        zoom: zoom.iter().map(|s| s.to_string()).collect(),
        search: String::new(),
        min_fraction: 0.0,
        refine: Default::default(),
        inverted,
        pivot: pivot.map(str::to_string),
    }) {
        Response::Flame { data, notes, .. } => (data, notes),
        other => panic!("expected a flame graph, got {other:?}"),
    }
}

/// Every drawn node as "root;x;y" → value.
fn paths(d: &FlameData) -> BTreeMap<String, i64> {
    let mut path: Vec<String> = Vec::new();
    let mut out = BTreeMap::new();
    for i in 0..d.parent.len() {
        let name = d.names[d.name[i] as usize].clone();
        path.truncate(d.depth[i] as usize);
        path.push(name);
        out.insert(path.join(";"), d.value[i]);
    }
    out
}

fn want(list: &[(&str, i64)]) -> BTreeMap<String, i64> {
    list.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn the_inverted_tree_has_the_leaves_at_the_root_and_callers_below() {
    let mut en = engine();
    let (d, _) = flame(&mut en, true, None, &[]);
    // Leaves: malloc 10+20+7+3 = 40, c 5+4 = 9, inl 2 (inlined frames are frames).
    let expected = want(&[
        ("root", 51),
        ("root;c", 9),
        ("root;c;b", 5),
        ("root;c;b;main", 5),
        ("root;c;main", 4),
        ("root;inl", 2),
        ("root;inl;a", 2),
        ("root;inl;a;main", 2),
        ("root;malloc", 40),
        ("root;malloc;a", 10),
        ("root;malloc;a;main", 10),
        ("root;malloc;b", 27),
        ("root;malloc;b;a", 7),
        ("root;malloc;b;a;main", 7),
        ("root;malloc;b;main", 20),
        ("root;malloc;r", 3),
        ("root;malloc;r;r", 3),
        ("root;malloc;r;r;main", 3),
    ]);
    assert_eq!(paths(&d), expected);
    // Zooming works on the inverted tree the same way: by the names from the root.
    let (z, _) = flame(&mut en, true, None, &["malloc", "b"]);
    assert_eq!(paths(&z), want(&[("b", 27), ("b;a", 7), ("b;a;main", 7), ("b;main", 20)]));
    assert_eq!(z.ancestors, vec![("malloc".to_string(), 40)]);
    // The top-down tree is unchanged by the inverted one made before it.
    let (t, _) = flame(&mut en, false, None, &[]);
    assert_eq!(paths(&t)["root;main;b"], 25);
}

#[test]
fn a_pivot_shows_callers_above_and_callees_below_counting_recursion_once() {
    let mut en = engine();
    // b is on the stacks worth 20, 5 and 7: cum 32.
    let (up, notes) = flame(&mut en, true, Some("^b$"), &[]);
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(paths(&up), want(&[("root", 32), ("root;b", 32), ("root;b;a", 7), ("root;b;a;main", 7), ("root;b;main", 25)]));
    let (down, _) = flame(&mut en, false, Some("^b$"), &[]);
    assert_eq!(paths(&down), want(&[("root", 32), ("root;b", 32), ("root;b;c", 5), ("root;b;malloc", 27)]));
    // r calls itself: the stack is cut at the outermost r, so r's value is 3, not 6; below it
    // the inner r is a callee, above it only main.
    let (up, _) = flame(&mut en, true, Some("^r$"), &[]);
    assert_eq!(paths(&up), want(&[("root", 3), ("root;r", 3), ("root;r;main", 3)]));
    let (down, _) = flame(&mut en, false, Some("^r$"), &[]);
    assert_eq!(paths(&down), want(&[("root", 3), ("root;r", 3), ("root;r;r", 3), ("root;r;r;malloc", 3)]));
    // A regex matching two functions: both are the root's children, each with its own stacks
    // (a stack with both is cut at the outermost: main;a;b;malloc counts for a only).
    let (down, _) = flame(&mut en, false, Some("^(a|b)$"), &[]);
    assert_eq!(
        paths(&down),
        want(&[
            ("root", 44),
            ("root;a", 19),
            ("root;a;b", 7),
            ("root;a;b;malloc", 7),
            ("root;a;inl", 2),
            ("root;a;malloc", 10),
            ("root;b", 25),
            ("root;b;c", 5),
            ("root;b;malloc", 20)
        ])
    );
    // Nothing matches: an empty tree and a note; a bad regex is an error in words.
    let (none, notes) = flame(&mut en, false, Some("^nothing$"), &[]);
    assert_eq!(paths(&none), want(&[("root", 0)]));
    assert!(notes.iter().any(|n| n.contains("nothing")), "{notes:?}");
    let r = en.handle(Request::Flame {
        source: FlameSource::Single { id: 1 },
        sample_type: String::new(),
        focus: None,
        zoom: vec![],
        search: String::new(),
        min_fraction: 0.0,
        refine: Default::default(),
        inverted: false,
        pivot: Some("(".into()),
    });
    assert!(matches!(&r, Response::Error { message } if message.contains("pivot")), "{r:?}");
}

fn peek_page(en: &mut Engine, regex: &str, limit: u32) -> (Vec<PeekEntry>, u32) {
    match en.handle(Request::Peek { id: 1, sample_type: String::new(), regex: regex.into(), limit, refine: Default::default() }) {
        Response::Peek { entries, total, n_entries, .. } => {
            assert_eq!(total, 51);
            (entries, n_entries)
        }
        other => panic!("expected a peek report, got {other:?}"),
    }
}

fn peek(en: &mut Engine, regex: &str) -> Vec<PeekEntry> {
    let (entries, n) = peek_page(en, regex, 0);
    assert_eq!(n as usize, entries.len());
    entries
}

fn e(name: &str, weight: i64, inline: bool) -> PeekEdge {
    PeekEdge { name: name.into(), weight, inline }
}

#[test]
fn peek_lists_callers_and_callees_with_edge_weights() {
    let mut en = engine();
    let got = peek(&mut en, "^(b|r|inl|a)$");
    let expected = vec![
        // inl: flat 2 (first: the only one with flat), called inline from a.
        PeekEntry {
            name: "inl".into(),
            flat: 2,
            cum: 2,
            callers: vec![e("a", 2, true)],
            callees: vec![],
            more_callers: 0,
            more_callees: 0,
        },
        // Then flat 0, by name: a, b, r.
        PeekEntry {
            name: "a".into(),
            flat: 0,
            cum: 19,
            callers: vec![e("main", 19, false)],
            callees: vec![e("malloc", 10, false), e("b", 7, false), e("inl", 2, true)],
            more_callers: 0,
            more_callees: 0,
        },
        PeekEntry {
            name: "b".into(),
            flat: 0,
            cum: 32,
            callers: vec![e("main", 25, false), e("a", 7, false)],
            callees: vec![e("malloc", 27, false), e("c", 5, false)],
            more_callers: 0,
            more_callees: 0,
        },
        // r → r is no edge; r's cum counts its one sample once.
        PeekEntry {
            name: "r".into(),
            flat: 0,
            cum: 3,
            callers: vec![e("main", 3, false)],
            callees: vec![e("malloc", 3, false)],
            more_callers: 0,
            more_callees: 0,
        },
    ];
    assert_eq!(got, expected);
    // A page of the first two, and how many there are.
    assert_eq!(peek_page(&mut en, "^(b|r|inl|a)$", 2), (expected[..2].to_vec(), 4));
    // Unanchored, as pprof matches: "^m" finds main and malloc, malloc (flat 40) first.
    let names: Vec<String> = peek(&mut en, "^m").into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["malloc", "main"]);
    // Functions without samples (z) are never listed.
    assert!(peek(&mut en, "z").is_empty());
}
