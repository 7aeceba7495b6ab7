//! Refinements (`analysis::refine`) on real profiles: the location layer the refinements read
//! describes the same stacks as the model, so a refinement that keeps everything gives the
//! model's own table.

mod common;
use common::*;
use profdrop::analysis::refine::{apply, Refine};
use profdrop::analysis::top::{mean_total, top_table, top_table_mean, Order};
use profdrop::decode::decode;
use profdrop::model::Profile;

/// Every profile file of the project's fixtures and of the corpora.
fn profiles() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("testdata/example"), root().join("testdata/leaks"), root().join("testdata/refine")];
    dirs.extend(corpora());
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.file_name().unwrap() != "oracle" {
                    dirs.push(p);
                }
            } else if !p.extension().is_some_and(|x| x == "md" || x == "tsv") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_refinement_that_keeps_everything_gives_the_models_table() {
    // An `-ignore` that matches nothing is a refinement (the profile is rebuilt from its
    // locations) that keeps every sample and every frame.
    let keep_all = Refine { ignore: "^\u{1}never\u{1}$".into(), ..Default::default() };
    let mut n = 0;
    let mut errors = Vec::new();
    for path in profiles() {
        let Ok(p) = decode(&std::fs::read(&path).unwrap()) else { continue };
        let r = apply(&p, &keep_all).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for st in 0..p.sample_types.len() {
            let (want, wt) = top_table(&p, st);
            let (got, gt) = top_table(&r.profile, st);
            let name = |q: &profdrop::model::Profile, f: u32| q.functions.names[f as usize].clone();
            let want: Vec<_> = want.iter().map(|x| (name(&p, x.func), x.flat, x.cum)).collect();
            let got: Vec<_> = got.iter().map(|x| (name(&r.profile, x.func), x.flat, x.cum)).collect();
            let label = format!("{} {}", path.display(), p.sample_types[st].name);
            // Samples without a location count in pprof's total (the model's) but in no node;
            // a refined profile drops them, as pprof's filters do.
            let empty: i64 =
                (0..p.num_samples()).filter(|&s| p.stacks.get(p.sample_stack[s]).is_empty()).map(|s| p.values[st][s].wrapping_abs()).sum();
            if wt - empty != gt {
                errors.push(format!("{label}: total {gt}, model {wt} of which {empty} in samples without a stack"));
            }
            errors.extend(compare_rows(&label, &got, &want));
        }
        n += 1;
    }
    assert!(n > 40, "only {n} profiles decoded");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn a_merge_keeps_the_locations_of_its_profiles() {
    let dir = root().join("testdata/leaks/cache");
    let mut names: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(".heap.pb.gz")).collect();
    names.sort();
    let ps: Vec<_> = names.iter().take(3).map(|p| decode(&std::fs::read(p).unwrap()).unwrap()).collect();
    let merged = profdrop::analysis::diff::merge(&ps.iter().collect::<Vec<_>>()).unwrap();
    let locs = merged.locations();
    assert!(!locs.from_functions, "a merge of protobuf profiles keeps their addresses and lines");
    assert_eq!(locs.sample_off.len(), merged.num_samples() + 1);
    let keep_all = Refine { ignore: "^\u{1}never\u{1}$".into(), ..Default::default() };
    let r = apply(&merged, &keep_all).unwrap();
    for st in 0..merged.sample_types.len() {
        let (want, _) = top_table(&merged, st);
        let (got, _) = top_table(&r.profile, st);
        let want: Vec<_> = want.iter().map(|x| (merged.functions.names[x.func as usize].clone(), x.flat, x.cum)).collect();
        let got: Vec<_> = got.iter().map(|x| (r.profile.functions.names[x.func as usize].clone(), x.flat, x.cum)).collect();
        let errors = compare_rows(&format!("merge {}", merged.sample_types[st].name), &got, &want);
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
}

#[test]
fn locations_read_again_from_the_file_equal_the_decoders_own() {
    let mut n = 0;
    for path in profiles() {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(p) = decode(&bytes) else { continue };
        if !p.locations.has_source() {
            continue; // a text profile: its locations come from its function stacks
        }
        let own = p.locations();
        let again = profdrop::decode::locations_from(&bytes, &Default::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let label = path.display();
        assert_eq!(again.sample_off, own.sample_off, "{label}");
        assert_eq!(again.sample_locs, own.sample_locs, "{label}");
        assert_eq!(again.address, own.address, "{label}");
        assert_eq!(again.line_func, own.line_func, "{label}");
        assert_eq!(again.line_no, own.line_no, "{label}");
        assert_eq!(again.func_name, own.func_name, "{label}");
        assert_eq!(again.func_file, own.func_file, "{label}");
        assert_eq!(again.mapping_file, own.mapping_file, "{label}");
        n += 1;
    }
    assert!(n > 40, "only {n} protobuf profiles");
}

/// A refined profile's top table as (name, flat, cum) rows, with `-mean` as pprof divides.
fn refined_rows(p: &Profile, r: &Refine, st: usize) -> (Vec<(String, i64, i64)>, Vec<String>) {
    let refined = apply(p, r).unwrap_or_else(|e| panic!("{r:?}: {e}"));
    let q = &refined.profile;
    let rows = if r.mean { top_table_mean(q, st, 0, Order::Flat) } else { top_table(q, st).0 };
    (rows.iter().map(|x| (q.functions.names[x.func as usize].clone(), x.flat, x.cum)).collect(), refined.notes)
}

#[test]
fn refined_top_tables_equal_recorded_pprof_output() {
    let dir = root().join("testdata/golden/refine");
    let mut errors = Vec::new();
    let mut n = 0;
    let mut nothing = 0;
    let mut cache: std::collections::HashMap<String, Profile> = Default::default();
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        let g = read_golden(&path);
        let p = cache.entry(g.get("profile").to_string()).or_insert_with(|| {
            let file = root().join("testdata").join(g.get("profile"));
            decode(&std::fs::read(&file).unwrap()).unwrap()
        });
        let st: usize = g.get("sample_index").parse().unwrap();
        assert_eq!(p.sample_types[st].name, g.get("sample_type"));
        let args: Vec<String> = g.get("args").split("%20").map(percent_decode).collect();
        let r = refine_from_args(&args);
        let label = format!("{} {} {}", g.get("profile"), g.get("sample_type"), args.join(" "));
        // pprof's total is the whole profile's, before any filter.
        let total = if r.mean { mean_total(p, st, 0) } else { p.total(st) };
        if total != g.int("total") {
            errors.push(format!("{label}: total {total}, pprof {}", g.get("total")));
        }
        let (got, notes) = refined_rows(p, &r, st);
        errors.extend(compare_rows(&label, &got, &g.rows));
        if g.rows.is_empty() {
            nothing += 1;
            if notes.is_empty() {
                errors.push(format!("{label}: nothing left and no note says why"));
            }
        }
        n += 1;
    }
    assert!(n >= 140, "only {n} golden tables in {}", dir.display());
    assert!(nothing >= 3, "the goldens should include filters that match nothing");
    assert!(errors.is_empty(), "{} differences:\n{}", errors.len(), errors.join("\n"));
}

/// A profile built by hand: each stack root first, with its value.
fn hand_profile(stacks: &[(&[&str], i64)]) -> Profile {
    let mut p = Profile {
        sample_types: vec![profdrop::model::ValueType { name: "samples".into(), unit: "count".into() }],
        values: vec![Vec::new()],
        ..Default::default()
    };
    for (frames, v) in stacks {
        let ids: Vec<u32> = frames.iter().rev().map(|f| p.functions.intern(f.as_bytes(), b"")).collect();
        let s = p.stacks.intern(&ids);
        p.sample_stack.push(s);
        p.values[0].push(*v);
        p.sample_labels.push(0);
    }
    p
}

/// Rows sorted by name, for comparing with a table written by hand.
fn by_name(p: &Profile, r: &Refine) -> Vec<(String, i64, i64)> {
    let (mut rows, _) = refined_rows(p, r, 0);
    rows.sort();
    rows
}

fn rows(want: &[(&str, i64, i64)]) -> Vec<(String, i64, i64)> {
    let mut v: Vec<_> = want.iter().map(|&(n, f, c)| (n.to_string(), f, c)).collect();
    v.sort();
    v
}

fn recursion_fixture() -> Profile {
    hand_profile(&[
        (&["main.main", "main.walk", "main.visit", "main.walk", "main.visit", "main.walk"], 10),
        (&["main.main", "main.walk", "fmt.Sprintf", "runtime.mallocgc"], 5),
        (&["runtime.gcBgMarkWorker", "runtime.memmove"], 7),
        (&["main.main", "github.com/x/y.F", "runtime.memmove"], 3),
        (&["main.main", "main.visit", "main.visit", "main.visit"], 2),
    ])
}

#[test]
fn collapsed_recursion_keeps_each_function_once_per_stack_and_every_leaf() {
    let p = recursion_fixture();
    // main→walk→visit→walk→visit→walk becomes main→walk (the outer walk takes the inner
    // one's callees, here none: it is the leaf); main→visit→visit→visit becomes main→visit.
    let want = rows(&[
        ("main.main", 0, 20),
        ("main.walk", 10, 15),
        ("fmt.Sprintf", 0, 5),
        ("runtime.mallocgc", 5, 5),
        ("runtime.gcBgMarkWorker", 0, 7),
        ("runtime.memmove", 10, 10),
        ("github.com/x/y.F", 0, 3),
        ("main.visit", 2, 2),
    ]);
    assert_eq!(by_name(&p, &Refine { collapse_recursion: true, ..Default::default() }), want);
    // Without it, visit's cum counts the sample it recursed in.
    let plain = by_name(&p, &Refine { ignore: "^nothing$".into(), ..Default::default() });
    assert!(plain.contains(&("main.visit".into(), 2, 12)), "{plain:?}");
    // The flame graph's tree has no function twice on a path.
    let r = apply(&p, &Refine { collapse_recursion: true, ..Default::default() }).unwrap().profile;
    for s in 0..r.stacks.len() as u32 {
        let st = r.stacks.get(s);
        let mut seen: Vec<u32> = st.to_vec();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), st.len(), "stack {st:?} repeats a function");
    }
}

