//! Hostile and broken input (issue 6: "never crash"). Every fixture in `testdata/hostile/`
//! (made by `testdata/hostile/gen.py`) is decoded with the default [`Limits`] and must give
//! the outcome its row in `testdata/hostile/expected.tsv` names: an error of the
//! [`DecodeError`] variant, stage and position the fixture was built to cause (the generator
//! computes them from how it built the file), whose message names what the fixture broke and
//! reads as a sentence; or a profile with the listed properties. Nothing may panic, hang or
//! overflow the stack: each fixture is decoded on its own thread with a 1 MiB stack (a
//! browser's wasm stack is about that size) and a time limit.
//!
//! Profiles that load are also pushed through the views (top table of every sample type,
//! the engine's flame graph) to prove the model they produce is usable.
//!
//! `HOSTILE_FILTER=text` runs only the rows whose file name contains `text`;
//! `HOSTILE_SKIP=amp-` skips the rows whose file name contains `amp-`.

use profdrop::analysis::top::top_table;
use profdrop::decode::{decode_with, DecodeError, Limits, NoProgress};
use profdrop::engine::Engine;
use profdrop::model::Profile;
use profdrop::protocol::{FlameSource, Request, Response};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const STACK: usize = 1 << 20;
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// Most heap memory one fixture may hold at once while it is decoded and viewed. The
/// browser's wasm memory tops out at 4 GiB and never shrinks; the gzip bomb legitimately
/// fills up to `max_bytes` (512 MB by default).
const MEMORY_BUDGET: usize = 1 << 30;

