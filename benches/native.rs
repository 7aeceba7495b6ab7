//! Native throughput benchmark (no criterion: std::time::Instant, median of a few runs).
//!
//! ```text
//! cargo bench --features reference --bench native          # M and L heap profiles
//! BENCH_SIZES=M BENCH_RUNS=3 cargo bench --features reference --bench native
//! ```
//!
//! Profiles come from `bench-out/{M,L}.heap.pb.gz` (+ `M2.heap.pb.gz`, seed 2, for the
//! diff); a missing one is generated in-process with profgen (same code as
//! `src/bin/profgen.rs`, same seeds) and cached there. Prints one markdown table and writes
//! the same numbers as TSV to `bench-out/native.tsv` (read by `.ci/bench`).
//!
//! Stages (each timed alone, median of BENCH_RUNS, default 5 for M and 3 for L/XL):
//!   inflate       decode::gzip::gunzip                  MB/s of uncompressed output
//!   decode raw    decode::decode on inflated bytes      (wire parse + model build)
//!   decode gz     decode::decode_with on the .pb.gz     (the whole load), split into
//!                 inflate / wire parse / build by the decoder's Progress reports
//!                 (first Stage::Decoding, first Stage::Building), as the browser bench does
//!   decode gz streamed  the browser's path in one thread: 1 MB pieces through
//!                 gzip::GzInflater::streaming, its output into decode::StreamDecoder
//!   top           analysis::top::top_table              (default sample type)
//!   engine top    Engine Request::Top                   (what the worker answers: + name strings)
//!   flame         Engine Request::Flame, fresh engine   (call tree build + flame_data)
//!   flame zoom    Engine Request::Flame, cached tree    (zoom into the widest child: flame_data only)
//!   diff          Engine Request::Diff M vs M2
//!   diff flame    Engine Request::Flame (Diff source)   (two trees merged)

#[path = "../src/bin/profgen.rs"]
#[allow(dead_code)]
mod profgen;

use profdrop::analysis::top::top_table;
use profdrop::decode::{self, gzip::gunzip, gzip::GzInflater, Limits, NoProgress, Stage};
use profdrop::engine::Engine;
use profdrop::protocol::{FlameSource, Request, Response};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Row {
    profile: String,
    stage: String,
    median_ms: f64,
    min_ms: f64,
    /// MB (1e6 bytes) processed per run, for MB/s; 0 = not meaningful.
    mb: f64,
    note: String,
}

fn out_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let d = std::env::var_os("BENCH_OUT").map(PathBuf::from).unwrap_or_else(|| root.join("bench-out"));
    std::fs::create_dir_all(&d).expect("cannot create bench-out/");
    d
}

/// bench-out/<name>.heap.pb.gz, generated (and cached) when missing.
fn profile_file(dir: &Path, name: &str, size: &str, seed: u64) -> Vec<u8> {
    let path = dir.join(format!("{name}.heap.pb.gz"));
    if let Ok(b) = std::fs::read(&path) {
        return b;
    }
    let samples = profgen::size_samples(size).unwrap_or_else(|| panic!("unknown size {size}"));
    eprintln!("native: generating {} ({size}, seed {seed}) ...", path.display());
    let t = Instant::now();
    let (gz, _) = profgen::generate_gz(&profgen::Opts { samples, kind: profgen::Kind::Heap, seed, level: 6, snapshot: None });
    let tmp = path.with_extension("gz.tmp");
    std::fs::write(&tmp, &gz).and_then(|_| std::fs::rename(&tmp, &path)).expect("cannot write bench-out/");
    eprintln!("native: generated {} in {:.1} s", path.display(), t.elapsed().as_secs_f64());
    gz
}

/// Runs `f` `runs` times; returns (median ms, min ms) and the last result. Each result is
/// dropped outside the timed region.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut ms = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        drop(last.take());
        let t = Instant::now();
        let r = black_box(f());
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        last = Some(r);
    }
    ms.sort_by(|a, b| a.total_cmp(b));
    let med = if runs % 2 == 1 { ms[runs / 2] } else { (ms[runs / 2 - 1] + ms[runs / 2]) / 2.0 };
    (med, ms[0], last.expect("runs >= 1"))
}

fn flame_req(source: FlameSource, sample_type: &str, zoom: Vec<String>) -> Request {
    Request::Flame {
        source,
        sample_type: sample_type.to_string(),
        focus: None,
        zoom,
        search: String::new(),
        refine: Default::default(),
        inverted: false,
        pivot: None,
        min_fraction: 1.0 / 16384.0,
    }
}

fn flame_nodes(r: &Response) -> String {
    match r {
        Response::Flame { data, .. } => format!("{} nodes drawn, {} culled", data.parent.len(), data.culled),
        Response::Error { message } => panic!("flame request failed: {message}"),
        _ => String::new(),
    }
}

