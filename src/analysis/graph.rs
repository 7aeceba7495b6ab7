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
//! node below; a sample whose leaf is not kept gives no flat. The samples' paths are merged into
//! a tree once (`Trie`), and each pass below walks the tree, not every sample.
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
    tag_sets: Vec<TagSet>,
    /// Any tags at all.
    has_tags: bool,
    /// The paths as a tree, root first.
    trie: Trie,
}

/// The paths merged into a tree (shared callers once): each builder pass walks it instead of
/// every frame of every path. Nodes come in depth-first order (a node's subtree is the range
/// after it), so a pass is one loop.
#[derive(Default)]
struct Trie {
    /// Graph node of each tree node.
    node: Vec<u32>,
    /// Inlined into its parent.
    inline: Vec<bool>,
    /// Parent tree node (`u32::MAX` for the top ones).
    parent: Vec<u32>,
    /// Sum of the weights of the paths through it (its subtree's).
    sub: Vec<i64>,
    /// Sum of the weights of the paths ending at it.
    end: Vec<i64>,
    /// No tree node above it has the same graph node (its cum counts).
    outer: Vec<bool>,
    /// One past the last node of its subtree.
    subtree_end: Vec<u32>,
}

impl Trie {
    /// Merges the paths (frames leaf first) into a tree: paths sorted root first, each one
    /// shares its common prefix with the one before.
    fn new(paths: &[Path], frames: &[u32], inline: &[bool], n_nodes: usize) -> Trie {
        // Each path root first, a frame as (graph node << 1 | inlined): compared as slices.
        let mut rf: Vec<u32> = Vec::with_capacity(frames.len());
        for p in paths {
            let (a, b) = (p.frames.start as usize, p.frames.end as usize);
            rf.extend(frames[a..b].iter().zip(&inline[a..b]).rev().map(|(&f, &il)| f << 1 | il as u32));
        }
        let key = |p: &Path| &rf[p.frames.start as usize..p.frames.end as usize];
        let mut order: Vec<u32> = (0..paths.len() as u32).collect();
        order.sort_unstable_by(|&x, &y| key(&paths[x as usize]).cmp(key(&paths[y as usize])));
        let mut t = Trie::default();
        // The current chain of tree nodes, root first.
        let mut chain: Vec<u32> = Vec::new();
        let mut prev: &[u32] = &[];
        for &pi in &order {
            let p = &paths[pi as usize];
            let cur = key(p);
            let common = prev.iter().zip(cur).take_while(|(a, b)| a == b).count();
            chain.truncate(common);
            for (k, &x) in cur.iter().enumerate().skip(common) {
                let parent = if k == 0 { u32::MAX } else { chain[k - 1] };
                chain.push(t.node.len() as u32);
                t.node.push(x >> 1);
                t.inline.push(x & 1 == 1);
                t.parent.push(parent);
                t.sub.push(0);
                t.end.push(0);
            }
            if let Some(&last) = chain.last() {
                t.end[last as usize] = t.end[last as usize].wrapping_add(p.weight);
            }
            prev = cur;
        }
        let len = t.node.len();
        // Subtree sums and ends (children come after their parent).
        t.subtree_end = (1..=len as u32).collect();
        for i in (0..len).rev() {
            t.sub[i] = t.sub[i].wrapping_add(t.end[i]);
            let par = t.parent[i];
            if par != u32::MAX {
                t.sub[par as usize] = t.sub[par as usize].wrapping_add(t.sub[i]);
                t.subtree_end[par as usize] = t.subtree_end[par as usize].max(t.subtree_end[i]);
            }
        }
        // Outermost occurrences: depth first, counting each graph node on the current chain.
        let mut on_chain = vec![0u32; n_nodes];
        let mut stack: Vec<u32> = Vec::new();
        t.outer = vec![false; len];
        for i in 0..len {
            while let Some(&top) = stack.last() {
                if t.subtree_end[top as usize] as usize <= i {
                    on_chain[t.node[top as usize] as usize] -= 1;
                    stack.pop();
                } else {
                    break;
                }
            }
            let f = t.node[i] as usize;
            t.outer[i] = on_chain[f] == 0;
            on_chain[f] += 1;
            stack.push(i as u32);
        }
        t
    }
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
        // (Inline marks only where some location has inlined lines.)
        let has_inline =
            !locs.from_functions && locs.sample_off.len() == p.num_samples() + 1 && locs.line_off.windows(2).any(|w| w[1] > w[0] + 1);
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
    let trie = Trie::new(&paths, &frames, &inline, ns.names.len());
    Input { names: ns.names, raw: ns.raw, paths, frames, tag_sets, has_tags, trie }
}

