//! pprof's `-peek REGEX`: for every function whose name matches, its callers with the weight of
//! each call edge, itself (flat, cum) and its callees with their edge weights, as
//! `go tool pprof -peek` prints them (pprof's `report.printTree` over `graph.New`).
//!
//! The rules are pprof's call-graph rules, per sample with a nonzero value: a function's cum
//! counts once however often it is on the stack; an edge (caller → callee, two consecutive
//! frames of different functions) counts once per sample; a call of a function by itself is
//! no edge; flat goes to the leaf. An edge is inlined when every call it stands for (the first
//! of each sample) was a frame that its location inlined into its caller. Entries come in
//! pprof's node order (|flat|, name, |cum|), edges by |weight| then by name.

use crate::analysis::top::pprof_cmp;
use crate::model::Profile;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// One call edge of a peek entry: the caller (in `callers`) or the callee (in `callees`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeekEdge {
    /// The other function's name.
    pub name: String,
    /// Edge weight (pprof's `calls`).
    pub weight: i64,
    /// Every call was inlined.
    pub inline: bool,
}

/// One block of the peek report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeekEntry {
    /// The function.
    pub name: String,
    /// Flat.
    pub flat: i64,
    /// Cum.
    pub cum: i64,
    /// Callers, heaviest first.
    pub callers: Vec<PeekEdge>,
    /// Callees, heaviest first.
    pub callees: Vec<PeekEdge>,
    /// Callers left out of a page (the lightest).
    #[serde(default)]
    pub more_callers: u32,
    /// Callees left out of a page (the lightest).
    #[serde(default)]
    pub more_callees: u32,
}

impl PeekEntry {
    /// Keeps the `n` heaviest callers and callees, counting the rest in `more_*`.
    pub fn cut_edges(&mut self, n: usize) {
        if self.callers.len() > n {
            self.more_callers += (self.callers.len() - n) as u32;
            self.callers.truncate(n);
        }
        if self.callees.len() > n {
            self.more_callees += (self.callees.len() - n) as u32;
            self.callees.truncate(n);
        }
    }
    /// Rows it takes: callers, itself, callees.
    pub fn rows(&self) -> usize {
        1 + self.callers.len() + self.callees.len()
    }
}

#[derive(Clone, Copy)]
struct Edge {
    weight: i64,
    inline: bool,
}

/// Per stack frame (in the profile's flat `stacks.frames`, leaf first): was this frame inlined
/// into the frame above it (its location has lines after this one)? Read off pprof's
/// locations for each sample; a sample whose locations do not line up with its stack (other
/// frames than lines) says "not inlined" throughout.
fn inlined_frames(p: &Profile, sample: usize, out: &mut Vec<bool>) {
    out.clear();
    let locs = p.locations();
    if locs.from_functions || sample + 1 >= locs.sample_off.len() {
        return;
    }
    for &l in locs.sample(sample) {
        let r = locs.lines(l);
        let n = r.len();
        for k in 0..n {
            out.push(k + 1 < n);
        }
    }
}

