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

/// Which frames of each sample were inlined into the frame above them (the lines of a
/// location but its last): all the call graph needs of the locations, made without them
/// (a big heap profile's locations are 140 MB made in 0.2 s; these, a few MB in a pass over
/// the samples' location ids).
#[derive(Clone, Debug, Default)]
pub struct InlineMarks {
    /// Per sample: its inlined frames are `pos[off[i]..off[i + 1]]`. Empty when no sample
    /// has an inlined frame.
    off: Vec<u32>,
    /// Positions of inlined frames in their stacks (leaf first: 0 is the leaf), ascending.
    pos: Vec<u32>,
}

impl InlineMarks {
    /// Does any sample have an inlined frame?
    pub fn any(&self) -> bool {
        !self.pos.is_empty()
    }
    /// The positions of sample `i`'s inlined frames (leaf first, ascending).
    pub fn sample(&self, i: usize) -> &[u32] {
        match self.off.get(i + 1) {
            Some(&end) => &self.pos[self.off[i] as usize..end as usize],
            None => &[],
        }
    }

    /// The marks of `n` samples from the frame counts of each one's locations (`frames(i)`,
    /// leaf first: a location's lines, 1 for a location with none, 0 for one to leave out):
    /// a sample whose locations' lines are not its frames (its stack has another length,
    /// `stack_len(i)`) gets none.
    pub fn of_frame_counts<I: Iterator<Item = u32>>(
        n: usize,
        stack_len: impl Fn(usize) -> usize,
        mut frames: impl FnMut(usize) -> I,
    ) -> InlineMarks {
        let mut m = InlineMarks { off: Vec::with_capacity(n + 1), pos: Vec::new() };
        m.off.push(0);
        super::blocks::in_blocks(n, |i| {
            let start = m.pos.len();
            let mut k = 0u32;
            for c in frames(i) {
                for j in 1..c {
                    m.pos.push(k + j - 1);
                }
                k += c;
            }
            if k as usize != stack_len(i) {
                m.pos.truncate(start);
            }
            m.off.push(m.pos.len() as u32);
        });
        if m.pos.is_empty() {
            return InlineMarks::default();
        }
        m
    }

    /// The marks of `locs`' samples, which are the profile's (`stack_len(i)`: sample `i`'s
    /// stack's length).
    pub fn of_locations(locs: &Locations, n: usize, stack_len: impl Fn(usize) -> usize) -> InlineMarks {
        if locs.from_functions || locs.sample_off.len() != n + 1 || !locs.line_off.windows(2).any(|w| w[1] > w[0] + 1) {
            return InlineMarks::default();
        }
        InlineMarks::of_frame_counts(n, stack_len, |i| locs.sample(i).iter().map(|&l| locs.lines(l).len().max(1) as u32))
    }
}

/// What makes a profile's [`Locations`] later: the arrays its decoder kept, or (in the
/// browser, where many profiles may be loaded) the file itself, read again.
pub trait LocationSource: Send + Sync {
    /// The locations, in the profile's sample order.
    fn locations(&self) -> Locations;
    /// The samples' [`InlineMarks`], if the source can tell them without making the
    /// locations (`n` samples, `stack_len(i)`: sample `i`'s stack's length).
    fn inline_marks(&self, _n: usize, _stack_len: &dyn Fn(usize) -> usize) -> Option<InlineMarks> {
        None
    }
}

/// A profile's [`LocationSource`], if it has one, and the locations once made. Clones of a
/// profile share the cell (a source makes its locations once).
#[derive(Clone, Default)]
pub struct LocationCell {
    source: Option<Arc<dyn LocationSource>>,
    made: Arc<std::sync::OnceLock<Arc<Locations>>>,
    inline: Arc<std::sync::OnceLock<Arc<InlineMarks>>>,
}

impl fmt::Debug for LocationCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocationCell").field("source", &self.source.is_some()).field("made", &self.made.get().is_some()).finish()
    }
}

impl LocationCell {
    /// A cell that makes the locations from `source` when first asked.
    pub fn new(source: Arc<dyn LocationSource>) -> LocationCell {
        LocationCell { source: Some(source), made: Default::default(), inline: Default::default() }
    }
    /// A cell holding locations already made.
    pub fn made(l: Locations) -> LocationCell {
        let made = std::sync::OnceLock::new();
        let _ = made.set(Arc::new(l));
        LocationCell { source: None, made: Arc::new(made), inline: Default::default() }
    }
    /// Are the locations made already?
    pub fn is_made(&self) -> bool {
        self.made.get().is_some()
    }
    /// Are the inline marks made already?
    pub fn marks_made(&self) -> bool {
        self.inline.get().is_some()
    }
    /// Does the cell have a source (else locations come from the function stacks)?
    pub fn has_source(&self) -> bool {
        self.source.is_some()
    }
    /// The inline marks: from the source when it can tell them and the locations are not
    /// made, else from the locations (`locations()` makes them).
    pub(super) fn inline_marks(
        &self,
        n: usize,
        stack_len: &dyn Fn(usize) -> usize,
        locations: impl FnOnce() -> Arc<Locations>,
    ) -> Arc<InlineMarks> {
        self.inline
            .get_or_init(|| {
                let quick = match (&self.source, self.made.get()) {
                    (Some(s), None) => s.inline_marks(n, stack_len),
                    _ => None,
                };
                Arc::new(quick.unwrap_or_else(|| InlineMarks::of_locations(&locations(), n, stack_len)))
            })
            .clone()
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
