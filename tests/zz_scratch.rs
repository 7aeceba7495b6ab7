#[test]
fn scratch() {
    for sc in ["cache", "subslice", "goroutines", "deferloop", "tickers", "healthy"] {
        for kind in ["heap", "goroutine"] {
            let dir = format!("testdata/leaks/{sc}");
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().ends_with(&format!(".{kind}.pb.gz")))
                .collect();
            files.sort();
            if files.is_empty() {
                continue;
            }
            let ps: Vec<_> = files.iter().map(|f| profdrop::decode::decode(&std::fs::read(f).unwrap()).unwrap()).collect();
            let series: Vec<(String, &profdrop::model::Profile)> =
                files.iter().zip(&ps).map(|(f, p)| (f.display().to_string(), p)).collect();
            let st = if kind == "heap" { "inuse_space" } else { "goroutine" };
            let r = profdrop::analysis::leaks::find(&series, st);
            for s in r.suspects.iter().take(2) {
                eprintln!("== {sc}/{kind} #{} {} growth {}", s.rank, s.function, s.growth);
                for e in s.evidence.iter().take(3) {
                    eprintln!("   {} -> {}: {}", e.first, e.last, e.frames.join(" > "));
                }
            }
        }
    }
}
