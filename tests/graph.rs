//! The call graph against `go tool pprof -dot`: goldens recorded from pprof on the project's
//! fixtures (`testdata/gen/graph_golden.py`: default pruning, other node counts and fractions,
//! refinements, and `-diff_base` pairs), and pprof run live on public-corpus files. The node
//! list (name, flat, cum, in pprof's order) and the edges (caller, callee, weight, inline,
//! dotted) must be pprof's.
//!
//! The live part needs `go`; without it the test fails, unless PROFDROP_NO_GO=1 is set (then it
//! says loudly that it skipped).

mod common;

use profdrop::analysis::graph::GraphOptions;
use profdrop::analysis::refine::{Granularity, Refine};
use profdrop::engine::Engine;
use profdrop::protocol::{Graph, Request, Response};
use std::path::Path;

/// (nodes, edges) as the goldens hold them.
type Nodes = Vec<(String, i64, i64)>;
type Edges = Vec<(String, String, i64, bool, bool)>;

fn from_graph(g: &Graph) -> (Nodes, Edges) {
    let nodes = g.nodes.iter().map(|n| (n.name.clone(), n.flat, n.cum)).collect();
    let name = |i: u32| g.nodes[i as usize].name.clone();
    let edges = g.edges.iter().map(|e| (name(e.from), name(e.to), e.weight, e.inline, e.residual)).collect();
    (nodes, edges)
}

/// pprof's options → (refinement, graph options). Panics on one this test does not know.
fn options(args: &[String], ctx: &str) -> (Refine, GraphOptions) {
    let mut r = Refine::default();
    let mut o = GraphOptions::default();
    for a in args {
        let (k, v) = a.split_once('=').unwrap_or((a, ""));
        match k {
            "-nodecount" => o.nodecount = v.parse().unwrap(),
            "-nodefraction" => o.nodefraction = v.parse().unwrap(),
            "-edgefraction" => o.edgefraction = v.parse().unwrap(),
            "-focus" => r.focus = v.into(),
            "-hide" => r.hide = v.into(),
            "-lines" => r.granularity = Granularity::Lines,
            "-noinlines" => r.noinlines = true,
            _ => panic!("{ctx}: option {a} unknown to this test"),
        }
    }
    (r, o)
}

fn load(en: &mut Engine, id: u32, path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    en.load(id, "p", bytes, &mut profdrop::decode::NoProgress).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn ask(en: &mut Engine, id: u32, base: Option<u32>, sample_type: &str, options: GraphOptions, refine: Refine) -> Graph {
    match en.handle(Request::Graph { id, base, sample_type: sample_type.into(), options, refine }) {
        Response::Graph { graph, notes, .. } => {
            assert!(!notes.iter().any(|n| n.contains("cannot be compared")), "{notes:?}");
            graph
        }
        other => panic!("expected a graph, got {other:?}"),
    }
}

/// Nodes in pprof's order; edges as a set, in order of |weight| (pprof orders edges of equal
/// |weight| but opposite signs, in a diff, by a map's iteration order: at random).
fn compare(ctx: &str, got: &(Nodes, Edges), want: &(Nodes, Edges)) {
    for (i, (g, w)) in got.0.iter().zip(&want.0).enumerate() {
        assert_eq!(g, w, "{ctx}: node {} differs from pprof -dot's N{}", i + 1, i + 1);
    }
    assert_eq!(got.0.len(), want.0.len(), "{ctx}: {} nodes, pprof -dot has {}", got.0.len(), want.0.len());
    for w in got.1.windows(2) {
        assert!(w[0].2.unsigned_abs() >= w[1].2.unsigned_abs(), "{ctx}: edges out of order: {w:?}");
    }
    let sorted = |e: &Edges| {
        let mut e = e.clone();
        e.sort();
        e
    };
    let (g, w) = (sorted(&got.1), sorted(&want.1));
    for (i, (g, w)) in g.iter().zip(&w).enumerate() {
        assert_eq!(g, w, "{ctx}: edge {i} (sorted) differs from pprof -dot's");
    }
    assert_eq!(got.1.len(), want.1.len(), "{ctx}: {} edges, pprof -dot has {}", got.1.len(), want.1.len());
    if !ctx.starts_with("diff.") {
        assert_eq!(got.1, want.1, "{ctx}: edges in another order than pprof -dot's");
    }
}

fn sample_type_name(path: &Path, i: usize) -> String {
    let p = profdrop::decode::decode(&std::fs::read(path).unwrap()).unwrap();
    p.sample_types[i].name.clone()
}

/// A golden: (profile, sample index, base, pprof's options, nodes, edges).
struct Golden {
    profile: String,
    index: usize,
    base: Option<String>,
    args: Vec<String>,
    nodes: Nodes,
    edges: Edges,
}

fn read_golden(text: &str, ctx: &str) -> Golden {
    let mut g = Golden { profile: String::new(), index: 0, base: None, args: vec![], nodes: vec![], edges: vec![] };
    let int = |s: &str| -> i64 { s.parse().unwrap_or_else(|_| panic!("{ctx}: not an integer: {s:?}")) };
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f[0] {
            "profile" => g.profile = f[1].into(),
            "sample_index" => g.index = int(f[1]) as usize,
            "base" => g.base = Some(f[1].into()),
            "args" => g.args = f[1..].iter().map(|s| s.to_string()).collect(),
            "N" => g.nodes.push((f[3].into(), int(f[1]), int(f[2]))),
            "E" => g.edges.push((f[4].into(), f[5].into(), int(f[1]), f[2] == "1", f[3] == "1")),
            _ => panic!("{ctx}: unexpected line {line:?}"),
        }
    }
    g
}

