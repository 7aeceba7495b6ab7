//! The top table of a profile that is still streaming in: flat/cum summed sample by sample
//! as the pieces arrive, so the table can be shown as soon as the stream ends, before the
//! model (deduplicated stacks, the flame graph's input) is built.
//!
//! Go writes each location (with its functions) before the first sample that uses it, but
//! the strings only come at the very end. So frames are counted under *slots*: a function's
//! name as an index into the string table still to come (functions of one name share it),
//! or a mapping for frames without a function. They are named at the end, and the sums are
//! only used when naming changes nothing: every slot gets its own name, as the model would
//! intern them, the default sample type is the one summed, and nothing is pruned
//! (`drop_frames`). Otherwise there is no preview and the table comes with the model, as it
//! always did.

use super::names::{string, unsymbolized};
use super::raw::{LocIds, RawProfile};
use crate::model::sums::FlatCum;
use crate::model::{Functions, Profile};

/// Largest location or function id kept in a dense table; a file with larger ids gets no
/// preview (Go's ids count from 1).
const MAX_ID: u64 = 1 << 24;
/// Most sample types summed when the default one is not known until the end.
const MAX_TYPES: usize = 16;
/// A location id not seen yet.
const NO: u32 = u32::MAX;
/// Marks a location of several slots in [`TopSums::loc`].
const MULTI: u32 = 1 << 31;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    /// Lines of functions with this name (a string index).
    Name(i64),
    /// A location with no lines, or a line without a function, in this mapping.
    Mapping(u64),
}

/// Sums of a streaming profile, fed from the columns the stream parser fills.
#[derive(Default)]
pub struct TopSums {
    /// Something this preview cannot follow was seen: no preview.
    dead: bool,
    /// The sample types summed: the last (pprof's default when the profile names none) or,
    /// when the profile names one, all (fixed by the first sample).
    types: Vec<usize>,
    /// Functions read so far, and by function id: (name, file) string indices.
    functions: usize,
    func: Vec<(i64, i64)>,
    /// Locations registered so far.
    locations: usize,
    /// By location id: its slot, or ([`MULTI`] set) where its slots are in `multi`, as
    /// their count and then the slots ([`NO`]: not seen). One load for most locations.
    loc: Vec<u32>,
    multi: Vec<u32>,
    /// By name string index: slot + 1 (0: none yet).
    name_slot: Vec<u32>,
    /// Mapping id → slot (a handful).
    map_slot: Vec<(u64, u32)>,
    /// Per slot: what it counts, and the file string index of its first function.
    keys: Vec<(Key, i64)>,
    /// Samples summed so far.
    done: usize,
    /// flat/cum per slot and sample type summed.
    sums: FlatCum,
    /// Per sample type summed: sum of |value| (pprof's total).
    total: Vec<i64>,
}

/// A top table ready before the model: the profile's header with its functions named,
/// and flat/cum of the default sample type per function.
#[derive(Debug)]
pub struct Preview {
    /// Sample types, period, comments… and the functions, as the model will have them (but
    /// numbered differently).
    pub header: Profile,
    /// Number of samples.
    pub samples: usize,
    /// Flat of the default sample type, per function id of `header.functions`.
    pub flat: Vec<i64>,
    /// Cum, likewise.
    pub cum: Vec<i64>,
    /// pprof's total of the default sample type.
    pub total: i64,
}

/// The slots of a location, from its entry in [`TopSums::loc`].
#[inline(always)]
fn slots_of<'a>(e: &'a u32, multi: &'a [u32]) -> &'a [u32] {
    if e & MULTI == 0 {
        std::slice::from_ref(e)
    } else {
        let at = (e & !MULTI) as usize;
        &multi[at + 1..at + 1 + multi[at] as usize]
    }
}

impl TopSums {
    /// Sums for a new stream.
    pub fn new() -> TopSums {
        TopSums::default()
    }

    /// Takes in what the parser has read since the last call: new functions and locations,
    /// then every new sample whose locations are all known (the rest wait for the next call).
    pub fn advance(&mut self, raw: &RawProfile<'_>) {
        if self.dead {
            return;
        }
        self.register(raw);
        self.sum(raw);
    }

