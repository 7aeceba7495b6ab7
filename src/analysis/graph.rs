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
//! node below; a sample whose leaf is not kept gives no flat.
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
use crate::model::Profile;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

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

/// A distinct way through the graph: all samples with the same frames, inline marks and
/// labels, summed.
struct Path {
    frames: std::ops::Range<u32>,
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

/// (part, stack, tag set, inline bits) of a path.
type PathKey = (u32, u32, u32, Box<[u64]>);

/// What the builder reads: paths over common node ids.
struct Input {
    names: Vec<String>,
    raw: Vec<Box<[u8]>>,
    paths: Vec<Path>,
    /// Frames of all paths, leaf first.
    frames: Vec<u32>,
    /// Per frame: inlined into the frame above it.
    inline: Vec<bool>,
    tag_sets: Vec<TagSet>,
    /// Any tags at all.
    has_tags: bool,
}

#[derive(Clone, Copy)]
struct EdgeData {
    weight: i64,
    residual: bool,
    inline: bool,
}

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
    /// Tags per node: (tag key, flat, cum).
    tags: FxHashMap<(u32, TagKey), (i64, i64)>,
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

fn collect(parts: &[Part]) -> Input {
    let mut ns = NameSpace::default();
    let mut label_strings: FxHashMap<String, u32> = FxHashMap::default();
    label_strings.insert(String::new(), 0);
    let mut tag_sets: Vec<TagSet> = Vec::new();
    let mut tag_index: FxHashMap<TagSet, u32> = FxHashMap::default();
    let mut has_tags = false;
    let mut paths: Vec<Path> = Vec::new();
    let mut frames: Vec<u32> = Vec::new();
    let mut inline: Vec<bool> = Vec::new();
    // (part, stack, tag set, inline bits) → path.
    let mut index: FxHashMap<PathKey, u32> = FxHashMap::default();
    let mut bits: Vec<u64> = Vec::new();
    let mut inl: Vec<bool> = Vec::new();
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
        let locs = p.locations();
        let has_inline = !locs.from_functions && locs.sample_off.len() == p.num_samples() + 1;
        let values = &p.values[part.sample_type];
        for (i, (&stack, &v)) in p.sample_stack.iter().zip(values).enumerate() {
            if v == 0 {
                continue;
            }
            let w = if part.negate { v.wrapping_neg() } else { v };
            let fr = p.stacks.get(stack);
            inl.clear();
            if has_inline {
                for &l in locs.sample(i) {
                    let n = locs.lines(l).len().max(1);
                    for k in 0..n {
                        inl.push(k + 1 < n);
                    }
                }
                if inl.len() != fr.len() {
                    inl.clear();
                }
            }
            bits.clear();
            if !inl.is_empty() {
                bits.resize(fr.len().div_ceil(64), 0);
                for (k, &b) in inl.iter().enumerate() {
                    if b {
                        bits[k / 64] |= 1 << (k % 64);
                    }
                }
            }
            let set = p.sample_labels.get(i).copied().unwrap_or(0) as usize;
            let tags = set_tags.get(set).copied().unwrap_or(0);
            let key = (pi as u32, stack, tags, bits.clone().into_boxed_slice());
            match index.get(&key) {
                Some(&k) => {
                    let path = &mut paths[k as usize];
                    path.weight = path.weight.wrapping_add(w);
                }
                None => {
                    let start = frames.len() as u32;
                    frames.extend(fr.iter().map(|&f| map[f as usize]));
                    if inl.is_empty() {
                        inline.extend(std::iter::repeat_n(false, fr.len()));
                    } else {
                        inline.extend_from_slice(&inl);
                    }
                    index.insert(key, paths.len() as u32);
                    paths.push(Path { frames: start..frames.len() as u32, tags, weight: w });
                }
            }
        }
    }
    if tag_sets.is_empty() {
        tag_sets.push(TagSet::default());
    }
    Input { names: ns.names, raw: ns.raw, paths, frames, inline, tag_sets, has_tags }
}

