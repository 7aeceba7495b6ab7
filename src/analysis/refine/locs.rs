//! The locations of a refined profile: each kept sample keeps the window of its original
//! locations that the refinement kept, and each location's lines are the nodes refinement made
//! of it (leaf-most first). So a view that asks which frames were inlined into their caller
//! (the call graph, peek) reads it off a refined profile as off the original: a node that is
//! not the last of its location was inlined into the next one.

use crate::model::locations::{LocationSource, Locations, NO_INDEX};
use std::sync::Arc;

/// What makes a refined profile's [`Locations`] when first asked.
pub(super) struct RefinedLocations {
    /// The original profile's locations.
    pub orig: Arc<Locations>,
    /// Per kept sample, in the refined profile's order: (original sample, first, end) of its
    /// window of locations.
    pub kept: Vec<(u32, u32, u32)>,
    /// Per original location: its nodes are `node_ids[node_off[l]..node_off[l + 1]]`.
    pub node_off: Vec<u32>,
    /// Node (refined function) ids.
    pub node_ids: Vec<u32>,
    /// Per node of a location: the original line it came from, or `NO_INDEX`.
    pub node_line: Vec<u32>,
    /// The refined profile's function names and files.
    pub names: Vec<String>,
    /// Files.
    pub files: Vec<String>,
}

impl LocationSource for RefinedLocations {
    fn locations(&self) -> Locations {
        let o = &self.orig;
        let mut l = Locations {
            sample_off: Vec::with_capacity(self.kept.len() + 1),
            address: o.address.clone(),
            mapping: o.mapping.clone(),
            line_off: self.node_off.clone(),
            line_func: self.node_ids.clone(),
            line_no: self.node_line.iter().map(|&i| if i == NO_INDEX { 0 } else { o.line_no[i as usize] }).collect(),
            func_name: self.names.clone(),
            func_system_name: self.names.clone(),
            func_file: self.files.clone(),
            func_start_line: vec![0; self.names.len()],
            mapping_file: o.mapping_file.clone(),
            mapping_build_id: o.mapping_build_id.clone(),
            from_functions: false,
            ..Default::default()
        };
        l.sample_off.push(0);
        for &(s, a, b) in &self.kept {
            let sl = o.sample(s as usize);
            // Locations that became no node (hidden) are left out, as from the stacks.
            l.sample_locs
                .extend(sl[a as usize..b as usize].iter().filter(|&&x| self.node_off[x as usize] != self.node_off[x as usize + 1]));
            l.sample_off.push(l.sample_locs.len() as u32);
        }
        l
    }
}
