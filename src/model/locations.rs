//! pprof's locations, for what the function-level stacks of [`Profile`](super::Profile) do not
//! keep: addresses, line numbers, source files, mappings and which frames were inlined. The
//! refinements (`-focus`, `-hide`, …) and the granularities other than functions
//! (`-lines`, `-addresses`, …) work on them.
//!
//! They are built the first time they are needed, not while a file loads: a profile keeps
//! what its decoder read (a [`LocationSource`]) and [`Profile::locations`](super::Profile)
//! makes the table from it once. A profile with no source (a text dump, a merge) gets
//! locations made from its function stacks, one location per frame.

use std::fmt;
use std::sync::Arc;

/// "None" in the index columns below.
pub const NO_INDEX: u32 = u32::MAX;

/// Locations in flat columns, as pprof's `Location`/`Line`/`Function`/`Mapping` messages hold
/// them after the profile's `drop_frames` pruning.
#[derive(Clone, Debug, Default)]
pub struct Locations {
    /// Per sample (in the profile's sample order): its locations are
    /// `sample_locs[sample_off[i]..sample_off[i + 1]]`, leaf first.
    pub sample_off: Vec<u32>,
    /// Location indices of all samples.
    pub sample_locs: Vec<u32>,
    /// Per location: its address (0 when unknown).
    pub address: Vec<u64>,
    /// Per location: its mapping index, or [`NO_INDEX`].
    pub mapping: Vec<u32>,
    /// Per location: its lines are `line_*[line_off[l]..line_off[l + 1]]`; the first line is
    /// the leaf-most (an inlined callee before its caller), as in pprof.
    pub line_off: Vec<u32>,
    /// Per line: function index, or [`NO_INDEX`] for a line without a function.
    pub line_func: Vec<u32>,
    /// Per line: line number (0 when unknown).
    pub line_no: Vec<i64>,
    /// Per function: name (pprof's `Function.name`), lossy UTF-8.
    pub func_name: Vec<String>,
    /// Per function: system name.
    pub func_system_name: Vec<String>,
    /// Per function: source file name.
    pub func_file: Vec<String>,
    /// Per function: start line.
    pub func_start_line: Vec<i64>,
    /// Per mapping: file name of the binary or library.
    pub mapping_file: Vec<String>,
    /// Per mapping: build id.
    pub mapping_build_id: Vec<String>,
    /// The locations were made from function stacks (no addresses, lines or files).
    pub from_functions: bool,
}

impl Locations {
    /// Number of locations.
    pub fn len(&self) -> usize {
        self.address.len()
    }
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.address.is_empty()
    }
    /// The locations of sample `i`, leaf first.
    #[inline]
    pub fn sample(&self, i: usize) -> &[u32] {
        &self.sample_locs[self.sample_off[i] as usize..self.sample_off[i + 1] as usize]
    }
    /// The line range of location `l`.
    #[inline]
    pub fn lines(&self, l: u32) -> std::ops::Range<usize> {
        self.line_off[l as usize] as usize..self.line_off[l as usize + 1] as usize
    }

    /// Locations made from a profile's function stacks: one location per distinct function,
    /// with one line naming it (its file as the model knows it, no line number, no address).
    pub fn from_functions(p: &super::Profile) -> Locations {
        let n = p.functions.len();
        let mut l = Locations {
            sample_off: Vec::with_capacity(p.num_samples() + 1),
            address: vec![0; n],
            mapping: vec![NO_INDEX; n],
            line_off: (0..=n as u32).collect(),
            line_func: (0..n as u32).collect(),
            line_no: vec![0; n],
            func_name: p.functions.names.clone(),
            func_system_name: p.functions.names.clone(),
            func_file: p.functions.files.clone(),
            func_start_line: vec![0; n],
            from_functions: true,
            ..Default::default()
        };
        l.sample_off.push(0);
        for &s in &p.sample_stack {
            l.sample_locs.extend_from_slice(p.stacks.get(s));
            l.sample_off.push(l.sample_locs.len() as u32);
        }
        l
    }
}

impl Locations {
    /// The locations of several profiles one after the other (a merge keeps every sample of
    /// each profile in order): tables are appended and indices shifted.
    pub fn concat(parts: &[&Locations]) -> Locations {
        let mut out = Locations { sample_off: vec![0], line_off: vec![0], ..Default::default() };
        for l in parts {
            let (loc0, func0, map0) = (out.address.len() as u32, out.func_name.len() as u32, out.mapping_file.len() as u32);
            let shift = |base: u32| move |&x: &u32| if x == NO_INDEX { NO_INDEX } else { x + base };
            out.sample_locs.extend(l.sample_locs.iter().map(|&x| x + loc0));
            let refs0 = *out.sample_off.last().expect("starts with 0");
            out.sample_off.extend(l.sample_off[1..].iter().map(|&o| o + refs0));
            out.address.extend_from_slice(&l.address);
            out.mapping.extend(l.mapping.iter().map(shift(map0)));
            let lines0 = *out.line_off.last().expect("starts with 0");
            out.line_off.extend(l.line_off[1..].iter().map(|&o| o + lines0));
            out.line_func.extend(l.line_func.iter().map(shift(func0)));
            out.line_no.extend_from_slice(&l.line_no);
            out.func_name.extend_from_slice(&l.func_name);
            out.func_system_name.extend_from_slice(&l.func_system_name);
            out.func_file.extend_from_slice(&l.func_file);
            out.func_start_line.extend_from_slice(&l.func_start_line);
            out.mapping_file.extend_from_slice(&l.mapping_file);
            out.mapping_build_id.extend_from_slice(&l.mapping_build_id);
            out.from_functions |= l.from_functions;
        }
        out
    }
}

/// What makes a profile's [`Locations`] later: the arrays its decoder kept, or (in the
/// browser, where many profiles may be loaded) the file itself, read again.
pub trait LocationSource: Send + Sync {
    /// The locations, in the profile's sample order.
    fn locations(&self) -> Locations;
}

/// A profile's [`LocationSource`], if it has one, and the locations once made. Clones of a
/// profile share the cell (a source makes its locations once).
#[derive(Clone, Default)]
pub struct LocationCell {
    source: Option<Arc<dyn LocationSource>>,
    made: Arc<std::sync::OnceLock<Arc<Locations>>>,
}

impl fmt::Debug for LocationCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocationCell").field("source", &self.source.is_some()).field("made", &self.made.get().is_some()).finish()
    }
}

impl LocationCell {
    /// A cell that makes the locations from `source` when first asked.
    pub fn new(source: Arc<dyn LocationSource>) -> LocationCell {
        LocationCell { source: Some(source), made: Default::default() }
    }
    /// A cell holding locations already made.
    pub fn made(l: Locations) -> LocationCell {
        let made = std::sync::OnceLock::new();
        let _ = made.set(Arc::new(l));
        LocationCell { source: None, made: Arc::new(made) }
    }
    /// Are the locations made already?
    pub fn is_made(&self) -> bool {
        self.made.get().is_some()
    }
    /// Does the cell have a source (else locations come from the function stacks)?
    pub fn has_source(&self) -> bool {
        self.source.is_some()
    }
    pub(super) fn get_or_make(&self, fallback: impl FnOnce() -> Locations) -> Arc<Locations> {
        self.made
            .get_or_init(|| {
                Arc::new(match &self.source {
                    Some(s) => s.locations(),
                    None => fallback(),
                })
            })
            .clone()
    }
}
