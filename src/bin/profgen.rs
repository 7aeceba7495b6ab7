//! profgen: synthetic Go-like pprof profiles for benchmarks (a Rust port of the shape made
//! by `shared/bench/gen_profile.py`; same structure and sizes, its own PRNG, so not
//! byte-identical with the Python script).
//!
//! ```text
//! cargo run --release --bin profgen -- OUT.pb.gz [--size S|M|L|XL] [--kind heap|cpu]
//!                                     [--samples N] [--seed 1] [--level 6]
//! ```
//!
//! * heap: 4 sample types alloc_objects/count, alloc_space/bytes, inuse_objects/count,
//!   inuse_space/bytes; period_type space/bytes, period 524288; numeric label "bytes"
//!   (object size) on every sample.
//! * cpu: samples/count, cpu/nanoseconds; period 10 ms; duration_nanos; string labels
//!   (pprof.Do style) on ~25 % of samples.
//!
//! Messages are the prost structs of `profdrop::decode::pb`, written field by field in
//! runtime/pprof's order: time and sample types first, then samples interleaved with the
//! locations/functions they first reference, then the mapping, then the string table LAST
//! (as Go does; `encode_to_vec` on a whole `pb::Profile` would put the strings before
//! everything else, which is not what real profiles look like).
//!
//! Stacks are leaf-first concatenations of 4 segments (leaf + app + framework + root),
//! depth ~10-60, so root-side prefixes are heavily shared. Output is gzip (RFC 1952) around
//! miniz_oxide's raw deflate, mtime 0. Deterministic for a seed (splitmix64). Prints a
//! one-line JSON summary.
//!
//! The generator is also compiled into `benches/native.rs` (`#[path]` module), so
//! everything but `main` is `pub`.

use profdrop::decode::pb;
use prost::encoding;
use std::collections::HashMap;
use std::time::Instant;

/// Named sizes (samples).
pub const SIZES: [(&str, usize); 4] = [("S", 11_000), ("M", 230_000), ("L", 1_100_000), ("XL", 2_200_000)];

/// Samples for a named size.
pub fn size_samples(name: &str) -> Option<usize> {
    SIZES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|&(_, n)| n)
}

/// Heap or CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Go heap profile.
    Heap,
    /// Go CPU profile.
    Cpu,
}

impl Kind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Heap => "heap",
            Kind::Cpu => "cpu",
        }
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Opts {
    /// Number of samples.
    pub samples: usize,
    /// Kind.
    pub kind: Kind,
    /// PRNG seed.
    pub seed: u64,
    /// gzip level 0-10 (Go uses 6).
    pub level: u8,
    /// Snapshot `k` of a series (heap only): the same program and stacks as every snapshot of
    /// the seed, a minute after snapshot `k - 1`, its in-use values drawn afresh (noise), and
    /// the samples of three leaf segments leaking: their in-use objects grow with `k` (the
    /// first fastest).
    pub snapshot: Option<u32>,
}

/// A generated profile (uncompressed protobuf) and its counts.
pub struct Generated {
    /// Serialized `Profile` message.
    pub raw: Vec<u8>,
    /// Number of samples.
    pub samples: usize,
    /// Locations written.
    pub locations: usize,
    /// Functions written.
    pub functions: usize,
    /// String table entries.
    pub strings: usize,
    /// Mean frames per sample.
    pub avg_depth: f64,
}

// ------------------------------------------------------------------------------ PRNG

/// splitmix64: tiny, fast, good enough for synthetic data, fully deterministic.
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn random(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in [0, n).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
    /// Uniform in [lo, hi] (inclusive, like Python's randint).
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    /// A random element.
    pub fn choice<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    /// Exponential with rate `lambda` (Python's expovariate).
    pub fn expo(&mut self, lambda: f64) -> f64 {
        -(1.0 - self.random()).ln() / lambda
    }
}

// ------------------------------------------------------------------------------ names

