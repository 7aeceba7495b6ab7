//! Call trees (root → leaf) built from deduplicated stacks, for flame graphs. Same-named
//! functions are one node per call path; recursion shows as nesting, as in every flame graph.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Marker function id of the synthetic root.
pub const ROOT: u32 = u32::MAX;

/// A call tree. Node 0 is the root (`func == ROOT`). Values are inclusive.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    /// Function id per node (profile or namespace ids).
    pub func: Vec<u32>,
    /// Parent per node (root: itself).
    pub parent: Vec<u32>,
    /// Inclusive value per node (the target in a diff).
    pub value: Vec<i64>,
    /// Inclusive base value per node (diff trees only; zeros otherwise).
    pub base: Vec<i64>,
    /// Children offsets (CSR), filled by [`TreeBuilder::finish`].
    pub child_off: Vec<u32>,
    /// Children, sorted by name.
    pub children: Vec<u32>,
}

impl Tree {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.func.len()
    }
    /// True when only the root exists.
    pub fn is_empty(&self) -> bool {
        self.func.len() <= 1
    }
    /// Children of a node.
    pub fn kids(&self, n: u32) -> &[u32] {
        let n = n as usize;
        &self.children[self.child_off[n] as usize..self.child_off[n + 1] as usize]
    }
    /// Depth of a node (root = 0).
    pub fn depth(&self, mut n: u32) -> usize {
        let mut d = 0;
        while n != 0 {
            n = self.parent[n as usize];
            d += 1;
        }
        d
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
    /// Self value: inclusive minus children.
    pub fn self_value(&self, n: u32) -> i64 {
        self.value[n as usize] - self.kids(n).iter().map(|&c| self.value[c as usize]).sum::<i64>()
    }
    /// Finds the node reached by following function ids from the root.
    pub fn find_path(&self, funcs: &[u32]) -> Option<u32> {
        let mut n = 0u32;
        for &f in funcs {
            n = *self.kids(n).iter().find(|&&c| self.func[c as usize] == f)?;
        }
        Some(n)
    }
}

/// Builds a [`Tree`] from stacks.
#[derive(Default)]
pub struct TreeBuilder {
    tree: Tree,
    index: FxHashMap<u64, u32>,
}

impl TreeBuilder {
    /// A builder holding only the root.
    pub fn new() -> Self {
        let mut b = TreeBuilder::default();
        b.tree.func.push(ROOT);
        b.tree.parent.push(0);
        b.tree.value.push(0);
        b.tree.base.push(0);
        b
    }

    /// Adds a stack (leaf first, already mapped to the tree's id space) with a value; `base`
    /// selects the base column of a diff tree.
    pub fn add(&mut self, frames: impl DoubleEndedIterator<Item = u32>, v: i64, base: bool) {
        if v == 0 {
            return;
        }
        let col = |t: &mut Tree, n: usize| {
            if base {
                t.base[n] = t.base[n].wrapping_add(v)
            } else {
                t.value[n] = t.value[n].wrapping_add(v)
            }
        };
        col(&mut self.tree, 0);
        let mut node = 0u32;
        for f in frames.rev() {
            let key = ((node as u64) << 32) | f as u64;
            let next = match self.index.get(&key) {
                Some(&c) => c,
                None => {
                    let c = self.tree.func.len() as u32;
                    self.tree.func.push(f);
                    self.tree.parent.push(node);
                    self.tree.value.push(0);
                    self.tree.base.push(0);
                    self.index.insert(key, c);
                    c
                }
            };
            col(&mut self.tree, next as usize);
            node = next;
        }
    }

    /// Finishes the tree: children sorted by `names[func]`.
    pub fn finish(self, names: &[Box<[u8]>]) -> Tree {
        let mut t = self.tree;
        let n = t.func.len();
        let mut count = vec![0u32; n + 1];
        for i in 1..n {
            count[t.parent[i] as usize + 1] += 1;
        }
        for i in 1..=n {
            count[i] += count[i - 1];
        }
        let mut fill = count.clone();
        let mut children = vec![0u32; n.saturating_sub(1)];
        for i in 1..n {
            let p = t.parent[i] as usize;
            children[fill[p] as usize] = i as u32;
            fill[p] += 1;
        }
        for p in 0..n {
            let slice = &mut children[count[p] as usize..count[p + 1] as usize];
            slice.sort_by(|&a, &b| names[t.func[a as usize] as usize].cmp(&names[t.func[b as usize] as usize]));
        }
        t.child_off = count;
        t.children = children;
        t
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
    /// Inclusive base value per node (diffs).
    pub base: Vec<i64>,
    /// Depth relative to the view root.
    pub depth: Vec<u32>,
    /// Names used by the nodes.
    pub names: Vec<String>,
    /// Ancestors of the view root, root first: (name, value).
    pub ancestors: Vec<(String, i64)>,
    /// Full-tree node id per node (to zoom in a later request).
    pub node_id: Vec<u32>,
    /// Nodes left out because they were too narrow.
    pub culled: u32,
}

/// Extracts the subtree under `root` for drawing: nodes whose magnitude (max of |value|,
/// |base|) is at least `min_fraction` of the root's are kept, at most `max_nodes`.
pub fn flame_data(t: &Tree, root: u32, names: &[String], min_fraction: f64, max_nodes: usize) -> FlameData {
    let mag = |n: u32| t.value[n as usize].unsigned_abs().max(t.base[n as usize].unsigned_abs());
    let cutoff = ((mag(root) as f64) * min_fraction).ceil() as u64;
    let mut out = FlameData::default();
    let mut name_ix: FxHashMap<u32, u32> = FxHashMap::default();
    let mut intern = |out: &mut FlameData, f: u32| -> u32 {
        *name_ix.entry(f).or_insert_with(|| {
            out.names.push(if f == ROOT { "root".into() } else { names[f as usize].clone() });
            (out.names.len() - 1) as u32
        })
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
        for &c in t.kids(n).iter().rev() {
            if mag(c) >= cutoff.max(1) {
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

    #[test]
    fn shared_prefixes_and_revisits_build_the_same_tree() {
        // Stacks leaf first over functions 0..5, added in an order that shares, leaves and
        // returns to prefixes.
        let stacks: [(&[u32], i64); 5] = [(&[2, 1, 0], 5), (&[3, 1, 0], 7), (&[4, 0], 1), (&[2, 1, 0], 2), (&[1, 0], 3)];
        let names: Vec<Box<[u8]>> = (0..5).map(|i| format!("f{i}").into_bytes().into_boxed_slice()).collect();
        let mut b = TreeBuilder::new();
        for (s, v) in stacks {
            b.add(s.iter().copied(), v, false);
        }
        let t = b.finish(&names);
        let node = |path: &[u32]| t.find_path(path).expect("path exists");
        assert_eq!(t.value[0], 18);
        assert_eq!(t.value[node(&[0]) as usize], 18);
        assert_eq!(t.value[node(&[0, 1]) as usize], 17);
        assert_eq!(t.value[node(&[0, 1, 2]) as usize], 7);
        assert_eq!(t.value[node(&[0, 1, 3]) as usize], 7);
        assert_eq!(t.value[node(&[0, 4]) as usize], 1);
        assert_eq!(t.self_value(node(&[0, 1])), 3);
        assert_eq!(t.len(), 6);
    }
}
