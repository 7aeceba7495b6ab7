//! The analysis engine behind the page: owns the loaded profiles and answers requests with
//! exactly what a view needs. It runs inside a Web Worker in the browser and directly in
//! native tests; requests and responses are plain serde data.

mod graph;

use crate::analysis::diff::{comparable, diff_table, merge};
use crate::analysis::leaks;
use crate::analysis::peek::peek;
use crate::analysis::refine::{self, Refine};
use crate::analysis::top::{self, rows_from_sums, sort_rows, top_table, TopRow};
use crate::analysis::tree::{flame_data, Part, Tree, TreeBuilder};
use crate::analysis::{search_share, NameSpace, Search};
use crate::decode::{decode_owned, Limits, Preview, Progress};
use crate::model::{is_point_in_time, Profile};
use crate::protocol::{DiffRowOut, FlameSource, Request, Response, Summary, TopOrder, TopRowOut};

mod export;

/// A call tree with what it needs to expand: its key, namespace, and per part the profile
/// id and that profile's function-id map.
struct TreeCache {
    key: String,
    /// Made for a pivot view.
    pivot: bool,
    refine: Refine,
    tree: Tree,
    ns: NameSpace,
    parts: Vec<(u32, Vec<u32>)>,
}

struct Slot {
    id: u32,
    name: String,
    profile: Profile,
}

/// The engine state.
#[derive(Default)]
pub struct Engine {
    slots: Vec<Slot>,
    /// The call trees of the latest flame requests (the most recent last), expanded further
    /// as views need them.
    tree_cache: Vec<TreeCache>,
    /// Refined profiles, the most recently used last: (profile id, refinement, refined).
    refined: Vec<(u32, Refine, refine::Refined)>,
    /// Limits applied when decoding.
    pub limits: Limits,
}

/// A top table answer: `rows` (sorted as pprof sorts them) in the requested order, the
/// first `limit` of them (0: all).
#[inline(never)]
#[allow(clippy::too_many_arguments)] // (the request's fields, one by one)
fn top_response(
    id: u32,
    p: &Profile,
    st: usize,
    mut rows: Vec<TopRow>,
    total: i64,
    order: TopOrder,
    limit: u32,
    notes: Vec<String>,
) -> Response {
    let names = &p.functions.names;
    // (The rows come in pprof's order, by flat.)
    if order != TopOrder::Flat {
        sort_rows(&mut rows, order, &p.functions.raw);
    }
    let n_rows = rows.len() as u32;
    let shown = if limit == 0 { rows.len() } else { rows.len().min(limit as usize) };
    Response::Top {
        id,
        unit: p.sample_types[st].unit.clone(),
        sample_type: p.sample_types[st].name.clone(),
        total,
        rows: rows[..shown].iter().map(|r| TopRowOut { name: names[r.func as usize].clone(), flat: r.flat, cum: r.cum }).collect(),
        n_rows,
        notes,
    }
}

/// What the page can show of a profile still being built from a [`Preview`]: its summary
/// and the top table of its default sample type in pprof's order, the first `limit` rows.
pub fn preview(id: u32, name: &str, size: usize, pv: &Preview, limit: u32) -> (Summary, Response) {
    let h = &pv.header;
    let mut s = summary(id, name, h, size);
    s.samples = pv.samples;
    let rows = rows_from_sums(&pv.flat, &pv.cum, &h.functions.raw);
    (s, top_response(id, h, h.default_sample_type, rows, pv.total, TopOrder::Flat, limit, Vec::new()))
}

fn summary(id: u32, name: &str, p: &Profile, bytes: usize) -> Summary {
    Summary {
        id,
        name: name.to_string(),
        sample_types: p.sample_types.clone(),
        default_sample_type: p.default_sample_type,
        time_nanos: p.time_nanos,
        duration_nanos: p.duration_nanos,
        period: p.period,
        period_type: p.period_type.clone(),
        samples: p.num_samples(),
        functions: p.functions.len(),
        format: p.format.clone(),
        kind: p.kind(),
        comments: p.comments.clone(),
        bytes,
        fingerprint: crate::analysis::series::fingerprint(p),
    }
}

