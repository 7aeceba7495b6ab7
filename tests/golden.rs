//! Golden tests on the project's own fixtures: top tables and diff tables recorded from
//! `go tool pprof` (testdata/golden, made by testdata/gen/run.sh).

mod common;
use common::*;
use profdrop::analysis::diff::diff_table;
use profdrop::analysis::top::top_table;
use profdrop::decode::decode;
use profdrop::model::Profile;

fn load(rel: &str) -> Profile {
    let path = root().join("testdata").join(rel);
    decode(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn top_tables_equal_recorded_pprof_output() {
    let dir = root().join("testdata/golden/top");
    let mut errors = Vec::new();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let g = read_golden(&entry.unwrap().path());
        let p = load(g.get("profile"));
        let i: usize = g.get("sample_index").parse().unwrap();
        assert_eq!(p.sample_types[i].name, g.get("sample_type"));
        if g.get("default") == "1" {
            assert_eq!(p.default_sample_type, i, "{}: default sample type", g.get("profile"));
        }
        let (rows, total) = top_table(&p, i);
        let label = format!("{} {}", g.get("profile"), g.get("sample_type"));
        if total != g.int("total") {
            errors.push(format!("{label}: total {total}, pprof {}", g.get("total")));
        }
        let got: Vec<_> = rows.iter().map(|r| (p.functions.names[r.func as usize].clone(), r.flat, r.cum)).collect();
        errors.extend(compare_rows(&label, &got, &g.rows));
        n += 1;
    }
    assert!(n > 50, "only {n} golden top tables found in {}", dir.display());
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn diff_tables_equal_pprof_diff_base() {
    check_diffs("diff", false);
}

/// `-normalize` scales every target sample and rounds it, after merging samples with the same
/// locations and labels as pprof does: every row equals pprof's.
#[test]
fn normalized_diff_tables_equal_pprof_normalize() {
    let dir = root().join("testdata/golden/diff-normalize");
    let mut errors = Vec::new();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let g = read_golden(&entry.unwrap().path());
        let (b, t) = (load(g.get("base")), load(g.get("target")));
        let i: usize = g.get("sample_index").parse().unwrap();
        let (rows, base_total, ns) = diff_table(&b, i, &t, i, true);
        let label = format!("{} vs {} {}", g.get("base"), g.get("target"), g.get("sample_type"));
        assert_eq!(base_total, g.int("total"), "{label}: base total");
        let got: std::collections::HashMap<&str, (i64, i64)> =
            rows.iter().map(|r| (ns.names[r.func as usize].as_str(), (r.delta(), r.delta_cum()))).collect();
        for (name, flat, cum) in &g.rows {
            match got.get(name.as_str()) {
                Some(&(f, c)) if f == *flat && c == *cum => {}
                other => errors.push(format!("{label}: {name}: got {other:?}, pprof ({flat}, {cum})")),
            }
        }
        n += 1;
    }
    assert!(n >= 20, "only {n} normalized golden tables");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

fn check_diffs(sub: &str, normalize: bool) {
    let dir = root().join("testdata/golden").join(sub);
    let mut errors = Vec::new();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("tsv") || path.file_name().unwrap() == "pairs.tsv" {
            continue;
        }
        let g = read_golden(&path);
        let (b, t) = (load(g.get("base")), load(g.get("target")));
        let i: usize = g.get("sample_index").parse().unwrap();
        let (rows, base_total, ns) = diff_table(&b, i, &t, i, normalize);
        let label = format!("{} vs {} {}", g.get("base"), g.get("target"), g.get("sample_type"));
        if base_total != g.int("total") {
            errors.push(format!("{label}: total {base_total}, pprof {}", g.get("total")));
        }
        let got: Vec<_> = rows.iter().map(|r| (ns.names[r.func as usize].clone(), r.delta(), r.delta_cum())).collect();
        errors.extend(compare_rows(&label, &got, &g.rows));
        n += 1;
    }
    assert!(n >= 20, "only {n} golden diff tables found");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn merging_sums_profiles_as_pprof_does_with_several_inputs() {
    use profdrop::analysis::diff::merge;
    let (a, b) = (load("example/cpu.pb.gz"), load("example/cpu2.pb.gz"));
    let m = merge(&[&a, &b]).unwrap();
    for st in 0..m.sample_types.len() {
        assert_eq!(m.total(st), a.total(st) + b.total(st));
        let (rows, _) = top_table(&m, st);
        let flat_of = |p: &Profile, name: &str| -> (i64, i64) {
            let (rows, _) = top_table(p, st);
            rows.iter().find(|r| p.functions.names[r.func as usize] == name).map(|r| (r.flat, r.cum)).unwrap_or((0, 0))
        };
        for r in rows.iter().take(50) {
            let name = &m.functions.names[r.func as usize];
            let (fa, ca) = flat_of(&a, name);
            let (fb, cb) = flat_of(&b, name);
            assert_eq!((r.flat, r.cum), (fa + fb, ca + cb), "{name}");
        }
    }
    assert!(merge(&[&a, &load("example/heap.pb.gz")]).is_err(), "a CPU and a heap profile must not merge");
}
