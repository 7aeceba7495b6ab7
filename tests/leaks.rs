//! Leak finder on the project's Go leak programs (testdata/leaks): the leaking function of the
//! user's code ranks first; the healthy control has no suspects.

mod common;
use common::*;
use profdrop::analysis::leaks::find;
use profdrop::decode::decode;
use profdrop::model::Profile;

fn series(dir: &str, suffix: &str) -> Vec<(String, Profile)> {
    let d = root().join("testdata/leaks").join(dir);
    let mut files: Vec<_> =
        std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).filter(|n| n.ends_with(suffix)).collect();
    files.sort();
    assert!(files.len() >= 3, "{dir}: fewer than 3 snapshots ending in {suffix}");
    files.into_iter().map(|f| (f.clone(), decode(&std::fs::read(d.join(&f)).unwrap()).unwrap())).collect()
}

fn check(scenario: &str, kind: &str, sample_type: &str, expected: &str, suffix: &str) -> Result<(), String> {
    let s = series(scenario, suffix);
    let refs: Vec<(String, &Profile)> = s.iter().map(|(n, p)| (n.clone(), p)).collect();
    let rep = find(&refs, sample_type);
    let top: Vec<String> = rep.suspects.iter().take(3).map(|s| format!("{} ({})", s.function, s.reason)).collect();
    if expected == "-" {
        if !rep.suspects.is_empty() {
            return Err(format!("{scenario}/{kind}{suffix}: healthy series has suspects: {top:?}"));
        }
        if rep.message.is_none() {
            return Err(format!("{scenario}/{kind}: no message saying the series is healthy"));
        }
    } else {
        match rep.suspects.first() {
            Some(first) if first.function == expected => {
                if first.rank != 1 || first.growth <= 0 || first.series.len() != s.len() {
                    return Err(format!("{scenario}: suspect fields inconsistent: {first:?}"));
                }
                let sum_last: i64 = first.series[s.len() - 1];
                if sum_last <= first.series[0] {
                    return Err(format!("{scenario}: series does not grow"));
                }
            }
            _ => return Err(format!("{scenario}/{kind}{suffix}: expected {expected} first, got {top:?}")),
        }
    }
    Ok(())
}

#[test]
fn leak_programs_rank_the_leaking_function_first_and_the_control_has_none() {
    let text = std::fs::read_to_string(root().join("testdata/leaks/expected.tsv")).unwrap();
    let mut errors = Vec::new();
    let mut n = 0;
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (scenario, kind, st, expected) = (f[0], f[1], f[2], f[3]);
        let suffixes: &[&str] =
            if kind == "goroutine" { &[".goroutine.pb.gz", ".goroutine.debug1.txt", ".goroutine.debug2.txt"] } else { &[".heap.pb.gz"] };
        for suffix in suffixes {
            if let Err(e) = check(scenario, kind, st, expected, suffix) {
                errors.push(e);
            }
            n += 1;
        }
    }
    assert!(n >= 8, "expected.tsv lists too few scenarios");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn goroutine_dumps_group_by_wait_reason_and_creator() {
    let s = series("goroutines", ".goroutine.debug2.txt");
    let refs: Vec<(String, &Profile)> = s.iter().map(|(n, p)| (n.clone(), p)).collect();
    let rep = find(&refs, "goroutine");
    let g = rep.groups.iter().find(|g| g.function == "main.waitForever").expect("a group for main.waitForever");
    assert_eq!(g.blocking, "chan receive");
    assert_eq!(g.created_by.as_deref(), Some("main.startWorker"));
    assert!(g.series.last().unwrap() > g.series.first().unwrap());
}

#[test]
fn each_leak_program_is_named_with_the_pattern_it_reproduces() {
    let text = std::fs::read_to_string(root().join("testdata/leaks/patterns.tsv")).unwrap();
    let mut errors = Vec::new();
    let mut n = 0;
    for line in text.lines().skip(1).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let (scenario, kind, st, function, pattern, called_from) = (f[0], f[1], f[2], f[3], f[4], f[5]);
        let suffix = if kind == "goroutine" { ".goroutine.pb.gz" } else { ".heap.pb.gz" };
        let s = series(scenario, suffix);
        let refs: Vec<(String, &Profile)> = s.iter().map(|(n, p)| (n.clone(), p)).collect();
        let rep = find(&refs, st);
        match rep.suspects.iter().find(|x| x.function == function) {
            Some(x) if x.pattern.name() == pattern => {
                if x.pattern_why.is_empty() {
                    errors.push(format!("{scenario}/{kind}: {pattern} without a reason"));
                }
                let want = (called_from != "-").then_some(called_from);
                if x.called_from.as_deref() != want {
                    errors.push(format!("{scenario}/{kind}: {function} shown as used from {:?}, want {want:?}", x.called_from));
                }
            }
            Some(x) => errors.push(format!("{scenario}/{kind}: {function} named {} ({}), want {pattern}", x.pattern.name(), x.pattern_why)),
            None => errors.push(format!("{scenario}/{kind}: {function} is not a suspect")),
        }
        n += 1;
    }
    assert!(n >= 6, "patterns.tsv lists too few programs");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
