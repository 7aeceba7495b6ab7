//! pprof's legacy formats, read as `go tool pprof` reads them (google/pprof
//! `profile/legacy_profile.go` and `legacy_java_profile.go`): what every legacy parser shares.
//!
//! A parser (`legacy_text` for the text formats, `legacy_cpu` for the binary CPU profiles)
//! fills a [`Legacy`]: sample types, one value row and one address list per sample, the
//! symbols a Java profile carries and the memory map the file ends with. [`Legacy::finish`]
//! then does what pprof does after parsing: it gives each address its mapping (pprof's
//! `massageMappings` and `remapMappingIDs`, with the fake mapping for addresses no mapping
//! holds), prunes the frames the profile's `drop_frames` names, and builds the model, each
//! frame named as `go tool pprof -symbolize=none` names it: the function of a symbolized
//! (Java) frame, else `[<basename of the mapping file>]`, else `<unknown>`. A record with no
//! address counts in the totals and in no function.

use super::error::{DecodeError, Limits};
use super::names::unsymbolized;
use crate::model::locations::{LocationCell, Locations, NO_INDEX};
use crate::model::names::simplify_func;
use crate::model::{Label, Profile, ValueType};
use regex_lite::Regex;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// A mapping of the memory map (`start-end … file`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Mapping {
    pub start: u64,
    pub limit: u64,
    pub offset: u64,
    pub file: String,
    pub build_id: String,
}

/// One distinct address of the profile (pprof's `Location`).
#[derive(Clone, Debug)]
struct Loc {
    address: u64,
    /// The function a Java symbol table names for it.
    func: Option<u32>,
    /// Index in the final mapping list.
    mapping: Option<usize>,
    /// The line number the symbol table gives (0: none).
    line: i64,
}

/// A legacy profile as its parser read it, before pprof's post-processing.
pub(super) struct Legacy {
    pub sample_types: Vec<ValueType>,
    pub period_type: Option<ValueType>,
    pub period: i64,
    pub duration_nanos: i64,
    /// A short name of the format, for the profile's `format`.
    pub format: String,
    /// Values, `sample_types.len()` per sample, sample after sample.
    values: Vec<i64>,
    /// Per sample: its locations are `sample_locs[sample_off[i]..sample_off[i + 1]]`, leaf
    /// first.
    sample_off: Vec<usize>,
    sample_locs: Vec<u32>,
    /// Per sample: pprof's `bytes` numeric label (heap profiles: the block size).
    bytes_label: Vec<Option<i64>>,
    locs: Vec<Loc>,
    by_address: FxHashMap<u64, u32>,
    /// Java symbol names, by function id.
    func_names: Vec<String>,
    func_files: Vec<String>,
    func_by_name: FxHashMap<String, u32>,
    pub mappings: Vec<Mapping>,
    /// pprof's `drop_frames` for this kind of profile (applied to named frames only).
    pub drop_frames: &'static str,
    /// pprof's `keep_frames`.
    pub keep_frames: &'static str,
    limits: Limits,
    frames: usize,
}

impl Legacy {
    /// An empty profile of these sample types.
    pub fn new(sample_types: Vec<ValueType>, format: &str, limits: &Limits) -> Legacy {
        Legacy {
            sample_types,
            period_type: None,
            period: 0,
            duration_nanos: 0,
            format: format.into(),
            values: Vec::new(),
            sample_off: vec![0],
            sample_locs: Vec::new(),
            bytes_label: Vec::new(),
            locs: Vec::new(),
            by_address: FxHashMap::default(),
            func_names: Vec::new(),
            func_files: Vec::new(),
            func_by_name: FxHashMap::default(),
            mappings: Vec::new(),
            drop_frames: "",
            keep_frames: "",
            limits: *limits,
            frames: 0,
        }
    }

    /// Number of samples so far.
    pub fn num_samples(&self) -> usize {
        self.sample_off.len() - 1
    }

