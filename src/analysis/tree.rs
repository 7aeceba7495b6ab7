//! Call trees (root → leaf) for flame graphs, built top-down and only as deep as a view needs.
//!
//! Same-named functions are one node per call path; recursion shows as nesting, as in every
//! flame graph. A node owns a contiguous range of *entries* (one per distinct stack with a
//! nonzero value). Expanding a node groups its entries by the frame one level deeper, so
//! children come out with their values and their own entry ranges. Nodes narrower than what
//! a view can draw are never expanded: on a 1.1 M-stack profile a flame graph touches a few
//! hundred thousand nodes instead of building a multi-million-node tree, and zooming into a
//! narrow node expands just that subtree, relative to its new width.

use serde::{Deserialize, Serialize};

/// Marker function id of the synthetic root.
pub const ROOT: u32 = u32::MAX;

const NONE: u32 = u32::MAX;
/// Part-1 flag in [`Entry::len`] (the base profile of a diff).
const PART1: u32 = 1 << 31;

/// Where an entry's frames live: a profile's flat leaf-first frames and its function-id map
/// into the tree's id space.
#[derive(Clone, Copy)]
pub struct Part<'a> {
    /// All frames of the profile's stacks, leaf first per stack.
    pub frames: &'a [u32],
    /// Profile function id → tree function id.
    pub map: &'a [u32],
}

/// One stack with a value: its root-most frame is `frames[end - 1]`, it has `len & !PART1`
/// frames, and `len & PART1` says which part (profile) it comes from.
#[derive(Clone, Copy, Debug)]
struct Entry {
    end: u32,
    len: u32,
    value: i64,
}

impl Entry {
    #[inline]
    fn depth(&self) -> u32 {
        self.len & !PART1
    }
    #[inline]
    fn part(&self) -> usize {
        (self.len >> 31) as usize
    }
    /// Tree function id of the frame `d` levels below the root, if the stack is that deep.
    /// In an inverted tree the leaf is the root-most frame and callers follow.
    #[inline]
    fn frame(&self, parts: &[Part<'_>], d: u32, inverted: bool) -> u32 {
        let depth = self.depth();
        if d >= depth {
            return NONE;
        }
        let p = &parts[self.part()];
        let at = if inverted { self.end - depth + d } else { self.end - 1 - d };
        p.map[p.frames[at as usize] as usize]
    }
}

/// A call tree expanded on demand. Node 0 is the root (`func == ROOT`). Values are inclusive;
/// in a diff tree `value` is the target and `base` the base.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    entries: Vec<Entry>,
    /// Function id per node (tree id space).
    pub func: Vec<u32>,
    /// Parent per node (root: itself).
    pub parent: Vec<u32>,
    /// Inclusive value per node (the target in a diff).
    pub value: Vec<i64>,
    /// Inclusive base value per node (diff trees only; zeros otherwise).
    pub base: Vec<i64>,
    lo: Vec<u32>,
    hi: Vec<u32>,
    depth: Vec<u32>,
    /// First child id; children of a node are contiguous ids, sorted by name.
    kids_at: Vec<u32>,
    /// Number of children, `NONE` while the node is not expanded.
    kids_n: Vec<u32>,
    /// Bottom-up: each stack is read leaf first, so leaf functions are the root's children
    /// and their callers are below them.
    inverted: bool,
    // Scratch, kept between expansions.
    slot: Vec<u32>,
    keys: Vec<u32>,
    tmp: Vec<Entry>,
    groups: Groups,
}

/// Per-expansion scratch (kept to spare allocations: a flame graph expands ~10^5 nodes).
#[derive(Clone, Debug, Default)]
struct Groups {
    /// Distinct next frames, first-seen order.
    funcs: Vec<u32>,
    /// Entries per function.
    counts: Vec<u32>,
    /// Group indices in name order.
    order: Vec<u32>,
    /// Start of each child's range, by rank.
    start: Vec<u32>,
    /// Fill cursor of each child's range, by rank.
    fill: Vec<u32>,
    /// (value, base) of each child, by rank.
    sums: Vec<(i64, i64)>,
}

