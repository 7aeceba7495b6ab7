//! pprof's call graph, as `go tool pprof -dot` builds it (pprof's `internal/graph` and
//! `report.newTrimmedGraph`), for one (refined) profile or for a diff (`-diff_base`: the base's
//! values negated, merged with the target's).
//!
//! The graph has one node per function (per node of the refinement's granularity: a refined
//! profile's "functions" are those nodes), with flat and cum, and one edge per caller → callee
//! pair with its weight. Per sample, root first: every node gets the sample's value in its cum
//! once however often it is on the stack, every edge once, a call of a node by itself is no
//! edge, and the leaf gets the flat. An edge is inlined when each call it stands for was a
//! frame its location inlined into its caller. A node that is not kept turns the edges around
//! it into one *residual* edge (pprof draws it dotted) from the kept node above to the kept
//! node below; a sample whose leaf is not kept gives no flat. Samples with the same stack, inline
//! marks and labels are summed into one path first. A node's flat and cum do not depend on
//! which other nodes are kept, so they are summed once, over all paths (`Values`), or taken
//! from the top table's sums when the decoder made them for this sample type; each graph over
//! a kept set needs only its edges, from the paths reduced to the kept nodes (`Seqs`: on the
//! synthetic L heap profile, 1.1 M samples, 37.6 M frames become 12.9 M codes after the node
//! fraction, and are narrowed once more to the node count's first 80 nodes). Which frames were
//! inlined comes from [`Profile::inline_marks`] (read from the decoder's arrays, without the
//! locations). The passes over paths and codes run in blocks
//! ([`in_blocks`]) for the browser's optimising compiler.
//!
//! Pruning, in pprof's order:
//! 1. build the whole graph; its total is the sum of the flats; the node cut-off is
//!    `|total × nodefraction|` and the edge cut-off `|total × edgefraction|` (truncated);
//! 2. nodes with |cum| under the node cut-off are dropped (the graph is built again with only
//!    the others, so their edges become residual);
//! 3. nodes are sorted by pprof's "entropy" score (nodes that merely pass their callers' value
//!    on to one callee rank low); with a node count, edges under the edge cut-off are removed
//!    first (they change nothing in the order, which was made before), then the first nodes
//!    are taken: each counts 1 + its label boxes (tags with a flat value, at most 4), and nodes
//!    are taken until the count reaches the node count; the graph is built again with them
//!    and sorted again;
//! 4. edges under the edge cut-off are removed, then residual edges whose target can be
//!    reached another way (lightest first, never past a non-residual edge).
//!
//! Labels matter only for the node count: pprof draws a node's string labels (all of a
//! sample's labels joined) and its `bytes` numeric labels as tag boxes, and counts those with a
//! flat value (after dropping tags under the node cut-off). Here each distinct value is one
//! tag (pprof names a numeric tag by its formatted value, which is the value itself when
//! `-unit` is the sample type's unit, as the goldens are recorded).
//!
//! Not modelled: `-mean` (the graph shows plain values) and pprof's `-call_tree`.

use crate::analysis::NameSpace;
use crate::model::blocks::in_blocks;
use crate::model::locations::InlineMarks;
use crate::model::Profile;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// pprof's pruning options for a graph (`-nodecount`, `-nodefraction`, `-edgefraction`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphOptions {
    /// At most this many nodes (pprof counts tag boxes too); 0: no limit.
    pub nodecount: u32,
    /// Nodes whose |cum| is under this share of the total are dropped.
    pub nodefraction: f64,
    /// Edges whose |weight| is under this share of the total are dropped.
    pub edgefraction: f64,
}

impl Default for GraphOptions {
    /// pprof's defaults for `-dot`.
    fn default() -> Self {
        GraphOptions { nodecount: 80, nodefraction: 0.005, edgefraction: 0.001 }
    }
}

/// A node of the graph.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphNode {
    /// Name as `-top` prints it at the granularity.
    pub name: String,
    /// Flat.
    pub flat: i64,
    /// Cum.
    pub cum: i64,
}

/// An edge of the graph, between two nodes (indices into [`Graph::nodes`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphEdge {
    /// Caller.
    pub from: u32,
    /// Callee.
    pub to: u32,
    /// Weight.
    pub weight: i64,
    /// Every call it stands for was inlined.
    pub inline: bool,
    /// It stands for a path through nodes that were dropped (pprof's dotted edge).
    pub residual: bool,
}