#[test]
fn only_my_code_drops_library_frames_and_keeps_a_leaf_for_library_only_stacks() {
    let p = recursion_fixture();
    // fmt and runtime frames go; a stack of runtime only keeps its leaf (memmove), so every
    // sample still counts.
    let want =
        rows(&[("main.main", 0, 20), ("main.walk", 15, 15), ("main.visit", 2, 12), ("runtime.memmove", 7, 7), ("github.com/x/y.F", 3, 3)]);
    assert_eq!(by_name(&p, &Refine { only_mine: true, ..Default::default() }), want);
    let both =
        rows(&[("main.main", 0, 20), ("main.walk", 15, 15), ("main.visit", 2, 2), ("runtime.memmove", 7, 7), ("github.com/x/y.F", 3, 3)]);
    assert_eq!(by_name(&p, &Refine { only_mine: true, collapse_recursion: true, ..Default::default() }), both);
}

#[test]
fn bad_regexes_are_errors_naming_the_option() {
    let p = recursion_fixture();
    for (r, what) in [
        (Refine { focus: "(".into(), ..Default::default() }, "focus"),
        (Refine { show_from: "[".into(), ..Default::default() }, "show_from"),
        (Refine { tagfocus: "k=(".into(), ..Default::default() }, "tagfocus"),
        (Refine { taghide: "*".into(), ..Default::default() }, "taghide"),
    ] {
        let e = apply(&p, &r).unwrap_err();
        assert!(e.starts_with(what) && e.contains("not a valid regular expression"), "{e}");
    }
    let n = apply(&p, &Refine { hide: "nothing-matches".into(), ..Default::default() }).unwrap().notes;
    assert_eq!(n, vec!["hide \"nothing-matches\" matched no samples".to_string()]);
}