/// Builds the entries of a [`Tree`]; [`TreeBuilder::finish`] makes the root.
#[derive(Default)]
pub struct TreeBuilder {
    entries: Vec<Entry>,
    inverted: bool,
}

impl TreeBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty builder of an inverted (bottom-up) tree: every stack is read from its leaf,
    /// so the root's children are the functions samples end in, and a node's children are
    /// its callers.
    pub fn inverted() -> Self {
        TreeBuilder { inverted: true, ..Self::default() }
    }

    /// Adds the stack `frames[start..end]` (leaf first, so `frames[end - 1]` is the root-most
    /// frame; in an inverted tree `frames[start]` is) of part 0 or 1 (1 = a diff's base) with
    /// a value. Zero values are skipped.
    pub fn add(&mut self, start: u32, end: u32, value: i64, part: usize) {
        if value == 0 {
            return;
        }
        debug_assert!(end >= start && end - start < PART1 && part < 2);
        let flag = if part == 1 { PART1 } else { 0 };
        self.entries.push(Entry { end, len: (end - start) | flag, value });
    }

    /// The tree with its root; nothing below the root is expanded yet. `n_funcs` is the size
    /// of the tree's function id space.
    pub fn finish(self, n_funcs: usize) -> Tree {
        let mut t = Tree { entries: self.entries, slot: vec![NONE; n_funcs], inverted: self.inverted, ..Default::default() };
        let (mut v, mut b) = (0i64, 0i64);
        for e in &t.entries {
            if e.part() == 1 {
                b = b.wrapping_add(e.value);
            } else {
                v = v.wrapping_add(e.value);
            }
        }
        t.push_node(ROOT, 0, v, b, 0, t.entries.len() as u32, 0);
        t
    }
}

impl Tree {
    #[allow(clippy::too_many_arguments)]
    fn push_node(&mut self, func: u32, parent: u32, value: i64, base: i64, lo: u32, hi: u32, depth: u32) -> u32 {
        let id = self.func.len() as u32;
        self.func.push(func);
        self.parent.push(parent);
        self.value.push(value);
        self.base.push(base);
        self.lo.push(lo);
        self.hi.push(hi);
        self.depth.push(depth);
        self.kids_at.push(0);
        self.kids_n.push(NONE);
        id
    }

    /// Number of nodes made so far.
    pub fn len(&self) -> usize {
        self.func.len()
    }
    /// True when only the root exists.
    pub fn is_empty(&self) -> bool {
        self.func.len() <= 1
    }
    /// Depth of a node (root = 0).
    pub fn depth(&self, n: u32) -> usize {
        self.depth[n as usize] as usize
    }
    /// Path from the root (exclusive) to `n` (inclusive).
    pub fn path(&self, mut n: u32) -> Vec<u32> {
        let mut p = Vec::new();
        while n != 0 {
            p.push(n);
            n = self.parent[n as usize];
        }
        p.reverse();
        p
    }
    /// max(|value|, |base|): how wide a node is drawn.
    pub fn magnitude(&self, n: u32) -> u64 {
        self.value[n as usize].unsigned_abs().max(self.base[n as usize].unsigned_abs())
    }

