//! The source view's listing (`analysis::source`) against `go tool pprof -list REGEX
//! -source_path DIR` on the project's own fixture (`testdata/source/`, made by
//! `testdata/gen/source.sh` from `testdata/gen/source/`, whose files are in the repository):
//! every routine's sums, every line pprof prints with its flat and cum, and the routines
//! whose file pprof could not read (the standard library's) or had no file for.

mod common;
use common::*;
use profdrop::analysis::refine::{apply, Refine};
use profdrop::analysis::source::{annotate, lines_refine, list};
use profdrop::decode::decode;
use profdrop::model::Profile;

/// The text of a file as pprof found it: the golden script points `-source_path` at a folder
/// holding `profdrop` → the repository, so `profdrop/...` paths are the repository's files.
fn source_text(path: &str) -> Option<String> {
    let rel = path.strip_prefix("profdrop/")?;
    std::fs::read_to_string(root().join(rel)).ok()
}

/// The rows profdrop gives, in the goldens' form.
fn listing_rows(p: &Profile, st: usize, regex: &str, r: &Refine) -> Vec<String> {
    let refined = apply(p, &lines_refine(r)).unwrap_or_else(|e| panic!("{r:?}: {e}"));
    let rx = regex_lite::Regex::new(regex).unwrap();
    let mut out = Vec::new();
    for routine in list(p, &refined.profile, st, &rx) {
        if routine.file.is_empty() {
            out.push(format!("nosource\t{}", routine.name));
            continue;
        }
        out.push(format!("routine\t{}\t{}\t{}\t{}", routine.name, routine.display_file, routine.flat, routine.cum));
        match source_text(&routine.file) {
            None => out.push(format!("error\tcould not find file {}", routine.display_file)),
            Some(text) => {
                for l in annotate(&routine, &text) {
                    out.push(format!("line\t{}\t{}\t{}", l.line, l.flat, l.cum));
                }
            }
        }
    }
    out
}

