//! pprof protobuf → model: reference checks, pprof's `drop_frames`/`keep_frames` pruning,
//! inline expansion and stack deduplication.

use super::error::{DecodeError, Limits, Progress, Stage};
use super::names::{string, unsymbolized, UNKNOWN};
use super::preview::{Preview, TopSums};
use super::raw::{self, RawProfile};
use super::series::{Follow, SeriesLink, Template};
use crate::model::locations::{InlineMarks, LocationCell, LocationSource, Locations, NO_INDEX};
use crate::model::names::simplify_func;
use crate::model::sums::FlatCum;
use crate::model::{Label, Profile, ValueType};
use rustc_hash::FxHashMap;

/// Id → value lookup that is a plain vector when ids are dense (the usual case). Built as
/// id → index ([`IdMap::build`]); [`IdMap::map`] derives other values for the same ids.
enum IdMap<V = u32> {
    Dense(Vec<V>),
    Sparse(FxHashMap<u64, V>),
}

const NONE: u32 = u32::MAX;

/// A value an [`IdMap`] holds, with one value kept to mean "no such id" in a dense map.
trait Slot: Copy + Eq {
    const NONE: Self;
}

impl Slot for u32 {
    const NONE: u32 = NONE;
}

impl Slot for u64 {
    const NONE: u64 = u64::MAX;
}

impl IdMap {
    fn build(ids: impl Iterator<Item = u64> + Clone, n: usize, what: &str) -> Result<IdMap, DecodeError> {
        let max = ids.clone().max().unwrap_or(0);
        let mut map = if max <= (n as u64).saturating_mul(4) + 64 {
            IdMap::Dense(vec![NONE; max as usize + 1])
        } else {
            IdMap::Sparse(FxHashMap::default())
        };
        for (i, id) in ids.enumerate() {
            if id == 0 {
                // pprof reserves id 0; a zero id cannot be referenced, so it is ignored.
                continue;
            }
            let dup = match &mut map {
                IdMap::Dense(v) => std::mem::replace(&mut v[id as usize], i as u32) != NONE,
                IdMap::Sparse(m) => m.insert(id, i as u32).is_some(),
            };
            if dup {
                return Err(DecodeError::Malformed(format!("duplicate {what} id {id}")));
            }
        }
        Ok(map)
    }
    /// The index of an id.
    #[inline(always)]
    fn get(&self, id: u64) -> Option<usize> {
        self.value(id).map(|i| i as usize)
    }
}

impl<V: Slot> IdMap<V> {
    #[inline(always)]
    fn value(&self, id: u64) -> Option<V> {
        if id == 0 {
            return None;
        }
        let v = match self {
            // (`try_from`: on 32-bit targets `as usize` would wrap a large id onto a small one.)
            IdMap::Dense(v) => *v.get(usize::try_from(id).ok()?)?,
            IdMap::Sparse(m) => *m.get(&id)?,
        };
        (v != V::NONE).then_some(v)
    }
    /// The same ids, each mapped to `f(value)`.
    fn map<W: Slot>(&self, f: impl Fn(V) -> W) -> IdMap<W> {
        match self {
            IdMap::Dense(v) => IdMap::Dense(v.iter().map(|&x| if x == V::NONE { W::NONE } else { f(x) }).collect()),
            IdMap::Sparse(m) => IdMap::Sparse(m.iter().map(|(&id, &x)| (id, f(x))).collect()),
        }
    }
}

/// A location's frames packed so that the sample loop finds them with one lookup by id:
/// `len << 32 | x`, where `x` is the frame itself when there is one (most locations) and
/// else where they start in `loc_frames`.
fn pack_location(loc_frames: &[u32], start: u32, end: u32) -> u64 {
    let len = end - start;
    let x = if len == 1 { loc_frames[start as usize] } else { start };
    (len as u64) << 32 | x as u64
}

/// Appends a location's frames, packed by [`pack_location`], to a stack being built.
#[inline(always)]
fn push_location(frames: &mut Vec<u32>, loc_frames: &[u32], packed: u64) {
    let (len, x) = ((packed >> 32) as usize, packed as u32);
    if len == 1 {
        frames.push(x);
    } else {
        frames.extend_from_slice(&loc_frames[x as usize..x as usize + len]);
    }
}

/// Expands one sample's location ids (16- or 32-bit) through a dense packed map onto `frames`.
/// False, with nothing pushed, when an id is missing or the stack is too deep: the general
/// loop then does it again and reports which.
#[inline(always)]
fn expand_dense<T: Copy + Into<u32>>(
    ids: &[T],
    packed: &[u64],
    loc_frames: &[u32],
    frames: &mut Vec<u32>,
    start: usize,
    max_depth: usize,
) -> bool {
    for &id in ids {
        let id: u32 = id.into();
        let p = match packed.get(id as usize) {
            Some(&p) if p != u64::MAX && id != 0 => p,
            _ => {
                frames.truncate(start);
                return false;
            }
        };
        push_location(frames, loc_frames, p);
        if frames.len() - start > max_depth {
            frames.truncate(start);
            return false;
        }
    }
    true
}

/// Samples whose frames are counted exactly to estimate the frames of all of them.
const PROBE_SAMPLES: usize = 4096;

