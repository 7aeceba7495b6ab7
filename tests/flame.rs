//! Flame graph data from the engine (built top-down, expanded on demand) against a brute-force
//! oracle computed here from the decoded samples: the sum of values per call path, root first.
//! Every drawn node must carry exactly its path's sum, every path at least `min_fraction` wide
//! must be drawn, and zoom, focus and diff must agree with the same oracle.

mod common;

use profdrop::engine::Engine;
use profdrop::model::Profile;
use profdrop::protocol::{FlameSource, Request, Response};
use std::collections::HashMap;

type Paths = HashMap<Vec<String>, (i64, i64)>;

/// Sum per call path (root first) of every sample; with `focus`, stacks are rooted at the
/// outermost occurrence of the function and stacks without it are dropped.
fn oracle(p: &Profile, st: usize, focus: Option<&str>, col: usize, into: &mut Paths, scale: f64) {
    for (i, &s) in p.sample_stack.iter().enumerate() {
        let v = p.values[st][i];
        let v = if scale == 1.0 { v } else { (v as f64 * scale).round() as i64 };
        let mut frames: Vec<String> = p.stacks.get(s).iter().rev().map(|&f| p.functions.names[f as usize].clone()).collect();
        if let Some(f) = focus {
            match frames.iter().position(|n| n == f) {
                Some(pos) => {
                    frames.drain(..pos);
                }
                None => continue,
            }
        }
        for d in 0..=frames.len() {
            let e = into.entry(frames[..d].to_vec()).or_default();
            if col == 0 {
                e.0 += v;
            } else {
                e.1 += v;
            }
        }
    }
}

fn flame(
    en: &mut Engine,
    source: FlameSource,
    sample_type: &str,
    focus: Option<&str>,
    zoom: &[String],
    min_fraction: f64,
) -> profdrop::analysis::tree::FlameData {
    match en.handle(Request::Flame {
        source,
        sample_type: sample_type.to_string(),
        focus: focus.map(str::to_string),
        zoom: zoom.to_vec(),
        search: String::new(),
        min_fraction,
        refine: Default::default(),
        inverted: false,
        pivot: None,
    }) {
        Response::Flame { data, .. } => data,
        other => panic!("expected a flame graph, got {other:?}"),
    }
}

/// Checks drawn nodes against the oracle; returns how many paths the oracle says should be drawn.
fn check(data: &profdrop::analysis::tree::FlameData, prefix: &[String], paths: &Paths, min_fraction: f64, what: &str) {
    let mut node_path: Vec<Vec<String>> = Vec::with_capacity(data.parent.len());
    for i in 0..data.parent.len() {
        let path = if i == 0 {
            prefix.to_vec()
        } else {
            let mut p = node_path[data.parent[i] as usize].clone();
            p.push(data.names[data.name[i] as usize].clone());
            assert_eq!(data.depth[i], data.depth[data.parent[i] as usize] + 1, "{what}: depth of node {i}");
            p
        };
        let want = paths.get(&path).copied().unwrap_or_else(|| panic!("{what}: drawn path {path:?} has no samples"));
        assert_eq!((data.value[i], data.base[i]), want, "{what}: value of {path:?}");
        node_path.push(path);
    }
    // Completeness: every path under the view root at least min_fraction of it wide is drawn.
    let root = paths[prefix];
    let mag = |v: (i64, i64)| v.0.unsigned_abs().max(v.1.unsigned_abs());
    let cutoff = ((mag(root) as f64 * min_fraction).ceil() as u64).max(1);
    let drawn: std::collections::HashSet<&Vec<String>> = node_path.iter().collect();
    let mut expected = 0;
    for (path, v) in paths {
        if path.len() > prefix.len() && path.starts_with(prefix) && mag(*v) >= cutoff {
            // Only if every ancestor up to the view root is wide enough too.
            if (prefix.len()..path.len()).all(|d| mag(paths[&path[..d].to_vec()]) >= cutoff) {
                expected += 1;
                assert!(drawn.contains(path), "{what}: path {path:?} ({v:?}) is wide enough but not drawn");
            }
        }
    }
    assert_eq!(data.parent.len(), expected + 1, "{what}: number of drawn nodes");
}

fn load(en: &mut Engine, id: u32, rel: &str) -> Profile {
    let path = common::root().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    en.load(id, rel, bytes.clone(), &mut profdrop::decode::NoProgress).unwrap_or_else(|e| panic!("{rel}: {e}"));
    profdrop::decode::decode(&bytes).expect("decodes")
}

const FILES: [&str; 5] = [
    "testdata/example/heap.pb.gz",
    "testdata/example/cpu.pb.gz",
    "testdata/example/goroutine.pb.gz",
    "testdata/example/goroutine.debug2.txt",
    "testdata/leaks/cache/06.heap.pb.gz",
];