/// A call graph: nodes in pprof's order (its `N1`, `N2`, …), edges in the order `-dot`
/// writes them (|weight| descending, then caller name, then callee name).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graph {
    /// Nodes.
    pub nodes: Vec<GraphNode>,
    /// Edges.
    pub edges: Vec<GraphEdge>,
    /// Nodes of the whole graph (before pruning).
    pub nodes_total: u32,
    /// Nodes dropped by the node fraction.
    pub dropped_nodes: u32,
    /// Edges dropped by the edge fraction (in the last step).
    pub dropped_edges: u32,
}

/// One profile that goes into a graph: its sample type and whether its values are negated
/// (a diff's base).
#[derive(Clone, Copy)]
pub struct Part<'a> {
    /// The (refined) profile.
    pub profile: &'a Profile,
    /// Sample type index.
    pub sample_type: usize,
    /// Values negated (`-diff_base`).
    pub negate: bool,
}

/// A distinct way through the graph: all samples of one part with the same stack, inline
/// marks and labels, summed. Its frames are the part's stack `stack` (leaf first), mapped to
/// common node ids.
struct Path {
    part: u32,
    stack: u32,
    /// Its first sample, whose [`InlineMarks`] are its frames'; `NONE` when no frame of it
    /// was inlined.
    marks: u32,
    tags: u32,
    weight: i64,
}

/// Tags of a label set: its joined string labels (index into `label_strings`, 0 for none) and
/// its `bytes` values.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
struct TagSet {
    label: u32,
    bytes: Vec<i64>,
}

/// No index.
const NONE: u32 = u32::MAX;

/// What the builder reads: paths over common node ids.
struct Input<'a> {
    names: Vec<String>,
    raw: Vec<Box<[u8]>>,
    /// Per part: its stacks, its function id → common id map, and its samples' inline marks.
    parts: Vec<(&'a crate::model::Stacks, Vec<u32>, Arc<InlineMarks>)>,
    paths: Vec<Path>,
    tag_sets: Vec<TagSet>,
    /// Any tags at all.
    has_tags: bool,
}

impl Input<'_> {
    /// A path's frames (common ids), leaf first.
    fn frames<'s>(&'s self, p: &Path) -> impl DoubleEndedIterator<Item = u32> + ExactSizeIterator + 's {
        let (stacks, map, _) = &self.parts[p.part as usize];
        stacks.get(p.stack).iter().map(move |&f| map[f as usize])
    }
    /// Calls `each(code, inline)` for a path's frames, root first: `code` is the frame's
    /// entry in its part's `codes` (as [`Input::codes`] makes them), `inline` tells that the
    /// frame was inlined into the one above it.
    #[inline]
    fn each_root_first(&self, p: &Path, codes: &[u32], mut each: impl FnMut(u32, bool)) {
        let frames = self.parts[p.part as usize].0.get(p.stack);
        // (Positions leaf first, ascending: the next one root first is the last.)
        let mut inlined = if p.marks == NONE { &[][..] } else { self.parts[p.part as usize].2.sample(p.marks as usize) };
        for (k, &f) in frames.iter().enumerate().rev() {
            let inline = inlined.last() == Some(&(k as u32));
            if inline {
                inlined = &inlined[..inlined.len() - 1];
            }
            each(codes[f as usize], inline);
        }
    }

    /// Per part, per function id of the part: `f(its common id)` (one table lookup per frame
    /// where two would be: the common id's, then its entry).
    fn codes(&self, f: impl Fn(u32) -> u32) -> Vec<Vec<u32>> {
        self.parts.iter().map(|(_, map, _)| map.iter().map(|&c| f(c)).collect()).collect()
    }
}

/// Paths reduced to the nodes of a kept set, root first, one per path (same index), each node
/// a code `node << 2 | residual << 1 | inline` (residual: the frame right above it was not
/// kept; inline: it was inlined into that frame). This is all a graph over the kept nodes
/// needs: its edges join consecutive codes.
#[derive(Default)]
struct Seqs {
    codes: Vec<u32>,
    offsets: Vec<u32>,
    weights: Vec<i64>,
}