/// Frames of the first samples (before pruning) per location reference, as seen: how many
/// frames a reference expands to on average. A pass over every reference to count them
/// exactly cost a quarter of the model build in wasm; an estimate only decides how much to
/// reserve.
fn frames_per_ref<T: Copy + Into<u64>>(ids: &[T], off: &[u32], packed: &IdMap<u64>) -> f64 {
    let n = (off.len().saturating_sub(1)).min(PROBE_SAMPLES);
    let refs = &ids[..off[n] as usize];
    let frames: usize = refs.iter().map(|&id| packed.value(id.into()).map_or(0, |p| (p >> 32) as usize)).sum();
    if refs.is_empty() {
        1.0
    } else {
        frames as f64 / refs.len() as f64
    }
}

/// Reserves the frames of the distinct stacks as samples are added: the storage then
/// rarely regrows by doubling (a copy, and in wasm memory that stays grown), yet does not
/// take what repeated stacks will not need.
///
/// The samples still to add give the frames to come (their frames as if no stack repeated,
/// estimated from their location references); the share of the frames added so far that
/// made new stacks tells how much of that will be used. When the room left might not take
/// the next sample, that much and a quarter more is reserved (but at least half the frames
/// so far, so that a bad guess costs few regrowths). Profiles whose stacks are nearly all
/// distinct, like large heap profiles, so get all they need once a sixteenth of their
/// samples are in.
struct FrameBudget {
    /// Frames still to come, estimated: the estimate less the frames of the samples added.
    left: usize,
    /// Frames of the samples added, repeated stacks included.
    added: usize,
    /// Most frames ever needed: past the limit decoding fails (once the stack is in).
    most: usize,
}

impl FrameBudget {
    fn new(estimate: usize, limits: &Limits) -> FrameBudget {
        let most = limits.max_total_frames.saturating_add(limits.max_stack_depth);
        FrameBudget { left: estimate, added: 0, most }
    }
    /// Frames to reserve at first: a sixteenth of the estimate, enough to see how often
    /// stacks repeat.
    fn first(&self) -> usize {
        (self.left / 16).min(self.most)
    }
    /// Makes sure there is room for a sample of at most `need` frames.
    #[inline]
    fn ensure(&self, frames: &mut Vec<u32>, need: usize) {
        if frames.capacity() - frames.len() < need {
            self.grow(frames, need);
        }
    }
    /// Reserves what the samples still to add are expected to need.
    #[cold]
    fn grow(&self, frames: &mut Vec<u32>, need: usize) {
        let new_share = if self.added == 0 { 1.0 } else { frames.len() as f64 / self.added as f64 };
        let guess = ((self.left as f64 * new_share * 1.25) as usize).min(self.left);
        let want = guess.max(frames.len() / 2).max(need);
        frames.reserve_exact(want.min(self.most.saturating_sub(frames.len())).max(need));
    }
    /// Counts a sample's frames as added.
    fn add(&mut self, frames: usize) {
        self.added += frames;
        self.left = self.left.saturating_sub(frames);
    }
}

/// Builds the model from a profile read by [`raw::StreamParser`]. When the top sums made
/// while it streamed give a [`Preview`], `on_preview` has it before the model is built.
pub fn decode_streamed(
    parser: raw::StreamParser,
    sums: Option<TopSums>,
    gzip: bool,
    limits: &Limits,
    progress: &mut dyn Progress,
    on_preview: &mut dyn FnMut(&Preview),
    link: &mut SeriesLink,
) -> Result<Profile, DecodeError> {
    let (raw, text, ends) = parser.finish()?;
    let mut raw: RawProfile<'_> = raw;
    raw.strings = raw::strings(&text, &ends);
    let mut p = decode_raw(&raw, gzip, limits, progress, on_preview, sums, link)?;
    // What makes the locations later: the arrays without what the model now holds.
    let raw = raw.detach();
    let (drop_frames, keep_frames) = (p.drop_frames.clone(), p.keep_frames.clone());
    let arrays = std::sync::Mutex::new(Some(KeptArrays { raw, text, ends }));
    p.locations = LocationCell::new(std::sync::Arc::new(Kept { arrays, drop_frames, keep_frames }));
    Ok(p)
}

fn decode_raw(
    raw: &RawProfile<'_>,
    gzip: bool,
    limits: &Limits,
    progress: &mut dyn Progress,
    on_preview: &mut dyn FnMut(&Preview),
    sums: Option<TopSums>,
    link: &mut SeriesLink,
) -> Result<Profile, DecodeError> {
    let preview = sums.and_then(|sums| {
        let mut h = header(raw).ok()?;
        if gzip {
            h.format.push_str(" (gzip)");
        }
        sums.finish(raw, h)
    });
    if let Some(pv) = &preview {
        on_preview(pv);
    }
    if !progress.report(Stage::Building, 0.0) {
        return Err(DecodeError::Cancelled);
    }
    build(raw, limits, progress, preview.as_ref(), link)
}

/// The same, through prost's generated decoder (the reference; used to cross-check).
#[cfg(feature = "reference")]
pub fn decode_prost(bytes: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    use prost::Message;
    let pb = super::pb::Profile::decode(bytes).map_err(|e| DecodeError::Protobuf { offset: None, what: e.to_string() })?;
    build(&raw::from_prost(&pb), limits, &mut super::error::NoProgress, None, &mut SeriesLink::default())
}

