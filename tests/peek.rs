//! The peek report against `go tool pprof -peek`: goldens recorded from pprof on the project's
//! fixtures (`testdata/gen/peek_golden.py`, regex `.`: every function), and pprof run live on
//! public-corpus files. pprof's text is parsed here into rows: per block, its callers (weight,
//! inline), the function itself (flat, cum) and its callees, in pprof's order.
//!
//! The live part needs `go`; without it the test fails, unless PROFDROP_NO_GO=1 is set (then it
//! says loudly that it skipped).

mod common;

use profdrop::engine::Engine;
use profdrop::protocol::{PeekEntry, Request, Response};
use std::path::Path;

/// One line of pprof's peek block: (kind, entry, function, flat or weight, cum, inline).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Row {
    kind: &'static str,
    entry: String,
    function: String,
    a: i64,
    cum: i64,
    inline: bool,
}

fn int(s: &str, ctx: &str) -> i64 {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    digits.parse().unwrap_or_else(|_| panic!("{ctx}: {s:?} is not an integer with a unit"))
}

/// pprof's `-peek` text → rows.
fn parse_pprof(text: &str, ctx: &str) -> Vec<Row> {
    let mut out = Vec::new();
    let mut block: Vec<(bool, Vec<String>, String)> = Vec::new();
    let flush = |block: &mut Vec<(bool, Vec<String>, String)>, out: &mut Vec<Row>| {
        let Some(me) = block.iter().position(|b| b.0) else {
            assert!(block.is_empty(), "{ctx}: a block without its function: {block:?}");
            return;
        };
        let entry = block[me].2.clone();
        for (i, (is_self, tok, name)) in block.drain(..).enumerate() {
            if is_self {
                out.push(Row {
                    kind: "self",
                    entry: entry.clone(),
                    function: name,
                    a: int(&tok[0], ctx),
                    cum: int(&tok[3], ctx),
                    inline: false,
                });
            } else {
                let (function, inline) = match name.strip_suffix(" (inline)") {
                    Some(n) => (n.to_string(), true),
                    None => (name, false),
                };
                let kind = if i < me { "caller" } else { "callee" };
                out.push(Row { kind, entry: entry.clone(), function, a: int(&tok[0], ctx), cum: 0, inline });
            }
        }
    };
    let mut started = false;
    for line in text.lines() {
        if line.starts_with("----------") {
            flush(&mut block, &mut out);
            continue;
        }
        if line.trim_start().starts_with("flat  flat%") {
            started = true;
            continue;
        }
        if !started || line.trim().is_empty() {
            continue;
        }
        let (left, right) = line.split_once('|').unwrap_or_else(|| panic!("{ctx}: unexpected line {line:?}"));
        let tok: Vec<String> = left.split_whitespace().map(String::from).collect();
        match tok.len() {
            5 => block.push((true, tok, right.strip_prefix(' ').expect("a space").to_string())),
            2 => block.push((false, tok, right.strip_prefix("   ").expect("three spaces").to_string())),
            _ => panic!("{ctx}: unexpected line {line:?}"),
        }
    }
    flush(&mut block, &mut out);
    assert!(started, "{ctx}: no peek table in pprof's output:\n{text}");
    out
}

fn rows(entries: &[PeekEntry]) -> Vec<Row> {
    let mut out = Vec::new();
    for e in entries {
        let edge = |kind: &'static str, x: &profdrop::protocol::PeekEdge| Row {
            kind,
            entry: e.name.clone(),
            function: x.name.clone(),
            a: x.weight,
            cum: 0,
            inline: x.inline,
        };
        out.extend(e.callers.iter().map(|x| edge("caller", x)));
        out.push(Row { kind: "self", entry: e.name.clone(), function: e.name.clone(), a: e.flat, cum: e.cum, inline: false });
        out.extend(e.callees.iter().map(|x| edge("callee", x)));
    }
    out
}

fn compare(ctx: &str, got: &[Row], want: &[Row]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g, w, "{ctx}: row {i} differs from pprof -peek");
    }
    assert_eq!(got.len(), want.len(), "{ctx}: {} rows, pprof has {}", got.len(), want.len());
}

fn peek(en: &mut Engine, sample_type: &str, regex: &str) -> Vec<PeekEntry> {
    match en.handle(Request::Peek { id: 1, sample_type: sample_type.into(), regex: regex.into(), limit: 0, refine: Default::default() }) {
        Response::Peek { entries, .. } => entries,
        other => panic!("expected a peek report, got {other:?}"),
    }
}

fn load(path: &Path) -> (Engine, profdrop::model::Profile) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut en = Engine::new();
    en.load(1, "p", bytes.clone(), &mut profdrop::decode::NoProgress).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (en, profdrop::decode::decode(&bytes).expect("decodes"))
}