fn rss_mb(field: &str) -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn bench_profile(rows: &mut Vec<Row>, name: &str, gz: &[u8], runs: usize, diff_with: Option<&[u8]>) {
    let mut push = |stage: &str, (med, min): (f64, f64), mb: f64, note: String| {
        rows.push(Row { profile: name.to_string(), stage: stage.to_string(), median_ms: med, min_ms: min, mb, note });
    };
    let gz_mb = gz.len() as f64 / 1e6;

    let (med, min, raw) = time(runs, || gunzip(gz, usize::MAX, &mut NoProgress).expect("gunzip"));
    let raw_mb = raw.len() as f64 / 1e6;
    push("inflate", (med, min), raw_mb, format!("{gz_mb:.1} MB gz → {raw_mb:.1} MB; {:.0} MB/s of gz input", gz_mb / (med / 1e3)));

    let (d_med, d_min, _) = time(runs, || decode::decode(&raw).expect("decode raw"));
    push("decode raw (no gzip)", (d_med, d_min), raw_mb, "wire parse + model build".into());
    drop(raw);

    // The whole load, split by the decoder's own progress reports (the same split the
    // browser bench reads from the worker's messages): start → first Decoding report →
    // first Building report → done.
    let mut splits: Vec<[f64; 3]> = Vec::new();
    let (med, min, p) = time(runs, || {
        let t0 = Instant::now();
        let mut t_dec = None;
        let mut t_build = None;
        let mut prog = |stage: Stage, _f: f64| {
            match stage {
                Stage::Decoding if t_dec.is_none() => t_dec = Some(Instant::now()),
                Stage::Building if t_build.is_none() => t_build = Some(Instant::now()),
                _ => {}
            }
            true
        };
        let p = decode::decode_with(gz, &Limits::default(), &mut prog).expect("decode gz");
        let end = Instant::now();
        let ms = |a: Instant, b: Instant| b.saturating_duration_since(a).as_secs_f64() * 1e3;
        if let (Some(d), Some(b)) = (t_dec, t_build) {
            splits.push([ms(t0, d), ms(d, b), ms(b, end)]);
        }
        p
    });
    push(
        "decode gz (full load)",
        (med, min),
        raw_mb,
        format!("{} samples, {} stacks (model units), {} functions", p.num_samples(), p.stacks.len(), p.functions.len()),
    );
    if splits.len() == runs {
        let part = |i: usize| {
            let mut v: Vec<f64> = splits.iter().map(|s| s[i]).collect();
            v.sort_by(|a, b| a.total_cmp(b));
            (v[v.len() / 2], v[0])
        };
        push("↳ inflate (→ Decoding report)", part(0), raw_mb, String::new());
        push("↳ wire parse (Decoding → Building)", part(1), raw_mb, String::new());
        push("↳ build model (Building → done)", part(2), raw_mb, String::new());
    } else {
        push("↳ split unavailable (no Decoding/Building progress reports)", (f64::NAN, f64::NAN), 0.0, String::new());
    }
    // What the browser's two workers do (there at the same time, here in turn): 1 MB pieces
    // of the file through the streaming inflater, its output read field by field.
    let (med, min, _) = time(runs, || {
        let limits = Limits::default();
        let mut dec = decode::StreamDecoder::new(limits, true);
        // gzip's size field, as the browser's engine worker uses it.
        if let Some(h) = decode::gzip::size_hint(gz.len(), gz[gz.len() - 4..].try_into().expect("4 bytes"), limits.max_bytes) {
            dec.size_hint(h);
        }
        let mut inf = GzInflater::streaming(limits.max_bytes, 4 << 20);
        let pieces = gz.len().div_ceil(1 << 20);
        for (i, piece) in gz.chunks(1 << 20).enumerate() {
            inf.feed(piece, i + 1 == pieces, &mut |out| {
                let _ = dec.push(out);
            })
            .expect("streaming inflate");
        }
        dec.finish(&mut NoProgress).expect("streamed decode")
    });
    push("decode gz streamed (browser path)", (med, min), raw_mb, "streaming inflate → StreamDecoder, one thread".into());
    let st = p.default_sample_type;
    let st_name = p.sample_types[st].name.clone();

    let (med, min, (trows, total)) = time(runs, || top_table(&p, st));
    push("top table", (med, min), 0.0, format!("{} rows, {} total {}", trows.len(), p.sample_types[st].name, total));

    let mut eng = Engine::new();
    eng.insert(1, name, p.clone());
    let (med, min, _) = time(runs, || {
        eng.handle(Request::Top { id: 1, sample_type: st_name.clone(), order: Default::default(), limit: 0, refine: Default::default() })
    });
    push("engine Top request", (med, min), 0.0, "top table + row names".into());

    // pprof's call graph (-dot's node and edge selection), default options.
    let (med, min, g) = time(runs, || {
        eng.handle(Request::Graph {
            id: 1,
            base: None,
            sample_type: st_name.clone(),
            options: Default::default(),
            refine: Default::default(),
        })
    });
    let shape = match &g {
        Response::Graph { graph, .. } => format!("{} nodes, {} edges", graph.nodes.len(), graph.edges.len()),
        _ => "no graph".into(),
    };
    push("engine Graph request (pprof -dot's graph)", (med, min), 0.0, shape);

    // Call tree: a fresh engine per run (the engine caches the tree), profile cloned untimed.
    let mut fresh: Vec<Engine> = (0..runs)
        .map(|_| {
            let mut e = Engine::new();
            e.insert(1, name, p.clone());
            e
        })
        .collect();
    let (med, min, resp) = time(runs, || {
        let mut e = fresh.pop().expect("one engine per run");
        let r = e.handle(flame_req(FlameSource::Single { id: 1 }, &st_name, vec![]));
        (r, e)
    });
    push("flame (tree build + flame_data)", (med, min), 0.0, flame_nodes(&resp.0));

    // Zoom with the cached tree: into the widest child of the root, then back out.
    let mut e = resp.1;
    let zoom = match &resp.0 {
        Response::Flame { data, .. } => {
            let kids: Vec<usize> = (1..data.parent.len()).filter(|&i| data.parent[i] == 0 && data.depth[i] == 1).collect();
            let widest = kids.into_iter().max_by_key(|&i| data.value[i].unsigned_abs());
            widest.map(|i| data.names[data.name[i] as usize].clone())
        }
        _ => None,
    };
    if let Some(z) = zoom {
        let mut flip = false;
        let (med, min, r) = time(runs, || {
            flip = !flip;
            let path = if flip { vec![z.clone()] } else { vec![] };
            e.handle(flame_req(FlameSource::Single { id: 1 }, &st_name, path))
        });
        push("flame zoom (cached tree)", (med, min), 0.0, format!("zoom to/from {z:?}; {}", flame_nodes(&r)));
    }
    drop(e);
    drop(fresh);

    if let Some(other) = diff_with {
        let q = decode::decode(other).expect("decode diff target");
        let mut eng = Engine::new();
        eng.insert(1, "base", p.clone());
        eng.insert(2, "target", q.clone());
        let (med, min, r) = time(runs, || {
            eng.handle(Request::Diff { base: 1, target: 2, sample_type: st_name.clone(), refine: Default::default(), normalize: false })
        });
        let note = match &r {
            Response::Diff { rows, .. } => format!("{} rows (seed 1 vs seed 2)", rows.len()),
            Response::Error { message } => panic!("diff failed: {message}"),
            _ => String::new(),
        };
        push("diff table", (med, min), 0.0, note);
        let mut fresh: Vec<Engine> = (0..runs)
            .map(|_| {
                let mut e = Engine::new();
                e.insert(1, "base", p.clone());
                e.insert(2, "target", q.clone());
                e
            })
            .collect();
        let (med, min, r) = time(runs, || {
            let mut e = fresh.pop().expect("one engine per run");
            (e.handle(flame_req(FlameSource::Diff { base: 1, target: 2, normalize: false }, &st_name, vec![])), e)
        });
        push("diff flame (2 trees)", (med, min), 0.0, flame_nodes(&r.0));
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let sizes: Vec<String> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "M,L".into())
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let runs_env: Option<usize> = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).filter(|&n| n > 0);
    let dir = out_dir();
    let mut rows = Vec::new();
    let t_all = Instant::now();
    for size in &sizes {
        let runs = runs_env.unwrap_or(if size == "M" || size == "S" { 5 } else { 3 });
        let gz = profile_file(&dir, size, size, 1);
        let other = if size == "M" { Some(profile_file(&dir, "M2", "M", 2)) } else { None };
        eprintln!("native: {size} ({:.1} MB gz), {runs} runs per stage ...", gz.len() as f64 / 1e6);
        bench_profile(&mut rows, size, &gz, runs, other.as_deref());
    }

    let mut md = String::new();
    md.push_str(&format!(
        "\n### profdrop native ({} build, median of runs; MB = 10^6 bytes of uncompressed protobuf)\n\n",
        if cfg!(debug_assertions) { "debug" } else { "optimized" }
    ));
    md.push_str("| profile | stage | median ms | min ms | MB/s | notes |\n|---|---|---:|---:|---:|---|\n");
    let mut tsv = String::from("profile\tstage\tmedian_ms\tmin_ms\tmb_per_s\n");
    for r in &rows {
        let mbs = if r.mb > 0.0 && r.median_ms > 0.0 { format!("{:.0}", r.mb / (r.median_ms / 1e3)) } else { "".into() };
        md.push_str(&format!("| {} | {} | {:.1} | {:.1} | {} | {} |\n", r.profile, r.stage, r.median_ms, r.min_ms, mbs, r.note));
        tsv.push_str(&format!("{}\t{}\t{:.3}\t{:.3}\t{}\n", r.profile, r.stage, r.median_ms, r.min_ms, mbs));
    }
    md.push_str(&format!(
        "\npeak RSS of the bench process: {:.0} MB; total bench time {:.0} s\n",
        rss_mb("VmHWM:"),
        t_all.elapsed().as_secs_f64()
    ));
    println!("{md}");
    let tsv_path = dir.join("native.tsv");
    std::fs::write(&tsv_path, tsv).expect("cannot write native.tsv");
    eprintln!("native: wrote {}", tsv_path.display());
}