impl Seqs {
    fn len(&self) -> usize {
        self.weights.len()
    }
    fn get(&self, i: usize) -> &[u32] {
        &self.codes[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
    /// The paths of `inp` reduced to `kept`: entry `i` is path `i`'s (empty when it has no
    /// kept node). (Paths are distinct stacks already: merging the few that become equal costs
    /// more than it saves.)
    fn of_paths(inp: &Input, kept: &[bool]) -> Seqs {
        let mut s =
            Seqs { offsets: Vec::with_capacity(inp.paths.len() + 1), weights: Vec::with_capacity(inp.paths.len()), codes: Vec::new() };
        s.offsets.push(0);
        // Per part's function: its node's code, NONE when the node is not kept.
        let codes = inp.codes(|f| if kept[f as usize] { f << 2 } else { NONE });
        in_blocks(inp.paths.len(), |i| {
            let p = &inp.paths[i];
            let mut above_kept: Option<bool> = None;
            inp.each_root_first(p, &codes[p.part as usize], |c, inline| {
                let kf = c != NONE;
                if kf {
                    let residual = above_kept == Some(false);
                    s.codes.push(c | (residual as u32) << 1 | inline as u32);
                }
                above_kept = Some(kf);
            });
            s.offsets.push(s.codes.len() as u32);
            s.weights.push(p.weight);
        });
        s
    }

    /// Sequence `i` reduced further, to `kept` (a subset of the nodes it has), onto the end of
    /// `out`: a code whose node is kept is marked residual when the frame right above it was
    /// not kept before, or is not now.
    fn reduce_onto(&self, i: usize, kept: &[bool], out: &mut Vec<u32>) {
        let mut above_kept: Option<bool> = None;
        for &c in self.get(i) {
            let kf = kept[(c >> 2) as usize];
            if kf {
                let residual = c & 2 != 0 || above_kept == Some(false);
                out.push(c & !2 | (residual as u32) << 1);
            }
            above_kept = Some(kf);
        }
    }

    /// All sequences reduced to `kept` (a subset of their nodes), one per sequence (same
    /// index): what the graphs over fewer nodes read instead of these.
    fn reduced(&self, kept: &[bool]) -> Seqs {
        let mut s = Seqs { offsets: Vec::with_capacity(self.len() + 1), weights: self.weights.clone(), codes: Vec::new() };
        s.offsets.push(0);
        in_blocks(self.len(), |i| {
            self.reduce_onto(i, kept, &mut s.codes);
            s.offsets.push(s.codes.len() as u32);
        });
        s
    }
}

/// Flat, cum and presence of every node of the whole graph (they are the same in any graph
/// that keeps the node: a dropped node changes only edges).
struct Values {
    flat: Vec<i64>,
    cum: Vec<i64>,
    touched: Vec<bool>,
}

impl Values {
    /// The top table's sums, when the engine made them for this graph: one profile, not
    /// negated, its sums for this sample type still of its shape. Its function ids are the
    /// common ids (one profile's functions are interned by name, as the namespace's), and
    /// with no negative value a node is on a path with a value exactly when its cum is not 0.
    fn cached(parts: &[Part]) -> Option<Values> {
        let [part] = parts else { return None };
        let p = part.profile;
        let c = p.top_cache.as_ref()?;
        if part.negate || c.sample_type != part.sample_type || c.shape != p.shape() || p.values[part.sample_type].iter().any(|&v| v < 0) {
            return None;
        }
        let touched = c.cum.iter().map(|&v| v != 0).collect();
        Some(Values { flat: c.flat.clone(), cum: c.cum.clone(), touched })
    }

    /// Per path: its weight in the cum of each node on it (once, however often it is on the
    /// stack) and in the flat of its leaf.
    fn of(inp: &Input) -> Values {
        let n = inp.names.len();
        let mut v = Values { flat: vec![0; n], cum: vec![0; n], touched: vec![false; n] };
        let mut seen = vec![NONE; n];
        in_blocks(inp.paths.len(), |pi| {
            let p = &inp.paths[pi];
            let mut frames = inp.frames(p);
            let Some(leaf) = frames.next() else { return };
            v.flat[leaf as usize] = v.flat[leaf as usize].wrapping_add(p.weight);
            for f in std::iter::once(leaf).chain(frames) {
                let f = f as usize;
                if seen[f] != pi as u32 {
                    seen[f] = pi as u32;
                    v.cum[f] = v.cum[f].wrapping_add(p.weight);
                    v.touched[f] = true;
                }
            }
        });
        v
    }
}

#[derive(Clone, Copy)]
struct EdgeData {
    weight: i64,
    residual: bool,
    inline: bool,
}

/// An edge while it is summed: its data and the last sequence counted in it (+ 1; 0 before
/// the first).
#[derive(Clone, Copy, Default)]
struct Slot {
    weight: i64,
    last: u32,
    residual: bool,
    inline: bool,
}

/// Edges are summed in a table over (from, to) when the kept nodes are at most this many
/// pairs (16 MB of slots), else through a map: one memory access per call on a stack, where
/// an index table and a separate edge list took two or three.
const DENSE_SLOTS: usize = 1 << 20;

/// A built graph: per node id its values, edges by (from, to).
struct Built {
    flat: Vec<i64>,
    cum: Vec<i64>,
    touched: Vec<bool>,
    /// The graph's nodes (touched, not both values 0), in the current order.
    nodes: Vec<u32>,
    /// Out edges and in edges of each node: (other node, edge data index).
    out: Vec<Vec<(u32, u32)>>,
    inn: Vec<Vec<(u32, u32)>>,
    edges: Vec<(u32, u32, EdgeData, bool)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum TagKey {
    Label(u32),
    Bytes(u32, i64),
}

/// The joined string labels of a label set (pprof's `joinLabels`), "" when none.
fn join_labels(set: &[crate::model::Label]) -> String {
    let mut v: Vec<String> = set.iter().filter_map(|l| l.str.as_ref().map(|s| format!("{}:{}", l.key, s))).collect();
    v.sort();
    v.join("\\n")
}

fn collect<'a>(parts: &[Part<'a>]) -> Input<'a> {
    let mut ns = NameSpace::default();
    let mut label_strings: FxHashMap<String, u32> = FxHashMap::default();
    label_strings.insert(String::new(), 0);
    let mut tag_sets: Vec<TagSet> = Vec::new();
    let mut tag_index: FxHashMap<TagSet, u32> = FxHashMap::default();
    let mut has_tags = false;
    let mut paths: Vec<Path> = Vec::new();
    let mut in_parts = Vec::with_capacity(parts.len());
    // (part, stack, tag set, inline marks) → path, for a stack seen with other tags or marks
    // before (the first path of each stack is in `first`).
    let mut index: FxHashMap<(u32, u32, u32, Vec<u32>), u32> = FxHashMap::default();
    for (pi, part) in parts.iter().enumerate() {
        let p = part.profile;
        let map = ns.add(p);
        // Per label set of this profile: its tag set id.
        let set_tags: Vec<u32> = p
            .label_sets
            .sets
            .iter()
            .map(|set| {
                let joined = join_labels(set);
                let n = label_strings.len() as u32;
                let label = *label_strings.entry(joined).or_insert(n);
                let bytes: Vec<i64> = set.iter().filter(|l| l.str.is_none() && l.key == "bytes").map(|l| l.num).collect();
                let ts = TagSet { label, bytes };
                has_tags |= ts.label != 0 || !ts.bytes.is_empty();
                let n = tag_sets.len() as u32;
                *tag_index.entry(ts.clone()).or_insert_with(|| {
                    tag_sets.push(ts);
                    n
                })
            })
            .collect();
        let marks = p.inline_marks();
        let values = &p.values[part.sample_type];
        // Per stack: its first path.
        let mut first = vec![NONE; p.stacks.len()];
        in_blocks(p.sample_stack.len().min(values.len()), |i| {
            let (stack, v) = (p.sample_stack[i], values[i]);
            if v == 0 {
                return;
            }
            let w = if part.negate { v.wrapping_neg() } else { v };
            let inlined = marks.sample(i);
            let marked = !inlined.is_empty();
            let set = p.sample_labels.get(i).copied().unwrap_or(0) as usize;
            let tags = set_tags.get(set).copied().unwrap_or(0);
            let same = |path: &Path| {
                path.tags == tags
                    && match path.marks {
                        NONE => !marked,
                        at => inlined == marks.sample(at as usize),
                    }
            };
            let key = || (pi as u32, stack, tags, inlined.to_vec());
            let f = first[stack as usize];
            let found = if f != NONE && same(&paths[f as usize]) {
                Some(f)
            } else if f != NONE {
                index.get(&key()).copied()
            } else {
                None
            };
            match found {
                Some(k) => {
                    let path = &mut paths[k as usize];
                    path.weight = path.weight.wrapping_add(w);
                }
                None => {
                    let k = paths.len() as u32;
                    if f == NONE {
                        first[stack as usize] = k;
                    } else {
                        index.insert(key(), k);
                    }
                    paths.push(Path { part: pi as u32, stack, marks: if marked { i as u32 } else { NONE }, tags, weight: w });
                }
            }
        });
        in_parts.push((&p.stacks, map, marks));
    }
    if tag_sets.is_empty() {
        tag_sets.push(TagSet::default());
    }
    Input { names: ns.names, raw: ns.raw, parts: in_parts, paths, tag_sets, has_tags }
}