#[test]
fn graph_equals_pprof_dot_goldens_on_the_fixtures() {
    let dir = common::root().join("testdata/golden/graph");
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).expect("testdata/golden/graph").map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.retain(|n| n.ends_with(".tsv"));
    names.sort();
    assert!(names.len() >= 50, "goldens missing: run python3 testdata/gen/graph_golden.py");
    let (mut inline, mut residual, mut diffs) = (0, 0, 0);
    let testdata = common::root().join("testdata");
    for name in names {
        let g = read_golden(&std::fs::read_to_string(dir.join(&name)).unwrap(), &name);
        inline += g.edges.iter().filter(|e| e.3).count();
        residual += g.edges.iter().filter(|e| e.4).count();
        let (refine, opts) = options(&g.args, &name);
        let mut en = Engine::new();
        let target = testdata.join(&g.profile);
        load(&mut en, 1, &target);
        let base = g.base.as_ref().map(|b| {
            diffs += 1;
            load(&mut en, 2, &testdata.join(b));
            2
        });
        let got = ask(&mut en, 1, base, &sample_type_name(&target, g.index), opts, refine);
        compare(&name, &from_graph(&got), &(g.nodes, g.edges));
    }
    assert!(
        inline > 50 && residual > 50 && diffs >= 4,
        "the goldens have inlined ({inline}) and dotted ({residual}) edges, and diffs ({diffs})"
    );
}