impl Engine {
    /// A new, empty engine.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes and keeps a profile. The error text is for people (without the file name).
    pub fn load(&mut self, id: u32, name: &str, bytes: Vec<u8>, progress: &mut dyn Progress) -> Result<Summary, String> {
        let size = bytes.len();
        let p = decode_owned(bytes, &self.limits, progress).map_err(|e| e.to_string())?;
        Ok(self.add(id, name, p, size))
    }

    /// Adds a profile decoded elsewhere (a streamed load) from a file of `size` bytes, in
    /// place of any profile with the same id.
    pub fn add(&mut self, id: u32, name: &str, mut p: Profile, size: usize) -> Summary {
        let s = summary(id, name, &p, size);
        self.slots.retain(|s| s.id != id);
        self.refined.retain(|r| r.0 != id);
        self.tree_cache.clear();
        // A snapshot of a program already loaded often has the same stacks: one copy.
        let _ = self.slots.iter().rev().any(|s| p.stacks.share_with(&s.profile.stacks));
        self.slots.push(Slot { id, name: name.to_string(), profile: p });
        s
    }

    /// Adds an already decoded profile.
    pub fn insert(&mut self, id: u32, name: &str, p: Profile) -> Summary {
        let s = summary(id, name, &p, 0);
        self.slots.push(Slot { id, name: name.to_string(), profile: p });
        s
    }

    /// Profile `id` makes its locations from `cell` from now on (unless it has none to make:
    /// a text profile's come from its function stacks), and what its decoder kept, or the
    /// locations made from it, are let go (one profile's worth is kept: the newest).
    pub fn relocate(&mut self, id: u32, cell: crate::model::locations::LocationCell) {
        if let Some(s) = self.slots.iter_mut().find(|s| s.id == id) {
            if s.profile.locations.has_source() {
                s.profile.locations = cell;
            }
        }
    }

    /// Makes profile `id`'s locations now (what its first refinement would do), if it has a
    /// source to make them from and they are not made yet.
    pub fn prepare_locations(&self, id: u32) {
        if let Some(p) = self.profile(id).filter(|_| self.can_prepare_locations(id)) {
            p.locations();
        }
    }

    /// Makes profile `id`'s inline marks (what its call graph reads first), if not made yet;
    /// false when there was nothing to make.
    pub fn prepare_inline_marks(&self, id: u32) -> bool {
        self.profile(id).filter(|_| self.can_prepare_inline_marks(id)).map(|p| p.inline_marks()).is_some()
    }

    /// Has profile `id` inline marks still to make?
    pub fn can_prepare_inline_marks(&self, id: u32) -> bool {
        self.profile(id).is_some_and(|p| !p.locations.marks_made())
    }

    /// Has profile `id` locations still to make (from a source)?
    pub fn can_prepare_locations(&self, id: u32) -> bool {
        self.profile(id).is_some_and(|p| p.locations.has_source() && !p.locations.is_made())
    }

    /// A loaded profile.
    pub fn profile(&self, id: u32) -> Option<&Profile> {
        self.slots.iter().find(|s| s.id == id).map(|s| &s.profile)
    }

    fn get(&self, id: u32) -> Result<&Profile, String> {
        self.profile(id).ok_or_else(|| format!("profile {id} is not loaded"))
    }

    /// Makes sure the refined profile `(id, r)` is at hand for [`Engine::view`].
    fn refine(&mut self, id: u32, r: &Refine) -> Result<(), String> {
        if r.is_identity() {
            return self.get(id).map(|_| ());
        }
        if let Some(i) = self.refined.iter().position(|x| x.0 == id && x.1 == *r) {
            let hit = self.refined.remove(i);
            self.refined.push(hit);
            return Ok(());
        }
        let made = refine::apply(self.get(id)?, r)?;
        // A few refinements of a few profiles stay: a diff's two sides, a series, and going
        // back to the previous filter.
        if self.refined.len() >= REFINED_KEPT {
            self.refined.remove(0);
        }
        self.refined.push((id, r.clone(), made));
        Ok(())
    }

    /// Profile `id` as refinement `r` shows it (made by [`Engine::refine`] first), and the
    /// refinement's notes.
    fn view(&self, id: u32, r: &Refine) -> Result<(&Profile, &[String]), String> {
        view_of(&self.slots, &self.refined, id, r)
    }

    fn name(&self, id: u32) -> String {
        self.slots.iter().find(|s| s.id == id).map(|s| s.name.clone()).unwrap_or_default()
    }

