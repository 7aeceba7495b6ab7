//! Snapshots of one program decode faster and share their stacks: what a protobuf profile's
//! model build learned (its location table and which stack each sample's location ids made)
//! is kept as a [`Template`], and the next file of the same program is built against it.
//!
//! When the next file's location table is the same (the same location ids expanding to the
//! same function ids), a sample whose location ids are those of the template's sample at
//! the same index has the same stack, and, as long as every sample before it matched too, the
//! same stack id (ids are given in order of first use). Such samples are neither expanded nor
//! hashed: their ids are compared (a `memcmp`) and the template's stack id is taken. The first
//! sample that differs ends this: the stacks made so far (a prefix of the template's) are
//! copied, indexed, and the build goes on as usual. A file that matches to its end holds the
//! template's stack columns themselves ([`Shared`](crate::model::Shared)): no copy at all.
//!
//! The outcome is the model the usual build makes, always (tests/series_template.rs checks
//! it on matching, diverging and unrelated files); only its first top table is left to be
//! summed when asked (the usual build sums it while it expands the stacks).

use super::raw::{LocIds, RawProfile};
use crate::model::Stacks;
use std::sync::Arc;

/// What the model build of one protobuf file leaves for the next one of the same program.
#[derive(Clone)]
pub struct Template(Arc<Inner>);

struct Inner {
    /// The location ids of every sample, as read.
    locs: LocIds,
    /// Per sample: its ids are `locs[loc_off[i]..loc_off[i + 1]]`.
    loc_off: Vec<u32>,
    /// Location id → its frames, packed (dense ids).
    loc_packed: Vec<u64>,
    /// Frames of the locations with more than one.
    loc_frames: Vec<u32>,
    /// Stack id per sample.
    sample_stack: Vec<u32>,
    /// The stacks (shared columns).
    stacks: Stacks,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Template({} samples, {} stacks)", self.0.sample_stack.len(), self.0.stacks.len())
    }
}

impl Template {
    /// The template of a model just built from `pb` (location ids dense, no pruning).
    pub(super) fn new(pb: &RawProfile<'_>, loc_packed: &[u64], loc_frames: &[u32], sample_stack: &[u32], stacks: &Stacks) -> Template {
        Template(Arc::new(Inner {
            locs: pb.locs.clone(),
            loc_off: pb.loc_off.clone(),
            loc_packed: loc_packed.to_vec(),
            loc_frames: loc_frames.to_vec(),
            sample_stack: sample_stack.to_vec(),
            stacks: stacks.clone(),
        }))
    }
}

/// What a model build passes on: the template it may use, and whether to make one.
#[derive(Default)]
pub struct SeriesLink {
    /// The template of the profile decoded before (of the same program or not).
    pub from: Option<Template>,
    /// Make a template of this one?
    pub want: bool,
    /// The template made.
    pub made: Option<Template>,
}

/// A build following a template, while its samples match.
pub(super) struct Follow {
    t: Template,
    /// Stacks made so far: the template's first `k`.
    k: u32,
}

impl Follow {
    /// Follows `t` if this file's location table is the template's.
    pub(super) fn start(t: &Template, loc_packed: &[u64], loc_frames: &[u32]) -> Option<Follow> {
        let i = &t.0;
        (i.loc_packed[..] == *loc_packed && i.loc_frames[..] == *loc_frames).then(|| Follow { t: t.clone(), k: 0 })
    }

    /// Sample `si`'s stack id, if its location ids are the template's sample `si`'s.
    #[inline(always)]
    pub(super) fn stack(&mut self, pb: &RawProfile<'_>, si: usize) -> Option<u32> {
        let t = &self.t.0;
        if si + 1 >= t.loc_off.len() {
            return None;
        }
        let a = pb.loc_off[si] as usize..pb.loc_off[si + 1] as usize;
        let b = t.loc_off[si] as usize..t.loc_off[si + 1] as usize;
        let same = match (&pb.locs, &t.locs) {
            (LocIds::Short(x), LocIds::Short(y)) => x[a] == y[b],
            (LocIds::Narrow(x), LocIds::Narrow(y)) => x[a] == y[b],
            (LocIds::Wide(x), LocIds::Wide(y)) => x[a] == y[b],
            _ => false,
        };
        if !same {
            return None;
        }
        let id = t.sample_stack[si];
        if id > self.k {
            // (Cannot happen while every sample before matched: ids are given in order.)
            return None;
        }
        if id == self.k {
            self.k += 1;
        }
        Some(id)
    }

    /// The stacks made, at the end: the template's own columns when they are all of them,
    /// else a copy of the first ones.
    pub(super) fn stacks(&self) -> Stacks {
        let s = &self.t.0.stacks;
        if self.k as usize == s.len() {
            s.clone()
        } else {
            s.prefix(self.k as usize)
        }
    }

    /// The stacks made so far, to go on with: a copy, with its dedup index (the template's
    /// has none any more).
    pub(super) fn stacks_to_go_on(&self) -> Stacks {
        self.t.0.stacks.prefix(self.k as usize)
    }
}
