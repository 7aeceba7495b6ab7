//! Refinements (`analysis::refine`) on real profiles: the location layer the refinements read
//! describes the same stacks as the model, so a refinement that keeps everything gives the
//! model's own table.

mod common;
use common::*;
use profdrop::analysis::refine::{apply, Refine};
use profdrop::analysis::top::top_table;
use profdrop::decode::decode;

/// Every profile file of the project's fixtures and of the corpora.
fn profiles() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("testdata/example"), root().join("testdata/leaks")];
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