/// The profile's header: everything but its functions and samples (sample types, period,
/// comments, pruning regexes…), with the model's checks on it.
pub(super) fn header(pb: &RawProfile<'_>) -> Result<Profile, DecodeError> {
    let s = |i: i64, what: &dyn Fn() -> String| string(&pb.strings, i, what);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();

    let n = pb.num_samples();
    if pb.sample_type.is_empty() {
        if n == 0 {
            return Err(DecodeError::NotAProfile("no sample types and no samples".into()));
        }
        return Err(DecodeError::Malformed("samples have values but the profile declares no sample types".into()));
    }
    let mut sample_types = Vec::with_capacity(pb.sample_type.len());
    for (i, &(t, u)) in pb.sample_type.iter().enumerate() {
        sample_types
            .push(ValueType { name: text(s(t, &|| format!("sample type {i}"))?), unit: text(s(u, &|| format!("sample type {i} unit"))?) });
    }
    let default_name = text(s(pb.default_sample_type, &|| "default_sample_type".into())?);
    let default_sample_type = if default_name.is_empty() {
        sample_types.len() - 1
    } else {
        sample_types.iter().position(|t| t.name == default_name).unwrap_or(sample_types.len() - 1)
    };
    let period_type = match pb.period_type {
        Some((t, u)) => Some(ValueType { name: text(s(t, &|| "period type".into())?), unit: text(s(u, &|| "period type unit".into())?) }),
        None => None,
    };
    // Comments are shown, not analysed: at most 64 KB of them are kept.
    let mut comments = Vec::new();
    let mut comment_bytes = 0usize;
    for &c in &pb.comments {
        let t = s(c, &|| "comment".into())?;
        comment_bytes += t.len();
        if comment_bytes > 64 << 10 {
            comments.push("… (more comments omitted)".to_string());
            break;
        }
        comments.push(text(t));
    }
    let drop_frames = text(s(pb.drop_frames, &|| "drop_frames".into())?);
    let keep_frames = text(s(pb.keep_frames, &|| "keep_frames".into())?);
    let doc_url = text(s(pb.doc_url, &|| "doc_url".into())?);
    let main_binary = match pb.mappings.first() {
        Some(&(id, file)) => {
            let build = pb.mapping_build_ids.first().copied().unwrap_or(0);
            Some((text(s(file, &|| format!("mapping {id}"))?), text(s(build, &|| format!("mapping {id} build id"))?)))
        }
        None => None,
    };

    Ok(Profile {
        sample_types,
        default_sample_type,
        period_type,
        period: pb.period,
        time_nanos: pb.time_nanos,
        duration_nanos: pb.duration_nanos,
        comments,
        doc_url,
        drop_frames,
        keep_frames,
        main_binary,
        format: "pprof protobuf".into(),
        ..Default::default()
    })
}

