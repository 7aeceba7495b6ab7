//! The messages between the page and the engine: requests, responses and what the page
//! learns of a loaded profile. Plain serde data, shared by both sides; neither side depends on
//! the other's internals. The messages between the page, the engine worker and the inflate
//! worker, and how they travel, are in [`wire`] (browser builds only: they carry browser
//! objects such as `File`s and transferred buffers).

pub use crate::analysis::graph::{Graph, GraphEdge, GraphNode, GraphOptions};
use crate::analysis::labels::LabelSummary;
use crate::analysis::leaks::LeakReport;
pub use crate::analysis::peek::{PeekEdge, PeekEntry};
use crate::analysis::series::Fingerprint;
pub use crate::analysis::source::{LineValue, Routine};
use crate::analysis::tree::FlameData;
use crate::model::{ProfileKind, ValueType};
use serde::{Deserialize, Serialize};

/// Load stages, as progress messages name them.
pub use crate::decode::Stage;

#[cfg(feature = "web")]
pub mod wire;

/// Rows of the top table asked for at first (the contract asks for at least 200), and the rows
/// of the early table the engine worker posts while a profile's model is being built.
pub const TOP_PAGE: u32 = 200;

/// Peek entries (matching functions) asked for at first; the page offers the rest.
pub const PEEK_PAGE: u32 = 200;
/// Source routines (function × file) asked for at first; the page offers the rest.
pub const SOURCE_PAGE: u32 = 50;

/// Narrowest flame node asked for, as a share of the view root: under half a CSS pixel on a
/// 2000-pixel-wide flame graph, narrower frames cannot be drawn anyway, and zooming asks
/// again relative to the new root.
pub const FLAME_MIN_FRACTION: f64 = 1.0 / 4096.0;

/// What the page learns about a loaded profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Engine id.
    pub id: u32,
    /// File name.
    pub name: String,
    /// Sample types.
    pub sample_types: Vec<ValueType>,
    /// pprof's default sample type index.
    pub default_sample_type: usize,
    /// Collection time.
    pub time_nanos: i64,
    /// Duration.
    pub duration_nanos: i64,
    /// Period and its type.
    pub period: i64,
    /// Period type.
    pub period_type: Option<ValueType>,
    /// Number of samples.
    pub samples: usize,
    /// Number of distinct functions.
    pub functions: usize,
    /// Source format.
    pub format: String,
    /// Kind.
    pub kind: ProfileKind,
    /// Comments.
    pub comments: Vec<String>,
    /// Size of the file in bytes.
    pub bytes: usize,
    /// Which program it comes from (for grouping snapshots into series).
    #[serde(default)]
    pub fingerprint: Fingerprint,
}

/// Where a flame graph comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "src")]
pub enum FlameSource {
    /// One profile.
    Single {
        /// Profile id.
        id: u32,
    },
    /// A differential flame graph.
    Diff {
        /// Base profile id.
        base: u32,
        /// Target profile id.
        target: u32,
        /// Scale the target to the base's total.
        normalize: bool,
    },
}

/// Orders of the top table: the analysis's own table orders.
pub use crate::analysis::top::Order as TopOrder;

/// A refinement (pprof's filters and granularity) that every view request carries: the
/// analysis's own type.
pub use crate::analysis::refine::{Granularity, Refine};

