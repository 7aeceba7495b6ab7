//! How long `analysis::refine::apply` takes on big profiles (median of a few runs).
//!
//! ```text
//! cargo run --release --features reference --example refine_bench -- /work/benchfiles/M.pb.gz /work/benchfiles/L.pb.gz
//! ```
//!
//! For each file: decoding (untimed), making the locations once (`Profile::locations`,
//! timed alone: every refinement after the first reuses them), then `apply` with a focus
//! filter on a function a quarter of the way down the cum-sorted table, `-lines`, `-files`,
//! `-hide` + `-noinlines`, a tag filter, and only_mine + collapse_recursion; each followed
//! by the top table of the refined profile (timed with it: what a filter change costs).
//! `ONLY=lines` runs only the cases whose name starts so; `RUNS=n` (default 5).

use profdrop::analysis::refine::{apply, Granularity, Refine};
use profdrop::analysis::top::top_table;
use std::time::Instant;

/// This thread's time on a CPU so far, in ms (Linux `/proc/thread-self/schedstat`; 0 elsewhere):
/// on a loaded machine it says what the work costs better than the wall clock.
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse::<f64>().ok()))
        .map_or(0.0, |ns| ns / 1e6)
}

/// (median, min) of the runs: on a shared machine the min says more about the code.
fn median(mut ms: Vec<f64>) -> String {
    ms.sort_by(|a, b| a.total_cmp(b));
    format!("{:7.1} ms (min {:6.1})", ms[ms.len() / 2], ms[0])
}

fn main() {
    let only: Option<String> = std::env::var("ONLY").ok();
    let runs: usize = std::env::var("RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (t, c) = (Instant::now(), cpu_ms());
        let p = profdrop::decode::decode(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        // For scale: the whole load, on the same machine at the same moment.
        println!("{path}: decoded in {:.1} ms ({:.1} ms on CPU)", t.elapsed().as_secs_f64() * 1e3, cpu_ms() - c);
        let st = p.default_sample_type;
        let t = Instant::now();
        let locs = p.locations();
        let made = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{path}: {} samples, {} locations, {} functions; locations made in {made:.1} ms",
            p.num_samples(),
            locs.len(),
            locs.func_name.len()
        );
        let (mut rows, _) = top_table(&p, st);
        rows.sort_by_key(|r| std::cmp::Reverse(r.cum.unsigned_abs()));
        let f = regex_lite::escape(&p.functions.names[rows[rows.len() / 4].func as usize]);
        let cases = [
            (format!("focus={f}"), Refine { focus: f.clone(), ..Default::default() }),
            ("lines".into(), Refine { granularity: Granularity::Lines, ..Default::default() }),
            ("files".into(), Refine { granularity: Granularity::Files, ..Default::default() }),
            ("hide=^runtime\\. noinlines".into(), Refine { hide: "^runtime\\.".into(), noinlines: true, ..Default::default() }),
            ("tagfocus=bytes=1kb:".into(), Refine { tagfocus: "bytes=1kb:".into(), ..Default::default() }),
            ("only_mine collapse_recursion".into(), Refine { only_mine: true, collapse_recursion: true, ..Default::default() }),
        ];
        for (what, r) in cases {
            if only.as_ref().is_some_and(|o| !what.starts_with(o.as_str())) {
                continue;
            }
            let mut apply_ms = Vec::new();
            let mut total_ms = Vec::new();
            let mut cpu = Vec::new();
            let mut info = String::new();
            for _ in 0..runs {
                let t = Instant::now();
                let c = cpu_ms();
                let out = apply(&p, &r).expect("apply");
                apply_ms.push(t.elapsed().as_secs_f64() * 1e3);
                cpu.push(cpu_ms() - c);
                let (rows, _) = top_table(&out.profile, st);
                total_ms.push(t.elapsed().as_secs_f64() * 1e3);
                info = format!("{} samples kept, {} rows", out.profile.num_samples(), rows.len());
                drop(std::hint::black_box(out));
            }
            println!("  {what:36} apply {}, on CPU {}   + top table {}   ({info})", median(apply_ms), median(cpu), median(total_ms));
        }
    }
}