#[test]
fn listings_equal_recorded_pprof_output() {
    let dir = root().join("testdata/golden/source");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut cache: std::collections::HashMap<String, Profile> = Default::default();
    let (mut n, mut lines, mut errors) = (0, 0, Vec::new());
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut it = text.lines();
        let header = it.next().unwrap().trim_start_matches("# ");
        let kv: std::collections::HashMap<&str, &str> = header.split(' ').filter_map(|t| t.split_once('=')).collect();
        let want: Vec<String> = it.map(str::to_string).collect();
        let p = cache
            .entry(kv["profile"].to_string())
            .or_insert_with(|| decode(&std::fs::read(root().join("testdata").join(kv["profile"])).unwrap()).unwrap());
        let st: usize = kv["sample_index"].parse().unwrap();
        assert_eq!(p.sample_types[st].name, kv["sample_type"]);
        let args: Vec<String> = kv["args"].split("%20").map(percent_decode).collect();
        let regex = percent_decode(kv["regex"]);
        let got = listing_rows(p, st, &regex, &refine_from_args(&args));
        if got != want {
            let first = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
            errors.push(format!(
                "{}: -list {regex} {}: {} rows, pprof {}; first difference at row {first}: {:?} vs pprof {:?}",
                path.file_name().unwrap().to_string_lossy(),
                args.join(" "),
                got.len(),
                want.len(),
                got.get(first),
                want.get(first)
            ));
        }
        lines += want.iter().filter(|l| l.starts_with("line\t")).count();
        n += 1;
    }
    assert!(n >= 15, "only {n} golden listings in {}", dir.display());
    assert!(lines > 500, "only {lines} listed lines in the goldens");
    assert!(errors.is_empty(), "{} differences:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn the_engines_source_answer_is_the_listing() {
    use profdrop::engine::Engine;
    use profdrop::protocol::{Request, Response};
    let path = root().join("testdata/golden/source/source__source-cpu.pb.gz.1.noinlines.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    // pprof's routine sums, in its order.
    let want: Vec<(String, i64, i64)> = text
        .lines()
        .filter_map(|l| l.strip_prefix("routine\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[2].parse().unwrap(), f[3].parse().unwrap())
        })
        .collect();
    let mut eng = Engine::new();
    eng.insert(1, "source-cpu.pb.gz", decode(&std::fs::read(root().join("testdata/source/source-cpu.pb.gz")).unwrap()).unwrap());
    let refine = Refine { noinlines: true, ..Default::default() };
    let resp = eng.handle(Request::Source { id: 1, sample_type: "cpu".into(), regex: "main\\.".into(), limit: 2, refine });
    let Response::Source { routines, n_routines, unit, .. } = resp else { panic!("{resp:?}") };
    assert_eq!(unit, "nanoseconds");
    assert_eq!(n_routines as usize, want.len());
    let got: Vec<(String, i64, i64)> = routines.iter().map(|r| (r.name.clone(), r.flat, r.cum)).collect();
    assert_eq!(got, want[..2].to_vec(), "the first two routines, as pprof lists them");
    let bad = eng.handle(Request::Source { id: 1, sample_type: "cpu".into(), regex: "(".into(), limit: 0, refine: Refine::default() });
    assert!(matches!(bad, Response::Error { .. }), "{bad:?}");
}

/// A profile made here: `main.f` (start line 10, in `app/f.go`) with samples of known values at
/// lines 14 (flat 3), 20 (flat 5), and line 20 calling `main.g` (line 40, flat 7) inlined.
fn start_line_profile() -> Profile {
    use profdrop::decode::pb;
    use prost::Message;
    let strings: Vec<Vec<u8>> = ["", "cpu", "nanoseconds", "main.f", "app/f.go", "main.g"].iter().map(|s| s.as_bytes().to_vec()).collect();
    let func = |id: u64, name: i64, start_line: i64| pb::Function { id, name, system_name: name, filename: 4, start_line };
    let line = |function_id: u64, line: i64| pb::Line { function_id, line, column: 0 };
    let loc = |id: u64, lines: Vec<pb::Line>| pb::Location { id, mapping_id: 0, address: 0x1000 + id, line: lines, is_folded: false };
    let sample = |loc: u64, v: i64| pb::Sample { location_id: vec![loc], value: vec![v], label: vec![] };
    let p = pb::Profile {
        sample_type: vec![pb::ValueType { r#type: 1, unit: 2 }],
        sample: vec![sample(1, 3), sample(2, 5), sample(3, 7)],
        location: vec![loc(1, vec![line(1, 14)]), loc(2, vec![line(1, 20)]), loc(3, vec![line(2, 40), line(1, 20)])],
        function: vec![func(1, 3, 10), func(2, 5, 38)],
        string_table: strings,
        ..Default::default()
    };
    decode(&p.encode_to_vec()).unwrap()
}

#[test]
fn a_start_line_starts_the_listing_and_the_file_end_cuts_it() {
    let p = start_line_profile();
    let refined = apply(&p, &lines_refine(&Refine::default())).unwrap();
    let rx = regex_lite::Regex::new("^main\\.f$").unwrap();
    let routines = list(&p, &refined.profile, 0, &rx);
    assert_eq!(routines.len(), 1);
    let r = &routines[0];
    // pprof: from the function's start line (not 5 above its first sampled line) to 5 below
    // its last sampled line; the inlined callee's 7 is line 20's cum.
    assert_eq!((r.name.as_str(), r.file.as_str(), r.start, r.end), ("main.f", "app/f.go", 10, 25));
    assert_eq!((r.flat, r.cum), (8, 15));
    let text: String = (1..=22).map(|i| format!("line {i}\n")).collect();
    let rows = annotate(r, &text);
    assert_eq!(rows.first().map(|l| l.line), Some(10));
    assert_eq!(rows.last().map(|l| l.line), Some(22), "the file has 22 lines");
    let at = |n: i64| rows.iter().find(|l| l.line == n).map(|l| (l.flat, l.cum));
    assert_eq!((at(14), at(20), at(15)), (Some((3, 3)), Some((5, 12)), Some((0, 0))));
    // Without a start line, 5 lines above the first sampled line.
    let g = list(&p, &refined.profile, 0, &regex_lite::Regex::new("^main\\.g$").unwrap());
    assert_eq!((g[0].start, g[0].end, g[0].flat, g[0].cum), (38, 45, 7, 7));
}
