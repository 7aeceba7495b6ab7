//! Refinements against `go tool pprof`, run live on the public corpus (`../shared/corpus/public`,
//! every protobuf file pprof reads): for each file a function found in it is focused on,
//! ignored, hidden, shown, shown from and pruned from, and the table is taken at each
//! granularity and with `-noinlines`; each answer must equal pprof's `-top`, row for row.
//!
//! Needs `go` on PATH. Without it the test fails, unless `PROFDROP_NO_GO=1` is set: then it
//! says loudly that it was skipped. pprof runs on several threads at once.

mod common;
use common::*;
use profdrop::analysis::refine::{apply, Granularity, Refine};
use profdrop::analysis::top::top_table;
use profdrop::decode::decode;
use profdrop::model::Profile;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Go's `regexp.QuoteMeta`.
fn quote_meta(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn pprof_top(file: &Path, st: usize, unit: &str, args: &[String]) -> Result<(i64, Rows), String> {
    let mut cmd = Command::new("go");
    cmd.args(["tool", "pprof", "-symbolize=none", "-trim=false", &format!("-sample_index={st}"), &format!("-unit={unit}"), "-top"]);
    cmd.args(args).arg(file);
    let out = cmd.output().map_err(|e| format!("running go tool pprof: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(parse_top(&String::from_utf8_lossy(&out.stdout), &format!("{} {args:?}", file.display())))
}

/// The protobuf files of the corpus that pprof reads (its oracle's index says which).
fn readable_protobuf_files(dir: &Path) -> Vec<PathBuf> {
    let index = std::fs::read_to_string(dir.join("oracle/index.tsv")).unwrap();
    let mut files: Vec<PathBuf> = index
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() > 10 && f[1].contains("proto") && f[10].starts_with("ok")).then(|| dir.join(f[0]))
        })
        .collect();
    files.dedup();
    files
}

struct Case {
    file: PathBuf,
    st: usize,
    unit: String,
    args: Vec<String>,
    refine: Refine,
}

/// A function of `p` that is neither a root of everything nor nothing: the row a quarter of
/// the way down the table sorted by cum.
fn pick_function(p: &Profile, st: usize) -> Option<String> {
    let (mut rows, _) = top_table(p, st);
    rows.sort_by_key(|r| std::cmp::Reverse(r.cum.unsigned_abs()));
    let name = &p.functions.names[rows.get(rows.len() / 4)?.func as usize];
    (!name.is_empty()).then(|| quote_meta(name))
}

fn cases_for(file: &Path, p: &Profile) -> Vec<Case> {
    let st = p.default_sample_type;
    let unit = match p.sample_types[st].unit.as_str() {
        "" | "count" => "count".to_string(),
        u => u.to_string(),
    };
    // pprof takes seconds on the biggest files: they get two cases (focus, lines).
    let big = std::fs::metadata(file).unwrap().len() > 500_000;
    let mut sets: Vec<(Vec<String>, Refine)> = Vec::new();
    let f = pick_function(p, st);
    if let Some(f) = &f {
        let filters: &[&str] = if big { &["focus"] } else { &["focus", "ignore", "hide", "show", "show_from", "prune_from"] };
        for &k in filters {
            let mut r = Refine::default();
            match k {
                "focus" => r.focus = f.clone(),
                "ignore" => r.ignore = f.clone(),
                "hide" => r.hide = f.clone(),
                "show" => r.show = f.clone(),
                "show_from" => r.show_from = f.clone(),
                _ => r.prune_from = f.clone(),
            }
            sets.push((vec![format!("-{k}={f}")], r));
        }
    }
    let grans: &[Granularity] = if big {
        &[Granularity::Lines]
    } else {
        &[Granularity::Lines, Granularity::Files, Granularity::FileFunctions, Granularity::Addresses]
    };
    for &g in grans {
        sets.push((vec![format!("-{}", g.name())], Refine { granularity: g, ..Default::default() }));
    }
    if !big {
        sets.push((vec!["-noinlines".into()], Refine { noinlines: true, ..Default::default() }));
        sets.push((
            vec!["-lines".into(), "-noinlines".into()],
            Refine { granularity: Granularity::Lines, noinlines: true, ..Default::default() },
        ));
    }
    // A string label, if the file has one: -tagfocus=key=^value$.
    let label = p.label_sets.sets.iter().flatten().find_map(|l| {
        l.str.as_ref().filter(|v| !v.is_empty() && !v.contains(',') && !l.key.contains('=')).map(|v| (l.key.clone(), v.clone()))
    });
    if let (false, Some((k, v))) = (big, label) {
        let tf = format!("{k}=^{}$", quote_meta(&v));
        sets.push((vec![format!("-tagfocus={tf}")], Refine { tagfocus: tf, ..Default::default() }));
    }
    sets.into_iter().map(|(args, refine)| Case { file: file.to_path_buf(), st, unit: unit.clone(), args, refine }).collect()
}

#[test]
fn refinements_equal_live_go_tool_pprof_on_the_corpus() {
    if !have_go("refinement") {
        return;
    }
    let dir = corpus();
    let mut profiles = Vec::new();
    let mut cases = Vec::new();
    for file in readable_protobuf_files(&dir) {
        let Ok(p) = decode(&std::fs::read(&file).unwrap()) else { continue };
        // pprof's text output cannot be read back when names hold line breaks or other
        // control characters (the corpus has one such file, checked by the conformance test).
        if p.functions.names.iter().any(|n| n.chars().any(char::is_control)) {
            continue;
        }
        cases.extend(cases_for(&file, &p).into_iter().map(|c| (profiles.len(), c)));
        profiles.push(p);
    }
    assert!(profiles.len() >= 12, "only {} corpus files decoded", profiles.len());
    // pprof on several threads; each answer compared as it comes.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let errors = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((pi, c)) = cases.get(i) else { break };
                let p = &profiles[*pi];
                let label = format!("{} {}", c.file.file_name().unwrap().to_string_lossy(), c.args.join(" "));
                let (total, want) = match pprof_top(&c.file, c.st, &c.unit, &c.args) {
                    Ok(x) => x,
                    Err(e) => {
                        errors.lock().unwrap().push(format!("{label}: pprof failed: {e}"));
                        continue;
                    }
                };
                let mut errs = Vec::new();
                if total != p.total(c.st) {
                    errs.push(format!("{label}: total {}, pprof {total}", p.total(c.st)));
                }
                match apply(p, &c.refine) {
                    Ok(r) => {
                        let (rows, _) = top_table(&r.profile, c.st);
                        let got: Vec<_> =
                            rows.iter().map(|x| (r.profile.functions.names[x.func as usize].clone(), x.flat, x.cum)).collect();
                        errs.extend(compare_rows(&label, &got, &want));
                    }
                    Err(e) => errs.push(format!("{label}: {e}")),
                }
                errors.lock().unwrap().extend(errs);
            });
        }
    });
    let errors = errors.into_inner().unwrap();
    eprintln!("{} refinements of {} corpus files checked against go tool pprof", cases.len(), profiles.len());
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    assert!(errors.is_empty(), "{} differences from go tool pprof:\n{}", errors.len(), errors.join("\n"));
}
