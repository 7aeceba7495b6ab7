//! What the export menu offers in each view, and the request each entry sends (pure: the
//! menu component draws these and downloads the answer).

use super::state::{AppState, SortBy, View};
use crate::protocol::{ExportFormat, ExportSource, Request, TopOrder};

/// One entry of the export menu.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportEntry {
    /// The contract's `data-format`: `svg`, `png`, `csv`, `pprof`, `folded`.
    pub format: &'static str,
    /// What a person reads.
    pub label: &'static str,
    /// The engine request that makes the file; `None` for PNG (the page's canvas is drawn).
    pub request: Option<Request>,
}

/// The export menu of the current view (empty when nothing is shown yet).
pub fn entries(s: &AppState) -> Vec<ExportEntry> {
    let Some(sel) = s.selected else { return Vec::new() };
    if s.sample_type.is_empty() {
        return Vec::new();
    }
    let order = match s.sort {
        SortBy::Cum => TopOrder::Cum,
        SortBy::Name => TopOrder::Name,
        _ => TopOrder::Flat,
    };
    let req = |format: ExportFormat, source: ExportSource| {
        Some(Request::Export { format, source, sample_type: s.sample_type.clone(), refine: s.refine.clone(), order })
    };
    let single = ExportSource::Single { id: sel };
    let e = |format: &'static str, label: &'static str, request: Option<Request>| ExportEntry { format, label, request };
    let mut out = Vec::new();
    let profile = |out: &mut Vec<ExportEntry>, source: ExportSource, table: &'static str, png: bool, what: &'static str| {
        out.push(e("csv", table, req(ExportFormat::Csv, source.clone())));
        out.push(e("pprof", what, req(ExportFormat::Pprof, source.clone())));
        out.push(e("folded", "Folded stacks", req(ExportFormat::Folded, source.clone())));
        out.push(e("svg", "Flame graph (SVG)", req(ExportFormat::Svg, source)));
        if png {
            out.push(e("png", "Flame graph as shown (PNG)", None));
        }
    };
    match s.view {
        View::Top | View::Peek => profile(&mut out, single.clone(), "Top table (CSV)", s.view == View::Top, "Profile (pprof .pb.gz)"),
        View::Flame => profile(&mut out, single.clone(), "Top table (CSV)", s.pivot.is_none(), "Profile (pprof .pb.gz)"),
        View::Diff => {
            let (Some(base), Some(target)) = (s.diff_base, s.diff_target) else { return Vec::new() };
            let source = ExportSource::Diff { base, target, normalize: s.normalize };
            profile(&mut out, source, "Diff table (CSV)", s.diff_flame, "Diff (pprof .pb.gz, as -diff_base)");
        }
        // The diff graph exports the diff it draws; the graph and source views, the profile
        // (refined) they show.
        View::Graph if s.graph_diff => {
            let (Some(base), Some(target)) = (s.diff_base, s.diff_target) else { return Vec::new() };
            let source = ExportSource::Diff { base, target, normalize: s.normalize };
            profile(&mut out, source, "Diff table (CSV)", false, "Diff (pprof .pb.gz, as -diff_base)");
        }
        View::Graph | View::Source => profile(&mut out, single.clone(), "Top table (CSV)", false, "Profile (pprof .pb.gz)"),
        View::Leaks => {
            let ids = s.series();
            if ids.is_empty() {
                return Vec::new();
            }
            out.push(e("csv", "Leak table (CSV)", req(ExportFormat::Csv, ExportSource::Leaks { ids: ids.clone() })));
            if ids.len() >= 2 {
                let source = ExportSource::Leaks { ids };
                out.push(e("pprof", "First → last snapshot (pprof .pb.gz, as -diff_base)", req(ExportFormat::Pprof, source.clone())));
                out.push(e("folded", "First → last snapshot (folded stacks)", req(ExportFormat::Folded, source.clone())));
                out.push(e("svg", "First → last snapshot (flame graph SVG)", req(ExportFormat::Svg, source)));
            }
        }
    }
    if s.labels_open {
        out.push(e("csv", "Labels (CSV)", req(ExportFormat::Csv, ExportSource::Labels { id: sel })));
    }
    out
}