    fn slot(&mut self, key: Key, file: i64) -> u32 {
        let found = match key {
            Key::Name(i) => match self.name_slot.get(i as usize) {
                Some(&s) if s != 0 => Some(s - 1),
                _ => None,
            },
            Key::Mapping(id) => self.map_slot.iter().find(|m| m.0 == id).map(|m| m.1),
        };
        if let Some(s) = found {
            return s;
        }
        let s = self.keys.len() as u32;
        self.keys.push((key, file));
        match key {
            Key::Name(i) => {
                let i = i as usize;
                if self.name_slot.len() <= i {
                    self.name_slot.resize(i + 1, 0);
                }
                self.name_slot[i] = s + 1;
            }
            Key::Mapping(id) => self.map_slot.push((id, s)),
        }
        s
    }

    /// Registers new functions, then new locations up to the first whose functions have not
    /// come yet (Go writes them just after the location).
    ///
    /// (This, `sum` and its two loops are separate functions, not inlined into `advance`: a
    /// browser compiles each hot WebAssembly function again with its optimising tier while
    /// the file loads, and small functions take it far less time.)
    #[inline(never)]
    fn register(&mut self, raw: &RawProfile<'_>) {
        for &(id, name, file) in &raw.functions[self.functions..] {
            if id >= MAX_ID || !(0..MAX_ID as i64).contains(&name) {
                self.dead = true;
                return;
            }
            let id = id as usize;
            if self.func.len() <= id {
                self.func.resize(id + 1, (-1, 0));
            }
            // (A duplicate id: the model refuses the file, the preview is never shown.)
            self.func[id] = (name, file);
        }
        self.functions = raw.functions.len();
        let mut slots = Vec::new();
        while self.locations < raw.locations.len() {
            let i = self.locations;
            let l = raw.locations[i];
            let lines = &raw.lines[raw.line_off[i] as usize..raw.line_off[i + 1] as usize];
            if lines.iter().any(|&(f, _)| f >= MAX_ID) {
                self.dead = true;
                return;
            }
            if lines.iter().any(|&(f, _)| f != 0 && self.func.get(f as usize).is_none_or(|x| x.0 < 0)) {
                return;
            }
            self.locations += 1;
            if l.id == 0 {
                // Never referenced (the model ignores id 0 too).
                continue;
            }
            if l.id >= MAX_ID || self.map_slot.len() > 4096 || self.multi.len() >= MULTI as usize / 2 {
                self.dead = true;
                return;
            }
            slots.clear();
            if lines.is_empty() {
                slots.push(self.slot(Key::Mapping(l.mapping_id), 0));
            }
            for &(f, _) in lines {
                let s = if f == 0 {
                    self.slot(Key::Mapping(l.mapping_id), 0)
                } else {
                    let (name, file) = self.func[f as usize];
                    self.slot(Key::Name(name), file)
                };
                slots.push(s);
            }
            let id = l.id as usize;
            if self.loc.len() <= id {
                self.loc.resize(id + 1, NO);
            }
            if self.loc[id] != NO {
                // A duplicate id: the model refuses the file.
                self.dead = true;
                return;
            }
            self.loc[id] = if slots.len() == 1 {
                slots[0]
            } else {
                let at = self.multi.len() as u32 | MULTI;
                self.multi.push(slots.len() as u32);
                self.multi.extend_from_slice(&slots);
                at
            };
        }
    }

    #[inline(never)]
    fn sum(&mut self, raw: &RawProfile<'_>) {
        let n = raw.num_samples();
        let nt = raw.sample_type.len();
        if self.types.is_empty() {
            if n == self.done {
                return;
            }
            if nt == 0 || nt > MAX_TYPES {
                self.dead = true;
                return;
            }
            self.types = if raw.default_sample_type == 0 { vec![nt - 1] } else { (0..nt).collect() };
            self.total = vec![0; self.types.len()];
            self.sums = FlatCum::new(0, self.types.len());
        }
        let w = self.types.len();
        // (Sample types or the default named after the first sample: not followed.)
        if (w == 1 && (self.types[0] != nt - 1 || raw.default_sample_type != 0)) || (w > 1 && w != nt) {
            self.dead = true;
            return;
        }
        self.sums.grow(self.keys.len());
        // `w` is 1 for most profiles: a call of its own lets the compiler specialise it.
        match (&raw.locs, w) {
            (LocIds::Short(ids), 1) => self.sum_one_type(raw, ids, n),
            (LocIds::Narrow(ids), 1) => self.sum_one_type(raw, ids, n),
            (LocIds::Short(ids), _) => self.sum_types(raw, ids, n, w),
            (LocIds::Narrow(ids), _) => self.sum_types(raw, ids, n, w),
            (LocIds::Wide(_), _) => self.dead = true,
        }
    }

    #[inline(never)]
    fn sum_one_type<T: Copy + Into<u32>>(&mut self, raw: &RawProfile<'_>, ids: &[T], n: usize) {
        self.sum_samples(raw, ids, n, 1);
    }