const WORDS: &[&str] = &[
    "alloc", "buffer", "cache", "codec", "conn", "decode", "encode", "entry", "event", "fetch", "flush", "frame", "grpc", "handle",
    "header", "index", "item", "json", "key", "lease", "list", "load", "lock", "log", "map", "merge", "meta", "node", "parse", "peer",
    "pool", "query", "queue", "read", "record", "region", "reply", "request", "route", "row", "scan", "schema", "send", "server",
    "session", "shard", "slice", "snapshot", "span", "stream", "sync", "table", "task", "token", "trace", "tx", "update", "value", "watch",
    "worker", "write", "batch", "chunk", "client", "config",
];
const ORGS: &[&str] = &[
    "github.com/acme",
    "github.com/example",
    "go.etcd.io",
    "google.golang.org",
    "golang.org/x",
    "k8s.io",
    "github.com/prometheus",
    "github.com/segmentio",
];
const ROOT_FUNCS: &[&str] = &[
    "runtime.goexit",
    "runtime.main",
    "main.main",
    "net/http.(*conn).serve",
    "net/http.serverHandler.ServeHTTP",
    "google.golang.org/grpc.(*Server).serveStreams.func1.2",
    "google.golang.org/grpc.(*Server).handleStream",
    "net/http.HandlerFunc.ServeHTTP",
    "sync.(*Once).doSlow",
    "testing.tRunner",
    "golang.org/x/sync/errgroup.(*Group).Go.func1",
    "github.com/acme/svc/internal/worker.(*Pool).run",
];
const LEAF_FUNCS: &[&str] = &[
    "runtime.mallocgc",
    "runtime.newobject",
    "runtime.makeslice",
    "runtime.growslice",
    "runtime.makemap",
    "runtime.makemap_small",
    "runtime.rawstring",
    "runtime.rawbyteslice",
    "runtime.slicebytetostring",
    "runtime.concatstrings",
    "runtime.convTstring",
    "runtime.mapassign_faststr",
    "runtime.hashGrow",
    "runtime.makechan",
    "runtime.malg",
    "bytes.growSlice",
    "bytes.(*Buffer).grow",
    "strings.(*Builder).grow",
    "encoding/json.(*decodeState).literalStore",
    "encoding/json.Marshal",
    "bufio.NewReaderSize",
    "bufio.NewWriterSize",
    "io.ReadAll",
    "reflect.New",
    "reflect.unsafe_New",
    "compress/flate.NewWriter",
    "google.golang.org/protobuf/proto.Clone",
    "runtime.memmove",
    "syscall.Syscall",
    "runtime.futex",
    "runtime.scanobject",
    "runtime.mapaccess2_faststr",
    "runtime.(*mheap).alloc",
    "crypto/sha256.block",
];
const SIZE_CLASSES: &[i64] = &[
    8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 160, 192, 256, 320, 384, 512, 640, 768, 1024, 1280, 1536, 2048, 3072, 4096, 8192, 16384, 32768,
];

fn word(rnd: &mut Rng) -> &'static str {
    WORDS[rnd.below(WORDS.len())]
}