#[test]
fn every_drawn_node_equals_the_sum_of_its_call_path() {
    for rel in FILES {
        let mut en = Engine::new();
        let p = load(&mut en, 1, rel);
        let st = p.default_sample_type;
        let mut paths = Paths::new();
        oracle(&p, st, None, 0, &mut paths, 1.0);
        for mf in [0.0, 0.01, 0.2] {
            let data = flame(&mut en, FlameSource::Single { id: 1 }, "", None, &[], mf);
            check(&data, &[], &paths, mf, &format!("{rel} min_fraction {mf}"));
        }
        // Zoom into the widest root-most function and a child of it: same oracle, new cutoffs.
        let top = flame(&mut en, FlameSource::Single { id: 1 }, "", None, &[], 0.0);
        let mut zoom: Vec<String> = Vec::new();
        for depth in 1..=2 {
            let Some(i) = (0..top.parent.len())
                .filter(|&i| top.depth[i] == depth && (depth == 1 || top.names[top.name[top.parent[i] as usize] as usize] == zoom[0]))
                .max_by_key(|&i| top.value[i].abs())
            else {
                break;
            };
            zoom.push(top.names[top.name[i] as usize].clone());
            let data = flame(&mut en, FlameSource::Single { id: 1 }, "", None, &zoom, 0.05);
            assert_eq!(data.ancestors.len(), zoom.len() - 1, "{rel}: ancestors of {zoom:?}");
            check(&data, &zoom, &paths, 0.05, &format!("{rel} zoom {zoom:?}"));
        }
    }
}

#[test]
fn focus_roots_every_stack_at_the_outermost_call() {
    for rel in FILES {
        let mut en = Engine::new();
        let p = load(&mut en, 1, rel);
        let st = p.default_sample_type;
        // A function that is in some stacks but not at the root: the leaf of the largest sample.
        let big = (0..p.num_samples()).max_by_key(|&i| p.values[st][i].abs()).expect("samples");
        let f = p.functions.names[p.stacks.get(p.sample_stack[big])[0] as usize].clone();
        let mut paths = Paths::new();
        oracle(&p, st, Some(&f), 0, &mut paths, 1.0);
        let data = flame(&mut en, FlameSource::Single { id: 1 }, "", Some(&f), &[], 0.0);
        check(&data, &[], &paths, 0.0, &format!("{rel} focus {f}"));
        assert_eq!(data.names[data.name[1] as usize], f, "{rel}: the focused function is the only child of the root");
    }
}

#[test]
fn diff_nodes_carry_target_and_base_sums() {
    let mut en = Engine::new();
    let t = load(&mut en, 1, "testdata/leaks/cache/06.heap.pb.gz");
    let b = load(&mut en, 2, "testdata/leaks/cache/01.heap.pb.gz");
    for normalize in [false, true] {
        let (tst, bst) = (t.default_sample_type, b.default_sample_type);
        let ratio = if normalize { profdrop::analysis::diff::normalize_ratio(&b, bst, &t, tst) } else { 1.0 };
        let mut paths = Paths::new();
        oracle(&t, tst, None, 0, &mut paths, ratio);
        oracle(&b, bst, None, 1, &mut paths, 1.0);
        let data = flame(
            &mut en,
            FlameSource::Diff { base: 2, target: 1, normalize },
            &t.sample_types[t.default_sample_type].name,
            None,
            &[],
            0.0,
        );
        check(&data, &[], &paths, 0.0, &format!("diff normalize={normalize}"));
    }
}

/// The top table the page gets: one page in the asked order, and how many rows there are.
#[test]
fn top_requests_send_one_page_in_the_asked_order() {
    use profdrop::protocol::{TopOrder, TopRowOut};
    let mut en = Engine::new();
    load(&mut en, 1, "testdata/example/cpu.pb.gz");
    let mut top =
        |order, limit| match en.handle(Request::Top { id: 1, sample_type: String::new(), order, limit, refine: Default::default() }) {
            Response::Top { rows, n_rows, .. } => (rows, n_rows as usize),
            other => panic!("expected a top table, got {other:?}"),
        };
    let key = |r: &TopRowOut, cum: bool| if cum { r.cum.unsigned_abs() } else { r.flat.unsigned_abs() };
    for (order, cum) in [(TopOrder::Flat, false), (TopOrder::Cum, true)] {
        let (all, n) = top(order, 0);
        assert_eq!(all.len(), n);
        assert!(n > 10, "the example CPU profile has more than 10 functions");
        for w in all.windows(2) {
            assert!(key(&w[0], cum) > key(&w[1], cum) || (key(&w[0], cum) == key(&w[1], cum) && w[0].name < w[1].name), "{order:?}: {w:?}");
        }
        let (page, n2) = top(order, 5);
        assert_eq!((page.as_slice(), n2), (&all[..5], n));
    }
    let (by_name, _) = top(TopOrder::Name, 0);
    assert!(by_name.windows(2).all(|w| w[0].name <= w[1].name));
}

/// The inverted (bottom-up) graph: every drawn node carries the sum of its reversed call path
/// (leaf first), on every fixture.
#[test]
fn inverted_nodes_equal_the_sums_of_their_reversed_call_paths() {
    for rel in FILES {
        let mut en = Engine::new();
        let p = load(&mut en, 1, rel);
        let st = p.default_sample_type;
        let mut paths = Paths::new();
        for (i, &s) in p.sample_stack.iter().enumerate() {
            let v = p.values[st][i];
            let frames: Vec<String> = p.stacks.get(s).iter().map(|&f| p.functions.names[f as usize].clone()).collect();
            for d in 0..=frames.len() {
                paths.entry(frames[..d].to_vec()).or_default().0 += v;
            }
        }
        for mf in [0.0, 0.05] {
            let data = match en.handle(Request::Flame {
                source: FlameSource::Single { id: 1 },
                sample_type: String::new(),
                focus: None,
                zoom: vec![],
                search: String::new(),
                min_fraction: mf,
                refine: Default::default(),
                inverted: true,
                pivot: None,
            }) {
                Response::Flame { data, .. } => data,
                other => panic!("expected a flame graph, got {other:?}"),
            };
            check(&data, &[], &paths, mf, &format!("{rel} inverted min_fraction {mf}"));
        }
    }
}