    /// Answers a request. The work of each kind is in functions of its own (not inlined
    /// here), so that this dispatcher stays small: a browser recompiles hot WebAssembly
    /// functions with its optimising tier while a file loads, and a big one takes long.
    pub fn handle(&mut self, req: Request) -> Response {
        match self.try_handle(req) {
            Ok(r) => r,
            Err(message) => Response::Error { message },
        }
    }

    fn try_handle(&mut self, req: Request) -> Result<Response, String> {
        match req {
            Request::Remove { id } => {
                self.slots.retain(|s| s.id != id);
                self.refined.retain(|r| r.0 != id);
                self.tree_cache.clear();
                Ok(Response::Done)
            }
            Request::Top { id, sample_type, order, limit, refine } => {
                self.refine(id, &refine)?;
                let st = sample_index(self.get(id)?, &sample_type)?;
                // pprof's total is the whole profile's, before any filter.
                let total = self.get(id)?.total(st);
                let (p, notes) = self.view(id, &refine)?;
                if refine.mean {
                    // pprof's -mean: divided by the first sample type (a count), over the
                    // same samples; rows in `order` by the undivided values.
                    let total = top::mean_total(self.get(id)?, st, 0);
                    let rows = top::top_table_mean(p, st, 0, order);
                    return Ok(top_response(id, p, st, rows, total, TopOrder::Flat, limit, notes.to_vec()));
                }
                let (rows, _) = top_table(p, st);
                Ok(top_response(id, p, st, rows, total, order, limit, notes.to_vec()))
            }
            Request::Flame { source, sample_type, focus, zoom, search, min_fraction, refine, inverted, pivot } => {
                let shape = Shape { focus: focus.as_deref(), pivot: pivot.as_deref(), inverted };
                self.flame(source, &sample_type, shape, &zoom, &search, min_fraction, refine)
            }
            Request::Peek { id, sample_type, regex, limit, refine } => {
                self.refine(id, &refine)?;
                let st = sample_index(self.get(id)?, &sample_type)?;
                let total = self.get(id)?.total(st);
                let rx = regex_lite::Regex::new(&regex).map_err(|e| format!("peek: \"{regex}\" is not a valid regular expression: {e}"))?;
                let (p, notes) = self.view(id, &refine)?;
                let (mut entries, n) = peek(p, st, &rx, limit as usize);
                if limit > 0 {
                    // A page is also bounded in rows, so that the page can draw it at once (a
                    // function called from thousands of places is thousands of rows): the
                    // heaviest edges of each entry, and whole entries, at least one.
                    let mut rows = 0;
                    for e in &mut entries {
                        e.cut_edges(PEEK_EDGES);
                    }
                    let keep = entries
                        .iter()
                        .position(|e| {
                            rows += e.rows();
                            rows > PEEK_ROWS
                        })
                        .map_or(entries.len(), |i| i.max(1));
                    entries.truncate(keep);
                }
                Ok(Response::Peek {
                    id,
                    sample_type: p.sample_types[st].name.clone(),
                    unit: p.sample_types[st].unit.clone(),
                    total,
                    entries,
                    n_entries: n as u32,
                    notes: notes.to_vec(),
                })
            }
            Request::Graph { id, base, sample_type, options, refine } => self.graph_response(id, base, &sample_type, &options, &refine),
            Request::Source { id, sample_type, regex, limit, refine } => {
                let lines = crate::analysis::source::lines_refine(&refine);
                self.refine(id, &lines)?;
                let p0 = self.get(id)?;
                let st = sample_index(p0, &sample_type)?;
                let total = p0.total(st);
                let rx =
                    regex_lite::Regex::new(&regex).map_err(|e| format!("source: \"{regex}\" is not a valid regular expression: {e}"))?;
                let (p, notes) = self.view(id, &lines)?;
                let mut routines = crate::analysis::source::list(self.get(id)?, p, st, &rx);
                let n = routines.len();
                if limit > 0 {
                    routines.truncate(limit as usize);
                }
                Ok(Response::Source {
                    id,
                    sample_type: p.sample_types[st].name.clone(),
                    unit: p.sample_types[st].unit.clone(),
                    total,
                    routines,
                    n_routines: n as u32,
                    notes: notes.to_vec(),
                })
            }
            Request::Diff { base, target, sample_type, normalize, refine } => {
                self.refine(base, &refine)?;
                self.refine(target, &refine)?;
                let (b, _) = self.view(base, &refine)?;
                let (t, _) = self.view(target, &refine)?;
                let point_in_time = is_point_in_time(&sample_type);
                let (bst, tst) = match comparable(b, t, &sample_type) {
                    Ok(x) => x,
                    Err(e) => {
                        return Ok(Response::Diff {
                            sample_type,
                            unit: String::new(),
                            base_total: 0,
                            target_total: 0,
                            rows: vec![],
                            error: Some(format!("These profiles cannot be compared: {e}.")),
                            warnings: vec![],
                            point_in_time,
                            base_duration: b.duration_nanos,
                            target_duration: t.duration_nanos,
                        })
                    }
                };
                let (rows, base_total, ns) = diff_table(b, bst, t, tst, normalize);
                Ok(Response::Diff {
                    unit: t.sample_types[tst].unit.clone(),
                    sample_type,
                    base_total,
                    target_total: t.total(tst),
                    rows: rows
                        .iter()
                        .map(|r| DiffRowOut {
                            name: ns.names[r.func as usize].clone(),
                            base: r.base_flat,
                            target: r.target_flat,
                            base_cum: r.base_cum,
                            target_cum: r.target_cum,
                        })
                        .collect(),
                    error: None,
                    warnings: diff_warnings(b, t),
                    point_in_time,
                    base_duration: b.duration_nanos,
                    target_duration: t.duration_nanos,
                })
            }
            Request::Leaks { ids, sample_type, refine } => {
                for id in &ids {
                    self.refine(*id, &refine)?;
                }
                let mut series = Vec::new();
                for id in &ids {
                    series.push((self.name(*id), self.view(*id, &refine)?.0));
                }
                Ok(Response::Leaks(leaks::find(&series, &sample_type)))
            }
            Request::Labels { id, sample_type, refine } => {
                self.refine(id, &refine)?;
                let st = sample_index(self.get(id)?, &sample_type)?;
                // Shares of pprof's total, before any filter (as the tables').
                let total = self.get(id)?.total(st);
                let (p, _) = self.view(id, &refine)?;
                Ok(Response::Labels(crate::analysis::labels::summarize(p, st, total)))
            }
            Request::SetUnit { id, unit } => {
                if !crate::decode::folded::UNITS.contains(&unit.as_str()) {
                    return Err(format!("unknown unit {unit:?}"));
                }
                let slot = self.slots.iter_mut().find(|s| s.id == id).ok_or_else(|| format!("no profile {id}"))?;
                if !slot.profile.format.starts_with(crate::decode::folded::FORMAT) {
                    return Err("only a folded-stacks profile's unit can be chosen".into());
                }
                crate::decode::folded::set_unit(&mut slot.profile, &unit);
                self.refined.retain(|r| r.0 != id);
                self.tree_cache.clear();
                let slot = self.slots.iter().find(|s| s.id == id).expect("found above");
                Ok(Response::UnitSet(summary(id, &slot.name, &slot.profile, 0)))
            }
            Request::Merge { ids, new_id, name } => {
                let ps: Vec<&Profile> = ids.iter().map(|&i| self.get(i)).collect::<Result<_, _>>()?;
                let m = merge(&ps)?;
                Ok(Response::Merged(self.insert(new_id, &name, m)))
            }
            Request::Export { format, source, sample_type, refine, order } => self.export(format, source, &sample_type, refine, order),
        }
    }