/// The peek report of sample type `st` for the functions whose names match `rx`: the first
/// `limit` entries in pprof's order (0: all), and how many functions match in all.
pub fn peek(p: &Profile, st: usize, rx: &regex_lite::Regex, limit: usize) -> (Vec<PeekEntry>, usize) {
    let n = p.functions.len();
    let names = &p.functions.names;
    let raw = &p.functions.raw;
    let matched: Vec<bool> = names.iter().map(|x| rx.is_match(x)).collect();
    // flat and cum of the matching functions, over distinct stacks (a stack's samples sum).
    let mut flat = vec![0i64; n];
    let mut cum = vec![0i64; n];
    let mut seen = vec![u32::MAX; n];
    let sv = p.stack_values(st);
    for (s, &v) in sv.iter().enumerate() {
        if v == 0 {
            continue;
        }
        let frames = p.stacks.get(s as u32);
        for &f in frames {
            if matched[f as usize] && seen[f as usize] != s as u32 {
                seen[f as usize] = s as u32;
                cum[f as usize] = cum[f as usize].wrapping_add(v);
            }
        }
        if let Some(&leaf) = frames.first() {
            if matched[leaf as usize] {
                flat[leaf as usize] = flat[leaf as usize].wrapping_add(v);
            }
        }
    }
    let mut nodes: Vec<u32> = (0..n as u32).filter(|&f| matched[f as usize] && (flat[f as usize] != 0 || cum[f as usize] != 0)).collect();
    nodes.sort_by(|&a, &b| {
        pprof_cmp((flat[a as usize], &raw[a as usize][..], cum[a as usize]), (flat[b as usize], &raw[b as usize][..], cum[b as usize]))
    });
    let n_matched = nodes.len();
    if limit > 0 {
        nodes.truncate(limit);
    }
    // The edges touching the entries shown, per sample (an edge is inlined when each of its
    // samples' first call was).
    let mut keep = vec![false; n];
    for &f in &nodes {
        keep[f as usize] = true;
    }
    let touches: Vec<bool> = (0..p.stacks.len() as u32).map(|s| p.stacks.get(s).iter().any(|&f| keep[f as usize])).collect();
    // (caller, callee) → edge, and the sample that last added it.
    let mut edges: FxHashMap<(u32, u32), (Edge, u32)> = FxHashMap::default();
    let mut inl = Vec::new();
    for (i, (&stack, &w)) in p.sample_stack.iter().zip(&p.values[st]).enumerate() {
        if w == 0 || !touches[stack as usize] {
            continue;
        }
        let frames = p.stacks.get(stack);
        inlined_frames(p, i, &mut inl);
        let lined = inl.len() == frames.len();
        let mut parent = u32::MAX;
        // Root first, as pprof walks a sample.
        for k in (0..frames.len()).rev() {
            let f = frames[k];
            if parent != u32::MAX && parent != f && (keep[f as usize] || keep[parent as usize]) {
                let inline = lined && inl[k];
                let e = edges.entry((parent, f)).or_insert((Edge { weight: 0, inline }, u32::MAX));
                if e.1 != i as u32 {
                    e.1 = i as u32;
                    e.0.weight = e.0.weight.wrapping_add(w);
                    e.0.inline &= inline;
                }
            }
            parent = f;
        }
    }
    let wanted: FxHashMap<u32, usize> = nodes.iter().enumerate().map(|(i, &f)| (f, i)).collect();
    let mut callers: Vec<Vec<(u32, Edge)>> = vec![Vec::new(); nodes.len()];
    let mut callees: Vec<Vec<(u32, Edge)>> = vec![Vec::new(); nodes.len()];
    for (&(from, to), &(e, _)) in &edges {
        if let Some(&i) = wanted.get(&to) {
            callers[i].push((from, e));
        }
        if let Some(&i) = wanted.get(&from) {
            callees[i].push((to, e));
        }
    }
    let out_edges = |mut v: Vec<(u32, Edge)>| -> Vec<PeekEdge> {
        // pprof sorts by |weight|, then caller name, then callee name: within one list one of
        // the two is the entry itself, so the other decides.
        v.sort_by(|a, b| b.1.weight.unsigned_abs().cmp(&a.1.weight.unsigned_abs()).then_with(|| raw[a.0 as usize].cmp(&raw[b.0 as usize])));
        v.into_iter().map(|(f, e)| PeekEdge { name: names[f as usize].clone(), weight: e.weight, inline: e.inline }).collect()
    };
    let entries = nodes
        .iter()
        .zip(callers.into_iter().zip(callees))
        .map(|(&f, (ins, outs))| PeekEntry {
            name: names[f as usize].clone(),
            flat: flat[f as usize],
            cum: cum[f as usize],
            callers: out_edges(ins),
            callees: out_edges(outs),
            more_callers: 0,
            more_callees: 0,
        })
        .collect();
    (entries, n_matched)
}