    #[inline(never)]
    fn sum_types<T: Copy + Into<u32>>(&mut self, raw: &RawProfile<'_>, ids: &[T], n: usize, w: usize) {
        self.sum_samples(raw, ids, n, w);
    }

    /// Sums samples from `done` on, `w` sample types each.
    #[inline(always)]
    fn sum_samples<T: Copy + Into<u32>>(&mut self, raw: &RawProfile<'_>, ids: &[T], n: usize, w: usize) {
        let TopSums { loc, multi, sums, total, done, dead, types, .. } = self;
        let mut sums = sums.parts();
        let nt = raw.sample_type.len();
        let mut v = [0i64; MAX_TYPES];
        while *done < n {
            let si = *done;
            let values = &raw.values[raw.val_off[si] as usize..raw.val_off[si + 1] as usize];
            if values.len() != nt {
                *dead = true;
                return;
            }
            let v = &mut v[..w];
            for (x, &t) in v.iter_mut().zip(types.iter()) {
                *x = values[t];
            }
            if v.iter().all(|&x| x == 0) {
                // Adds nothing (a missing location in it is the model's to report).
                *done += 1;
                continue;
            }
            let stamp = si as i64;
            let refs = &ids[raw.loc_off[si] as usize..raw.loc_off[si + 1] as usize];
            let mut missing = None;
            for (k, &id) in refs.iter().enumerate() {
                let Some(e) = loc.get(id.into() as usize).copied().filter(|&e| e != NO) else {
                    missing = Some(k);
                    break;
                };
                let slots = slots_of(&e, multi);
                if k == 0 {
                    sums.leaf(slots[0], v, 1);
                }
                for &s in slots {
                    sums.frame(s, stamp, v);
                }
            }
            if let Some(upto) = missing {
                // A location still to come: take this sample back out and wait for it.
                for (k, &id) in refs[..upto].iter().enumerate() {
                    let slots = slots_of(&loc[id.into() as usize], multi);
                    if k == 0 {
                        sums.leaf(slots[0], v, -1);
                    }
                    for &s in slots {
                        sums.unframe(s, stamp, v);
                    }
                }
                return;
            }
            for (t, &x) in total.iter_mut().zip(v.iter()) {
                *t = t.wrapping_add(x.wrapping_abs());
            }
            *done += 1;
        }
    }

    /// The stream has ended: the preview, if the sums name cleanly (see the module) and
    /// most of them were made while the stream came in (when samples came before their
    /// locations, summing them all now would only delay the model, which sums them too).
    pub fn finish(mut self, raw: &RawProfile<'_>, header: Profile) -> Option<Preview> {
        let n = raw.num_samples();
        if self.dead || n - self.done.min(n) > n / 4 + 1024 || !header.drop_frames.is_empty() {
            return None;
        }
        self.advance(raw);
        if self.dead || self.done != n {
            return None;
        }
        let s = |i: i64| string(&raw.strings, i, &String::new).ok();
        // (Duplicate function ids: the model refuses the file.)
        let mut ids = rustc_hash::FxHashSet::default();
        if !raw.functions.iter().all(|f| ids.insert(f.0)) {
            return None;
        }
        let mut header = header;
        let mut functions = Functions::default();
        let mut pseudo = Vec::new();
        for (slot, &(key, file)) in self.keys.iter().enumerate() {
            let (name, file): (&[u8], &[u8]) = match key {
                Key::Name(name) => {
                    let (name, file) = (s(name)?, s(file)?);
                    if name.is_empty() {
                        // Named after the location's mapping, which differs per location.
                        return None;
                    }
                    (name, &file[..file.len().min(1024)])
                }
                Key::Mapping(id) => {
                    let mut file: &[u8] = b"";
                    if id != 0 {
                        for &(mid, f) in &raw.mappings {
                            if mid == id {
                                file = s(f)?;
                                break;
                            }
                        }
                    }
                    unsymbolized(file, &mut pseudo);
                    (&pseudo[..], b"")
                }
            };
            if functions.intern(name, file) as usize != slot {
                // Two slots, one name: a stack holding both would count it twice.
                return None;
            }
        }
        // The sample type summed must be the default (a profile that names its default
        // has all of them summed).
        let j = self.types.iter().position(|&t| t == header.default_sample_type)?;
        let (flat, cum) = (self.sums.flat(j), self.sums.cum(j));
        header.functions = functions;
        Some(Preview { header, samples: n, flat, cum, total: self.total[j] })
    }
}