/// Builds the model. With the `known` top sums of a [`Preview`] (of the same default sample
/// type) the first top table is taken from them instead of summed again. `link`: the
/// template of the previous file to follow (see `decode::series`), and whether to make one.
fn build(
    pb: &RawProfile<'_>,
    limits: &Limits,
    progress: &mut dyn Progress,
    known: Option<&Preview>,
    link: &mut SeriesLink,
) -> Result<Profile, DecodeError> {
    let mut prof = header(pb)?;
    let s = |i: i64, what: &dyn Fn() -> String| string(&pb.strings, i, what);
    let n = pb.num_samples();
    let (drop_frames, keep_frames) = (prof.drop_frames.clone(), prof.keep_frames.clone());

    // Mappings: id → basename of the file, for naming frames without a function.
    let mapping_ids = IdMap::build(pb.mappings.iter().map(|m| m.0), pb.mappings.len(), "mapping")?;
    // Frames without a function are named after the mapping's file, `[libc.so.6]`; the name
    // is interned once per mapping, when first needed.
    let mut mapping_file: Vec<&[u8]> = Vec::with_capacity(pb.mappings.len());
    for &(id, filename) in &pb.mappings {
        mapping_file.push(s(filename, &|| format!("mapping {id}"))?);
    }
    let mut mapping_func: Vec<u32> = vec![NONE; pb.mappings.len()];
    let mut unknown_func = NONE;

    // Functions: pb index → (name bytes, file bytes).
    let func_ids = IdMap::build(pb.functions.iter().map(|f| f.0), pb.functions.len(), "function")?;
    let mut func_names: Vec<&[u8]> = Vec::with_capacity(pb.functions.len());
    let mut func_files: Vec<&[u8]> = Vec::with_capacity(pb.functions.len());
    for &(id, name, file) in &pb.functions {
        func_names.push(s(name, &|| format!("function {id}"))?);
        func_files.push(s(file, &|| format!("function {id}"))?);
    }
    // Model function id per pb function, interned lazily (only functions that are used).
    let mut model_func: Vec<u32> = vec![NONE; pb.functions.len()];

    let (drop_rx, keep_rx) = drop_regexes(&drop_frames, &keep_frames)?;

    // Locations: frames (model function ids, leaf first) + prune flags.
    let loc_ids = IdMap::build(pb.locations.iter().map(|l| l.id), pb.locations.len(), "location")?;
    let mut loc_off: Vec<u32> = Vec::with_capacity(pb.locations.len() + 1);
    let mut loc_frames: Vec<u32> = Vec::with_capacity(pb.locations.len() * 2);
    let mut prune = vec![0u8; pb.locations.len()]; // 1 = prune whole location, 2 = prune beneath
    let mut resolved: Vec<Option<usize>> = Vec::new();
    loc_off.push(0);
    for (li, l) in pb.locations.iter().enumerate() {
        let mut pseudo = |functions: &mut crate::model::Functions| -> u32 {
            match mapping_ids.get(l.mapping_id) {
                Some(m) => {
                    if mapping_func[m] == NONE {
                        let mut name = Vec::new();
                        unsymbolized(mapping_file[m], &mut name);
                        mapping_func[m] = functions.intern(&name, b"");
                    }
                    mapping_func[m]
                }
                None => {
                    if unknown_func == NONE {
                        unknown_func = functions.intern(UNKNOWN, b"");
                    }
                    unknown_func
                }
            }
        };
        // Resolve each line to a pb function index (or None for "no function").
        resolved.clear();
        for &(function_id, _) in &pb.lines[pb.line_off[li] as usize..pb.line_off[li + 1] as usize] {
            if function_id == 0 {
                resolved.push(None);
                continue;
            }
            match func_ids.get(function_id) {
                Some(fi) => resolved.push(Some(fi)),
                None => return Err(DecodeError::Malformed(format!("location {} refers to missing function {function_id}", l.id))),
            }
        }
        let mut first_kept = 0usize;
        if let Some(drop) = &drop_rx {
            if let Some(i) = dropped_line(&resolved, &func_names, drop, keep_rx.as_ref()) {
                prune[li] = if i == resolved.len() - 1 { 1 } else { 2 };
                first_kept = i + 1;
            }
        }
        if resolved.is_empty() {
            loc_frames.push(pseudo(&mut prof.functions));
        } else {
            for r in &resolved[first_kept..] {
                let id = match *r {
                    Some(fi) if !func_names[fi].is_empty() => {
                        if model_func[fi] == NONE {
                            // File names are only shown: long ones are cut to 1 KB.
                            let file = &func_files[fi][..func_files[fi].len().min(1024)];
                            model_func[fi] = prof.functions.intern(func_names[fi], file);
                        }
                        model_func[fi]
                    }
                    _ => pseudo(&mut prof.functions),
                };
                loc_frames.push(id);
            }
        }
        loc_off.push(loc_frames.len() as u32);
    }

    // Samples. The stack storage is reserved so that it does not regrow by doubling: the
    // dedup index for every sample (the file holds them), the frames as a `FrameBudget` says.
    let loc_packed = loc_ids.map(|li| pack_location(&loc_frames, loc_off[li as usize], loc_off[li as usize + 1]));
    let n_types = prof.sample_types.len();
    // (Not `vec![Vec::with_capacity(n); n_types]`: the clones would start with no capacity.)
    prof.values = (0..n_types).map(|_| Vec::with_capacity(n)).collect();
    prof.sample_stack.reserve_exact(n);
    prof.sample_labels.reserve_exact(n);
    let per_ref = match &pb.locs {
        raw::LocIds::Short(ids) => frames_per_ref(ids, &pb.loc_off, &loc_packed),
        raw::LocIds::Narrow(ids) => frames_per_ref(ids, &pb.loc_off, &loc_packed),
        raw::LocIds::Wide(ids) => frames_per_ref(ids, &pb.loc_off, &loc_packed),
    };
    // Frames of all samples as if no stack repeated, estimated (5 % over what the first
    // samples suggest), and the most one location adds (for the room one sample needs).
    let estimate = (pb.locs.len() as f64 * per_ref * 1.05) as usize;
    let widest_location = loc_off.windows(2).map(|w| (w[1] - w[0]) as usize).max().unwrap_or(0).max(1);
    let budget = FrameBudget::new(estimate, limits);
    // The default sample type's flat/cum, summed from each sample's frames right after they
    // are expanded (see `TopCache`).
    let top_st = prof.default_sample_type;
    let known = known.filter(|pv| pv.header.default_sample_type == top_st);
    // Dense ids (the usual case) and no pruning: samples expand in a tight loop.
    let dense_packed = match (&loc_packed, &drop_rx) {
        (IdMap::Dense(v), None) => Some(&v[..]),
        _ => None,
    };
    // The previous file's template, if this one has the same locations: its samples that
    // match are not expanded (nor summed: the first table is then summed when asked).
    let follow = match (&link.from, dense_packed) {
        (Some(t), Some(dense)) => Follow::start(t, dense, &loc_frames),
        _ => None,
    };
    let followed = follow.is_some();
    let n_funcs = if known.is_some() || followed { 0 } else { prof.functions.len() };
    if !followed {
        prof.stacks.reserve(n, budget.first());
    }
    let step = (n / 50).max(1);
    let mut next_report = 0;
    let mut lp = SampleLoop {
        pb,
        limits,
        loc_ids: &loc_ids,
        loc_packed: &loc_packed,
        loc_frames: &loc_frames,
        loc_off: &loc_off,
        prune: &prune,
        drop_rx: drop_rx.as_ref(),
        dense_packed,
        widest_location,
        top_st,
        n_types,
        known: known.is_some() || followed,
        budget,
        follow,
        top: FlatCum::new(n_funcs, 1),
        locs: Vec::new(),
        label_keys: FxHashMap::default(),
        text_bytes: 0,
        // The raw sets (each distinct already) map to the model's (which merge sets that
        // differ only in string indices); the empty set is the model's 0.
        set_ids: {
            let mut ids = vec![NONE; pb.set_off.len() - 1];
            ids[0] = 0;
            ids
        },
    };
    let mut si = 0;
    while si < n {
        if si >= next_report {
            if !progress.report(Stage::Building, si as f64 / n.max(1) as f64) {
                return Err(DecodeError::Cancelled);
            }
            next_report += step;
        }
        let end = (si + SAMPLE_BLOCK).min(n);
        lp.block(&mut prof, si..end)?;
        si = end;
    }
    if let Some(f) = lp.follow.take() {
        prof.stacks = f.stacks();
    }
    let (mut top_flat, mut top_cum) = lp.top.into_single();
    prof.stacks.seal();
    prof.label_sets.seal();
    if let Some(pv) = known {
        // The preview's functions are the model's, named alike (it checks): its sums are
        // the model's under their names.
        let slot = |f: usize| pv.header.functions.get(&prof.functions.raw[f]).map(|x| x as usize);
        top_flat = (0..prof.functions.len()).map(|f| slot(f).map_or(0, |x| pv.flat[x])).collect();
        top_cum = (0..prof.functions.len()).map(|f| slot(f).map_or(0, |x| pv.cum[x])).collect();
    }
    if known.is_some() || !followed {
        prof.top_cache = Some(crate::model::TopCache { sample_type: top_st, flat: top_flat, cum: top_cum, shape: prof.shape() });
    }
    if link.want {
        link.made = dense_packed.map(|dense| Template::new(pb, dense, &loc_frames, &prof.sample_stack, &prof.stacks));
    }
    Ok(prof)
}

