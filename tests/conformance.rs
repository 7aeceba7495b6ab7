//! Conformance: every protobuf profile in the shared public corpus, every sample type, against
//! `go tool pprof -top`'s exact integers (../shared/corpus/public/oracle).

mod common;
use common::*;
use profdrop::analysis::top::top_table;
use profdrop::decode::decode;

#[test]
fn top_tables_equal_go_tool_pprof() {
    let dir = corpus();
    let index = std::fs::read_to_string(dir.join("oracle/index.tsv")).unwrap();
    let mut checked = 0;
    let mut errors = Vec::new();
    let mut defaults: std::collections::HashMap<String, (Option<usize>, usize)> = Default::default();
    for line in index.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let (file, format, idx, st, default, tsv, check) = (f[0], f[1], f[2], f[3], f[5], f[9], f[10]);
        if !(format.starts_with("pprof proto") || format.starts_with("proto raw")) || !check.starts_with("ok") {
            continue;
        }
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let p = decode(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        let i: usize = idx.parse().unwrap();
        assert_eq!(p.sample_types[i].name, st, "{file}: sample type {i}");
        let d = defaults.entry(file.to_string()).or_insert((None, p.default_sample_type));
        if default == "yes" {
            d.0 = Some(i);
        }
        d.1 = d.1.max(i);
        let want = read_golden(&dir.join("oracle").join(tsv));
        let (rows, total) = top_table(&p, i);
        if total != want.int("total") {
            errors.push(format!("{file} {st}: total {total}, pprof {}", want.get("total")));
        }
        let got: Vec<(String, i64, i64)> = rows.iter().map(|r| (escape(&p.functions.raw[r.func as usize]), r.flat, r.cum)).collect();
        errors.extend(compare_rows(&format!("{file} {st}"), &got, &want.rows));
        checked += 1;
    }
    // Default sample type: the one marked in the oracle, else the last.
    for (file, (marked, last)) in &defaults {
        let p = decode(&std::fs::read(dir.join(file)).unwrap()).unwrap();
        assert_eq!(p.default_sample_type, marked.unwrap_or(*last), "{file}: default sample type");
    }
    assert!(errors.is_empty(), "{} differences from go tool pprof:\n{}", errors.len(), errors.join("\n"));
    assert!(checked >= 30, "only {checked} tables checked: the oracle index looks incomplete");
    eprintln!("conformance: {checked} tables equal go tool pprof's");
}

#[test]
fn the_profile_pprof_refuses_still_loads_or_errors_clearly() {
    // pprof rejects it ("found function with reserved ID=0"); we read what is meaningful.
    let dir = corpus();
    let bytes = std::fs::read(dir.join("pyroscope_dotnet-pprof-73.pb.gz")).unwrap();
    match decode(&bytes) {
        Ok(p) => assert!(p.num_samples() > 0),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

#[test]
fn the_fast_decoder_equals_prost_on_every_corpus_profile() {
    use profdrop::decode::{decode_prost, gzip};
    let dir = corpus();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let plain =
            if gzip::is_gzip(&bytes) { gzip::gunzip(&bytes, 1 << 30, &mut profdrop::decode::NoProgress).unwrap() } else { bytes.clone() };
        let (Ok(fast), Ok(reference)) = (decode(&bytes), decode_prost(&plain)) else { continue };
        let name = path.display();
        assert_eq!(fast.functions.names, reference.functions.names, "{name}");
        assert_eq!(fast.sample_stack, reference.sample_stack, "{name}");
        assert_eq!(fast.stacks.frames, reference.stacks.frames, "{name}");
        assert_eq!(fast.values, reference.values, "{name}");
        assert_eq!(fast.label_sets.sets, reference.label_sets.sets, "{name}");
        assert_eq!(fast.sample_labels, reference.sample_labels, "{name}");
        assert_eq!(fast.sample_types, reference.sample_types, "{name}");
        n += 1;
    }
    assert!(n >= 15, "only {n} profiles compared");
}