fn cap(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The string table, interned.
#[derive(Default)]
struct Strings {
    table: Vec<Vec<u8>>,
    idx: HashMap<String, i64>,
}

impl Strings {
    fn new() -> Strings {
        let mut s = Strings::default();
        s.get("");
        s
    }
    fn get(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.idx.get(s) {
            return i;
        }
        let i = self.table.len() as i64;
        self.idx.insert(s.to_string(), i);
        self.table.push(s.as_bytes().to_vec());
        i
    }
}

// ------------------------------------------------------------------------------ generator

/// Builds the profile in runtime/pprof's field order.
pub fn generate(o: &Opts) -> Generated {
    let mut rnd = Rng::new(o.seed);
    let nsamp = o.samples.max(1);
    let mut strs = Strings::new();

    // --- pools sized with the profile
    let n_app_locs = (nsamp / 20).max(1500);
    let n_fw_locs = (nsamp / 200).max(400);
    let mut pkgs = Vec::new();
    for i in 0..(n_app_locs / 60).max(40) {
        let org = ORGS[rnd.below(ORGS.len())];
        let (a, b) = (word(&mut rnd), word(&mut rnd));
        pkgs.push(format!("{org}/{a}/{b}{}", i % 7));
    }

    let mut functions: Vec<pb::Function> = Vec::new();
    let mut new_func = |rnd: &mut Rng, strs: &mut Strings, name: &str, file: &str| -> u64 {
        let n = strs.get(name);
        let f = strs.get(file);
        let id = functions.len() as u64 + 1;
        functions.push(pb::Function { id, name: n, system_name: n, filename: f, start_line: rnd.int(10, 4000) });
        id
    };
    let gofile = |rnd: &mut Rng, pkg: &str| -> String {
        let (a, b) = (rnd.int(0, 30), rnd.int(0, 9));
        format!("/home/build/go/pkg/mod/{pkg}@v1.{a}.{b}/{}.go", word(rnd))
    };
    let rand_func_name = |rnd: &mut Rng| -> (String, String) {
        let pkg = rnd.choice(&pkgs).clone();
        let (w1, w2) = (cap(word(rnd)), cap(word(rnd)));
        let r = rnd.random();
        let name = if r < 0.55 {
            let (m1, m2) = (cap(word(rnd)), cap(word(rnd)));
            format!("{pkg}.(*{w1}{w2}).{m1}{m2}")
        } else if r < 0.85 {
            format!("{pkg}.{w1}{w2}")
        } else {
            format!("{pkg}.(*{w1}).{w2}.func{}", rnd.int(1, 5))
        };
        let file = gofile(rnd, &pkg);
        (name, file)
    };
    let std_file = |name: &str| format!("/usr/local/go/src/{}.go", name.split('.').next().unwrap_or("").replace("(*", ""));

    // Locations: (address, lines), id = index + 1. start lines are needed for line numbers.
    let mut locations: Vec<pb::Location> = Vec::new();
    let mut start_line: Vec<i64> = Vec::new(); // per function id - 1 (filled lazily below)
    macro_rules! new_loc {
        ($fid:expr, $inline:expr) => {{
            let fid: u64 = $fid;
            let inline: Option<u64> = $inline;
            let mut line = Vec::with_capacity(2);
            if let Some(ifid) = inline {
                line.push(pb::Line { function_id: ifid, line: rnd.int(5, 3000), column: 0 });
            }
            line.push(pb::Line { function_id: fid, line: start_line[fid as usize - 1] + rnd.int(1, 200), column: 0 });
            let address = 0x40_0000 + 64 * locations.len() as u64 + rnd.int(0, 60) as u64;
            locations.push(pb::Location { id: locations.len() as u64 + 1, mapping_id: 1, address, line, is_folded: false });
            locations.len() as u64
        }};
    }

    let root_fids: Vec<u64> = ROOT_FUNCS.iter().map(|n| new_func(&mut rnd, &mut strs, n, &std_file(n))).collect();
    let leaf_fids: Vec<u64> = LEAF_FUNCS.iter().map(|n| new_func(&mut rnd, &mut strs, n, &std_file(n))).collect();
    let n_fw_funcs = (n_fw_locs * 10 / 16).max(250);
    let n_app_funcs = n_app_locs * 10 / 16;
    let mut fw_fids = Vec::with_capacity(n_fw_funcs);
    for _ in 0..n_fw_funcs {
        let (n, f) = rand_func_name(&mut rnd);
        fw_fids.push(new_func(&mut rnd, &mut strs, &n, &f));
    }
    let mut app_fids = Vec::with_capacity(n_app_funcs);
    for _ in 0..n_app_funcs {
        let (n, f) = rand_func_name(&mut rnd);
        app_fids.push(new_func(&mut rnd, &mut strs, &n, &f));
    }
    start_line.extend(functions.iter().map(|f| f.start_line));

    let root_locs: Vec<u64> = (0..200)
        .map(|_| {
            let f = *rnd.choice(&root_fids);
            new_loc!(f, None)
        })
        .collect();
    let mut leaf_locs: Vec<u64> = (0..600)
        .map(|_| {
            let f = *rnd.choice(&leaf_fids);
            new_loc!(f, None)
        })
        .collect();
    let fw_locs: Vec<u64> = (0..n_fw_locs)
        .map(|_| {
            let f = *rnd.choice(&fw_fids);
            new_loc!(f, None)
        })
        .collect();
    let app_locs: Vec<u64> = (0..n_app_locs)
        .map(|_| {
            let f = *rnd.choice(&app_fids);
            let inl = if rnd.random() < 0.1 { Some(*rnd.choice(&app_fids)) } else { None };
            new_loc!(f, inl)
        })
        .collect();
    // The leaf pool also gets some app-level allocation sites (sample without replacement).
    {
        let mut pool = app_locs.clone();
        let k = pool.len().min(1500);
        for i in 0..k {
            let j = i + rnd.below(pool.len() - i);
            pool.swap(i, j);
        }
        leaf_locs.extend_from_slice(&pool[..k]);
    }

    let seg = |rnd: &mut Rng, pool: &[u64], lo: i64, hi: i64| -> Vec<u64> {
        let n = rnd.int(lo, hi);
        (0..n).map(|_| *rnd.choice(pool)).collect()
    };
    let n_roots = (nsamp / 50_000).max(12);
    let n_fw = (nsamp / 2000).max(60);
    let n_app = (nsamp / 40).max(300);
    let n_leaf = (nsamp / 300).max(150);
    let roots: Vec<Vec<u64>> = (0..n_roots).map(|_| seg(&mut rnd, &root_locs, 2, 6)).collect();
    let fws: Vec<(Vec<u64>, usize)> = (0..n_fw).map(|i| (seg(&mut rnd, &fw_locs, 3, 14), i % n_roots)).collect();
    let apps: Vec<(Vec<u64>, Vec<usize>)> = (0..n_app)
        .map(|_| {
            let s = seg(&mut rnd, &app_locs, 2, 25);
            let k = rnd.int(1, 3);
            (s, (0..k).map(|_| rnd.below(n_fw)).collect())
        })
        .collect();
    let leaves: Vec<Vec<u64>> = (0..n_leaf).map(|_| seg(&mut rnd, &leaf_locs, 2, 12)).collect();

    let mut out: Vec<u8> = Vec::with_capacity(nsamp * 100);
    let vt = |strs: &mut Strings, t: &str, u: &str| pb::ValueType { r#type: strs.get(t), unit: strs.get(u) };
    let now: i64 = 1_700_000_000_000_000_000 + o.snapshot.unwrap_or(0) as i64 * 60_000_000_000;
    // The in-use values of a snapshot of a series come from a stream of their own.
    let mut vrnd = Rng::new(o.seed ^ (0x9e37_79b9 * (1 + o.snapshot.unwrap_or(0) as u64)));
    encoding::int64::encode(9, &now, &mut out);
    match o.kind {
        Kind::Heap => {
            for (t, u) in [("alloc_objects", "count"), ("alloc_space", "bytes"), ("inuse_objects", "count"), ("inuse_space", "bytes")] {
                encoding::message::encode(1, &vt(&mut strs, t, u), &mut out);
            }
            encoding::message::encode(11, &vt(&mut strs, "space", "bytes"), &mut out);
            encoding::int64::encode(12, &524_288, &mut out);
        }
        Kind::Cpu => {
            encoding::message::encode(1, &vt(&mut strs, "samples", "count"), &mut out);
            encoding::message::encode(1, &vt(&mut strs, "cpu", "nanoseconds"), &mut out);
            encoding::int64::encode(12, &10_000_000, &mut out);
            encoding::message::encode(11, &vt(&mut strs, "cpu", "nanoseconds"), &mut out);
            encoding::int64::encode(10, &30_000_000_000, &mut out);
        }
    }

    let mut emitted_loc = vec![false; locations.len() + 1];
    let mut emitted_fn = vec![false; functions.len() + 1];
    let mut n_loc = 0usize;
    let mut n_fn = 0usize;
    let mut emit_locs = |out: &mut Vec<u8>, ids: &[u64]| {
        for &lid in ids {
            if std::mem::replace(&mut emitted_loc[lid as usize], true) {
                continue;
            }
            n_loc += 1;
            let loc = &locations[lid as usize - 1];
            for l in &loc.line {
                if !std::mem::replace(&mut emitted_fn[l.function_id as usize], true) {
                    n_fn += 1;
                    encoding::message::encode(5, &functions[l.function_id as usize - 1], out);
                }
            }
            encoding::message::encode(4, loc, out);
        }
    };

    let (mut done_l, mut done_a, mut done_f, mut done_r) =
        (vec![false; n_leaf], vec![false; n_app], vec![false; n_fw], vec![false; n_roots]);
    let k_bytes = strs.get("bytes");
    let (mut k_handler, mut k_tenant, mut handlers, mut tenants) = (0, 0, Vec::new(), Vec::new());
    if o.kind == Kind::Cpu {
        k_handler = strs.get("handler");
        k_tenant = strs.get("tenant");
        for _ in 0..40 {
            let (a, b) = (word(&mut rnd), word(&mut rnd));
            handlers.push(strs.get(&format!("/api/v1/{a}/{b}")));
        }
        tenants = (0..20).map(|i| strs.get(&format!("tenant-{i}"))).collect();
    }
    let mut total_depth = 0usize;
    let mut smp = pb::Sample::default();
    for _ in 0..nsamp {
        let mut ai = rnd.below(n_app);
        let fpick = rnd.below(apps[ai].1.len());
        let li = rnd.below(n_leaf);
        // In a series, each leaking leaf is reached through one app path of its own (a leak
        // has a place in the code: the functions that keep the memory).
        if o.snapshot.is_some() && li < 3 {
            ai = li;
        }
        let (app_s, fw_list) = &apps[ai];
        let fi = fw_list[fpick.min(fw_list.len() - 1)];
        let (fw_s, ri) = &fws[fi];
        smp.location_id.clear();
        smp.location_id.extend_from_slice(&leaves[li]);
        smp.location_id.extend_from_slice(app_s);
        smp.location_id.extend_from_slice(fw_s);
        smp.location_id.extend_from_slice(&roots[*ri]);
        // Emit locations/functions the first time a segment is used (Go interleaves them).
        if !std::mem::replace(&mut done_l[li], true) {
            emit_locs(&mut out, &leaves[li]);
        }
        if !std::mem::replace(&mut done_a[ai], true) {
            emit_locs(&mut out, app_s);
        }
        if !std::mem::replace(&mut done_f[fi], true) {
            emit_locs(&mut out, fw_s);
        }
        if !std::mem::replace(&mut done_r[*ri], true) {
            emit_locs(&mut out, &roots[*ri]);
        }
        smp.value.clear();
        smp.label.clear();
        match o.kind {
            Kind::Heap => {
                let mut sz = SIZE_CLASSES[(rnd.expo(0.35) as usize).min(SIZE_CLASSES.len() - 1)];
                if rnd.random() < 0.02 {
                    sz = 32768 * (1 + rnd.below(64) as i64);
                }
                let objs = 1 + rnd.expo(1.0 / 40.0) as i64;
                let mut inuse = if rnd.random() < 0.6 { 0 } else { (objs as f64 * rnd.random()) as i64 };
                if let Some(k) = o.snapshot {
                    inuse = if vrnd.random() < 0.6 { 0 } else { (objs as f64 * vrnd.random()) as i64 };
                    if li < 3 {
                        inuse += k as i64 * (3 - li as i64);
                    }
                }
                smp.value.extend_from_slice(&[objs, objs * sz, inuse, inuse * sz]);
                smp.label.push(pb::Label { key: k_bytes, str: 0, num: sz, num_unit: 0 });
            }
            Kind::Cpu => {
                let n = 1 + rnd.expo(1.0 / 3.0) as i64;
                smp.value.extend_from_slice(&[n, n * 10_000_000]);
                if rnd.random() < 0.25 {
                    let h = handlers[rnd.below(handlers.len())];
                    let t = tenants[rnd.below(tenants.len())];
                    smp.label.push(pb::Label { key: k_handler, str: h, num: 0, num_unit: 0 });
                    smp.label.push(pb::Label { key: k_tenant, str: t, num: 0, num_unit: 0 });
                }
            }
        }
        encoding::message::encode(2, &smp, &mut out);
        total_depth += smp.location_id.len();
    }
    let mapping = pb::Mapping {
        id: 1,
        memory_start: 0x40_0000,
        memory_limit: 0x40_0000 + 64 * locations.len() as u64 + 4096,
        file_offset: 0,
        filename: strs.get("/usr/local/bin/app"),
        build_id: strs.get("3f1c0a9b2e"),
        has_functions: true,
        has_filenames: true,
        has_line_numbers: true,
        has_inline_frames: true,
    };
    encoding::message::encode(3, &mapping, &mut out);
    // String table last, as runtime/pprof writes it.
    for s in &strs.table {
        encoding::bytes::encode(6, s, &mut out);
    }
    Generated {
        raw: out,
        samples: nsamp,
        locations: n_loc,
        functions: n_fn,
        strings: strs.table.len(),
        avg_depth: total_depth as f64 / nsamp as f64,
    }
}

// ------------------------------------------------------------------------------ gzip

/// CRC-32 (IEEE 802.3, reflected, as gzip uses), slicing-by-one with a 256-entry table.
pub fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, e) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *e = c;
        }
        t
    });
    let mut c = !0u32;
    for &b in data {
        c = t[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// One gzip member: 10-byte header (mtime 0, OS unknown), raw deflate, CRC32, ISIZE.
pub fn gzip(raw: &[u8], level: u8) -> Vec<u8> {
    let deflated = miniz_oxide::deflate::compress_to_vec(raw, level);
    let xfl = match level {
        0..=1 => 4,
        9..=10 => 2,
        _ => 0,
    };
    let mut out = Vec::with_capacity(deflated.len() + 18);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 255]);
    out.extend_from_slice(&deflated);
    out.extend_from_slice(&crc32(raw).to_le_bytes());
    out.extend_from_slice(&(raw.len() as u32).to_le_bytes());
    out
}