/// Counts live heap bytes and their peak, so each fixture's peak can be checked.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(now, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(l);
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        LIVE.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = System.realloc(p, l, new);
        if !q.is_null() {
            // Counted as alloc-then-free: a moving realloc holds both blocks for a moment.
            grew(new);
            LIVE.fetch_sub(l.size(), Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/hostile")
}

#[derive(Clone, Debug)]
struct Row {
    line: usize,
    file: String,
    outcome: String,
    /// Error rows: DecodeError variant, stage and position (`-`: none fixed).
    kind: String,
    stage: String,
    at: String,
    expect: String,
}

fn rows() -> Vec<Row> {
    let path = dir().join("expected.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines().enumerate();
    let (_, header) = lines.next().expect("expected.tsv is empty");
    assert!(header.starts_with("file\toutcome\tkind\tstage\tat\texpect"), "expected.tsv header: {header:?}");
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert!(f.len() >= 6, "expected.tsv line {}: fewer than 6 columns: {line:?}", i + 1);
        assert!(f[1] == "ok" || f[1] == "error", "expected.tsv line {}: outcome {:?}", i + 1, f[1]);
        assert!(f[2..6].iter().all(|c| !c.is_empty()), "expected.tsv line {}: an empty column", i + 1);
        if f[1] == "error" {
            assert!(f[2] != "-" && f[3] != "-", "expected.tsv line {}: an error row names its kind and stage", i + 1);
        } else {
            assert!(f[5] != "-", "expected.tsv line {}: nothing expected", i + 1);
        }
        out.push(Row {
            line: i + 1,
            file: f[0].into(),
            outcome: f[1].into(),
            kind: f[2].into(),
            stage: f[3].into(),
            at: f[4].into(),
            expect: f[5].into(),
        });
    }
    out
}

/// `%XX` → byte; everything else as is.
fn unpct(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("percent escape");
            out.push(u8::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("bad percent escape {hex:?}")));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn num(v: &str) -> i64 {
    v.trim().parse().unwrap_or_else(|_| panic!("not a number: {v:?}"))
}

/// Checks the `;`-separated properties of an `ok` row (see gen.py for the list).
fn check_ok(p: Profile, file: &str, props: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let st = p.default_sample_type;
    // Every view must work on whatever loaded.
    let tops: Vec<_> = (0..p.sample_types.len()).map(|i| top_table(&p, i)).collect();
    let (rows, total) = tops.get(st).cloned().unwrap_or_default();
    let flat_cum = |raw: &[u8]| -> Option<(i64, i64)> {
        let id = p.functions.get(raw)?;
        Some(rows.iter().find(|r| r.func == id).map(|r| (r.flat, r.cum)).unwrap_or((0, 0)))
    };
    let mut want_flame: Vec<(String, i64)> = Vec::new();
    for prop in props.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        if let Some(name) = prop.strip_prefix("has(").and_then(|r| r.strip_suffix(')')) {
            let raw = unpct(name);
            if p.functions.get(&raw).is_none() {
                bad.push(format!("{prop}: no function with raw name {:?}", String::from_utf8_lossy(&raw)));
            }
            continue;
        }
        if let Some(name) = prop.strip_prefix("shown(").and_then(|r| r.strip_suffix(')')) {
            let want = String::from_utf8(unpct(name)).expect("shown() takes UTF-8");
            if !p.functions.names.contains(&want) {
                bad.push(format!("{prop}: no function displayed as {want:?}; names: {:?}", p.functions.names));
            }
            continue;
        }
        if let Some(s) = prop.strip_prefix("format~") {
            if !p.format.contains(s) {
                bad.push(format!("{prop}: format is {:?}", p.format));
            }
            continue;
        }
        let (k, v) = prop.split_once('=').unwrap_or_else(|| panic!("{file}: property without '=': {prop:?}"));
        let (k, v) = (k.trim(), v.trim());
        let got: String = if let Some(name) = k.strip_prefix("flat(").and_then(|r| r.strip_suffix(')')) {
            match flat_cum(&unpct(name)) {
                Some((f, _)) => f.to_string(),
                None => "no such function".into(),
            }
        } else if let Some(name) = k.strip_prefix("cum(").and_then(|r| r.strip_suffix(')')) {
            match flat_cum(&unpct(name)) {
                Some((_, c)) => c.to_string(),
                None => "no such function".into(),
            }
        } else {
            match k {
                "samples" => p.num_samples().to_string(),
                "types" => p.sample_types.len().to_string(),
                "default" => p.sample_types.get(st).map(|t| t.name.clone()).unwrap_or_default(),
                "total" => total.to_string(),
                "functions" => p.functions.len().to_string(),
                "stacks" => p.stacks.len().to_string(),
                "max_depth" => (0..p.stacks.len() as u32).map(|s| p.stacks.get(s).len()).max().unwrap_or(0).to_string(),
                "longest_name" => p.functions.raw.iter().map(|r| r.len()).max().unwrap_or(0).to_string(),
                "labels" => p.label_sets.sets.iter().map(|s| s.len()).max().unwrap_or(0).to_string(),
                "goroutines" => p.goroutines.len().to_string(),
                "flame_depth" | "flame_nodes" => {
                    want_flame.push((k.to_string(), num(v)));
                    continue;
                }
                _ => panic!("{file}: unknown property {k:?}"),
            }
        };
        if got != v {
            bad.push(format!("{k}: expected {v}, got {got}"));
        }
    }
    // The engine's flame graph, on every profile that loads.
    let mut engine = Engine::new();
    engine.insert(1, file, p);
    let resp = engine.handle(Request::Flame {
        source: FlameSource::Single { id: 1 },
        sample_type: String::new(),
        focus: None,
        zoom: vec![],
        search: String::new(),
        min_fraction: 0.0,
        refine: Default::default(),
        inverted: false,
        pivot: None,
    });
    match resp {
        Response::Flame { data, .. } => {
            for (k, v) in want_flame {
                let got = match k.as_str() {
                    "flame_depth" => data.depth.iter().copied().max().unwrap_or(0) as i64,
                    _ => data.parent.len() as i64,
                };
                if got != v {
                    bad.push(format!("{k}: expected {v}, got {got}"));
                }
            }
        }
        other => bad.push(format!("flame graph: {other:?}")),
    }
    bad
}

/// Checks an error against what its fixture was built to break: variant, stage, position,
/// and the things its message must name; and that the message is a readable sentence.
fn check_error(e: &DecodeError, row: &Row) -> Result<(), String> {
    let mut bad = Vec::new();
    if e.kind() != row.kind {
        bad.push(format!("kind {} (expected {})", e.kind(), row.kind));
    }
    if e.stage() != row.stage {
        bad.push(format!("stage {} (expected {})", e.stage(), row.stage));
    }
    if row.at != "-" {
        let want: usize = row.at.parse().unwrap_or_else(|_| panic!("{}: at {:?} is not a number", row.file, row.at));
        if e.position() != Some(want) {
            bad.push(format!("position {:?} (expected {want})", e.position()));
        }
    }
    let msg = e.to_string();
    for name in row.expect.split(';').filter(|n| *n != "-") {
        if !msg.contains(name) {
            bad.push(format!("the message does not name {name:?}"));
        }
    }
    if let Err(why) = readable(&msg) {
        bad.push(why);
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!("{} (message {msg:?})", bad.join("; ")))
    }
}