/// pprof's `Prune` on one location: the index of the root-most line whose function matches
/// `drop_frames` (and not `keep_frames`); the lines from it to the leaf go.
fn dropped_line(
    resolved: &[Option<usize>],
    func_names: &[&[u8]],
    drop: &regex_lite::Regex,
    keep: Option<&regex_lite::Regex>,
) -> Option<usize> {
    for i in (0..resolved.len()).rev() {
        if let Some(fi) = resolved[i] {
            let name = func_names[fi];
            if !name.is_empty() {
                let name = String::from_utf8_lossy(name);
                let simple = simplify_func(&name);
                if drop.is_match(simple) && !keep.is_some_and(|k| k.is_match(simple)) {
                    return Some(i);
                }
            }
        }
    }
    None
}

/// pprof's `Prune` on one sample's locations (leaf first), given per location 1 (prune it)
/// or 2 (prune beneath it): scanning from the root, frames before the first user frame stay.
fn pruned<'x>(locs: &'x [u32], prune: &[u8]) -> &'x [u32] {
    let mut found_user = false;
    for i in (0..locs.len()).rev() {
        let p = prune[locs[i] as usize];
        if p == 0 {
            found_user = true;
            continue;
        }
        if !found_user {
            continue;
        }
        return if p == 1 { &locs[i + 1..] } else { &locs[i..] };
    }
    locs
}

/// The profile's `drop_frames` and `keep_frames` as pprof compiles them (anchored).
fn drop_regexes(drop_frames: &str, keep_frames: &str) -> Result<(Option<regex_lite::Regex>, Option<regex_lite::Regex>), DecodeError> {
    if drop_frames.is_empty() {
        return Ok((None, None));
    }
    let d = regex_lite::Regex::new(&format!("^({drop_frames})$"))
        .map_err(|e| DecodeError::Malformed(format!("drop_frames is not a valid regex: {e}")))?;
    let k = if keep_frames.is_empty() {
        None
    } else {
        Some(
            regex_lite::Regex::new(&format!("^({keep_frames})$"))
                .map_err(|e| DecodeError::Malformed(format!("keep_frames is not a valid regex: {e}")))?,
        )
    };
    Ok((Some(d), k))
}

/// What [`decode_streamed`] keeps of a protobuf file (its flat arrays without the sample
/// values and labels, which the model holds, and its string table) to make the profile's
/// [`Locations`] when they are first needed.
/// They are made once (the profile keeps them): making them gives the arrays back.
struct Kept {
    arrays: std::sync::Mutex<Option<KeptArrays>>,
    drop_frames: String,
    keep_frames: String,
}

struct KeptArrays {
    raw: RawProfile<'static>,
    text: Vec<u8>,
    ends: Vec<usize>,
}

impl LocationSource for Kept {
    fn inline_marks(&self, n: usize, stack_len: &dyn Fn(usize) -> usize) -> Option<InlineMarks> {
        // (pprof's frame pruning drops lines: with it, the locations tell.)
        if !self.drop_frames.is_empty() || !self.keep_frames.is_empty() {
            return None;
        }
        let arrays = self.arrays.lock().ok()?;
        let pb = &arrays.as_ref()?.raw;
        if pb.num_samples() != n {
            return None;
        }
        if !pb.line_off.windows(2).any(|w| w[1] > w[0] + 1) {
            return Some(InlineMarks::default());
        }
        let IdMap::Dense(dense) = IdMap::build(pb.locations.iter().map(|l| l.id), pb.locations.len(), "location").ok()? else {
            return None;
        };
        // Per location id: its frames (its lines, at least 1; 0 for an id of no location,
        // which the locations drop as the model does), in a byte: the table stays in the
        // cache. (A location of more lines than a byte counts: the locations tell.)
        let mut frames = vec![0u8; dense.len()];
        for (id, &l) in dense.iter().enumerate() {
            if l != NONE {
                frames[id] = u8::try_from((pb.line_off[l as usize + 1] - pb.line_off[l as usize]).max(1)).ok()?;
            }
        }
        fn marks<T: Copy + Into<u32>>(
            ids: &[T],
            pb: &RawProfile,
            frames: &[u8],
            n: usize,
            stack_len: &dyn Fn(usize) -> usize,
        ) -> InlineMarks {
            let count = |id: T| frames.get(id.into() as usize).map_or(0, |&c| c as u32);
            InlineMarks::of_frame_counts(n, stack_len, |i| {
                ids[pb.loc_off[i] as usize..pb.loc_off[i + 1] as usize].iter().map(|&id| count(id))
            })
        }
        match &pb.locs {
            raw::LocIds::Short(ids) => Some(marks(ids, pb, &frames, n, stack_len)),
            raw::LocIds::Narrow(ids) => Some(marks(ids, pb, &frames, n, stack_len)),
            // (Ids past 32 bits: rare, and the locations tell.)
            raw::LocIds::Wide(_) => None,
        }
    }