/// A request from the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "req")]
pub enum Request {
    /// Forget a profile.
    Remove {
        /// Profile id.
        id: u32,
    },
    /// Top table: the first `limit` rows in `order` (only what the page shows crosses over).
    Top {
        /// Profile id.
        id: u32,
        /// Sample type name.
        sample_type: String,
        /// Row order.
        #[serde(default)]
        order: TopOrder,
        /// How many rows to send (0 = all).
        #[serde(default)]
        limit: u32,
        /// Refinement.
        #[serde(default)]
        refine: Refine,
    },
    /// Flame graph data.
    Flame {
        /// Source.
        source: FlameSource,
        /// Sample type name.
        sample_type: String,
        /// Only stacks through this function, rooted at it.
        focus: Option<String>,
        /// Zoom root: a function-name path from the root.
        zoom: Vec<String>,
        /// Search text (for the matched share).
        search: String,
        /// Minimum node width as a fraction of the view root.
        min_fraction: f64,
        /// Refinement.
        #[serde(default)]
        refine: Refine,
        /// Bottom-up: leaf functions at the root, their callers below them.
        #[serde(default)]
        inverted: bool,
        /// Pivot (pprof's flame graph `p`): a regex; only stacks through a matching function,
        /// cut at the outermost matching frame, which becomes the root's child. With
        /// `inverted` the tree above it is its callers, else its callees.
        #[serde(default)]
        pivot: Option<String>,
    },
    /// pprof's `-peek`: callers and callees of the functions matching a regex.
    Peek {
        /// Profile id.
        id: u32,
        /// Sample type name.
        sample_type: String,
        /// Regex (as pprof's `-peek REGEX`).
        regex: String,
        /// How many entries (matching functions) to send, the first in pprof's order (0 = all);
        /// a page also stops before 600 rows (whole entries, at least one) and has at most
        /// 100 callers and 100 callees per entry (the heaviest; the rest are counted).
        #[serde(default)]
        limit: u32,
        /// Refinement.
        #[serde(default)]
        refine: Refine,
    },
    /// pprof's call graph (`-dot`) of one profile, or with `base` the diff graph
    /// (`-diff_base`: the base's values negated).
    Graph {
        /// Profile id (the diff's target).
        id: u32,
        /// The diff's base, if a diff graph.
        #[serde(default)]
        base: Option<u32>,
        /// Sample type name.
        sample_type: String,
        /// Node count and fractions.
        #[serde(default)]
        options: GraphOptions,
        /// Refinement (of both sides of a diff).
        #[serde(default)]
        refine: Refine,
    },
    /// pprof's `-list`: the source listing of the functions matching a regex, per line.
    Source {
        /// Profile id.
        id: u32,
        /// Sample type name.
        sample_type: String,
        /// Regex (as pprof's `-list REGEX`).
        regex: String,
        /// How many routines to send, the first in pprof's order (0 = all).
        #[serde(default)]
        limit: u32,
        /// Refinement (its granularity is replaced by `-lines`, as pprof's `list` does).
        #[serde(default)]
        refine: Refine,
    },
    /// Diff table.
    Diff {
        /// Base id.
        base: u32,
        /// Target id.
        target: u32,
        /// Sample type name.
        sample_type: String,
        /// pprof's -normalize.
        normalize: bool,
        /// Refinement (of both sides).
        #[serde(default)]
        refine: Refine,
    },
    /// Leak finder over a series.
    Leaks {
        /// Profile ids, in time order.
        ids: Vec<u32>,
        /// Sample type name.
        sample_type: String,
        /// Refinement (of every snapshot).
        #[serde(default)]
        refine: Refine,
    },
    /// The label browser: every label key with its values and their share.
    Labels {
        /// Profile id.
        id: u32,
        /// Sample type name.
        sample_type: String,
        /// Refinement.
        #[serde(default)]
        refine: Refine,
    },
    /// The unit of a folded-stacks profile's counts, which the file does not say
    /// (`count`, `nanoseconds`, `microseconds`, `milliseconds`, `seconds`, `bytes`).
    SetUnit {
        /// Profile id.
        id: u32,
        /// The unit.
        unit: String,
    },
    /// Merge profiles into a new one.
    Merge {
        /// Profile ids.
        ids: Vec<u32>,
        /// New id.
        new_id: u32,
        /// Name for the merged profile.
        name: String,
    },
    /// A file to download: a view's profile, table or flame graph (see [`ExportFormat`]).
    Export {
        /// The file's format.
        format: ExportFormat,
        /// What is exported.
        source: ExportSource,
        /// Sample type name (empty: the profile's default).
        sample_type: String,
        /// Refinement (of every profile read).
        #[serde(default)]
        refine: Refine,
        /// A top table's row order.
        #[serde(default)]
        order: TopOrder,
    },
}

/// What an export is made of: one profile (its top table), a diff, a leak series (its first
/// and last snapshots for a profile, folded stacks or a flame graph) or a profile's labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of")]
pub enum ExportSource {
    /// One profile.
    Single {
        /// Profile id.
        id: u32,
    },
    /// A diff.
    Diff {
        /// Base id.
        base: u32,
        /// Target id.
        target: u32,
        /// pprof's -normalize.
        normalize: bool,
    },
    /// A leak series, in time order.
    Leaks {
        /// Profile ids.
        ids: Vec<u32>,
    },
    /// The label browser's table of a profile.
    Labels {
        /// Profile id.
        id: u32,
    },
}

/// The formats of [`Request::Export`] (the page's `data-format` names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// Gzipped pprof protobuf.
    Pprof,
    /// Folded stacks.
    Folded,
    /// The view's table as CSV.
    Csv,
    /// A standalone interactive flame graph.
    Svg,
}

impl ExportFormat {
    /// The `data-format` name.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Pprof => "pprof",
            ExportFormat::Folded => "folded",
            ExportFormat::Csv => "csv",
            ExportFormat::Svg => "svg",
        }
    }
}

impl Request {
    /// The profiles it reads (a request for a profile still loading waits for it).
    pub fn profiles(&self) -> Vec<u32> {
        match self {
            Request::Remove { id }
            | Request::Top { id, .. }
            | Request::Labels { id, .. }
            | Request::Peek { id, .. }
            | Request::SetUnit { id, .. } => vec![*id],
            Request::Source { id, .. } => vec![*id],
            Request::Flame { source: FlameSource::Single { id }, .. } => vec![*id],
            Request::Flame { source: FlameSource::Diff { base, target, .. }, .. } | Request::Diff { base, target, .. } => {
                vec![*base, *target]
            }
            Request::Leaks { ids, .. } | Request::Merge { ids, .. } => ids.clone(),
            Request::Graph { id, base, .. } => base.iter().copied().chain([*id]).collect(),
            Request::Export { source, .. } => match source {
                ExportSource::Single { id } | ExportSource::Labels { id } => vec![*id],
                ExportSource::Diff { base, target, .. } => vec![*base, *target],
                ExportSource::Leaks { ids } => ids.clone(),
            },
        }
    }
}