    /// Adds a sample: its values (as many as there are sample types) and its addresses,
    /// leaf first (pprof's locations are one per distinct address).
    pub fn add_sample(&mut self, values: &[i64], addrs: &[u64], bytes_label: Option<i64>) -> Result<(), DecodeError> {
        if values.len() != self.sample_types.len() {
            return Err(DecodeError::Malformed(format!(
                "a sample has {} values but the profile has {} sample types",
                values.len(),
                self.sample_types.len()
            )));
        }
        if self.num_samples() >= self.limits.max_entries {
            return Err(DecodeError::Limit { what: "number of samples".into(), limit: self.limits.max_entries });
        }
        if addrs.len() > self.limits.max_stack_depth {
            return Err(DecodeError::Limit { what: "stack depth".into(), limit: self.limits.max_stack_depth });
        }
        self.frames += addrs.len();
        if self.frames > self.limits.max_total_frames {
            return Err(DecodeError::Limit { what: "frames over all samples".into(), limit: self.limits.max_total_frames });
        }
        self.values.extend_from_slice(values);
        for &a in addrs {
            let id = self.location(a)?;
            self.sample_locs.push(id);
        }
        self.sample_off.push(self.sample_locs.len());
        self.bytes_label.push(bytes_label);
        Ok(())
    }

    /// The location of an address (made on first sight).
    fn location(&mut self, address: u64) -> Result<u32, DecodeError> {
        if let Some(&id) = self.by_address.get(&address) {
            return Ok(id);
        }
        if self.locs.len() >= self.limits.max_entries {
            return Err(DecodeError::Limit { what: "number of distinct addresses".into(), limit: self.limits.max_entries });
        }
        let id = self.locs.len() as u32;
        self.locs.push(Loc { address, func: None, mapping: None, line: 0 });
        self.by_address.insert(address, id);
        Ok(id)
    }

    /// The address of each sample's second frame (its caller's call site), if it has one.
    pub fn second_frames(&self) -> Vec<Option<u64>> {
        (0..self.num_samples())
            .map(|i| {
                let locs = &self.sample_locs[self.sample_off[i]..self.sample_off[i + 1]];
                (locs.len() > 1).then(|| self.locs[locs[1] as usize].address)
            })
            .collect()
    }

    /// Removes from each sample the frame `drop` picks from its addresses (leaf first), if it
    /// picks one (pprof edits its samples in place; done here in one pass).
    pub fn remove_frames_where(&mut self, mut drop: impl FnMut(&[u64]) -> Option<usize>) {
        let mut out = Vec::with_capacity(self.sample_locs.len());
        let mut off = vec![0usize];
        let mut addrs = Vec::new();
        for i in 0..self.num_samples() {
            let locs = &self.sample_locs[self.sample_off[i]..self.sample_off[i + 1]];
            addrs.clear();
            addrs.extend(locs.iter().map(|&l| self.locs[l as usize].address));
            let drop = drop(&addrs);
            for (j, &l) in locs.iter().enumerate() {
                if Some(j) != drop {
                    out.push(l);
                }
            }
            off.push(out.len());
        }
        self.sample_locs = out;
        self.sample_off = off;
    }

    /// Java symbols: the location at `address` (if a sample uses it) is the function `name`
    /// in `file`; its address is then forgotten, as pprof's Java parser does.
    pub fn symbolize(&mut self, address: u64, name: &str, file: &str, line: i64) -> Result<(), DecodeError> {
        let Some(&loc) = self.by_address.get(&address) else { return Ok(()) };
        let f = match self.func_by_name.get(name) {
            Some(&f) => f,
            None => {
                if self.func_names.len() >= self.limits.max_entries {
                    return Err(DecodeError::Limit { what: "number of functions".into(), limit: self.limits.max_entries });
                }
                let f = self.func_names.len() as u32;
                self.func_names.push(name.to_string());
                self.func_files.push(file.to_string());
                self.func_by_name.insert(name.to_string(), f);
                f
            }
        };
        let l = &mut self.locs[loc as usize];
        l.func = Some(f);
        l.address = 0;
        l.line = line;
        Ok(())
    }