#[test]
fn peek_equals_pprof_goldens_on_the_fixtures() {
    let dir = common::root().join("testdata/golden/peek");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("testdata/golden/peek")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.retain(|n| n.ends_with(".txt"));
    names.sort();
    assert!(names.len() >= 10, "goldens missing: run python3 testdata/gen/peek_golden.py");
    for name in names {
        // <path with / as __>.<index>.<type>.txt
        let stem = name.strip_suffix(".txt").expect("txt");
        let (rest, typ) = stem.rsplit_once('.').expect("type");
        let (file, _index) = rest.rsplit_once('.').expect("index");
        let path = common::root().join("testdata").join(file.replace("__", "/"));
        let (mut en, _) = load(&path);
        let text = std::fs::read_to_string(dir.join(&name)).expect("golden");
        let want = parse_pprof(&text, &name);
        assert!(want.iter().any(|r| r.inline), "{name}: the Go fixtures have inlined calls");
        compare(&name, &rows(&peek(&mut en, typ, ".")), &want);
    }
}

/// Public-corpus files whose every sample type is compared with pprof run live.
const CORPUS: [&str; 6] = [
    "gpprof_sample.cpu",
    "parca_fgprof.pb.gz",
    "parca_profile-with-labels.pb.gz",
    "apquery_mutex.pb.gz",
    "parca_many_1644509272337470000.pb.gz",
    "pyroscope_nodejs-wall.pb.gz",
];

#[test]
fn peek_equals_pprof_run_live_on_corpus_files() {
    if !common::have_go("the live `go tool pprof -peek` comparison") {
        return;
    }
    let dir = common::corpus();
    for file in CORPUS {
        let path = dir.join(file);
        let (mut en, p) = load(&path);
        for (i, st) in p.sample_types.iter().enumerate() {
            let unit = if st.unit.is_empty() { "count" } else { st.unit.as_str() };
            // A regex matching some functions only (as a user would), and every function.
            for regex in ["\\.", "."] {
                let out = std::process::Command::new("go")
                    .args(["tool", "pprof", "-symbolize=none", "-trim=false"])
                    .arg(format!("-sample_index={i}"))
                    .arg(format!("-unit={unit}"))
                    .args(["-peek", regex])
                    .arg(&path)
                    .output()
                    .expect("go runs");
                let ctx = format!("{file}[{i} {}] -peek {regex}", st.name);
                let text = String::from_utf8_lossy(&out.stdout);
                if !out.status.success() {
                    let err = String::from_utf8_lossy(&out.stderr);
                    assert!(err.contains("no matches found"), "{ctx}: pprof failed: {err}");
                    assert!(peek(&mut en, &st.name, regex).is_empty(), "{ctx}: pprof found no match");
                    continue;
                }
                compare(&ctx, &rows(&peek(&mut en, &st.name, regex)), &parse_pprof(&text, &ctx));
            }
        }
    }
}

/// A page of the report is the start of the whole report: whole entries, at most the asked
/// number, each with its 100 heaviest callers and callees, under 600 rows unless one entry
/// alone is longer, and the count of all matches.
#[test]
fn a_page_is_the_start_of_the_whole_report() {
    let mut pages = 0;
    for file in CORPUS.iter().copied().chain(["gpprof_large.cpu"]) {
        let (mut en, p) = load(&common::corpus().join(file));
        let st = p.sample_types[p.default_sample_type].name.clone();
        let all = peek(&mut en, &st, ".");
        for limit in [1u32, 5, 200] {
            let (page, n) =
                match en.handle(Request::Peek { id: 1, sample_type: st.clone(), regex: ".".into(), limit, refine: Default::default() }) {
                    Response::Peek { entries, n_entries, .. } => (entries, n_entries),
                    other => panic!("expected a peek report, got {other:?}"),
                };
            assert_eq!(n as usize, all.len(), "{file}: n_entries");
            assert!(page.len() <= limit as usize && !page.is_empty(), "{file}: {} entries for limit {limit}", page.len());
            for (got, whole) in page.iter().zip(&all) {
                let mut cut = whole.clone();
                cut.cut_edges(100);
                assert_eq!(got, &cut, "{file}: a page is the start of the report, each entry's 100 heaviest edges");
                assert_eq!(got.callers.len() + got.more_callers as usize, whole.callers.len());
            }
            let rows: usize = page.iter().map(|e| e.rows()).sum();
            assert!(page.len() == 1 || rows <= 600, "{file}: {rows} rows");
            if page.len() < all.len().min(limit as usize) {
                pages += 1;
            }
        }
    }
    assert!(pages > 0, "some corpus report's first functions are more than 600 rows: some page must be cut by rows");
}