/// One top-table row as the page gets it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopRowOut {
    /// Function name (lossy UTF-8).
    pub name: String,
    /// Flat.
    pub flat: i64,
    /// Cum.
    pub cum: i64,
}

/// One diff-table row as the page gets it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiffRowOut {
    /// Function name.
    pub name: String,
    /// Base flat.
    pub base: i64,
    /// Target flat.
    pub target: i64,
    /// Base cum.
    pub base_cum: i64,
    /// Target cum.
    pub target_cum: i64,
}

/// A response to the page.
/// Externally tagged (`{"Top": {…}}`): an internally tagged enum makes serde buffer a whole
/// answer before decoding it, which doubled the page's parse time on big tables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// A top table.
    Top {
        /// Profile id.
        id: u32,
        /// Sample type.
        sample_type: String,
        /// Unit.
        unit: String,
        /// pprof's total.
        total: i64,
        /// The first rows in the requested order.
        rows: Vec<TopRowOut>,
        /// Rows in the whole table.
        #[serde(default)]
        n_rows: u32,
        /// What the refinement did that the user should know (a filter matched nothing).
        #[serde(default)]
        notes: Vec<String>,
    },
    /// Flame graph data.
    Flame {
        /// Sample type.
        sample_type: String,
        /// Unit.
        unit: String,
        /// Total of the whole profile (percentages).
        total: i64,
        /// Matched share of the search, if any.
        matched: Option<i64>,
        /// The subtree to draw.
        data: FlameData,
        /// Is this a diff?
        diff: bool,
        /// What the refinement did that the user should know.
        #[serde(default)]
        notes: Vec<String>,
    },
    /// Diff table.
    Diff {
        /// Sample type.
        sample_type: String,
        /// Unit.
        unit: String,
        /// Base total (pprof's percentage base).
        base_total: i64,
        /// Target total.
        target_total: i64,
        /// Rows by |delta|.
        rows: Vec<DiffRowOut>,
        /// Why numbers are not shown, if they are not.
        error: Option<String>,
        /// Things to know (different periods, durations, …).
        warnings: Vec<String>,
        /// Point-in-time sample type (growth) vs cumulative counter (rates make sense).
        point_in_time: bool,
        /// Base duration.
        base_duration: i64,
        /// Target duration.
        target_duration: i64,
    },
    /// pprof's `-peek` report.
    Peek {
        /// Profile id.
        id: u32,
        /// Sample type.
        sample_type: String,
        /// Unit.
        unit: String,
        /// pprof's total.
        total: i64,
        /// One entry per matching function, in pprof's order (by flat): the first `limit`.
        entries: Vec<PeekEntry>,
        /// Functions matching in all.
        #[serde(default)]
        n_entries: u32,
        /// What the refinement did that the user should know.
        #[serde(default)]
        notes: Vec<String>,
    },
    /// pprof's call graph.
    Graph {
        /// Profile id (the diff's target).
        id: u32,
        /// The diff's base, if a diff graph.
        base: Option<u32>,
        /// Sample type.
        sample_type: String,
        /// Unit.
        unit: String,
        /// pprof's total (of the whole profile; a diff's: the base's), for shares and colours.
        total: i64,
        /// The graph.
        graph: Graph,
        /// What the refinement did that the user should know, or why a diff cannot be drawn.
        #[serde(default)]
        notes: Vec<String>,
    },
    /// pprof's `-list` report (see [`crate::analysis::source`]).
    Source {
        /// Profile id.
        id: u32,
        /// Sample type.
        sample_type: String,
        /// Unit.
        unit: String,
        /// pprof's total (the whole profile's).
        total: i64,
        /// The routines, in pprof's order (function name, then file): the first `limit`.
        routines: Vec<Routine>,
        /// Routines in all.
        #[serde(default)]
        n_routines: u32,
        /// What the refinement did that the user should know.
        #[serde(default)]
        notes: Vec<String>,
    },
    /// Leak report.
    Leaks(LeakReport),
    /// The label browser's summary.
    Labels(LabelSummary),
    /// A merged profile was added.
    Merged(Summary),
    /// A file to download ([`Request::Export`]).
    Export {
        /// A file name for it.
        file_name: String,
        /// Its MIME type.
        mime: String,
        /// Its contents: text, or binary as base64 (`base64`).
        data: String,
        /// `data` is base64.
        base64: bool,
    },
    /// A profile's unit was set ([`Request::SetUnit`]): its new summary.
    UnitSet(Summary),
    /// Nothing to show / done.
    Done,
    /// An error.
    Error {
        /// Message.
        message: String,
    },
}