    /// pprof's `massageMappings` and `remapMappingIDs`: merges split mappings, moves the
    /// main binary first, then gives each location with an address the mapping that holds
    /// it (or a fake one without a file).
    fn attach_mappings(&mut self) {
        let mut maps = std::mem::take(&mut self.mappings);
        // Merge adjacent regions with matching names.
        if maps.len() > 1 {
            let mut merged: Vec<Mapping> = vec![maps[0].clone()];
            for m in maps.into_iter().skip(1) {
                let lm = merged.last_mut().expect("one mapping at least");
                if adjacent(lm, &m) {
                    lm.limit = m.limit;
                    if !m.file.is_empty() {
                        lm.file = m.file;
                    }
                    if !m.build_id.is_empty() {
                        lm.build_id = m.build_id;
                    }
                    continue;
                }
                merged.push(m);
            }
            maps = merged;
        }
        // The main binary first.
        for i in 0..maps.len() {
            let file = maps[i].file.replace("(deleted)", "");
            let file = file.trim();
            if file.is_empty() || is_library(file) || file.starts_with('[') {
                continue;
            }
            maps.swap(0, i);
            break;
        }
        // remapMappingIDs.
        if maps.len() > 1 && maps[0].file.starts_with("/anon_hugepage") && maps[0].limit == maps[1].start {
            maps.remove(0);
        }
        if let Some(m) = maps.first_mut() {
            if m.start.wrapping_sub(m.offset) == 0x400000 {
                m.start = 0x400000;
                m.offset = 0;
            }
        }
        let mut fake: Option<usize> = None;
        'next: for l in &mut self.locs {
            let a = l.address;
            if l.mapping.is_some() || a == 0 {
                continue;
            }
            for (i, m) in maps.iter().enumerate() {
                if m.start <= a && a < m.limit {
                    l.mapping = Some(i);
                    continue 'next;
                }
            }
            for (i, m) in maps.iter_mut().enumerate() {
                if m.offset != 0 && m.start.wrapping_sub(m.offset) <= a && a < m.start {
                    m.start = m.start.wrapping_sub(m.offset);
                    m.offset = 0;
                    l.mapping = Some(i);
                    continue 'next;
                }
            }
            let f = *fake.get_or_insert_with(|| {
                maps.push(Mapping { limit: u64::MAX, ..Mapping::default() });
                maps.len() - 1
            });
            l.mapping = Some(f);
        }
        self.mappings = maps;
    }

    /// pprof's `Prune` with the profile's `drop_frames`/`keep_frames`, on the frames that
    /// have a function name (Java's; the others have none while unsymbolized).
    fn prune(&mut self) -> Result<(), DecodeError> {
        if self.drop_frames.is_empty() || self.func_names.is_empty() {
            return Ok(());
        }
        let drop = anchored(self.drop_frames);
        let keep = (!self.keep_frames.is_empty()).then(|| anchored(self.keep_frames));
        let dropped: Vec<bool> = self
            .func_names
            .iter()
            .map(|n| {
                let s = simplify_func(n);
                !n.is_empty() && drop.is_match(s) && !keep.as_ref().is_some_and(|k| k.is_match(s))
            })
            .collect();
        if !dropped.iter().any(|&d| d) {
            return Ok(());
        }
        let pruned: Vec<bool> = self.locs.iter().map(|l| l.func.is_some_and(|f| dropped[f as usize])).collect();
        let mut out = Vec::with_capacity(self.sample_locs.len());
        let mut off = vec![0usize];
        for i in 0..self.num_samples() {
            let locs = &self.sample_locs[self.sample_off[i]..self.sample_off[i + 1]];
            // From the root: frames before the first user frame stay; the first pruned frame
            // after it goes, with everything beneath it.
            let mut from = 0;
            let mut user = false;
            for j in (0..locs.len()).rev() {
                if !pruned[locs[j] as usize] {
                    user = true;
                    continue;
                }
                if user {
                    from = j + 1;
                    break;
                }
            }
            out.extend_from_slice(&locs[from..]);
            off.push(out.len());
        }
        self.sample_locs = out;
        self.sample_off = off;
        Ok(())
    }

    /// pprof's post-processing, then the model.
    pub fn finish(mut self) -> Result<Profile, DecodeError> {
        self.attach_mappings();
        self.prune()?;
        let n_types = self.sample_types.len();
        let n = self.num_samples();
        let mut p = Profile {
            default_sample_type: n_types.saturating_sub(1),
            period_type: self.period_type.take(),
            period: self.period,
            duration_nanos: self.duration_nanos,
            values: vec![Vec::with_capacity(n); n_types],
            format: std::mem::take(&mut self.format),
            ..Default::default()
        };
        p.sample_types = std::mem::take(&mut self.sample_types);
        // Function id per location, named as pprof names it.
        let mut name = Vec::new();
        let loc_func: Vec<u32> = self
            .locs
            .iter()
            .map(|l| match l.func {
                Some(f) => p.functions.intern(self.func_names[f as usize].as_bytes(), self.func_files[f as usize].as_bytes()),
                None => {
                    let file = l.mapping.map(|m| self.mappings[m].file.as_bytes()).unwrap_or(b"");
                    unsymbolized(file, &mut name);
                    p.functions.intern(&name, b"")
                }
            })
            .collect();
        let mut frames = Vec::new();
        for i in 0..n {
            frames.clear();
            frames.extend(self.sample_locs[self.sample_off[i]..self.sample_off[i + 1]].iter().map(|&l| loc_func[l as usize]));
            let st = p.stacks.intern(&frames);
            p.sample_stack.push(st);
            for (t, col) in p.values.iter_mut().enumerate() {
                col.push(self.values[i * n_types + t]);
            }
            let labels = match self.bytes_label[i] {
                Some(b) => p.label_sets.intern(vec![Label { key: "bytes".into(), str: None, num: b, unit: String::new() }]),
                None => 0,
            };
            p.sample_labels.push(labels);
        }
        p.stacks.seal();
        p.label_sets.seal();
        p.locations = LocationCell::made(self.locations());
        Ok(p)
    }

    /// pprof's locations of the profile (after mapping and pruning): addresses and their
    /// mappings, and for a Java frame its one line (function, line number).
    fn locations(&self) -> Locations {
        let n = self.locs.len();
        let mut l = Locations {
            sample_off: self.sample_off.iter().map(|&o| o as u32).collect(),
            sample_locs: self.sample_locs.clone(),
            address: self.locs.iter().map(|x| x.address).collect(),
            mapping: self.locs.iter().map(|x| x.mapping.map_or(NO_INDEX, |m| m as u32)).collect(),
            line_off: Vec::with_capacity(n + 1),
            func_name: self.func_names.clone(),
            func_system_name: self.func_names.clone(),
            func_file: self.func_files.clone(),
            func_start_line: vec![0; self.func_names.len()],
            mapping_file: self.mappings.iter().map(|m| m.file.clone()).collect(),
            mapping_build_id: self.mappings.iter().map(|m| m.build_id.clone()).collect(),
            ..Default::default()
        };
        l.line_off.push(0);
        for x in &self.locs {
            if let Some(f) = x.func {
                l.line_func.push(f);
                l.line_no.push(x.line);
            }
            l.line_off.push(l.line_func.len() as u32);
        }
        l
    }
}