    fn locations(&self) -> Locations {
        let Some(KeptArrays { raw, text, ends }) = self.arrays.lock().ok().and_then(|mut a| a.take()) else {
            return Locations::default();
        };
        let strings = raw::strings(&text, &ends);
        let pb = &raw;
        // The model was built from these arrays, so every reference resolves and every
        // string index is in range (`text` falls back to "" all the same).
        let text = |i: i64| String::from_utf8_lossy(strings.get(i as usize).copied().unwrap_or(b"")).into_owned();
        let mut out = Locations::default();
        let mapping_ids = IdMap::build(pb.mappings.iter().map(|m| m.0), pb.mappings.len(), "mapping").ok();
        // (Capped as the model caps file names: 20,000 functions or mappings naming one
        // 100 KiB file must not become 2 GB of copies.)
        let capped = |i: i64| {
            let b = strings.get(i as usize).copied().unwrap_or(b"");
            String::from_utf8_lossy(&b[..b.len().min(1024)]).into_owned()
        };
        out.mapping_file = pb.mappings.iter().map(|m| capped(m.1)).collect();
        out.mapping_build_id = (0..pb.mappings.len()).map(|i| capped(pb.mapping_build_ids.get(i).copied().unwrap_or(0))).collect();
        let func_ids = IdMap::build(pb.functions.iter().map(|f| f.0), pb.functions.len(), "function").ok();
        let func_names: Vec<&[u8]> = pb.functions.iter().map(|f| strings.get(f.1 as usize).copied().unwrap_or(b"")).collect();
        out.func_name = func_names.iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
        out.func_file = pb.functions.iter().map(|f| capped(f.2)).collect();
        out.func_system_name = (0..pb.functions.len()).map(|i| text(pb.function_extra.get(i).map_or(0, |e| e.0))).collect();
        out.func_start_line = (0..pb.functions.len()).map(|i| pb.function_extra.get(i).map_or(0, |e| e.1)).collect();
        let (drop_rx, keep_rx) = drop_regexes(&self.drop_frames, &self.keep_frames).unwrap_or((None, None));
        let mut prune = vec![0u8; pb.locations.len()];
        let mut resolved: Vec<Option<usize>> = Vec::new();
        out.line_off.push(0);
        for (li, l) in pb.locations.iter().enumerate() {
            out.address.push(l.address);
            out.mapping.push(mapping_ids.as_ref().and_then(|m| m.get(l.mapping_id)).map_or(NO_INDEX, |m| m as u32));
            let lines = &pb.lines[pb.line_off[li] as usize..pb.line_off[li + 1] as usize];
            resolved.clear();
            resolved.extend(lines.iter().map(|&(f, _)| if f == 0 { None } else { func_ids.as_ref().and_then(|m| m.get(f)) }));
            let mut first_kept = 0;
            if let Some(drop) = &drop_rx {
                if let Some(i) = dropped_line(&resolved, &func_names, drop, keep_rx.as_ref()) {
                    prune[li] = if i == resolved.len() - 1 { 1 } else { 2 };
                    first_kept = i + 1;
                }
            }
            for (r, &(_, line)) in resolved[first_kept..].iter().zip(&lines[first_kept..]) {
                out.line_func.push(r.map_or(NO_INDEX, |f| f as u32));
                out.line_no.push(line);
            }
            out.line_off.push(out.line_func.len() as u32);
        }
        let loc_ids = IdMap::build(pb.locations.iter().map(|l| l.id), pb.locations.len(), "location").ok();
        let n = pb.num_samples();
        if drop_rx.is_none() {
            if let Some(IdMap::Dense(dense)) = &loc_ids {
                // The common case (no drop_frames, ids that index a table): one pass over the
                // ids of all samples, a table lookup each, without per-sample bookkeeping.
                let done = match &pb.locs {
                    raw::LocIds::Short(ids) => dense_sample_locs(ids, &pb.loc_off, dense, &mut out),
                    raw::LocIds::Narrow(ids) => dense_sample_locs(ids, &pb.loc_off, dense, &mut out),
                    raw::LocIds::Wide(_) => false,
                };
                if done {
                    return out;
                }
            }
        }
        out.sample_off.reserve_exact(n + 1);
        out.sample_locs.reserve_exact(pb.locs.len());
        out.sample_off.push(0);
        let mut locs: Vec<u32> = Vec::new();
        for si in 0..n {
            locs.clear();
            for j in pb.loc_off[si] as usize..pb.loc_off[si + 1] as usize {
                if let Some(l) = loc_ids.as_ref().and_then(|m| m.get(pb.locs.get(j))) {
                    locs.push(l as u32);
                }
            }
            let kept = if drop_rx.is_some() { pruned(&locs, &prune) } else { &locs[..] };
            out.sample_locs.extend_from_slice(kept);
            out.sample_off.push(out.sample_locs.len() as u32);
        }
        out
    }
}