/// pprof's `newGraph` over the nodes of `kept` (pprof's `KeptNodes`; all nodes for the whole
/// graph), from the paths reduced to them: each path counts once in each edge it has (pprof
/// counts a node and an edge once per sample), an edge from a node to the next kept node
/// below it, dotted (residual) when nodes between them were dropped, inlined when every call
/// it stands for was.
///
/// `reduce`: the sequences were made for more nodes than `kept`, and are reduced to it as they
/// are read.
fn build(values: &Values, seqs: &Seqs, kept: &[bool], reduce: bool) -> Built {
    let n = values.flat.len();
    let touched: Vec<bool> = values.touched.iter().zip(kept).map(|(&t, &k)| t && k).collect();
    // Edges by (from, to): a table over the kept nodes when they are few, else a map.
    let mut dense = vec![NONE; n];
    let mut k = 0u32;
    for f in 0..n {
        if touched[f] {
            dense[f] = k;
            k += 1;
        }
    }
    let k = k as usize;
    let dense_slots = k * k <= DENSE_SLOTS;
    let mut slots: Vec<Slot> = if dense_slots { vec![Slot::default(); k * k] } else { Vec::new() };
    let mut slot_index: FxHashMap<u64, u32> = FxHashMap::default();
    // The edges in order of first appearance: (from, to, slot).
    let mut order: Vec<(u32, u32, u32)> = Vec::new();
    let mut buf: Vec<u32> = Vec::new();
    in_blocks(seqs.len(), |s| {
        let w = seqs.weights[s];
        let stamp = s as u32 + 1;
        let mut above = NONE;
        let codes = if reduce {
            buf.clear();
            seqs.reduce_onto(s, kept, &mut buf);
            buf.as_slice()
        } else {
            seqs.get(s)
        };
        for &c in codes {
            let f = c >> 2;
            if above != NONE && above != f {
                let (residual, inline) = (c & 2 != 0, c & 1 != 0);
                let at = if dense_slots {
                    dense[above as usize] as usize * k + dense[f as usize] as usize
                } else {
                    *slot_index.entry((above as u64) << 32 | f as u64).or_insert_with(|| {
                        slots.push(Slot::default());
                        (slots.len() - 1) as u32
                    }) as usize
                };
                let e = &mut slots[at];
                if e.last == 0 {
                    order.push((above, f, at as u32));
                    e.inline = true;
                }
                // (Each sequence counts once in an edge, however often it passes it.)
                if e.last != stamp {
                    e.last = stamp;
                    e.weight = e.weight.wrapping_add(w);
                    e.residual |= residual;
                    e.inline &= inline;
                }
            }
            above = f;
        }
    });
    let edges: Vec<(u32, u32, EdgeData, bool)> = order
        .iter()
        .map(|&(a, b, at)| {
            let e = &slots[at as usize];
            (a, b, EdgeData { weight: e.weight, residual: e.residual, inline: e.inline }, true)
        })
        .collect();
    // (pprof's node order before any sort is by first appearance, which no output depends on.)
    let (flat, cum) = (&values.flat, &values.cum);
    let nodes: Vec<u32> = (0..n as u32).filter(|&f| touched[f as usize] && !(flat[f as usize] == 0 && cum[f as usize] == 0)).collect();
    let mut out = vec![Vec::new(); n];
    let mut inn = vec![Vec::new(); n];
    for (i, &(a, b, _, _)) in edges.iter().enumerate() {
        out[a as usize].push((b, i as u32));
        inn[b as usize].push((a, i as u32));
    }
    Built { flat: flat.clone(), cum: cum.clone(), touched, nodes, out, inn, edges }
}