/// A message for people: some words, no control characters, no Rust debug output.
fn readable(msg: &str) -> Result<(), String> {
    let words = msg.split_whitespace().filter(|w| w.chars().any(|c| c.is_alphabetic())).count();
    if words < 3 {
        return Err(format!("the message has {words} words: {msg:?}"));
    }
    if msg.chars().any(|c| c.is_control()) {
        return Err(format!("the message has control characters: {msg:?}"));
    }
    if ["Some(", "None", "Err(", "Ok(", "{ ", "\\x"].iter().any(|d| msg.contains(d)) {
        return Err(format!("the message shows Rust debug output: {msg:?}"));
    }
    Ok(())
}

/// Decodes one fixture and checks it; `Err` describes what went wrong.
fn run_row(row: &Row) -> Result<(), String> {
    let bytes = std::fs::read(dir().join(&row.file)).map_err(|e| format!("cannot read: {e}"))?;
    let res = decode_with(&bytes, &Limits::default(), &mut NoProgress);
    match (row.outcome.as_str(), res) {
        ("error", Err(e)) => check_error(&e, row),
        ("error", Ok(p)) => Err(format!(
            "decoded ({} samples, {} functions, format {:?}); expected a {} error ({})",
            p.num_samples(),
            p.functions.len(),
            p.format,
            row.kind,
            row.stage
        )),
        (_, Err(e)) => Err(format!("expected ok ({}), got error {:?}", row.expect, e.to_string())),
        (_, Ok(p)) => {
            let bad = check_ok(p, &row.file, &row.expect);
            if bad.is_empty() {
                Ok(())
            } else {
                Err(bad.join("; "))
            }
        }
    }
}

/// Runs a row on its own small-stack thread with a time limit; a panic is a failure.
fn run_isolated(row: &Row) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let r = row.clone();
    let handle = std::thread::Builder::new()
        .name(format!("hostile:{}", row.file))
        .stack_size(STACK)
        .spawn(move || {
            let _ = tx.send(run_row(&r));
        })
        .expect("spawn");
    match rx.recv_timeout(TIME_LIMIT) {
        Ok(res) => {
            let _ = handle.join();
            res
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("no answer after {} s (hang?)", TIME_LIMIT.as_secs())),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let payload = handle.join().err();
            let msg = payload
                .as_ref()
                .and_then(|p| p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())))
                .unwrap_or_default();
            Err(format!("PANIC: {msg}"))
        }
    }
}

#[test]
fn hostile_fixtures_give_the_expected_outcome() {
    let filter = std::env::var("HOSTILE_FILTER").unwrap_or_default();
    let skip = std::env::var("HOSTILE_SKIP").unwrap_or_default();
    let mut failures = Vec::new();
    let mut ran = 0;
    for row in rows() {
        if !row.file.contains(&filter) || (!skip.is_empty() && row.file.contains(&skip)) {
            continue;
        }
        let t0 = Instant::now();
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let mut res = run_isolated(&row);
        let peak = PEAK.load(Relaxed).saturating_sub(base);
        let secs = t0.elapsed().as_secs_f64();
        ran += 1;
        if secs > 2.0 || peak > 64 << 20 || std::env::var_os("HOSTILE_VERBOSE").is_some() {
            eprintln!("hostile: {} took {secs:.1} s, peak heap {} MiB", row.file, peak >> 20);
        }
        if peak > MEMORY_BUDGET {
            let size = std::fs::metadata(dir().join(&row.file)).map(|m| m.len()).unwrap_or(0);
            let over = format!("peak heap {} MiB for a {size}-byte file, over the {} MiB budget", peak >> 20, MEMORY_BUDGET >> 20);
            res = Err(match res {
                Ok(()) => over,
                Err(e) => format!("{e}; {over}"),
            });
        }
        if let Err(e) = res {
            eprintln!("FAIL {} (expected.tsv line {}, {}): {e}", row.file, row.line, row.outcome);
            failures.push(format!("{} [{} {:?}]: {e}", row.file, row.outcome, row.expect));
        }
    }
    eprintln!("hostile: {ran} fixtures, {} failed", failures.len());
    assert!(ran > 0, "no fixture matched HOSTILE_FILTER={filter:?}");
    assert!(failures.is_empty(), "{} of {ran} hostile fixtures failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_fixture_is_listed_in_expected_tsv() {
    let listed: BTreeSet<String> = rows().into_iter().map(|r| r.file).collect();
    let mut on_disk = BTreeSet::new();
    for e in std::fs::read_dir(dir()).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_file() && !matches!(name.as_str(), "gen.py" | "expected.tsv") {
            on_disk.insert(name);
        }
    }
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    assert!(unlisted.is_empty(), "fixtures not in expected.tsv: {unlisted:?}");
    assert!(missing.is_empty(), "expected.tsv rows without a file: {missing:?}");
    assert!(listed.len() >= 100, "only {} fixtures", listed.len());
}
