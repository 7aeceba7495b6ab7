//! Exports checked against independent readers.
//!
//! - The gzipped pprof protobuf the page writes is read by `go tool pprof -top` (every sample
//!   type): for a profile, its rows and total equal pprof's own table of the original file; for
//!   a refined profile, pprof's table of the original file with the same filter (rows); for a
//!   merge, pprof's table of the files given together; for a diff, pprof's
//!   `-diff_base=BASE TARGET` table (rows and total). The export is also read back by our
//!   decoder and by the prost reference decoder.
//! - Folded stacks and CSV are read back and checked against the profile's own sums.
//! - Hostile fixtures that load are exported in every format and read back safely.
//!
//! Needs `go` on PATH for the pprof part. Without it the test fails, unless
//! `PROFDROP_NO_GO=1` is set: then it says loudly that it was skipped.

mod common;
use common::*;
use profdrop::analysis::diff::{diff_table, merge};
use profdrop::analysis::export::{csv, folded, pprof, svg};
use profdrop::analysis::refine::{apply, Granularity, Refine};
use profdrop::analysis::top::top_table;
use profdrop::decode::{decode, decode_prost};
use profdrop::model::Profile;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `go tool pprof -top` of `files` (several are merged by pprof) with `args`.
fn pprof_top(files: &[&Path], sample_type: &str, unit: &str, args: &[String]) -> (i64, Rows) {
    let unit = if unit.is_empty() { "count" } else { unit };
    let mut cmd = Command::new("go");
    cmd.args([
        "tool",
        "pprof",
        "-symbolize=none",
        "-trim=false",
        "-nodecount=1000000",
        &format!("-sample_index={sample_type}"),
        &format!("-unit={unit}"),
        "-top",
    ]);
    cmd.args(args).args(files);
    let out = cmd.output().expect("running go tool pprof");
    let ctx = format!("{files:?} {args:?}");
    assert!(out.status.success(), "{ctx}: pprof failed: {}", String::from_utf8_lossy(&out.stderr));
    parse_top(&String::from_utf8_lossy(&out.stdout), &ctx)
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("profdrop-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn ours(p: &Profile, st: usize) -> Rows {
    top_table(p, st).0.iter().map(|r| (p.functions.names[r.func as usize].clone(), r.flat, r.cum)).collect()
}

fn load(rel: &str) -> (PathBuf, Profile) {
    let path = root().join(rel);
    let p = decode(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{rel}: {e}"));
    (path, p)
}

const FIXTURES: &[&str] = &[
    "testdata/example/heap.pb.gz",
    "testdata/example/cpu.pb.gz",
    "testdata/example/goroutine.pb.gz",
    "testdata/refine/refine-heap.pb.gz",
    "testdata/refine/refine-cpu.pb.gz",
    "testdata/refine/refine-goroutine.pb.gz",
];

/// Every export of a profile read back by our decoder and prost gives the same tables.
fn round_trips(label: &str, p: &Profile) {
    let bytes = pprof::export_profile(p);
    let back = decode(&bytes).unwrap_or_else(|e| panic!("{label}: our decoder refuses the export: {e}"));
    let inflated = miniz_oxide::inflate::decompress_to_vec(&bytes[10..bytes.len() - 8]).expect("deflate stream");
    let prost = decode_prost(&inflated).unwrap_or_else(|e| panic!("{label}: prost refuses the export: {e}"));
    assert_eq!(back.sample_types, p.sample_types, "{label}");
    assert_eq!(back.default_sample_type, p.default_sample_type, "{label}: default sample type");
    assert_eq!((back.period, back.time_nanos, back.duration_nanos), (p.period, p.time_nanos, p.duration_nanos), "{label}");
    for st in 0..p.sample_types.len() {
        assert_eq!(ours(&back, st), ours(p, st), "{label}: sample type {st} read back");
        assert_eq!(ours(&prost, st), ours(p, st), "{label}: sample type {st} read back by prost");
    }
}

#[test]
fn pprof_export_reads_back_with_our_decoder_and_prost() {
    for f in FIXTURES.iter().chain(&["testdata/example/goroutine.debug2.txt", "testdata/example/goroutine.debug1.txt"]) {
        let (_, p) = load(f);
        round_trips(f, &p);
        let r = Refine { granularity: Granularity::Lines, ..Default::default() };
        round_trips(&format!("{f} -lines"), &apply(&p, &r).unwrap().profile);
    }
}

#[test]
fn pprof_export_equals_go_tool_pprof() {
    if !have_go("the pprof export") {
        return;
    }
    let mut errs = Vec::new();
    // The profiles as loaded: rows and total equal pprof's of the original file.
    for f in FIXTURES {
        let (path, p) = load(f);
        let out = tmp(&format!("{}.pb.gz", f.replace('/', "_")), &pprof::export_profile(&p));
        for t in &p.sample_types {
            let want = pprof_top(&[&path], &t.name, &t.unit, &[]);
            let got = pprof_top(&[&out], &t.name, &t.unit, &[]);
            assert_eq!(got.0, want.0, "{f} {}: total", t.name);
            errs.extend(compare_rows(&format!("{f} {}", t.name), &got.1, &want.1));
        }
    }
    // Refined: pprof's table of the exported refined profile equals pprof's table of the
    // original with the same options (rows; the file holds only the samples kept).
    let (path, p) = load("testdata/refine/refine-heap.pb.gz");
    let st = p.default_sample_type;
    let (name, unit) = (&p.sample_types[st].name, &p.sample_types[st].unit);
    let f = {
        let (mut rows, _) = top_table(&p, st);
        rows.sort_by_key(|r| std::cmp::Reverse(r.cum));
        regex_quote(&p.functions.names[rows[rows.len() / 4].func as usize])
    };
    let cases: Vec<(Vec<String>, Refine)> = vec![
        (vec![format!("-focus={f}")], Refine { focus: f.clone(), ..Default::default() }),
        (vec![format!("-hide={f}")], Refine { hide: f.clone(), ..Default::default() }),
        (vec!["-lines".into()], Refine { granularity: Granularity::Lines, ..Default::default() }),
        (vec!["-files".into()], Refine { granularity: Granularity::Files, ..Default::default() }),
        (vec!["-noinlines".into()], Refine { noinlines: true, ..Default::default() }),
    ];
    for (args, r) in cases {
        let refined = apply(&p, &r).unwrap().profile;
        let out = tmp("refined.pb.gz", &pprof::export_profile(&refined));
        let want = pprof_top(&[&path], name, unit, &args);
        let got = pprof_top(&[&out], name, unit, &[]);
        errs.extend(compare_rows(&format!("refined {args:?}"), &got.1, &want.1));
        // And it is the table the page shows.
        errs.extend(compare_rows(&format!("refined {args:?} (page)"), &got.1, &ours(&refined, st)));
    }
    // A merge: pprof merges the files given together.
    let (a, pa) = load("testdata/leaks/cache/01.heap.pb.gz");
    let (b, pb) = load("testdata/leaks/cache/04.heap.pb.gz");
    let m = merge(&[&pa, &pb]).unwrap();
    let out = tmp("merge.pb.gz", &pprof::export_profile(&m));
    for t in &m.sample_types {
        let want = pprof_top(&[&a, &b], &t.name, &t.unit, &[]);
        let got = pprof_top(&[&out], &t.name, &t.unit, &[]);
        assert_eq!(got.0, want.0, "merge {}: total", t.name);
        errs.extend(compare_rows(&format!("merge {}", t.name), &got.1, &want.1));
    }
    // A diff, plain and normalized: pprof's -diff_base table.
    for normalize in [false, true] {
        for t in &pb.sample_types {
            let (bst, tst) = (pa.sample_type_index(&t.name).unwrap(), pb.sample_type_index(&t.name).unwrap());
            let ratio = if normalize { profdrop::analysis::diff::normalize_ratio(&pa, bst, &pb, tst) } else { 1.0 };
            let out = tmp("diff.pb.gz", &pprof::export_diff(&pa, bst, &pb, tst, ratio));
            let mut args = vec![format!("-diff_base={}", a.display())];
            if normalize {
                args.push("-normalize".into());
            }
            let want = pprof_top(&[&b], &t.name, &t.unit, &args);
            let got = pprof_top(&[&out], &t.name, &t.unit, &[]);
            let label = format!("diff normalize={normalize} {}", t.name);
            assert_eq!(got.0, want.0, "{label}: total");
            errs.extend(compare_rows(&label, &got.1, &want.1));
            // The page's diff table: flat and cum deltas. (Normalized, the page scales each
            // sample, pprof each merged sample: they may differ by rounding.)
            if normalize {
                continue;
            }
            let (rows, _, ns) = diff_table(&pa, bst, &pb, tst, normalize);
            let mut page: Rows = rows.iter().map(|r| (ns.names[r.func as usize].clone(), r.delta(), r.delta_cum())).collect();
            let mut pp = got.1.clone();
            page.retain(|r| r.1 != 0 || r.2 != 0);
            page.sort();
            pp.sort();
            errs.extend(compare_rows(&format!("{label} (page)"), &pp, &page));
        }
    }
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

/// Go's `regexp.QuoteMeta`.
fn regex_quote(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[test]
fn folded_stacks_sum_to_the_flat_and_cum_of_each_function() {
    for f in FIXTURES.iter().chain(&["testdata/example/goroutine.debug2.txt"]) {
        let (_, p) = load(f);
        for st in 0..p.sample_types.len() {
            let text = folded::folded(&p, st);
            let lines = folded::parse(&text).unwrap_or_else(|| panic!("{f}: a folded line does not parse"));
            // flat: the last frame's; cum: once per line per function.
            let mut flat: BTreeMap<String, i64> = BTreeMap::new();
            let mut cum: BTreeMap<String, i64> = BTreeMap::new();
            for (frames, n) in &lines {
                *flat.entry(frames.last().unwrap().clone()).or_default() += n;
                let mut seen: Vec<&String> = frames.iter().collect();
                seen.sort();
                seen.dedup();
                for s in seen {
                    *cum.entry(s.clone()).or_default() += n;
                }
            }
            for (name, fl, cu) in ours(&p, st) {
                let key = folded::frame(&name);
                assert_eq!(flat.get(&key).copied().unwrap_or(0), fl, "{f} st {st} {name}: flat");
                assert_eq!(cum.get(&key).copied().unwrap_or(0), cu, "{f} st {st} {name}: cum");
            }
            // One line per distinct stack.
            let mut stacks: Vec<&Vec<String>> = lines.iter().map(|l| &l.0).collect();
            let n = stacks.len();
            stacks.sort();
            stacks.dedup();
            assert_eq!(stacks.len(), n, "{f}: a stack is on two lines");
        }
    }
}

/// Every hostile fixture that loads is exported in every format; what is written reads back
/// (pprof through our decoder, CSV and folded through their readers, SVG as well-formed text
/// with no markup from names).
#[test]
fn hostile_fixtures_export_safely() {
    let dir = root().join("testdata/hostile");
    let mut n = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files {
        if std::fs::metadata(&path).unwrap().len() > 2_000_000 {
            continue;
        }
        let Ok(p) = decode(&std::fs::read(&path).unwrap()) else { continue };
        if p.sample_types.is_empty() {
            continue;
        }
        n += 1;
        let label = path.file_name().unwrap().to_string_lossy().to_string();
        let st = p.default_sample_type;
        let back = decode(&pprof::export_profile(&p)).unwrap_or_else(|e| panic!("{label}: export does not read back: {e}"));
        assert_eq!(ours(&back, st), ours(&p, st), "{label}");
        let rows = ours(&p, st);
        let text = csv::top(&p.sample_types[st].unit, rows.iter().map(|r| (r.0.as_str(), r.1, r.2)));
        let cells = csv::parse(&text);
        assert_eq!(cells.len(), rows.len() + 1, "{label}: CSV rows");
        for (c, r) in cells[1..].iter().zip(&rows) {
            assert_eq!(c.len(), 3, "{label}: {c:?}");
            assert_eq!((c[1].parse::<i64>().unwrap(), c[2].parse::<i64>().unwrap()), (r.1, r.2), "{label}");
            assert!(!c[0].starts_with(['=', '+', '-', '@']), "{label}: formula {:?}", c[0]);
        }
        let text = folded::folded(&p, st);
        assert!(folded::parse(&text).is_some(), "{label}: folded does not parse");
        let mut t = svg::Tree::new();
        for (s, &v) in p.stack_values(st).iter().enumerate() {
            if v != 0 {
                t.add(p.stacks.get(s as u32).iter().rev().copied(), v, 0);
            }
        }
        let s = svg::svg(&t, &p.functions.names, &label, &p.sample_types[st].unit, false);
        // Only the page's own elements: a name never opens one (the script aside).
        let (head, rest) = s.split_once("<![CDATA[").unwrap();
        let s = format!("{head}{}", rest.split_once("]]>").unwrap().1);
        let tags: std::collections::BTreeSet<&str> =
            s.split('<').skip(1).map(|x| x.split([' ', '>', '/', '\n']).next().unwrap_or("")).collect();
        let allowed: std::collections::BTreeSet<&str> =
            ["?xml", "svg", "style", "script", "![CDATA[", "rect", "text", "g", "title", ""].into_iter().collect();
        assert!(tags.is_subset(&allowed), "{label}: unexpected elements {:?}", tags.difference(&allowed).collect::<Vec<_>>());
        assert!(!s.chars().any(|c| (c as u32) < 0x20 && c != '\n'), "{label}: control character in the SVG");
    }
    assert!(n >= 10, "only {n} hostile fixtures loaded");
}

/// The engine's export request: the file the page downloads is the encoders' output for the
/// profile the view shows (all rows, not the page's first 200), named after the file.
#[test]
fn engine_exports_what_the_view_shows() {
    use profdrop::analysis::export::unbase64;
    use profdrop::engine::Engine;
    use profdrop::protocol::{ExportFormat, ExportSource, Request, Response, TopOrder};
    let mut e = Engine::new();
    let bytes = std::fs::read(root().join("testdata/refine/refine-heap.pb.gz")).unwrap();
    e.load(1, "refine-heap.pb.gz", bytes, &mut profdrop::decode::NoProgress).unwrap();
    let p = e.profile(1).unwrap().clone();
    let st = p.sample_type_index("alloc_space").unwrap();
    let ask = |e: &mut Engine, format, source, refine: Refine| match e.handle(Request::Export {
        format,
        source,
        sample_type: "alloc_space".into(),
        refine,
        order: TopOrder::Flat,
    }) {
        Response::Export { file_name, data, base64, .. } => (file_name, if base64 { unbase64(&data).unwrap() } else { data.into_bytes() }),
        other => panic!("{other:?}"),
    };
    let (name, csv_bytes) = ask(&mut e, ExportFormat::Csv, ExportSource::Single { id: 1 }, Refine::default());
    assert_eq!(name, "refine-heap-alloc_space-top.csv");
    let cells = csv::parse(&String::from_utf8(csv_bytes).unwrap());
    let want = ours(&p, st);
    assert_eq!(cells.len(), want.len() + 1);
    assert_eq!(cells[0], ["function", "flat (bytes)", "cum (bytes)"]);
    for (c, w) in cells[1..].iter().zip(&want) {
        assert_eq!((c[1].parse::<i64>().unwrap(), c[2].parse::<i64>().unwrap()), (w.1, w.2));
    }
    let r = Refine { granularity: Granularity::Files, ..Default::default() };
    let (name, pb) = ask(&mut e, ExportFormat::Pprof, ExportSource::Single { id: 1 }, r.clone());
    assert_eq!(name, "refine-heap-refined.pb.gz");
    let back = decode(&pb).unwrap();
    assert_eq!(ours(&back, st), ours(&apply(&p, &r).unwrap().profile, st));
    // Two profiles of other sample types cannot be diffed: an error, not a file.
    let cpu = std::fs::read(root().join("testdata/example/cpu.pb.gz")).unwrap();
    e.load(2, "cpu.pb.gz", cpu, &mut profdrop::decode::NoProgress).unwrap();
    let resp = e.handle(Request::Export {
        format: ExportFormat::Pprof,
        source: ExportSource::Diff { base: 2, target: 1, normalize: false },
        sample_type: "alloc_space".into(),
        refine: Refine::default(),
        order: TopOrder::Flat,
    });
    assert!(matches!(resp, Response::Error { .. }), "{resp:?}");
}
