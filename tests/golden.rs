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
    let dir = root().join("testdata/golden/diff");
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
        let (rows, base_total, ns) = diff_table(&b, i, &t, i, false);
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
