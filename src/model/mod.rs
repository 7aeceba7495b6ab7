//! One neutral, columnar, interned profile model that every format decodes into and every
//! view is derived from.
//!
//! Stacks are deduplicated and stored flat (`offsets` + `frames`, leaf first); sample values
//! are one `i64` column per sample type. Frames are function ids at function granularity
//! (pprof's default): same-named functions are one function, a location's inline lines are
//! several frames with `line[0]` leaf-most.

pub mod blocks;
pub mod locations;
pub mod names;
pub mod shared;
pub mod sums;

pub use shared::Shared;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// A sample or period type: `inuse_space` in `bytes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueType {
    /// Type name (`inuse_space`, `cpu`, `goroutine`, …).
    pub name: String,
    /// Unit (`bytes`, `nanoseconds`, `count`, …); empty when the profile gives none.
    pub unit: String,
}

/// Interned function names. A function is identified by its raw name bytes, as pprof does.
#[derive(Clone, Debug, Default)]
pub struct Functions {
    /// Display name: the raw bytes decoded as UTF-8, invalid sequences replaced by U+FFFD.
    pub names: Vec<String>,
    /// Raw name bytes (the identity).
    pub raw: Vec<Box<[u8]>>,
    /// Source file of the first function seen with this name, may be empty.
    pub files: Vec<String>,
    index: FxHashMap<Box<[u8]>, u32>,
}

impl Functions {
    /// Interns a function by raw name, returning its id.
    pub fn intern(&mut self, raw: &[u8], file: &[u8]) -> u32 {
        if let Some(&id) = self.index.get(raw) {
            return id;
        }
        let id = self.raw.len() as u32;
        self.names.push(String::from_utf8_lossy(raw).into_owned());
        self.files.push(String::from_utf8_lossy(file).into_owned());
        self.raw.push(raw.into());
        self.index.insert(raw.into(), id);
        id
    }
    /// Looks a function up by raw name.
    pub fn get(&self, raw: &[u8]) -> Option<u32> {
        self.index.get(raw).copied()
    }
    /// Number of functions.
    pub fn len(&self) -> usize {
        self.raw.len()
    }
    /// True when there are no functions.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

/// Deduplicated stacks stored flat: stack `i` is `frames[offsets[i]..offsets[i+1]]`, leaf first.
/// The dedup index holds only stack ids (compared against `frames`), not copies of stacks.
/// The two columns are [`Shared`]: profiles whose stacks are the same (snapshots of one
/// program) can hold one copy (see [`Stacks::share_with`]).
#[derive(Clone, Debug)]
pub struct Stacks {
    /// Start offsets, one more than the number of stacks.
    pub offsets: Shared<u32>,
    /// Function ids, leaf first within each stack.
    pub frames: Shared<u32>,
    index: hashbrown::HashTable<u32>,
}

impl Default for Stacks {
    fn default() -> Self {
        Stacks { offsets: vec![0].into(), frames: Shared::default(), index: hashbrown::HashTable::new() }
    }
}

fn hash_frames(frames: &[u32]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    frames.hash(&mut h);
    h.finish()
}

/// Stack `id` of `frames`, given the stacks' `offsets`.
fn stack<'a>(offsets: &[u32], frames: &'a [u32], id: u32) -> &'a [u32] {
    &frames[offsets[id as usize] as usize..offsets[id as usize + 1] as usize]
}