/// pprof's `-dot` text → (nodes, edges), as testdata/gen/graph_golden.py reads it: a node's
/// name and cum from its tooltip, its flat from the end of its label; tag boxes left out.
fn parse_dot(text: &str, ctx: &str) -> (Nodes, Edges) {
    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut it = s.chars();
        while let Some(c) = it.next() {
            if c == '\\' {
                match it.next() {
                    Some('\\') => out.push('\\'),
                    Some('"') => out.push('"'),
                    Some('l') => out.push('\n'),
                    Some(o) => {
                        out.push('\\');
                        out.push(o);
                    }
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        out
    }
    // "123ns" → 123.
    let int = |s: &str| -> i64 {
        let end = s.find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(s.len());
        s[..end].parse().unwrap_or_else(|_| panic!("{ctx}: not an integer: {s:?}"))
    };
    let mut ids = std::collections::HashMap::new();
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix('N') {
            let Some((id, attrs)) = rest.split_once(' ') else { continue };
            if let Some(a) = attrs.strip_prefix("[label=\"") {
                if !id.chars().all(|c| c.is_ascii_digit()) || !a.contains("\" id=\"node") {
                    continue;
                }
                let (label, rest) = a.split_once("\" id=\"node").unwrap();
                let tip = rest.split_once(" tooltip=\"").unwrap().1;
                let tip = &tip[..tip.rfind("\" color=").unwrap()];
                let (name, cum) = tip.rsplit_once(" (").unwrap();
                let cum = int(cum);
                // The label ends "FLAT (P%)", "FLAT (P%)\nof CUM (P%)" or "0 of CUM (P%)".
                let last = label.rsplit("\\n").next().unwrap();
                let flat_part = if last.starts_with("of ") { label.rsplit("\\n").nth(1).unwrap() } else { last };
                let flat = int(flat_part.split(' ').next().unwrap());
                ids.insert(id.to_string(), unescape(name));
                nodes.push((unescape(name), flat, cum));
            } else if let Some(a) = attrs.strip_prefix("-> N") {
                let (to, attrs) = a.split_once(' ').unwrap();
                if !to.chars().all(|c| c.is_ascii_digit()) {
                    continue; // a tag box
                }
                let label = attrs.strip_prefix("[label=\" ").unwrap();
                let label = &label[..label.find('"').unwrap()];
                let inline = label.ends_with("\\n (inline)");
                let residual = attrs.contains("style=\"dotted\"");
                edges.push((ids[id].clone(), ids[to].clone(), int(label), inline, residual));
            }
        }
    }
    (nodes, edges)
}

#[test]
fn the_dot_reader_reads_the_goldens_dot() {
    // The Rust reader above and the golden script's read the same: checked on one golden.
    let out = std::process::Command::new("go")
        .current_dir(common::root().join("testdata"))
        .args(["tool", "pprof", "-symbolize=none", "-sample_index=3", "-unit=bytes", "-dot", "example/heap.pb.gz"])
        .output();
    let Ok(out) = out else {
        assert_eq!(std::env::var("PROFDROP_NO_GO").as_deref(), Ok("1"), "`go` is needed (PROFDROP_NO_GO=1 skips)");
        eprintln!("\n*** tests/graph.rs: SKIPPED the dot reader check: no `go` and PROFDROP_NO_GO=1 ***\n");
        return;
    };
    let dir = common::root().join("testdata/golden/graph");
    let g = read_golden(&std::fs::read_to_string(dir.join("example__heap.pb.gz.3.default.tsv")).unwrap(), "golden");
    let got = parse_dot(&String::from_utf8_lossy(&out.stdout), "live");
    assert_eq!(got, (g.nodes, g.edges));
}

/// Public-corpus files compared with pprof run live: (file, pprof's options).
const CORPUS: [(&str, &[&str]); 9] = [
    ("gpprof_sample.cpu", &[]),
    ("gpprof_sample.cpu", &["-nodecount=20"]),
    ("gpprof_gobench.heap", &[]),
    ("gpprof_cppbench.cpu", &[]),
    ("parca_profile-with-labels.pb.gz", &[]),
    ("apquery_mutex.pb.gz", &["-nodefraction=0.02", "-edgefraction=0.005"]),
    ("parca_fgprof.pb.gz", &[]),
    ("pyroscope_nodejs-wall.pb.gz", &["-nodecount=30"]),
    ("gpprof_large.cpu", &[]),
];

#[test]
fn graph_equals_pprof_dot_run_live_on_corpus_files() {
    if !common::have_go("the live `go tool pprof -dot` comparison") {
        return;
    }
    let dir = common::corpus();
    let cases: Vec<_> = CORPUS
        .iter()
        .map(|&(file, args)| {
            let path = dir.join(file);
            let p = profdrop::decode::decode(&std::fs::read(&path).unwrap()).unwrap();
            let st = p.default_sample_type;
            let unit = match p.sample_types[st].unit.as_str() {
                "" => "count".to_string(),
                u => u.to_string(),
            };
            let child = std::process::Command::new("go")
                .args(["tool", "pprof", "-symbolize=none", &format!("-sample_index={st}"), &format!("-unit={unit}"), "-dot"])
                .args(args)
                .arg(&path)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("go runs");
            (file, args, path, p.sample_types[st].name.clone(), child)
        })
        .collect();
    for (file, args, path, st, child) in cases {
        let out = child.wait_with_output().unwrap();
        let ctx = format!("{file} {args:?}");
        assert!(out.status.success(), "{ctx}: pprof failed: {}", String::from_utf8_lossy(&out.stderr));
        let want = parse_dot(&String::from_utf8_lossy(&out.stdout), &ctx);
        let (refine, opts) = options(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &ctx);
        let mut en = Engine::new();
        load(&mut en, 1, &path);
        let got = ask(&mut en, 1, None, &st, opts, refine);
        assert!(!want.0.is_empty(), "{ctx}: pprof drew no node");
        compare(&ctx, &from_graph(&got), &want);
    }
}

/// The graph's quick inputs give what the general ones give, on every corpus file and
/// fixture, for every sample type: node values from the top table's sums the decoder made
/// (not summed over the paths again), and inline marks read from the decoder's arrays (not
/// from the locations).
#[test]
fn quick_inputs_give_the_graph_the_general_ones_give() {
    use profdrop::analysis::graph::{graph, Part};
    use profdrop::model::locations::LocationCell;
    let root = common::root().join("testdata");
    let mut dirs = common::corpora();
    dirs.extend(["example", "refine", "source", "formats"].iter().map(|d| root.join(d)));
    let mut files: Vec<_> =
        dirs.iter().flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path())).filter(|p| p.is_file()).collect();
    files.sort();
    let (mut cached, mut marked, mut graphs) = (0, 0, 0);
    for path in files {
        let Ok(p) = profdrop::decode::decode(&std::fs::read(&path).unwrap()) else { continue };
        let ctx = path.display();
        // First the quick marks (from the decoder's arrays), then the locations.
        let quick = p.inline_marks();
        let mut q = p.clone();
        q.top_cache = None;
        q.locations = LocationCell::made((*p.locations()).clone());
        let general = q.inline_marks();
        for i in 0..p.num_samples() {
            assert_eq!(quick.sample(i), general.sample(i), "{ctx}: sample {i}'s inline marks");
        }
        marked += quick.any() as usize;
        for st in 0..p.sample_types.len() {
            cached += p.top_cache.as_ref().is_some_and(|c| c.sample_type == st) as usize;
            let opts = GraphOptions::default();
            let a = graph(&[Part { profile: &p, sample_type: st, negate: false }], &opts);
            let b = graph(&[Part { profile: &q, sample_type: st, negate: false }], &opts);
            assert_eq!(a, b, "{ctx}: sample type {st}");
            graphs += 1;
        }
    }
    assert!(
        cached >= 20 && marked >= 10 && graphs >= 100,
        "{cached} graphs from the top sums, {marked} files with inlined frames, {graphs} graphs"
    );
}