    /// Children of a node (expanding it first), as a range of node ids in name order.
    pub fn kids(&mut self, n: u32, parts: &[Part<'_>], names: &[Box<[u8]>]) -> std::ops::Range<u32> {
        self.expand(n, parts, names);
        let at = self.kids_at[n as usize];
        at..at + self.kids_n[n as usize]
    }

    /// Self value: inclusive minus children.
    pub fn self_value(&mut self, n: u32, parts: &[Part<'_>], names: &[Box<[u8]>]) -> i64 {
        let kids = self.kids(n, parts, names);
        self.value[n as usize] - kids.map(|c| self.value[c as usize]).sum::<i64>()
    }

    /// Finds the node reached by following function ids from the root.
    pub fn find_path(&mut self, funcs: &[u32], parts: &[Part<'_>], names: &[Box<[u8]>]) -> Option<u32> {
        let mut n = 0u32;
        for &f in funcs {
            n = self.kids(n, parts, names).find(|&c| self.func[c as usize] == f)?;
        }
        Some(n)
    }

    /// Groups a node's entries by their next frame: stacks ending here first, then one range
    /// per child, children in name order.
    fn expand(&mut self, n: u32, parts: &[Part<'_>], names: &[Box<[u8]>]) {
        let ni = n as usize;
        if self.kids_n[ni] != NONE {
            return;
        }
        let (lo, hi, d) = (self.lo[ni] as usize, self.hi[ni] as usize, self.depth[ni]);
        // Distinct next frames in first-seen order, with entry counts; `slot` maps a function
        // to its child index and is reset before returning.
        let mut g = std::mem::take(&mut self.groups);
        g.funcs.clear();
        g.counts.clear();
        let mut ends = 0u32;
        // The next frame of every entry is read once (a random access into the profile).
        self.keys.clear();
        let inverted = self.inverted;
        self.keys.extend(self.entries[lo..hi].iter().map(|e| e.frame(parts, d, inverted)));
        for &f in &self.keys {
            if f == NONE {
                ends += 1;
                continue;
            }
            let s = &mut self.slot[f as usize];
            if *s == NONE {
                *s = g.funcs.len() as u32;
                g.funcs.push(f);
                g.counts.push(0);
            }
            g.counts[*s as usize] += 1;
        }
        // Children in name order; `slot` now maps a function to its rank.
        let k = g.funcs.len();
        g.order.clear();
        g.order.extend(0..k as u32);
        let funcs = &g.funcs;
        g.order.sort_unstable_by(|&a, &b| names[funcs[a as usize] as usize].cmp(&names[funcs[b as usize] as usize]));
        g.start.clear();
        let mut at = lo as u32 + ends;
        for (rank, &c) in g.order.iter().enumerate() {
            self.slot[g.funcs[c as usize] as usize] = rank as u32;
            g.start.push(at);
            at += g.counts[c as usize];
        }
        // Scatter the range into `tmp`, summing child values on the way.
        g.fill.clear();
        g.fill.extend_from_slice(&g.start);
        g.sums.clear();
        g.sums.resize(k, (0, 0));
        let mut end_at = lo as u32;
        self.tmp.clear();
        self.tmp.resize(hi - lo, Entry { end: 0, len: 0, value: 0 });
        for (e, &f) in self.entries[lo..hi].iter().zip(&self.keys) {
            let to = if f == NONE {
                end_at += 1;
                end_at - 1
            } else {
                let r = self.slot[f as usize] as usize;
                let s = &mut g.sums[r];
                if e.part() == 1 {
                    s.1 = s.1.wrapping_add(e.value);
                } else {
                    s.0 = s.0.wrapping_add(e.value);
                }
                g.fill[r] += 1;
                g.fill[r] - 1
            };
            self.tmp[to as usize - lo] = *e;
        }
        self.entries[lo..hi].copy_from_slice(&self.tmp);
        for &f in &g.funcs {
            self.slot[f as usize] = NONE;
        }
        let first = self.func.len() as u32;
        for (rank, &c) in g.order.iter().enumerate() {
            let (v, b) = g.sums[rank];
            let cnt = g.counts[c as usize];
            self.push_node(g.funcs[c as usize], n, v, b, g.start[rank], g.start[rank] + cnt, d + 1);
        }
        self.groups = g;
        self.kids_at[ni] = first;
        self.kids_n[ni] = self.groups.funcs.len() as u32;
    }
}

/// The part of a tree that a flame graph needs: nodes wide enough to matter, in pre-order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlameData {
    /// Parent index into `nodes` per node (the first node is the view root; its parent is 0).
    pub parent: Vec<u32>,
    /// Index into `names` per node.
    pub name: Vec<u32>,
    /// Inclusive value per node.
    pub value: Vec<i64>,
    /// Inclusive base value per node (diffs). All zeros outside a diff: then not sent to the
    /// page at all ([`FlameData::fill_base`] restores them).
    #[serde(default, skip_serializing_if = "all_zero")]
    pub base: Vec<i64>,
    /// Depth relative to the view root.
    pub depth: Vec<u32>,
    /// Names used by the nodes.
    pub names: Vec<String>,
    /// Ancestors of the view root, root first: (name, value).
    pub ancestors: Vec<(String, i64)>,
    /// Tree node id per node (native callers; the page zooms by names and never gets these).
    #[serde(skip)]
    pub node_id: Vec<u32>,
    /// Nodes left out because they were too narrow.
    pub culled: u32,
}

fn all_zero(v: &[i64]) -> bool {
    v.iter().all(|&x| x == 0)
}

impl FlameData {
    /// Restores a `base` column left out in transit (all zeros).
    pub fn fill_base(&mut self) {
        if self.base.len() != self.value.len() {
            self.base = vec![0; self.value.len()];
        }
    }
}

/// Extracts the subtree under `root` for drawing, expanding it as far as needed: nodes whose
/// magnitude (max of |value|, |base|) is at least `min_fraction` of the root's are kept, at
/// most `max_nodes`. `raw` orders children; `names` are what the page shows.
pub fn flame_data(
    t: &mut Tree,
    root: u32,
    parts: &[Part<'_>],
    raw: &[Box<[u8]>],
    names: &[String],
    min_fraction: f64,
    max_nodes: usize,
) -> FlameData {
    let cutoff = (((t.magnitude(root) as f64) * min_fraction).ceil() as u64).max(1);
    let mut out = FlameData::default();
    let mut name_ix: Vec<u32> = vec![NONE; names.len() + 1];
    let mut intern = |out: &mut FlameData, f: u32| -> u32 {
        let k = if f == ROOT { names.len() } else { f as usize };
        if name_ix[k] == NONE {
            out.names.push(if f == ROOT { "root".into() } else { names[f as usize].clone() });
            name_ix[k] = (out.names.len() - 1) as u32;
        }
        name_ix[k]
    };
    for a in t.path(root).iter().take_while(|&&a| a != root) {
        out.ancestors.push((names[t.func[*a as usize] as usize].clone(), t.value[*a as usize]));
    }
    // Iterative pre-order DFS; children pushed in reverse so they pop in name order.
    let mut stack: Vec<(u32, u32, u32)> = vec![(root, 0, 0)];
    while let Some((n, parent, depth)) = stack.pop() {
        if out.parent.len() >= max_nodes {
            out.culled += 1;
            continue;
        }
        let idx = out.parent.len() as u32;
        let nm = intern(&mut out, t.func[n as usize]);
        out.parent.push(parent);
        out.name.push(nm);
        out.value.push(t.value[n as usize]);
        out.base.push(t.base[n as usize]);
        out.depth.push(depth);
        out.node_id.push(n);
        for c in t.kids(n, parts, raw).rev() {
            if t.magnitude(c) >= cutoff {
                stack.push((c, idx, depth + 1));
            } else {
                out.culled += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stacks leaf first over functions 0..5, laid out flat as a profile stores them.
    fn flat(stacks: &[&[u32]]) -> (Vec<u32>, Vec<(u32, u32)>) {
        let mut frames = Vec::new();
        let mut spans = Vec::new();
        for s in stacks {
            let start = frames.len() as u32;
            frames.extend_from_slice(s);
            spans.push((start, frames.len() as u32));
        }
        (frames, spans)
    }

    #[test]
    fn shared_prefixes_and_revisits_build_the_same_tree() {
        // Added in an order that shares, leaves and returns to prefixes; one zero value.
        let stacks: [&[u32]; 6] = [&[2, 1, 0], &[3, 1, 0], &[4, 0], &[2, 1, 0], &[1, 0], &[3, 0]];
        let values = [5, 7, 1, 2, 3, 0];
        let (frames, spans) = flat(&stacks);
        let names: Vec<Box<[u8]>> = (0..5).map(|i| format!("f{i}").into_bytes().into_boxed_slice()).collect();
        let map: Vec<u32> = (0..5).collect();
        let parts = [Part { frames: &frames, map: &map }];
        let mut b = TreeBuilder::new();
        for (&(s, e), &v) in spans.iter().zip(&values) {
            b.add(s, e, v, 0);
        }
        let mut t = b.finish(5);
        let node = |t: &mut Tree, path: &[u32]| t.find_path(path, &parts, &names).expect("path exists");
        assert_eq!(t.value[0], 18);
        let n0 = node(&mut t, &[0]);
        assert_eq!(t.value[n0 as usize], 18);
        let n01 = node(&mut t, &[0, 1]);
        assert_eq!(t.value[n01 as usize], 17);
        let n012 = node(&mut t, &[0, 1, 2]);
        assert_eq!(t.value[n012 as usize], 7);
        let n013 = node(&mut t, &[0, 1, 3]);
        assert_eq!(t.value[n013 as usize], 7);
        let n04 = node(&mut t, &[0, 4]);
        assert_eq!(t.value[n04 as usize], 1);
        assert_eq!(t.self_value(n01, &parts, &names), 3);
        assert_eq!(t.self_value(n012, &parts, &names), 7);
        // The zero-valued stack [3, 0] made no node.
        assert!(t.find_path(&[0, 3], &parts, &names).is_none());
        assert_eq!(t.depth(n012), 3);
    }

    #[test]
    fn children_come_in_name_order_and_diff_columns_stay_apart() {
        let stacks: [&[u32]; 3] = [&[2, 0], &[1, 0], &[2, 0]];
        let (frames, spans) = flat(&stacks);
        // Names make f2 sort before f1.
        let names: Vec<Box<[u8]>> = ["main", "zeta", "alpha"].iter().map(|s| s.as_bytes().into()).collect();
        let map: Vec<u32> = (0..3).collect();
        let parts = [Part { frames: &frames, map: &map }, Part { frames: &frames, map: &map }];
        let mut b = TreeBuilder::new();
        b.add(spans[0].0, spans[0].1, 10, 0); // target alpha
        b.add(spans[1].0, spans[1].1, 4, 0); // target zeta
        b.add(spans[2].0, spans[2].1, 6, 1); // base alpha
        let mut t = b.finish(3);
        assert_eq!((t.value[0], t.base[0]), (14, 6));
        let main = t.kids(0, &parts, &names).next().expect("main");
        let kids: Vec<u32> = t.kids(main, &parts, &names).collect();
        let got: Vec<(u32, i64, i64)> = kids.iter().map(|&c| (t.func[c as usize], t.value[c as usize], t.base[c as usize])).collect();
        assert_eq!(got, vec![(2, 10, 6), (1, 4, 0)]);
    }

    #[test]
    fn flame_data_culls_narrow_nodes_and_expands_wide_ones() {
        // 100 × a/b, 1 × a/c: with a cutoff of 5 %, c is culled.
        let stacks: [&[u32]; 2] = [&[1, 0], &[2, 0]];
        let (frames, spans) = flat(&stacks);
        let raw: Vec<Box<[u8]>> = ["a", "b", "c"].iter().map(|s| s.as_bytes().into()).collect();
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let map: Vec<u32> = (0..3).collect();
        let parts = [Part { frames: &frames, map: &map }];
        let mut b = TreeBuilder::new();
        b.add(spans[0].0, spans[0].1, 100, 0);
        b.add(spans[1].0, spans[1].1, 1, 0);
        let mut t = b.finish(3);
        let d = flame_data(&mut t, 0, &parts, &raw, &names, 0.05, 1000);
        let shown: Vec<&str> = d.name.iter().map(|&i| d.names[i as usize].as_str()).collect();
        assert_eq!(shown, vec!["root", "a", "b"]);
        assert_eq!(d.value, vec![101, 101, 100]);
        assert_eq!(d.depth, vec![0, 1, 2]);
        assert_eq!(d.culled, 1);
        // Zoomed on a, the 1 % child is still under 5 % of a: culled again; at 0.5 % it shows.
        let a = d.node_id[1];
        let z = flame_data(&mut t, a, &parts, &raw, &names, 0.005, 1000);
        assert_eq!(z.name.len(), 3);
        assert_eq!(z.ancestors, vec![]);
        assert_eq!(z.culled, 0);
    }
}