impl Stacks {
    /// Reserves room for `stacks` more stacks of `frames` frames in all, so that interning
    /// them neither regrows the vectors nor rehashes the index. Both are allocated now:
    /// callers bound them by what their input holds and by the decode limits.
    pub fn reserve(&mut self, stacks: usize, frames: usize) {
        self.offsets.reserve_exact(stacks);
        self.frames.reserve_exact(frames);
        let (offsets, all) = (&self.offsets, &self.frames);
        self.index.reserve(stacks, |&id| hash_frames(stack(offsets, all, id)));
    }
    /// Interns a stack (leaf first), returning its id.
    pub fn intern(&mut self, frames: &[u32]) -> u32 {
        let h = hash_frames(frames);
        if let Some(id) = self.find(h, frames) {
            return id;
        }
        self.frames.extend_from_slice(frames);
        self.add_last(h)
    }
    /// Interns the stack whose frames (leaf first) were pushed onto `frames` after the last
    /// stack, returning its id; for a stack seen before they are popped again. Builders
    /// expand straight into `frames` this way, without a buffer.
    pub fn intern_pending(&mut self) -> u32 {
        let start = *self.offsets.last().expect("offsets starts with 0") as usize;
        let Stacks { offsets, frames, index } = self;
        let new = &frames[start..];
        let h = hash_frames(new);
        // One probe finds the stack or the slot for it (most stacks of a big heap profile
        // are new, and each probe is a cache miss).
        match index.entry(h, |&id| stack(offsets, frames, id) == new, |&id| hash_frames(stack(offsets, frames, id))) {
            hashbrown::hash_table::Entry::Occupied(e) => {
                let id = *e.get();
                frames.truncate(start);
                id
            }
            hashbrown::hash_table::Entry::Vacant(v) => {
                let id = (offsets.len() - 1) as u32;
                v.insert(id);
                offsets.push(frames.len() as u32);
                id
            }
        }
    }
    /// The id of the stack with these frames (hashing to `h`), if it is known.
    fn find(&self, h: u64, frames: &[u32]) -> Option<u32> {
        self.index.find(h, |&id| stack(&self.offsets, &self.frames, id) == frames).copied()
    }
    /// Makes the frames after the last stack (hashing to `h`) a new stack.
    fn add_last(&mut self, h: u64) -> u32 {
        let id = (self.offsets.len() - 1) as u32;
        self.offsets.push(self.frames.len() as u32);
        let (offsets, all) = (&self.offsets, &self.frames);
        self.index.insert_unique(h, id, |&id| hash_frames(stack(offsets, all, id)));
        id
    }
    /// The frames of stack `id`, leaf first.
    #[inline]
    pub fn get(&self, id: u32) -> &[u32] {
        let i = id as usize;
        &self.frames[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
    /// Number of distinct stacks.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }
    /// True when there are no stacks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Holds `other`'s columns instead of its own when the two are the same stacks (equal
    /// content): snapshots of one program often are, and then a long series keeps one copy.
    /// Nothing a reader sees changes. True when they are (now) shared.
    pub fn share_with(&mut self, other: &Stacks) -> bool {
        if self.shares(other) {
            return true;
        }
        // Lengths first: most profiles that differ differ in those.
        if self.offsets.len() != other.offsets.len() || self.frames.len() != other.frames.len() {
            return false;
        }
        if *self.offsets != *other.offsets || *self.frames != *other.frames {
            return false;
        }
        self.offsets = other.offsets.clone();
        self.frames = other.frames.clone();
        true
    }
    /// Do the two hold the same columns (one copy, not only equal content)?
    pub fn shares(&self, other: &Stacks) -> bool {
        self.frames.same(&other.frames) && self.offsets.same(&other.offsets)
    }
    /// The first `k` stacks (same ids), with their dedup index, to intern more stacks into.
    pub fn prefix(&self, k: usize) -> Stacks {
        let offsets: Vec<u32> = self.offsets[..=k].to_vec();
        let frames: Vec<u32> = self.frames[..offsets[k] as usize].to_vec();
        let mut index = hashbrown::HashTable::with_capacity(k);
        for id in 0..k as u32 {
            let h = hash_frames(stack(&offsets, &frames, id));
            index.insert_unique(h, id, |&id| hash_frames(stack(&offsets, &frames, id)));
        }
        Stacks { offsets: offsets.into(), frames: frames.into(), index }
    }
    /// Drops the dedup index once building is over (saves memory), and gives back spare
    /// capacity unless there is little: a shrink may move (copy) the vector, which is not
    /// worth it after a reservation that was (nearly) exact.
    pub fn seal(&mut self) {
        self.index = hashbrown::HashTable::new();
        // (Only a shrink writes: shared columns are not copied for nothing.)
        fn trim(v: &mut Shared<u32>) {
            if v.capacity() - v.len() > v.len() / 32 {
                v.shrink_to_fit();
            }
        }
        trim(&mut self.frames);
        trim(&mut self.offsets);
    }
}

/// One sample label.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    /// Key.
    pub key: String,
    /// String value, when the label is a string label.
    pub str: Option<String>,
    /// Numeric value (0 for string labels).
    pub num: i64,
    /// Unit of the numeric value, may be empty.
    pub unit: String,
}

/// Deduplicated label sets; set 0 is the empty set.
#[derive(Clone, Debug)]
pub struct LabelSets {
    /// Label sets.
    pub sets: Vec<Vec<Label>>,
    index: FxHashMap<Vec<Label>, u32>,
}

impl Default for LabelSets {
    fn default() -> Self {
        let mut index = FxHashMap::default();
        index.insert(Vec::new(), 0);
        LabelSets { sets: vec![Vec::new()], index }
    }
}

impl LabelSets {
    /// Interns a label set.
    pub fn intern(&mut self, set: Vec<Label>) -> u32 {
        if let Some(&id) = self.index.get(&set) {
            return id;
        }
        let id = self.sets.len() as u32;
        self.sets.push(set.clone());
        self.index.insert(set, id);
        id
    }
    /// Drops the dedup index.
    pub fn seal(&mut self) {
        self.index = FxHashMap::default();
    }
}

/// What kind of text a goroutine came from, with details only `debug=2` dumps carry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoroutineInfo {
    /// Wait reason or state, e.g. `chan receive`.
    pub state: String,
    /// Minutes blocked, when the dump says.
    pub minutes: Option<u32>,
    /// `created by` function, when the dump says.
    pub created_by: Option<String>,
}