    #[inline(never)]
    #[allow(clippy::too_many_arguments)] // (the request's fields, one by one)
    fn flame(
        &mut self,
        source: FlameSource,
        sample_type: &str,
        shape: Shape<'_>,
        zoom: &[String],
        search: &str,
        min_fraction: f64,
        refine: Refine,
    ) -> Result<Response, String> {
        let key = format!("{source:?}|{sample_type}|{:?}|{:?}|{}|{refine:?}", shape.focus, shape.pivot, shape.inverted);
        for id in source_ids(&source) {
            self.refine(id, &refine)?;
        }
        let (unit, total, matched, diff, mut notes) = match &source {
            FlameSource::Single { id } => {
                let (p, notes) = self.view(*id, &refine)?;
                let st = sample_index(p, sample_type)?;
                let matched = Search::new(search).map(|s| search_share(p, st, &s));
                (p.sample_types[st].unit.clone(), self.get(*id)?.total(st), matched, false, notes.to_vec())
            }
            FlameSource::Diff { base, target, .. } => {
                let (b, t) = (self.view(*base, &refine)?.0, self.view(*target, &refine)?.0);
                let (bst, tst) = comparable(b, t, sample_type)?;
                let matched = Search::new(search).map(|s| search_share(t, tst, &s));
                (t.sample_types[tst].unit.clone(), self.get(*base)?.total(bst), matched, true, Vec::new())
            }
        };
        match self.tree_cache.iter().position(|c| c.key == key) {
            Some(i) => {
                let hit = self.tree_cache.remove(i);
                self.tree_cache.push(hit);
            }
            None => {
                // A pivot view asks for two trees, its callers and its callees, in turn: those
                // stay side by side; any other tree is kept alone (a big profile's tree is big).
                if shape.pivot.is_some() {
                    self.tree_cache.retain(|c| c.pivot);
                } else {
                    self.tree_cache.clear();
                }
                if self.tree_cache.len() >= TREES_KEPT {
                    self.tree_cache.remove(0);
                }
                let cache = self.build_tree(key, &source, sample_type, shape, &refine)?;
                self.tree_cache.push(cache);
            }
        }
        let Engine { slots, tree_cache, refined, .. } = self;
        let cache = tree_cache.last_mut().expect("tree cache filled above");
        if let Some(p) = shape.pivot {
            if cache.tree.value[0] == 0 {
                notes.push(format!("pivot \"{p}\" matched no function on a stack"));
            }
        }
        let mut parts = Vec::with_capacity(cache.parts.len());
        for (id, map) in &cache.parts {
            let p = view_of(slots, refined, *id, &cache.refine)?.0;
            parts.push(Part { frames: &p.stacks.frames, map });
        }
        let (tree, ns) = (&mut cache.tree, &cache.ns);
        // Resolve the zoom path by names.
        let mut node = 0u32;
        for name in zoom {
            match tree.kids(node, &parts, &ns.raw).find(|&c| ns.names[tree.func[c as usize] as usize] == *name) {
                Some(c) => node = c,
                None => break,
            }
        }
        let data = flame_data(tree, node, &parts, &ns.raw, &ns.names, min_fraction.clamp(0.0, 1.0), 250_000);
        Ok(Response::Flame { sample_type: sample_type.to_string(), unit, total, matched, data, diff, notes })
    }

