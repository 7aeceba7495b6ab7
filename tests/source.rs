//! The source view's listing (`analysis::source`) against `go tool pprof -list REGEX
//! -source_path DIR` on the project's own fixture (`testdata/source/`, made by
//! `testdata/gen/source.sh` from `testdata/gen/source/`, whose files are in the repository):
//! every routine's sums, every line pprof prints with its flat and cum, and the routines
//! whose file pprof could not read (the standard library's) or had no file for.

mod common;
use common::*;
use profdrop::analysis::refine::{apply, Granularity, Refine};
use profdrop::analysis::source::{annotate, lines_refine, list};
use profdrop::decode::decode;
use profdrop::model::Profile;

/// The refinement that pprof's command-line options ask for (`-focus=RE`, `-noinlines`, …).
fn refine_from_args(args: &[String]) -> Refine {
    let mut r = Refine::default();
    for a in args.iter().filter(|a| !a.is_empty()) {
        let (k, v) = a.trim_start_matches('-').split_once('=').unwrap_or((a.trim_start_matches('-'), ""));
        let v = v.to_string();
        match k {
            "focus" => r.focus = v,
            "ignore" => r.ignore = v,
            "hide" => r.hide = v,
            "show" => r.show = v,
            "show_from" => r.show_from = v,
            "prune_from" => r.prune_from = v,
            "tagfocus" => r.tagfocus = v,
            "tagignore" => r.tagignore = v,
            "noinlines" => r.noinlines = true,
            g => r.granularity = Granularity::parse(g).unwrap_or_else(|| panic!("unknown pprof option {a}")),
        }
    }
    r
}

/// `%XX` decoded.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

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