/// The tags of a path's label set.
fn tag_keys(ts: &TagSet) -> impl Iterator<Item = TagKey> + '_ {
    (ts.label != 0).then_some(TagKey::Label(ts.label)).into_iter().chain(ts.bytes.iter().map(move |&b| TagKey::Bytes(ts.label, b)))
}

/// Per node, its tag boxes as pprof's `countTags` counts them after `TrimLowFrequencyTags`:
/// the tags with a flat value, of those whose |flat| or |cum| reaches the cut-off.
///
/// `kept` is a subset of the nodes `seqs` were made for (path `i`'s kept nodes are sequence
/// `i`'s).
fn tag_counts(inp: &Input, seqs: &Seqs, kept: &[bool], cutoff: i64) -> Vec<usize> {
    let n = inp.names.len();
    let mut counts = vec![0usize; n];
    if !inp.has_tags {
        return counts;
    }
    let is_kept = |f: u32| kept[f as usize];
    // Flat: the leaf's, when it is kept.
    let mut flat: FxHashMap<(u32, TagKey), i64> = FxHashMap::default();
    in_blocks(inp.paths.len(), |pi| {
        let path = &inp.paths[pi];
        let Some(leaf) = inp.frames(path).next() else { return };
        if !is_kept(leaf) {
            return;
        }
        for k in tag_keys(&inp.tag_sets[path.tags as usize]) {
            let e = flat.entry((leaf, k)).or_insert(0);
            *e = e.wrapping_add(path.weight);
        }
    });
    // Cum, only where it decides: tags with a flat value under the cut-off.
    let mut cum: FxHashMap<(u32, TagKey), i64> = FxHashMap::default();
    let mut candidate = vec![false; n];
    for (&(f, k), &v) in &flat {
        if v != 0 && v.wrapping_abs() < cutoff {
            cum.insert((f, k), 0);
            candidate[f as usize] = true;
        }
    }
    if !cum.is_empty() {
        let mut seen = vec![u32::MAX; n];
        in_blocks(inp.paths.len(), |pi| {
            let path = &inp.paths[pi];
            for f in seqs.get(pi).iter().map(|&c| c >> 2) {
                if candidate[f as usize] && is_kept(f) && seen[f as usize] != pi as u32 {
                    seen[f as usize] = pi as u32;
                    for k in tag_keys(&inp.tag_sets[path.tags as usize]) {
                        if let Some(c) = cum.get_mut(&(f, k)) {
                            *c = c.wrapping_add(path.weight);
                        }
                    }
                }
            }
        });
    }
    for (&(f, k), &v) in &flat {
        if v != 0 && (v.wrapping_abs() >= cutoff || cum.get(&(f, k)).is_some_and(|c| c.wrapping_abs() >= cutoff)) {
            counts[f as usize] += 1;
        }
    }
    counts
}