/// [`Locations::sample_off`]/[`Locations::sample_locs`] of samples whose location ids are
/// `ids[loc_off[i]..loc_off[i + 1]]`, through a dense id → index table. When every id is
/// known (the model was built from these arrays, so ids that do not resolve are rare), the
/// offsets are the raw ones and the indices one lookup per id. Else false, nothing written:
/// the general loop drops the unknown ids.
fn dense_sample_locs<T: Copy + Into<u64>>(ids: &[T], loc_off: &[u32], dense: &[u32], out: &mut Locations) -> bool {
    let look = |id: T| dense.get(id.into() as usize).copied().unwrap_or(NONE);
    let mut sample_locs: Vec<u32> = Vec::with_capacity(ids.len());
    sample_locs.extend(ids.iter().map(|&id| look(id)));
    if sample_locs.contains(&NONE) {
        return false;
    }
    out.sample_locs = sample_locs;
    out.sample_off = loc_off.to_vec();
    true
}

/// The locations of a protobuf profile read again from its (decompressed) bytes: what a
/// profile whose decoder kept nothing makes them from.
pub fn locations_of(parser: raw::StreamParser) -> Result<Locations, DecodeError> {
    let (raw, text, ends) = parser.finish()?;
    let mut raw: RawProfile<'_> = raw;
    raw.strings = raw::strings(&text, &ends);
    let h = header(&raw)?;
    let raw = raw.detach();
    let arrays = std::sync::Mutex::new(Some(KeptArrays { raw, text, ends }));
    Ok(Kept { arrays, drop_frames: h.drop_frames, keep_frames: h.keep_frames }.locations())
}

/// The model's per-sample pass, over a block of samples at a time: browsers compile a
/// WebAssembly function with their optimising tier only after it has run a while, and a
/// running call keeps the code it started with. A block's call is short, so the optimised
/// code takes over early in a big profile instead of never within its one long loop. Rare
/// paths are functions of their own, which keeps the hot one small and quick to compile.
struct SampleLoop<'a, 'b> {
    pb: &'a RawProfile<'b>,
    limits: &'a Limits,
    loc_ids: &'a IdMap,
    loc_packed: &'a IdMap<u64>,
    loc_frames: &'a [u32],
    loc_off: &'a [u32],
    prune: &'a [u8],
    drop_rx: Option<&'a regex_lite::Regex>,
    dense_packed: Option<&'a [u64]>,
    widest_location: usize,
    top_st: usize,
    n_types: usize,
    known: bool,
    budget: FrameBudget,
    /// The default sample type's flat/cum per function (unless a preview has them).
    top: FlatCum,
    locs: Vec<u32>,
    label_keys: FxHashMap<i64, String>,
    text_bytes: usize,
    /// Model label set id by raw label set ([`NONE`]: not interned yet).
    set_ids: Vec<u32>,
    /// The template followed while the samples match it.
    follow: Option<Follow>,
}

/// Samples per call of [`SampleLoop::block`].
const SAMPLE_BLOCK: usize = 1024;

impl SampleLoop<'_, '_> {
    #[inline(never)]
    fn block(&mut self, prof: &mut Profile, range: std::ops::Range<usize>) -> Result<(), DecodeError> {
        let (pb, limits) = (self.pb, self.limits);
        for si in range {
            let values = &pb.values[pb.val_off[si] as usize..pb.val_off[si + 1] as usize];
            if values.len() != self.n_types {
                return Err(self.bad_values(si));
            }
            if let Some(f) = &mut self.follow {
                if let Some(id) = f.stack(pb, si) {
                    self.push_rest(prof, si, id, values)?;
                    continue;
                }
                self.unfollow(prof, pb.num_samples() - si);
            }
            // The frames are expanded straight onto the stack storage (`intern_pending` takes
            // them back for a stack seen before).
            let refs = pb.loc_off[si] as usize..pb.loc_off[si + 1] as usize;
            let stacks = &mut prof.stacks;
            // Room for this sample: each reference adds at most `widest_location` frames, and
            // expansion stops one location past the depth limit.
            let need = (refs.len().saturating_mul(self.widest_location)).min(limits.max_stack_depth.saturating_add(self.widest_location));
            self.budget.ensure(&mut stacks.frames, need);
            let start = stacks.frames.len();
            let fast = match (&pb.locs, self.dense_packed) {
                (raw::LocIds::Short(ids), Some(dense)) => {
                    expand_dense(&ids[refs.clone()], dense, self.loc_frames, &mut stacks.frames, start, limits.max_stack_depth)
                }
                (raw::LocIds::Narrow(ids), Some(dense)) => {
                    expand_dense(&ids[refs.clone()], dense, self.loc_frames, &mut stacks.frames, start, limits.max_stack_depth)
                }
                _ => false,
            };
            if !fast {
                self.expand(&mut stacks.frames, si, start)?;
            }
            self.budget.add(stacks.frames.len() - start);
            let v = values[self.top_st];
            if v != 0 && !self.known {
                self.top.add_stack(&stacks.frames[start..], si as i64, &[v]);
            }
            let id = stacks.intern_pending();
            if stacks.frames.len() > limits.max_total_frames {
                return Err(DecodeError::Limit {
                    what: format!("frames in distinct stacks (at sample {si})"),
                    limit: limits.max_total_frames,
                });
            }
            self.push_rest(prof, si, id, values)?;
        }
        Ok(())
    }