    /// The entries of a call tree: one per stack with a nonzero value (rooted at the focused
    /// function, if any); the tree itself is expanded by the views that draw it.
    #[inline(never)]
    fn build_tree(
        &self,
        key: String,
        source: &FlameSource,
        sample_type: &str,
        shape: Shape<'_>,
        refine: &Refine,
    ) -> Result<TreeCache, String> {
        let mut ns = NameSpace::default();
        let mut b = if shape.inverted { TreeBuilder::inverted() } else { TreeBuilder::new() };
        let pivot = match shape.pivot {
            Some(p) => Some(regex_lite::Regex::new(p).map_err(|e| format!("pivot: \"{p}\" is not a valid regular expression: {e}"))?),
            None => None,
        };
        // (profile id, sample type, part, ratio): part 1 is a diff's base.
        let mut inputs: Vec<(u32, usize, usize, f64)> = Vec::new();
        match source {
            FlameSource::Single { id } => {
                let p = self.view(*id, refine)?.0;
                inputs.push((*id, sample_index(p, sample_type)?, 0, 1.0));
            }
            FlameSource::Diff { base, target, normalize } => {
                let (bp, tp) = (self.view(*base, refine)?.0, self.view(*target, refine)?.0);
                let (bst, tst) = comparable(bp, tp, sample_type)?;
                let ratio = if *normalize { crate::analysis::diff::normalize_ratio(bp, bst, tp, tst) } else { 1.0 };
                inputs.push((*target, tst, 0, ratio));
                inputs.push((*base, bst, 1, 1.0));
            }
        }
        let mut parts = Vec::with_capacity(inputs.len());
        for (id, st, part, ratio) in inputs {
            let p = self.view(id, refine)?.0;
            let map = ns.add(p);
            // The functions stacks are cut at (tree ids): the pivot's matches, else the focus.
            let cut: Option<Vec<bool>> = match (&pivot, shape.focus) {
                (Some(rx), _) => Some(ns.names.iter().map(|n| rx.is_match(n)).collect()),
                (None, Some(f)) => Some(ns.names.iter().map(|n| n == f).collect()),
                (None, None) => None,
            };
            if cut.as_ref().is_none_or(|c| c.contains(&true)) {
                let values = crate::analysis::diff::scaled_stack_values(p, st, ratio);
                let off = &p.stacks.offsets;
                for (s, &v) in values.iter().enumerate() {
                    if v == 0 {
                        continue;
                    }
                    let (start, end) = (off[s], off[s + 1]);
                    match &cut {
                        None => b.add(start, end, v, part),
                        Some(cut) => {
                            // Cut the stack at the outermost occurrence of a cut function: the
                            // part from it to the leaf (its callees), or in an inverted tree
                            // from it to the root (its callers). A recursive function counts
                            // once per stack.
                            let frames = &p.stacks.frames[start as usize..end as usize];
                            if let Some(pos) = frames.iter().rposition(|&f| cut[map[f as usize] as usize]) {
                                if shape.inverted {
                                    b.add(start + pos as u32, end, v, part);
                                } else {
                                    b.add(start, start + pos as u32 + 1, v, part);
                                }
                            }
                        }
                    }
                }
            }
            parts.push((id, map));
        }
        let tree = b.finish(ns.len());
        Ok(TreeCache { key, pivot: shape.pivot.is_some(), refine: refine.clone(), tree, ns, parts })
    }
}