/// Generates and gzips; returns the gzipped bytes and the summary JSON (without the file).
pub fn generate_gz(o: &Opts) -> (Vec<u8>, Generated) {
    let g = generate(o);
    (gzip(&g.raw, o.level), g)
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

const USAGE: &str = "usage: profgen OUT.pb.gz [--size S|M|L|XL] [--kind heap|cpu] [--samples N] [--seed 1] [--level 6]
       profgen --series N OUTDIR [--samples N] [--seed 1]   (N heap snapshots of one leaking program: OUTDIR/heap-0001.pb.gz …)
       profgen --top FILE [SAMPLE_TYPE]   (profdrop's top table as TSV, to compare with go tool pprof)";

/// `profgen --top FILE [SAMPLE_TYPE]`: decodes FILE with profdrop and prints its top table
/// (`# sample_type=T unit=U total=N rows=R`, then `flat<TAB>cum<TAB>name` rows).
fn top_mode(args: &[String]) -> Result<(), String> {
    let file = args.first().ok_or_else(|| USAGE.to_string())?;
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let p = profdrop::decode::decode(&bytes).map_err(|e| format!("{file}: {e}"))?;
    let st = match args.get(1) {
        Some(t) => p.sample_type_index(t).ok_or_else(|| format!("{file}: no sample type {t:?}"))?,
        None => p.default_sample_type,
    };
    let (rows, total) = profdrop::analysis::top::top_table(&p, st);
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
    let t = &p.sample_types[st];
    let _ = writeln!(w, "# sample_type={} unit={} total={} rows={}", t.name, t.unit, total, rows.len());
    for r in &rows {
        let _ = writeln!(w, "{}\t{}\t{}", r.flat, r.cum, p.functions.names[r.func as usize]);
    }
    Ok(())
}

fn parse_args() -> Result<(String, Opts), String> {
    let mut out = None;
    let mut o = Opts { samples: 0, kind: Kind::Heap, seed: 1, level: 6, snapshot: None };
    let mut size = "M".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if a.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut val = |name: &str| inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        match flag.as_str() {
            "-h" | "--help" => return Err(USAGE.to_string()),
            "--size" => size = val("--size")?,
            "--samples" => o.samples = val("--samples")?.parse().map_err(|e| format!("--samples: {e}"))?,
            "--seed" => o.seed = val("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--level" => {
                o.level = val("--level")?.parse().map_err(|e| format!("--level: {e}"))?;
                if o.level > 10 {
                    return Err("--level: 0..=10".into());
                }
            }
            "--series" => o.snapshot = Some(val("--series")?.parse().map_err(|e| format!("--series: {e}"))?),
            "--kind" => {
                o.kind = match val("--kind")?.as_str() {
                    "heap" => Kind::Heap,
                    "cpu" => Kind::Cpu,
                    k => return Err(format!("--kind: heap or cpu, not {k:?}")),
                }
            }
            f if f.starts_with('-') && f.len() > 1 => return Err(format!("unknown option {f}\n{USAGE}")),
            _ if out.is_none() => out = Some(a),
            _ => return Err(format!("unexpected argument {a:?}\n{USAGE}")),
        }
    }
    let out = out.ok_or_else(|| format!("missing OUT file\n{USAGE}"))?;
    if o.samples == 0 {
        o.samples = size_samples(&size).ok_or_else(|| format!("--size: one of S, M, L, XL, not {size:?}"))?;
    }
    Ok((out, o))
}

#[allow(dead_code)] // unused when this file is compiled into the benches as a module
fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("--top") {
        if let Err(e) = top_mode(&argv[1..]) {
            eprintln!("profgen: {e}");
            std::process::exit(1);
        }
        return;
    }
    let (path, o) = match parse_args() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("profgen: {e}");
            std::process::exit(2);
        }
    };
    let t0 = Instant::now();
    if let Some(n) = o.snapshot {
        // A series: snapshots 1..=n into the directory `path`.
        if let Err(e) = std::fs::create_dir_all(&path) {
            eprintln!("profgen: cannot create {path}: {e}");
            std::process::exit(1);
        }
        let mut bytes = 0;
        for k in 1..=n {
            let (gz, _) = generate_gz(&Opts { snapshot: Some(k), kind: Kind::Heap, ..o.clone() });
            bytes += gz.len();
            let file = format!("{path}/heap-{k:04}.pb.gz");
            if let Err(e) = std::fs::write(&file, &gz) {
                eprintln!("profgen: cannot write {file}: {e}");
                std::process::exit(1);
            }
        }
        println!(
            "{{\"series\": {}, \"snapshots\": {n}, \"samples\": {}, \"seed\": {}, \"gz_bytes\": {bytes}, \"gen_s\": {:.1}}}",
            json_str(&path),
            o.samples,
            o.seed,
            t0.elapsed().as_secs_f64()
        );
        return;
    }
    let (gz, g) = generate_gz(&o);
    let tmp = format!("{path}.tmp");
    if let Err(e) = std::fs::write(&tmp, &gz).and_then(|_| std::fs::rename(&tmp, &path)) {
        eprintln!("profgen: cannot write {path}: {e}");
        std::process::exit(1);
    }
    println!(
        "{{\"file\": {}, \"kind\": \"{}\", \"samples\": {}, \"seed\": {}, \"locations_emitted\": {}, \"functions_emitted\": {}, \"strings\": {}, \"avg_depth\": {:.1}, \"uncompressed_bytes\": {}, \"gz_bytes\": {}, \"gen_s\": {:.1}}}",
        json_str(&path),
        o.kind.as_str(),
        g.samples,
        o.seed,
        g.locations,
        g.functions,
        g.strings,
        g.avg_depth,
        g.raw.len(),
        gz.len(),
        t0.elapsed().as_secs_f64()
    );
}