/// A regex compiled once per process (the legacy parsers' regexes are pprof's, fixed).
pub(super) fn cached(cell: &'static OnceLock<Regex>, rx: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(rx).expect("pprof's regexes compile"))
}

/// One of the legacy `drop_frames`/`keep_frames` constants, anchored as pprof compiles
/// them, once per process.
fn anchored(rx: &'static str) -> &'static Regex {
    static CELLS: [OnceLock<Regex>; 4] = [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let i = [ALLOC_RX, ALLOC_SKIP_RX, CPU_PROFILER_RX, LOCK_RX].iter().position(|&k| k == rx).expect("a legacy frame regex");
    CELLS[i].get_or_init(|| Regex::new(&format!("^({rx})$")).expect("pprof's frame regexes compile"))
}

/// pprof's `adjacent`: two entries of one mapping split in two.
fn adjacent(m1: &Mapping, m2: &Mapping) -> bool {
    if !m1.file.is_empty() && !m2.file.is_empty() && m1.file != m2.file {
        return false;
    }
    if !m1.build_id.is_empty() && !m2.build_id.is_empty() && m1.build_id != m2.build_id {
        return false;
    }
    if m1.limit != m2.start {
        return false;
    }
    if m1.offset != 0 && m2.offset != 0 {
        let offset = m1.offset.wrapping_add(m1.limit.wrapping_sub(m1.start));
        if offset != m2.offset {
            return false;
        }
    }
    true
}

/// pprof's `libRx`: `([.]so$|[.]so[._][0-9]+)`.
fn is_library(file: &str) -> bool {
    if file.ends_with(".so") {
        return true;
    }
    let b = file.as_bytes();
    b.windows(4)
        .enumerate()
        .any(|(i, w)| &w[..3] == b".so" && (w[3] == b'.' || w[3] == b'_') && b.get(i + 4).is_some_and(u8::is_ascii_digit))
}

/// pprof's `scaleHeapSample`: un-samples a heap record taken at `rate` bytes on average
/// (Poisson sampling: a block of size S is recorded with probability 1 - e^(-S/rate)).
pub(super) fn scale_heap_sample(count: i64, size: i64, rate: i64) -> (i64, i64) {
    if count == 0 || size == 0 {
        return (0, 0);
    }
    if rate <= 1 {
        return (count, size);
    }
    let avg = size as f64 / count as f64;
    let scale = 1.0 / (1.0 - (-avg / rate as f64).exp());
    (go_int64(count as f64 * scale), go_int64(size as f64 * scale))
}

/// Go's `int64(f)` as the oracle's amd64 build computes it: truncation toward zero, and
/// i64::MIN for NaN or a value out of range (Rust's `as` saturates instead).
pub(super) fn go_int64(f: f64) -> i64 {
    if f.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// pprof's memory-map sentinels: the samples end and the memory map begins.
pub(super) fn is_memory_map_sentinel(line: &str) -> bool {
    line.contains("--- Memory map: ---") || line.contains("MAPPED_LIBRARIES:")
}

/// The mapping regexes of pprof (`procMapsRE`, `briefMapsRE`) and its glog prefix.
pub(super) struct MapParser {
    proc_maps: &'static Regex,
    brief_maps: &'static Regex,
    log_info: &'static Regex,
    attrs: Vec<(String, String)>,
}

impl MapParser {
    pub fn new() -> MapParser {
        let c_hex = r"(?:0x)?([[:xdigit:]]+)";
        let c_hex_range = format!(r"\s*{c_hex}[\s-]?\s*{c_hex}:?");
        let c_perm = r"(?:\s+([-rwxp]+))?";
        let proc = format!(r"^{c_hex_range}{c_perm}(?:\s+([[:xdigit:]]+))?\s+[[:xdigit:]]+:[[:xdigit:]]+\s+[[:digit:]]+(?:\s+(\S+))?");
        let brief = format!(r"^{c_hex_range}{c_perm}(?:\s+(\S+))?(?:\s+\(@([[:xdigit:]]+)\))?(?:\s+([[:xdigit:]]+))?");
        static PROC: OnceLock<Regex> = OnceLock::new();
        static BRIEF: OnceLock<Regex> = OnceLock::new();
        static LOG: OnceLock<Regex> = OnceLock::new();
        MapParser {
            proc_maps: cached(&PROC, &proc),
            brief_maps: cached(&BRIEF, &brief),
            log_info: cached(&LOG, r"^[^\[\]]+:[0-9]+]\s"),
            attrs: Vec::new(),
        }
    }

    /// One line of the memory map (pprof's `parseProcMapsFromScanner` loop body): a mapping
    /// is added to `out`; `name=value` lines define `$name` for the lines after them; other
    /// lines are ignored.
    pub fn line(&mut self, raw: &str, out: &mut Vec<Mapping>, limits: &Limits) -> Result<(), DecodeError> {
        // (The glog prefix ends with `]`: no regex search on a line without one.)
        let line = match raw.contains(']').then(|| self.log_info.find(raw)).flatten() {
            Some(m) => &raw[m.end()..],
            None => raw,
        };
        let line = self.replace(line);
        match self.entry(&line) {
            Some(Some(m)) => {
                if out.len() >= limits.max_entries {
                    return Err(DecodeError::Limit { what: "number of mappings".into(), limit: limits.max_entries });
                }
                out.push(m);
            }
            Some(None) => {}
            None => {
                if let Some((k, v)) = line.split_once('=') {
                    if self.attrs.len() < 1024 {
                        self.attrs.push((format!("${}", k.trim()), v.trim().to_string()));
                    }
                }
            }
        }
        Ok(())
    }

    /// Go's `strings.NewReplacer(attrs...)`: at each position the first pair (in order)
    /// whose name matches there is replaced; the text put in is not scanned again.
    fn replace(&self, line: &str) -> String {
        if self.attrs.is_empty() {
            return line.to_string();
        }
        let mut out = String::with_capacity(line.len());
        let mut i = 0;
        'outer: while i < line.len() {
            for (k, v) in &self.attrs {
                if !k.is_empty() && line[i..].starts_with(k.as_str()) {
                    out.push_str(v);
                    i += k.len();
                    continue 'outer;
                }
            }
            let c = line[i..].chars().next().expect("inside the line");
            out.push(c);
            i += c.len_utf8();
        }
        out
    }

    /// pprof's `parseMappingEntry`: `None` when the line is no mapping, `Some(None)` for a
    /// mapping that is not executable.
    fn entry(&self, l: &str) -> Option<Option<Mapping>> {
        let (start, end, perm, offset, file, build_id);
        if let Some([s, e, p, o, f]) = proc_maps_line(l) {
            (start, end, perm, offset, file, build_id) = (s, e, p, o, f, "");
        } else if let Some(c) = self.proc_maps.captures(l) {
            let g = |i| c.get(i).map_or("", |m| m.as_str());
            (start, end, perm, offset, file, build_id) = (g(1), g(2), g(3), g(4), g(5), "");
        } else if let Some(c) = self.brief_maps.captures(l) {
            let g = |i| c.get(i).map_or("", |m| m.as_str());
            (start, end, perm, file, offset, build_id) = (g(1), g(2), g(3), g(4), g(5), g(6));
        } else {
            return None;
        }
        if !perm.is_empty() && !perm.contains('x') {
            return Some(None);
        }
        let start = u64::from_str_radix(start, 16).ok()?;
        let limit = u64::from_str_radix(end, 16).ok()?;
        let offset = if offset.is_empty() { 0 } else { u64::from_str_radix(offset, 16).ok()? };
        Some(Some(Mapping { start, limit, offset, file: file.to_string(), build_id: build_id.to_string() }))
    }
}

/// The common shape of a /proc/self/maps line, `START-END PERMS OFFSET MAJ:MIN INODE [FILE]`
/// (hex without `0x`), read without a regex: for such a line `procMapsRE` captures exactly
/// these fields (each of its greedy parts takes a whole token, and every part matches), so
/// the result is the regex's; any other line is left to the regexes. (regex-lite's
/// PikeVM spends ~1 ms on a map line of 100 bytes under the fuzzer's instrumentation, and
/// a C++ CPU profile ends with hundreds of them.)
fn proc_maps_line(l: &str) -> Option<[&str; 5]> {
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_hexdigit());
    let mut t = l.split_ascii_whitespace();
    let (start, end) = t.next()?.split_once('-')?;
    let perm = t.next()?;
    let offset = t.next()?;
    let (maj, min) = t.next()?.split_once(':')?;
    let inode = t.next()?;
    let file = t.next().unwrap_or("");
    let perm_ok = perm.bytes().all(|c| b"-rwxp".contains(&c));
    let inode_ok = !inode.is_empty() && inode.bytes().all(|c| c.is_ascii_digit());
    (hex(start) && hex(end) && perm_ok && hex(offset) && hex(maj) && hex(min) && inode_ok).then_some([start, end, perm, offset, file])
}

/// pprof's Java symbol lines: `0xADDR function (file:line)`, `0xADDR function (path)`,
/// `0xADDR … generated stub/JIT …`, or `0xADDR name` (`GC`, `VM`, …).
pub(super) struct JavaSymbols {
    location: &'static Regex,
    file_line: &'static Regex,
    path: &'static Regex,
}

impl JavaSymbols {
    pub fn new() -> JavaSymbols {
        static LOCATION: OnceLock<Regex> = OnceLock::new();
        static FILE_LINE: OnceLock<Regex> = OnceLock::new();
        static PATH: OnceLock<Regex> = OnceLock::new();
        JavaSymbols {
            location: cached(&LOCATION, r"^\s*0x([[:xdigit:]]+)\s+(.*)\s*$"),
            file_line: cached(&FILE_LINE, r"^(.*)\s+\((.+):(-?[[:digit:]]+)\)$"),
            path: cached(&PATH, r"^(.*)\s+\((.*)\)$"),
        }
    }

    /// Reads the symbol table (pprof's `parseJavaLocations`) into `p`.
    pub fn read(&self, text: &str, p: &mut Legacy) -> Result<(), DecodeError> {
        for line in text.split('\n') {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let Some(c) = self.location.captures(line) else { continue };
            let hex = c.get(1).map_or("", |m| m.as_str());
            let rest = c.get(2).map_or("", |m| m.as_str());
            let Ok(addr) = u64::from_str_radix(hex, 16) else {
                return Err(DecodeError::Malformed(format!("Java symbol address 0x{} is not a 64-bit number", clip(hex))));
            };
            let (func, file, line) = if let Some(fl) = self.file_line.captures(rest) {
                let n = fl[3].parse::<i64>().ok().filter(|&n| n > 0).unwrap_or(0);
                (fl[1].to_string(), fl[2].to_string(), n)
            } else if let Some(fp) = self.path.captures(rest) {
                (fp[1].to_string(), String::from_utf8_lossy(crate::model::names::basename(fp[2].as_bytes())).into_owned(), 0)
            } else if rest.contains("generated stub/JIT") {
                ("STUB".to_string(), String::new(), 0)
            } else {
                (rest.to_string(), String::new(), 0)
            };
            p.symbolize(addr, &func, &file, line)?;
        }
        Ok(())
    }
}

/// A piece of input as an error message quotes it: at most 60 characters, control
/// characters shown as U+FFFD.
pub(super) fn clip(s: &str) -> String {
    let c: String = s.chars().take(60).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
    if s.chars().count() > 60 {
        format!("{c}…")
    } else {
        c
    }
}

/// pprof's `drop_frames` for heap profiles (`allocRxStr`).
pub(super) const ALLOC_RX: &str = concat!(
    r"calloc|cfree|malloc|free|memalign|do_memalign|(__)?posix_memalign|pvalloc|valloc|realloc|",
    r"tcmalloc::.*|tc_calloc|tc_cfree|tc_malloc|tc_free|tc_memalign|tc_posix_memalign|tc_pvalloc|tc_valloc|tc_realloc|",
    r"tc_new|tc_delete|tc_newarray|tc_deletearray|tc_new_nothrow|tc_newarray_nothrow|",
    r"malloc_zone_malloc|malloc_zone_calloc|malloc_zone_valloc|malloc_zone_realloc|malloc_zone_memalign|malloc_zone_free|",
    r"runtime\..*|",
    r"BaseArena::.*|(::)?do_malloc_no_errno|(::)?do_malloc_pages|(::)?do_malloc|DoSampledAllocation|",
    r"MallocedMemBlock::MallocedMemBlock|_M_allocate|__builtin_(vec_)?delete|__builtin_(vec_)?new|",
    r"__gnu_cxx::new_allocator::allocate|__libc_malloc|__malloc_alloc_template::allocate|allocate|cpp_alloc|",
    r"operator new(\[\])?|simple_alloc::allocate"
);

/// pprof's `keep_frames` for heap profiles (`allocSkipRxStr`).
pub(super) const ALLOC_SKIP_RX: &str = r"runtime\.panic|runtime\.reflectcall|runtime\.call[0-9]*";

/// pprof's `drop_frames` for CPU profiles (`cpuProfilerRxStr`).
pub(super) const CPU_PROFILER_RX: &str =
    r"ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|__pthread_sighandler|__restore";

/// pprof's `drop_frames` for contention profiles (`lockRxStr`).
pub(super) const LOCK_RX: &str = concat!(
    r"RecordLockProfileData|(base::)?RecordLockProfileData.*|(base::)?SubmitMutexProfileData.*|",
    r"(base::)?SubmitSpinLockProfileData.*|(base::Mutex::)?AwaitCommon.*|(base::Mutex::)?Unlock.*|",
    r"(base::Mutex::)?UnlockSlow.*|(base::Mutex::)?ReaderUnlock.*|(base::MutexLock::)?~MutexLock.*|",
    r"(Mutex::)?AwaitCommon.*|(Mutex::)?Unlock.*|(Mutex::)?UnlockSlow.*|(Mutex::)?ReaderUnlock.*|",
    r"(MutexLock::)?~MutexLock.*|(SpinLock::)?Unlock.*|(SpinLock::)?SlowUnlock.*|(SpinLockHolder::)?~SpinLockHolder.*"
);

/// pprof's `addLegacyFrameInfo`: which frames a legacy profile drops, by its sample types.
pub(super) fn frame_info(p: &mut Legacy) {
    let names: Vec<&str> = p.sample_types.iter().map(|t| t.name.as_str()).collect();
    let heap: [&[&str]; 5] = [
        &["allocations", "size"],
        &["objects", "space"],
        &["inuse_objects", "inuse_space"],
        &["alloc_objects", "alloc_space"],
        &["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"],
    ];
    if heap.contains(&names.as_slice()) {
        (p.drop_frames, p.keep_frames) = (ALLOC_RX, ALLOC_SKIP_RX);
    } else if names == ["contentions", "delay"] {
        (p.drop_frames, p.keep_frames) = (LOCK_RX, "");
    } else {
        (p.drop_frames, p.keep_frames) = (CPU_PROFILER_RX, "");
    }
}

/// A sample type.
pub(super) fn vt(name: &str, unit: &str) -> ValueType {
    ValueType { name: name.into(), unit: unit.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_heap_sample_is_pprofs() {
        // One 512 KiB block at a 512 KiB rate: recorded with probability 1 - 1/e.
        let (c, s) = scale_heap_sample(1, 524288, 524288);
        let scale = 1.0 / (1.0 - (-1.0f64).exp());
        assert_eq!((c, s), (scale as i64, (524288.0 * scale) as i64));
        assert_eq!(scale_heap_sample(0, 0, 524288), (0, 0));
        assert_eq!(scale_heap_sample(3, 30, 1), (3, 30));
    }

    #[test]
    fn simplify_func_cuts_the_argument_list() {
        assert_eq!(simplify_func("foo(int)"), "foo");
        assert_eq!(simplify_func(".foo"), "foo");
        assert_eq!(simplify_func("(anonymous namespace)::f(int)"), "(anonymous namespace)::f");
        assert_eq!(simplify_func("A::operator()(int)"), "A::operator()");
        // Found by the fuzzer: a multi-byte character before the argument list.
        assert_eq!(simplify_func("f\u{fffd}\u{fffd}(x)"), "f\u{fffd}\u{fffd}");
    }

    #[test]
    fn memory_map_lines_as_pprof_reads_them() {
        let mut mp = MapParser::new();
        let mut out = Vec::new();
        let l = Limits::default();
        for line in [
            "00400000-00fcb000 r-xp 00000000 00:00 21306940    cppbench_server_main",
            "00fcb000-00ffe000 rw-p 00bca000 00:00 21306940    cppbench_server_main",
            "source=/home",
            "  7f47a4b73000-7f47a4d21000: $source/libc-2.15.so",
            "garbage",
        ] {
            mp.line(line, &mut out, &l).unwrap();
        }
        assert_eq!(out.len(), 2, "{out:?}");
        // The regex-free reading of a /proc/self/maps line captures what procMapsRE does.
        for line in [
            "00400000-00fcb000 r-xp 00000000 00:00 21306940    cppbench_server_main",
            "7f5e53883000-7f5e53a31000 r-xp 00000000 00:00 7517        /lib/libc-2.15.so",
            "  00400000-00500000 r-xp 00000000 08:01 1234",
            "02468000-0c000000 rw-p 00000000 00:00 0           [heap] trailing words",
        ] {
            let c = mp.proc_maps.captures(line).expect("procMapsRE matches");
            let g = |i| c.get(i).map_or("", |m| m.as_str());
            assert_eq!(proc_maps_line(line), Some([g(1), g(2), g(3), g(4), g(5)]), "{line}");
        }
        assert_eq!(proc_maps_line("0x400000-0x500000 r-xp 0 00:00 1 x"), None);
        assert_eq!((out[0].start, out[0].limit, out[0].file.as_str()), (0x400000, 0xfcb000, "cppbench_server_main"));
        assert_eq!(out[1].file, "/home/libc-2.15.so");
        assert!(is_library("/lib/libc-2.15.so") && is_library("x.so") && is_library("libfoo.so.6"));
        assert!(!is_library("/bin/server"));
    }
}