/// Rows of a page of the peek report (see [`Request::Peek`]'s `limit`), and callers or
/// callees per entry.
const PEEK_ROWS: usize = 600;
const PEEK_EDGES: usize = 100;

/// Refined profiles kept by the engine.
const REFINED_KEPT: usize = 8;

/// Pivot trees kept by the engine (a pivot view draws two).
const TREES_KEPT: usize = 2;

/// How a flame request shapes its tree: rooted at a focused function (by name) or cut at a
/// pivot's matches (by regex), and top-down or inverted.
#[derive(Clone, Copy, Debug)]
struct Shape<'a> {
    focus: Option<&'a str>,
    pivot: Option<&'a str>,
    inverted: bool,
}

/// The profiles a flame graph reads.
fn source_ids(source: &FlameSource) -> Vec<u32> {
    match source {
        FlameSource::Single { id } => vec![*id],
        FlameSource::Diff { base, target, .. } => vec![*base, *target],
    }
}

/// Profile `id` of `slots` as refinement `r` shows it: the profile itself for no
/// refinement, else its refined profile in `refined`.
fn view_of<'e>(
    slots: &'e [Slot],
    refined: &'e [(u32, Refine, refine::Refined)],
    id: u32,
    r: &Refine,
) -> Result<(&'e Profile, &'e [String]), String> {
    if r.is_identity() {
        let p = &slots.iter().find(|s| s.id == id).ok_or_else(|| format!("profile {id} is not loaded"))?.profile;
        return Ok((p, &[]));
    }
    refined
        .iter()
        .find(|x| x.0 == id && x.1 == *r)
        .map(|x| (&x.2.profile, &x.2.notes[..]))
        .ok_or_else(|| format!("profile {id} has no such refinement made"))
}

fn sample_index(p: &Profile, name: &str) -> Result<usize, String> {
    if name.is_empty() {
        return Ok(p.default_sample_type);
    }
    p.sample_type_index(name).ok_or_else(|| format!("this profile has no sample type \"{name}\""))
}

fn diff_warnings(b: &Profile, t: &Profile) -> Vec<String> {
    let mut w = Vec::new();
    if b.period != t.period && b.period != 0 && t.period != 0 {
        w.push(format!("The sampling periods differ (base {}, target {}): values are not directly comparable.", b.period, t.period));
    }
    let (bd, td) = (b.duration_nanos, t.duration_nanos);
    if bd > 0 && td > 0 {
        let r = bd.max(td) as f64 / bd.min(td) as f64;
        if r > 1.5 {
            w.push(format!("The durations differ a lot ({:.1}× apart): compare rates rather than totals.", r));
        }
    }
    w
}