/// pprof's `newGraph`, with `kept` (pprof's `KeptNodes`) when some nodes were dropped: one
/// depth-first walk of the paths' tree. A tree node's value is that of all samples through it:
/// its graph node's cum counts it at the outermost occurrence on the way down; the edge from
/// the nearest kept node above counts it at the outermost occurrence of that pair (pprof
/// counts a node and an edge once per sample), dotted when the node right above is not kept.
fn build(inp: &Input, kept: Option<&[bool]>) -> Built {
    let n = inp.names.len();
    let t = &inp.trie;
    let mut flat = vec![0i64; n];
    let mut cum = vec![0i64; n];
    let mut touched = vec![false; n];
    let mut edge_index: FxHashMap<u64, u32> = FxHashMap::default();
    let mut edges: Vec<(u32, u32, EdgeData, bool)> = Vec::new();
    // Per edge: how often it is on the current chain.
    let mut active: Vec<u32> = Vec::new();
    // The chain: (tree node, nearest kept graph node at or above it, edge it opened).
    let mut stack: Vec<(u32, u32, u32)> = Vec::new();
    const NONE: u32 = u32::MAX;
    for i in 0..t.node.len() {
        while let Some(&(top, _, pair)) = stack.last() {
            if t.subtree_end[top as usize] as usize > i {
                break;
            }
            if pair != NONE {
                active[pair as usize] -= 1;
            }
            stack.pop();
        }
        let f = t.node[i];
        let above = stack.last().map_or(u32::MAX, |s| s.1);
        let parent_kept = t.parent[i] == u32::MAX || kept.is_none_or(|kp| kp[t.node[t.parent[i] as usize] as usize]);
        if kept.is_some_and(|kp| !kp[f as usize]) {
            stack.push((i as u32, above, NONE));
            continue;
        }
        let w = t.sub[i];
        touched[f as usize] = true;
        if t.outer[i] {
            cum[f as usize] = cum[f as usize].wrapping_add(w);
        }
        flat[f as usize] = flat[f as usize].wrapping_add(t.end[i]);
        let mut opened = NONE;
        if above != u32::MAX && above != f {
            let key = (above as u64) << 32 | f as u64;
            let (residual, inline) = (!parent_kept, t.inline[i]);
            let e = *edge_index.entry(key).or_insert_with(|| {
                edges.push((above, f, EdgeData { weight: 0, residual, inline }, true));
                active.push(0);
                (edges.len() - 1) as u32
            });
            active[e as usize] += 1;
            opened = e;
            if active[e as usize] == 1 {
                let d = &mut edges[e as usize].2;
                d.weight = d.weight.wrapping_add(w);
                d.residual |= residual;
                d.inline &= inline;
            }
        }
        stack.push((i as u32, f, opened));
    }
    // (pprof's node order before any sort is by first appearance, which no output depends on.)
    let nodes: Vec<u32> = (0..n as u32).filter(|&f| touched[f as usize] && !(flat[f as usize] == 0 && cum[f as usize] == 0)).collect();
    let mut out = vec![Vec::new(); n];
    let mut inn = vec![Vec::new(); n];
    for (i, &(a, b, _, _)) in edges.iter().enumerate() {
        out[a as usize].push((b, i as u32));
        inn[b as usize].push((a, i as u32));
    }
    Built { flat, cum, touched, nodes, out, inn, edges }
}

/// The tags of a path's label set.
fn tag_keys(ts: &TagSet) -> impl Iterator<Item = TagKey> + '_ {
    (ts.label != 0).then_some(TagKey::Label(ts.label)).into_iter().chain(ts.bytes.iter().map(move |&b| TagKey::Bytes(ts.label, b)))
}

/// Per node, its tag boxes as pprof's `countTags` counts them after `TrimLowFrequencyTags`:
/// the tags with a flat value, of those whose |flat| or |cum| reaches the cut-off.
fn tag_counts(inp: &Input, kept: Option<&[bool]>, cutoff: i64) -> Vec<usize> {
    let n = inp.names.len();
    let mut counts = vec![0usize; n];
    if !inp.has_tags {
        return counts;
    }
    let is_kept = |f: u32| kept.is_none_or(|kp| kp[f as usize]);
    // Flat: the leaf's, when it is kept.
    let mut flat: FxHashMap<(u32, TagKey), i64> = FxHashMap::default();
    for path in &inp.paths {
        if path.frames.is_empty() {
            continue;
        }
        let leaf = inp.frames[path.frames.start as usize];
        if !is_kept(leaf) {
            continue;
        }
        for k in tag_keys(&inp.tag_sets[path.tags as usize]) {
            let e = flat.entry((leaf, k)).or_insert(0);
            *e = e.wrapping_add(path.weight);
        }
    }
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
        for (pi, path) in inp.paths.iter().enumerate() {
            for &f in &inp.frames[path.frames.start as usize..path.frames.end as usize] {
                if candidate[f as usize] && is_kept(f) && seen[f as usize] != pi as u32 {
                    seen[f as usize] = pi as u32;
                    for k in tag_keys(&inp.tag_sets[path.tags as usize]) {
                        if let Some(c) = cum.get_mut(&(f, k)) {
                            *c = c.wrapping_add(path.weight);
                        }
                    }
                }
            }
        }
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
    let mut g = build(&inp, None);
    let nodes_total = g.nodes.len() as u32;
    let total = g.nodes.iter().fold(0i64, |s, &f| s.wrapping_add(g.flat[f as usize]));
    let node_cutoff = go_f64_to_i64(total as f64 * opts.nodefraction).wrapping_abs();
    let edge_cutoff = go_f64_to_i64(total as f64 * opts.edgefraction).wrapping_abs();
    let mut dropped_nodes = 0;
    let mut kept_now: Option<Vec<bool>> = None;
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
            kept_now = Some(kept);
        }
    }
    g.sort(&inp);
    if opts.nodecount > 0 {
        let tags = tag_counts(&inp, kept_now.as_deref(), node_cutoff);
        g.trim_edges(edge_cutoff);
        let top = g.select_top(opts.nodecount as usize, &tags);
        if top.len() != g.nodes.len() {
            let mut kept = vec![false; n];
            for &f in &top {
                kept[f as usize] = true;
            }
            g = build(&inp, Some(&kept));
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