/// pprof's `newGraph`, with `kept` (pprof's `KeptNodes`) when some nodes were dropped.
fn build(inp: &Input, kept: Option<&[bool]>) -> Built {
    let n = inp.names.len();
    let mut flat = vec![0i64; n];
    let mut cum = vec![0i64; n];
    let mut touched = vec![false; n];
    let mut seen = vec![u32::MAX; n];
    let mut seen_edge: FxHashSet<(u32, u32)> = FxHashSet::default();
    let mut edge_index: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    let mut edges: Vec<(u32, u32, EdgeData, bool)> = Vec::new();
    let mut tags: FxHashMap<(u32, TagKey), (i64, i64)> = FxHashMap::default();
    let add_tags = |tags: &mut FxHashMap<(u32, TagKey), (i64, i64)>, node: u32, ts: &TagSet, w: i64, is_flat: bool| {
        let mut add = |k: TagKey| {
            let e = tags.entry((node, k)).or_insert((0, 0));
            if is_flat {
                e.0 = e.0.wrapping_add(w);
            } else {
                e.1 = e.1.wrapping_add(w);
            }
        };
        if ts.label != 0 {
            add(TagKey::Label(ts.label));
        }
        for &b in &ts.bytes {
            add(TagKey::Bytes(ts.label, b));
        }
    };
    for (pi, path) in inp.paths.iter().enumerate() {
        let w = path.weight;
        let fr = &inp.frames[path.frames.start as usize..path.frames.end as usize];
        let il = &inp.inline[path.frames.start as usize..path.frames.end as usize];
        let ts = &inp.tag_sets[path.tags as usize];
        seen_edge.clear();
        let mut parent = u32::MAX;
        let mut residual = false;
        for k in (0..fr.len()).rev() {
            let f = fr[k];
            if kept.is_some_and(|kp| !kp[f as usize]) {
                residual = true;
                continue;
            }
            if seen[f as usize] != pi as u32 {
                seen[f as usize] = pi as u32;
                touched[f as usize] = true;
                cum[f as usize] = cum[f as usize].wrapping_add(w);
                if inp.has_tags {
                    add_tags(&mut tags, f, ts, w, false);
                }
            }
            if parent != u32::MAX && parent != f && seen_edge.insert((parent, f)) {
                let inline = il[k];
                match edge_index.get(&(parent, f)) {
                    Some(&e) => {
                        let d = &mut edges[e as usize].2;
                        d.weight = d.weight.wrapping_add(w);
                        d.residual |= residual;
                        d.inline &= inline;
                    }
                    None => {
                        edge_index.insert((parent, f), edges.len() as u32);
                        edges.push((parent, f, EdgeData { weight: w, residual, inline }, true));
                    }
                }
            }
            parent = f;
            residual = false;
        }
        if parent != u32::MAX && !residual {
            flat[parent as usize] = flat[parent as usize].wrapping_add(w);
            if inp.has_tags {
                add_tags(&mut tags, parent, ts, w, true);
            }
        }
    }
    // pprof's node order before any sort: by first appearance, which no output depends on.
    let nodes: Vec<u32> = (0..n as u32).filter(|&f| touched[f as usize] && !(flat[f as usize] == 0 && cum[f as usize] == 0)).collect();
    let mut out = vec![Vec::new(); n];
    let mut inn = vec![Vec::new(); n];
    for (i, &(a, b, _, _)) in edges.iter().enumerate() {
        out[a as usize].push((b, i as u32));
        inn[b as usize].push((a, i as u32));
    }
    Built { flat, cum, touched, nodes, out, inn, edges, tags }
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

    /// pprof's `TrimLowFrequencyTags`.
    fn trim_tags(&mut self, cutoff: i64) {
        self.tags.retain(|_, &mut (f, c)| f.wrapping_abs() >= cutoff || c.wrapping_abs() >= cutoff);
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
    fn select_top(&self, max: usize) -> Vec<u32> {
        let mut max = max;
        if max > 0 {
            let mut count = 0usize;
            let mut per_node: FxHashMap<u32, usize> = FxHashMap::default();
            for (&(f, _), &(flat, _)) in &self.tags {
                if flat != 0 {
                    *per_node.entry(f).or_default() += 1;
                }
            }
            for (i, &f) in self.nodes.iter().enumerate() {
                let tags = per_node.get(&f).copied().unwrap_or(0).min(4);
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
    let mut g = build(&inp, None);
    let nodes_total = g.nodes.len() as u32;
    let total = g.nodes.iter().fold(0i64, |s, &f| s.wrapping_add(g.flat[f as usize]));
    let node_cutoff = go_f64_to_i64(total as f64 * opts.nodefraction).wrapping_abs();
    let edge_cutoff = go_f64_to_i64(total as f64 * opts.edgefraction).wrapping_abs();
    let mut dropped_nodes = 0;
    if node_cutoff > 0 {
        let mut kept = vec![false; n];
        let mut count = 0;
        for &f in &g.nodes {
            if g.cum[f as usize].wrapping_abs() >= node_cutoff {
                kept[f as usize] = true;
                count += 1;
            }
        }
        if count != g.nodes.len() {
            dropped_nodes = (g.nodes.len() - count) as u32;
            g = build(&inp, Some(&kept));
        }
    }
    g.sort(&inp);
    if opts.nodecount > 0 {
        g.trim_tags(node_cutoff);
        g.trim_edges(edge_cutoff);
        let top = g.select_top(opts.nodecount as usize);
        if top.len() != g.nodes.len() {
            let mut kept = vec![false; n];
            for &f in &top {
                kept[f as usize] = true;
            }
            g = build(&inp, Some(&kept));
            g.sort(&inp);
        }
    }
    g.trim_tags(node_cutoff);
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