/// The engine's Top request with a refinement answers what pprof answers: each golden's
/// table and total through `Request::Top` (rows, `-mean` included, and pprof's pre-filter
/// total), for a sample of the goldens (one in five, every `-mean` one).
#[test]
fn engine_top_requests_with_a_refinement_equal_pprof() {
    use profdrop::engine::Engine;
    use profdrop::protocol::{Request, Response};
    let dir = root().join("testdata/golden/refine");
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut eng = Engine::new();
    let mut ids: std::collections::HashMap<String, u32> = Default::default();
    let (mut n, mut means) = (0, 0);
    for (i, path) in paths.iter().enumerate() {
        let g = read_golden(path);
        if i % 5 != 0 && g.get("mean") != "1" {
            continue;
        }
        let next = ids.len() as u32 + 1;
        let id = *ids.entry(g.get("profile").to_string()).or_insert_with(|| {
            let file = root().join("testdata").join(g.get("profile"));
            eng.insert(next, g.get("profile"), decode(&std::fs::read(&file).unwrap()).unwrap());
            next
        });
        let args: Vec<String> = g.get("args").split("%20").map(percent_decode).collect();
        let refine = refine_from_args(&args);
        means += refine.mean as usize;
        let label = format!("{} {} {}", g.get("profile"), g.get("sample_type"), args.join(" "));
        let req = Request::Top { id, sample_type: g.get("sample_type").into(), order: Order::Flat, limit: 0, refine };
        match eng.handle(req) {
            Response::Top { total, rows, .. } => {
                assert_eq!(total, g.int("total"), "{label}: total");
                let got: Vec<_> = rows.into_iter().map(|r| (r.name, r.flat, r.cum)).collect();
                let errs = compare_rows(&label, &got, &g.rows);
                assert!(errs.is_empty(), "{}", errs.join("\n"));
            }
            other => panic!("{label}: {other:?}"),
        }
        n += 1;
    }
    assert!(n >= 30 && means >= 4, "{n} requests, {means} with -mean");
}