    /// Adds sample `si` of stack `id`: its stack, values and labels.
    #[inline(always)]
    fn push_rest(&mut self, prof: &mut Profile, si: usize, id: u32, values: &[i64]) -> Result<(), DecodeError> {
        prof.sample_stack.push(id);
        for (t, &v) in values.iter().enumerate() {
            prof.values[t].push(v);
        }
        let set = self.pb.sample_set[si];
        let lid = match self.set_ids[set as usize] {
            NONE => self.new_label_set(prof, si, set)?,
            id => id,
        };
        prof.sample_labels.push(lid);
        Ok(())
    }

    /// Sample `si` no longer matches the template: the stacks so far become the profile's
    /// own, with room for the `left` samples to come, and the build goes on as usual.
    #[cold]
    #[inline(never)]
    fn unfollow(&mut self, prof: &mut Profile, left: usize) {
        if let Some(f) = self.follow.take() {
            prof.stacks = f.stacks_to_go_on();
            prof.stacks.reserve(left, self.budget.first());
        }
    }

    #[cold]
    #[inline(never)]
    fn bad_values(&self, si: usize) -> DecodeError {
        let n = self.pb.val_off[si + 1] - self.pb.val_off[si];
        DecodeError::Malformed(format!("sample {si} has {n} values but the profile has {} sample types", self.n_types))
    }

    /// Expands sample `si` onto `frames` (from `start`) when the tight loop could not: ids
    /// that are not dense, a missing location, a stack too deep, or pruning.
    #[inline(never)]
    fn expand(&mut self, frames: &mut Vec<u32>, si: usize, start: usize) -> Result<(), DecodeError> {
        let (pb, limits, loc_frames) = (self.pb, self.limits, self.loc_frames);
        let missing = |id: u64| DecodeError::Malformed(format!("sample {si} refers to missing location {id}"));
        let too_deep = || DecodeError::Limit { what: format!("stack depth of sample {si}"), limit: limits.max_stack_depth };
        let refs = pb.loc_off[si] as usize..pb.loc_off[si + 1] as usize;
        if self.drop_rx.is_none() {
            for j in refs.clone() {
                let id = pb.locs.get(j);
                let packed = self.loc_packed.value(id).ok_or_else(|| missing(id))?;
                push_location(frames, loc_frames, packed);
                if frames.len() - start > limits.max_stack_depth {
                    // A missing location further on is still reported first.
                    let id = (j + 1..refs.end).map(|j| pb.locs.get(j)).find(|&id| self.loc_packed.value(id).is_none());
                    return Err(id.map_or_else(too_deep, missing));
                }
            }
            return Ok(());
        }
        let locs = &mut self.locs;
        locs.clear();
        for j in refs {
            let id = pb.locs.get(j);
            locs.push(self.loc_ids.get(id).ok_or_else(|| missing(id))? as u32);
        }
        for &li in pruned(locs, self.prune) {
            let packed = pack_location(loc_frames, self.loc_off[li as usize], self.loc_off[li as usize + 1]);
            push_location(frames, loc_frames, packed);
            if frames.len() - start > limits.max_stack_depth {
                return Err(too_deep());
            }
        }
        Ok(())
    }

    /// Interns label set `set`, first seen on sample `si`.
    #[inline(never)]
    fn new_label_set(&mut self, prof: &mut Profile, si: usize, set: u32) -> Result<u32, DecodeError> {
        let (pb, limits) = (self.pb, self.limits);
        let s = |i: i64| string(&pb.strings, i, &|| format!("label on sample {si}"));
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let labels = pb.set(set);
        if labels.len() > limits.max_labels_per_sample {
            return Err(DecodeError::Limit {
                what: format!("labels on sample {si} ({})", labels.len()),
                limit: limits.max_labels_per_sample,
            });
        }
        let mut labels_of_set = Vec::with_capacity(labels.len());
        for l in labels {
            let key = match self.label_keys.get(&l.key) {
                Some(k) => k.clone(),
                None => {
                    let k = text(s(l.key)?);
                    self.label_keys.insert(l.key, k.clone());
                    k
                }
            };
            let (str, num) = if l.str != 0 { (Some(text(s(l.str)?)), 0) } else { (None, l.num) };
            let unit = if l.num_unit == 0 { String::new() } else { text(s(l.num_unit)?) };
            self.text_bytes += key.len() + str.as_ref().map_or(0, |s| s.len()) + unit.len();
            labels_of_set.push(Label { key, str, num, unit });
        }
        if self.text_bytes > limits.max_text_bytes {
            return Err(DecodeError::Limit { what: format!("label text ({} bytes)", self.text_bytes), limit: limits.max_text_bytes });
        }
        let id = prof.label_sets.intern(labels_of_set);
        self.set_ids[set as usize] = id;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplify_func_matches_pprof() {
        assert_eq!(simplify_func("foo(int)"), "foo");
        assert_eq!(simplify_func(".foo"), "foo");
        assert_eq!(simplify_func("(anonymous namespace)::f(int)"), "(anonymous namespace)::f");
        assert_eq!(simplify_func("A::operator()(int)"), "A::operator()");
        assert_eq!(simplify_func("main.(*T).M"), "main.");
        assert_eq!(simplify_func("plain"), "plain");
    }
}