impl Built {
    fn live_edges<'a>(&'a self, list: &'a [(u32, u32)]) -> impl Iterator<Item = &'a (u32, u32, EdgeData, bool)> + 'a {
        list.iter().map(|&(_, e)| &self.edges[e as usize]).filter(|e| e.3)
    }

    /// pprof's `entropyScore`, with Go's float → int conversion (NaN and overflow give the
    /// smallest int64 on amd64).
    fn entropy(&self, f: u32) -> i64 {
        let fu = f as usize;
        let edge_score = |list: &[(u32, u32)], own: i64| -> f64 {
            let mut total = own;
            for e in self.live_edges(list) {
                if e.2.weight > 0 {
                    total = total.wrapping_add(e.2.weight.wrapping_abs());
                }
            }
            let mut score = 0.0f64;
            if total != 0 {
                for e in self.live_edges(list) {
                    let frac = e.2.weight.wrapping_abs() as f64 / total as f64;
                    score += -frac * frac.log2();
                }
                if own > 0 {
                    let frac = own.wrapping_abs() as f64 / total as f64;
                    score += -frac * frac.log2();
                }
            }
            score
        };
        let mut score = 0.0f64;
        if self.live_edges(&self.inn[fu]).next().is_none() {
            score += 1.0;
        } else {
            score += edge_score(&self.inn[fu], 0);
        }
        if self.live_edges(&self.out[fu]).next().is_none() {
            score += 1.0;
        } else {
            score += edge_score(&self.out[fu], self.flat[fu]);
        }
        go_f64_to_i64(score * self.cum[fu] as f64).wrapping_add(self.flat[fu])
    }

    /// pprof's `SortNodes` in visual mode (`EntropyOrder`).
    fn sort(&mut self, inp: &Input) {
        let score: FxHashMap<u32, i64> = self.nodes.iter().map(|&f| (f, self.entropy(f))).collect();
        let (flat, names, raw) = (&self.flat, &inp.names, &inp.raw);
        self.nodes.sort_by(|&a, &b| {
            let (sa, sb) = (score[&a].wrapping_abs(), score[&b].wrapping_abs());
            sb.cmp(&sa)
                .then_with(|| names[a as usize].cmp(&names[b as usize]))
                .then_with(|| flat[b as usize].wrapping_abs().cmp(&flat[a as usize].wrapping_abs()))
                .then_with(|| raw[a as usize].cmp(&raw[b as usize]))
        });
    }

    /// pprof's `TrimLowFrequencyEdges` over the graph's nodes' in edges; returns how many
    /// were removed.
    fn trim_edges(&mut self, cutoff: i64) -> u32 {
        let mut dropped = 0;
        for &f in &self.nodes {
            for &(_, e) in &self.inn[f as usize] {
                let e = &mut self.edges[e as usize];
                if e.3 && e.2.weight.wrapping_abs() < cutoff {
                    e.3 = false;
                    dropped += 1;
                }
            }
        }
        dropped
    }

    /// pprof's `selectTopNodes` in visual mode: the first nodes, each counting 1 + its tag
    /// boxes (at most 4), until the count reaches `max`.
    fn select_top(&self, max: usize, tags: &[usize]) -> Vec<u32> {
        let mut max = max;
        if max > 0 {
            let mut count = 0usize;
            for (i, &f) in self.nodes.iter().enumerate() {
                let tags = tags[f as usize].min(4);
                count += tags + 1;
                if count >= max {
                    max = i + 1;
                    break;
                }
            }
        }
        self.nodes[..max.min(self.nodes.len())].to_vec()
    }

    /// In edges of a node, in pprof's edge order.
    fn sorted_in(&self, f: u32, inp: &Input) -> Vec<u32> {
        let mut v: Vec<u32> = self.inn[f as usize].iter().map(|&(_, e)| e).filter(|&e| self.edges[e as usize].3).collect();
        v.sort_by(|&a, &b| edge_cmp(&self.edges[a as usize], &self.edges[b as usize], inp));
        v
    }

    /// pprof's `RemoveRedundantEdges`.
    fn remove_redundant_edges(&mut self, inp: &Input) {
        for i in (0..self.nodes.len()).rev() {
            let f = self.nodes[i];
            let ins = self.sorted_in(f, inp);
            for &e in ins.iter().rev() {
                if !self.edges[e as usize].2.residual {
                    break;
                }
                if self.is_redundant(e) {
                    self.edges[e as usize].3 = false;
                }
            }
        }
    }

    /// Can the edge's source reach its target another way (through in edges, backwards)?
    fn is_redundant(&self, e: u32) -> bool {
        let (src, dst, _, _) = self.edges[e as usize];
        let mut seen: FxHashSet<u32> = FxHashSet::default();
        seen.insert(dst);
        let mut queue = std::collections::VecDeque::from([dst]);
        while let Some(n) = queue.pop_front() {
            for &(from, ie) in &self.inn[n as usize] {
                if ie == e || !self.edges[ie as usize].3 || seen.contains(&from) {
                    continue;
                }
                if from == src {
                    return true;
                }
                seen.insert(from);
                queue.push_back(from);
            }
        }
        false
    }
}