/// A decoded profile.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    /// Sample types, in file order.
    pub sample_types: Vec<ValueType>,
    /// Index of the default sample type (pprof's rule).
    pub default_sample_type: usize,
    /// Period type.
    pub period_type: Option<ValueType>,
    /// Sampling period.
    pub period: i64,
    /// Collection time (ns since the epoch), 0 if unknown.
    pub time_nanos: i64,
    /// Collection duration (ns), 0 if unknown.
    pub duration_nanos: i64,
    /// Comments.
    pub comments: Vec<String>,
    /// Documentation URL.
    pub doc_url: String,
    /// `drop_frames` regex as given (already applied at decode time).
    pub drop_frames: String,
    /// `keep_frames` regex as given (already applied at decode time).
    pub keep_frames: String,
    /// Functions.
    pub functions: Functions,
    /// Deduplicated stacks.
    pub stacks: Stacks,
    /// Stack id per sample.
    pub sample_stack: Vec<u32>,
    /// Values: `values[sample_type][sample]`.
    pub values: Vec<Vec<i64>>,
    /// Label set id per sample.
    pub sample_labels: Vec<u32>,
    /// Label sets.
    pub label_sets: LabelSets,
    /// Per-sample goroutine details (only from `debug=2` text dumps), else empty.
    pub goroutines: Vec<GoroutineInfo>,
    /// A short name of the source format, e.g. `pprof protobuf (gzip)`.
    pub format: String,
    /// The main binary: the first mapping's file name and build id, when the profile has
    /// mappings (it tells which program a profile comes from).
    pub main_binary: Option<(String, String)>,
    /// flat and cum per function for one sample type, summed while the model was built.
    pub top_cache: Option<TopCache>,
    /// pprof's locations (addresses, lines, files), made when first needed: see
    /// [`Profile::locations`].
    pub locations: locations::LocationCell,
}

/// flat and cum per function id for one sample type, summed by the decoder while it
/// expanded each sample (the frames are in cache then): the first table a load shows needs
/// no second pass over every frame. Only used while the profile still has the shape it had
/// when the sums were made.
#[derive(Clone, Debug, Default)]
pub struct TopCache {
    /// The sample type summed.
    pub sample_type: usize,
    /// Value of samples whose leaf is the function.
    pub flat: Vec<i64>,
    /// Value of samples whose stack holds the function (once per sample).
    pub cum: Vec<i64>,
    /// Samples, stacks and functions when the sums were made.
    pub shape: (usize, usize, usize),
}

impl Profile {
    /// The profile's shape as [`TopCache::shape`] records it.
    pub fn shape(&self) -> (usize, usize, usize) {
        (self.sample_stack.len(), self.stacks.len(), self.functions.len())
    }

    /// Sum of values per distinct stack for one sample type (samples with the same stack
    /// merge).
    pub fn stack_values(&self, sample_type: usize) -> Vec<i64> {
        let mut out = vec![0i64; self.stacks.len()];
        for (s, &v) in self.sample_stack.iter().zip(&self.values[sample_type]) {
            out[*s as usize] = out[*s as usize].wrapping_add(v);
        }
        out
    }

    /// pprof's locations of this profile, made the first time they are asked for (from what
    /// the decoder kept, else from the function stacks).
    pub fn locations(&self) -> std::sync::Arc<locations::Locations> {
        self.locations.get_or_make(|| locations::Locations::from_functions(self))
    }

    /// Which frames of each sample were inlined (made once, without the locations when the
    /// decoder's arrays tell).
    pub fn inline_marks(&self) -> std::sync::Arc<locations::InlineMarks> {
        let stack_len = |i: usize| self.stacks.get(self.sample_stack[i]).len();
        self.locations.inline_marks(self.num_samples(), &stack_len, || self.locations())
    }

    /// Number of samples.
    pub fn num_samples(&self) -> usize {
        self.sample_stack.len()
    }
    /// pprof's total for a sample type: sum of |value| over all samples.
    pub fn total(&self, sample_type: usize) -> i64 {
        self.values[sample_type].iter().map(|v| v.wrapping_abs()).fold(0i64, |a, b| a.wrapping_add(b))
    }
    /// Index of a sample type by name.
    pub fn sample_type_index(&self, name: &str) -> Option<usize> {
        self.sample_types.iter().position(|t| t.name == name)
    }
    /// A rough guess of what kind of profile this is, for defaults and wording.
    pub fn kind(&self) -> ProfileKind {
        let has = |n: &str| self.sample_types.iter().any(|t| t.name == n);
        if has("inuse_space") || has("alloc_space") {
            ProfileKind::Heap
        } else if has("goroutine") {
            ProfileKind::Goroutine
        } else if has("cpu") {
            ProfileKind::Cpu
        } else if has("contentions") || has("delay") {
            ProfileKind::Contention
        } else {
            ProfileKind::Other
        }
    }
}

/// Broad profile kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfileKind {
    /// Heap / allocs.
    Heap,
    /// Goroutine.
    Goroutine,
    /// CPU.
    Cpu,
    /// Mutex / block.
    Contention,
    /// Anything else.
    Other,
}

/// Is this sample type a point-in-time quantity (subtraction means growth) rather than a
/// cumulative counter?
pub fn is_point_in_time(sample_type: &str) -> bool {
    sample_type.starts_with("inuse_") || sample_type == "goroutine" || sample_type == "threadcreate"
}