/// pprof's `edgeList.Less` as an ordering.
fn edge_cmp(a: &(u32, u32, EdgeData, bool), b: &(u32, u32, EdgeData, bool), inp: &Input) -> std::cmp::Ordering {
    let names = &inp.names;
    b.2.weight
        .wrapping_abs()
        .cmp(&a.2.weight.wrapping_abs())
        .then_with(|| names[a.0 as usize].cmp(&names[b.0 as usize]))
        .then_with(|| names[a.1 as usize].cmp(&names[b.1 as usize]))
        .then_with(|| inp.raw[a.0 as usize].cmp(&inp.raw[b.0 as usize]))
        .then_with(|| inp.raw[a.1 as usize].cmp(&inp.raw[b.1 as usize]))
}

/// Go's `int64(f)` on amd64: NaN and values out of range give the smallest int64.
fn go_f64_to_i64(f: f64) -> i64 {
    // 2^63: i64's range is [-2^63, 2^63).
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-TWO_63..TWO_63).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// The call graph of `parts` (one profile, or a diff's negated base and its target) as
/// `go tool pprof -dot` with `opts` draws it.
pub fn graph(parts: &[Part], opts: &GraphOptions) -> Graph {
    let inp = collect(parts);
    let n = inp.names.len();
    let values = Values::cached(parts).filter(|v| v.flat.len() == n).unwrap_or_else(|| Values::of(&inp));
    let all: Vec<u32> =
        (0..n as u32).filter(|&f| values.touched[f as usize] && !(values.flat[f as usize] == 0 && values.cum[f as usize] == 0)).collect();
    let nodes_total = all.len() as u32;
    let total = all.iter().fold(0i64, |s, &f| s.wrapping_add(values.flat[f as usize]));
    let node_cutoff = go_f64_to_i64(total as f64 * opts.nodefraction).wrapping_abs();
    let edge_cutoff = go_f64_to_i64(total as f64 * opts.edgefraction).wrapping_abs();
    let mut dropped_nodes = 0;
    let mut kept = vec![true; n];
    if node_cutoff > 0 {
        for &f in &all {
            if values.cum[f as usize].wrapping_abs() < node_cutoff {
                kept[f as usize] = false;
                dropped_nodes += 1;
            }
        }
        if dropped_nodes > 0 {
            // pprof keeps the nodes it has: a node with no value at all is not one of them.
            for (k, (&flat, &cum)) in kept.iter_mut().zip(values.flat.iter().zip(&values.cum)) {
                if flat == 0 && cum == 0 {
                    *k = false;
                }
            }
        }
    }
    let seqs = Seqs::of_paths(&inp, &kept);
    let mut g = build(&values, &seqs, &kept, false);
    g.sort(&inp);
    if opts.nodecount > 0 {
        // Only the first `nodecount` nodes can be looked at (each counts at least 1): their
        // tags only.
        let mut first = vec![false; n];
        for &f in g.nodes.iter().take(opts.nodecount as usize) {
            first[f as usize] = true;
        }
        // The sequences reduced to those nodes, once: the tags and the graph of the nodes
        // taken (some of them) read these (on a big profile, a sixteenth of the codes).
        let narrowed = (g.nodes.len() > opts.nodecount as usize).then(|| seqs.reduced(&first));
        let seqs = narrowed.as_ref().unwrap_or(&seqs);
        let tags = tag_counts(&inp, seqs, &first, node_cutoff);
        g.trim_edges(edge_cutoff);
        let top = g.select_top(opts.nodecount as usize, &tags);
        if top.len() != g.nodes.len() {
            let mut top_kept = vec![false; n];
            for &f in &top {
                top_kept[f as usize] = true;
            }
            g = build(&values, seqs, &top_kept, true);
            g.sort(&inp);
        }
    }
    let dropped_edges = g.trim_edges(edge_cutoff);
    g.remove_redundant_edges(&inp);

    // Out: nodes in order, edges of the graph's nodes as -dot writes them.
    let mut pos = vec![u32::MAX; n];
    for (i, &f) in g.nodes.iter().enumerate() {
        pos[f as usize] = i as u32;
    }
    let mut edges: Vec<&(u32, u32, EdgeData, bool)> = g
        .nodes
        .iter()
        .flat_map(|&f| g.live_edges(&g.out[f as usize]))
        .filter(|e| pos[e.1 as usize] != u32::MAX && g.touched[e.1 as usize])
        .collect();
    edges.sort_by(|a, b| edge_cmp(a, b, &inp));
    Graph {
        nodes: g
            .nodes
            .iter()
            .map(|&f| GraphNode { name: inp.names[f as usize].clone(), flat: g.flat[f as usize], cum: g.cum[f as usize] })
            .collect(),
        edges: edges
            .into_iter()
            .map(|e| GraphEdge {
                from: pos[e.0 as usize],
                to: pos[e.1 as usize],
                weight: e.2.weight,
                inline: e.2.inline,
                residual: e.2.residual,
            })
            .collect(),
        nodes_total,
        dropped_nodes,
        dropped_edges,
    }
}
