//! The engine's side of exports: which profile (as refined), diff or series a view's export is
//! made of, handed to the pure encoders of [`crate::analysis::export`].

use super::{sample_index, Engine};
use crate::analysis::diff::{comparable, normalize_ratio, scaled_stack_values};
use crate::analysis::export::{base64, csv, file_stem, folded, pprof, svg};
use crate::analysis::NameSpace;
use crate::model::Profile;
use crate::protocol::{ExportFormat, ExportSource, Refine, Request, Response, TopOrder};

/// Two sides of a comparison: (base, base sample type, target, target sample type, ratio).
type Sides<'a> = (&'a Profile, usize, &'a Profile, usize, f64);

impl Engine {
    /// Answers [`Request::Export`].
    pub(super) fn export(
        &mut self,
        format: ExportFormat,
        source: ExportSource,
        sample_type: &str,
        refine: Refine,
        order: TopOrder,
    ) -> Result<Response, String> {
        let ids =
            Request::Export { format, source: source.clone(), sample_type: String::new(), refine: Refine::default(), order }.profiles();
        if ids.is_empty() {
            return Err("nothing to export".into());
        }
        for &id in &ids {
            self.refine(id, &refine)?;
        }
        let stem = |e: &Engine, id: u32| file_stem(&e.name(id));
        // The name's part telling a refined profile from the file itself.
        let refined = if refine.is_identity() { "" } else { "-refined" };
        let text = |file_name: String, mime: &str, data: String| Response::Export { file_name, mime: mime.into(), data, base64: false };
        let binary = |file_name: String, mime: &str, data: Vec<u8>| Response::Export {
            file_name,
            mime: mime.into(),
            data: base64(&data),
            base64: true,
        };
        if format == ExportFormat::Csv {
            let csv_req = match &source {
                ExportSource::Single { id } => {
                    Request::Top { id: *id, sample_type: sample_type.into(), order, limit: 0, refine: refine.clone() }
                }
                ExportSource::Diff { base, target, normalize } => Request::Diff {
                    base: *base,
                    target: *target,
                    sample_type: sample_type.into(),
                    normalize: *normalize,
                    refine: refine.clone(),
                },
                ExportSource::Leaks { ids } => Request::Leaks { ids: ids.clone(), sample_type: sample_type.into(), refine: refine.clone() },
                ExportSource::Labels { id } => Request::Labels { id: *id, sample_type: sample_type.into(), refine: refine.clone() },
            };
            let (what, body) = match self.try_handle(csv_req)? {
                Response::Top { unit, rows, sample_type, .. } => {
                    (format!("{sample_type}-top"), csv::top(&unit, rows.iter().map(|r| (r.name.as_str(), r.flat, r.cum))))
                }
                Response::Diff { error: Some(e), .. } => return Err(e),
                Response::Diff { unit, rows, sample_type, .. } => (
                    format!("{sample_type}-diff"),
                    csv::diff(&unit, rows.iter().map(|r| (r.name.as_str(), r.base, r.target, r.base_cum, r.target_cum))),
                ),
                Response::Leaks(r) => (format!("{}-leaks", r.sample_type), csv::leaks(&r)),
                Response::Labels(l) => (format!("{}-labels", l.sample_type), csv::labels(&l)),
                _ => return Err("internal: the engine gave no table to export".into()),
            };
            let name = match &source {
                ExportSource::Diff { base, target, .. } => format!("{}-vs-{}", stem(self, *target), stem(self, *base)),
                _ => stem(self, ids[ids.len() - 1]),
            };
            return Ok(text(format!("{name}{refined}-{what}.csv"), "text/csv", body));
        }
        // A profile, or two sides to compare (a diff, a series' first and last snapshots).
        let (single, pair) = match &source {
            ExportSource::Single { id } | ExportSource::Labels { id } => (Some(*id), None),
            ExportSource::Diff { base, target, normalize } => (None, Some((*base, *target, *normalize))),
            ExportSource::Leaks { ids } => (None, Some((ids[0], ids[ids.len() - 1], false))),
        };
        if let Some(id) = single {
            let p = self.view(id, &refine)?.0;
            let st = sample_index(p, sample_type)?;
            let s = format!("{}{refined}", stem(self, id));
            let stn = &p.sample_types[st].name;
            return Ok(match format {
                ExportFormat::Pprof => binary(format!("{s}.pb.gz"), "application/gzip", pprof::export_profile(p)),
                ExportFormat::Folded => text(format!("{s}-{stn}.folded"), "text/plain", folded::folded(p, st)),
                ExportFormat::Svg => {
                    let mut t = svg::Tree::new();
                    for (sid, &v) in p.stack_values(st).iter().enumerate() {
                        if v != 0 {
                            t.add(p.stacks.get(sid as u32).iter().rev().copied(), v, 0);
                        }
                    }
                    let title = format!("{} — {stn}", self.name(id));
                    text(
                        format!("{s}-{stn}-flame.svg"),
                        "image/svg+xml",
                        svg::svg(&t, &p.functions.names, &title, &p.sample_types[st].unit, false),
                    )
                }
                ExportFormat::Csv => unreachable!("handled above"),
            });
        }
        let (base, target, normalize) = pair.expect("a single profile or a pair");
        let (b, t) = (self.view(base, &refine)?.0, self.view(target, &refine)?.0);
        let (bst, tst) = comparable(b, t, sample_type)?;
        let ratio = if normalize { normalize_ratio(b, bst, t, tst) } else { 1.0 };
        let sides: Sides<'_> = (b, bst, t, tst, ratio);
        let s = format!("{}-vs-{}{refined}", stem(self, target), stem(self, base));
        let stn = &t.sample_types[tst].name;
        Ok(match format {
            ExportFormat::Pprof => binary(format!("{s}-{stn}.pb.gz"), "application/gzip", pprof::export_diff(b, bst, t, tst, ratio)),
            ExportFormat::Folded => {
                let body = folded::folded_diff(b, &b.stack_values(bst), t, &scaled_stack_values(t, tst, ratio));
                text(format!("{s}-{stn}.difffolded"), "text/plain", body)
            }
            ExportFormat::Svg => {
                let title = format!("{} vs {} — {stn}", self.name(target), self.name(base));
                text(format!("{s}-{stn}-flame.svg"), "image/svg+xml", diff_svg(sides, &title))
            }
            ExportFormat::Csv => unreachable!("handled above"),
        })
    }
}

/// A differential flame graph: the target's tree, each frame with the base's value too.
fn diff_svg((b, bst, t, tst, ratio): Sides<'_>, title: &str) -> String {
    let mut ns = NameSpace::default();
    let mut tree = svg::Tree::new();
    for (p, values, is_base) in [(t, scaled_stack_values(t, tst, ratio), false), (b, b.stack_values(bst), true)] {
        let map = ns.add(p);
        for (sid, &v) in values.iter().enumerate() {
            if v != 0 {
                let frames = p.stacks.get(sid as u32).iter().rev().map(|&f| map[f as usize]);
                if is_base {
                    tree.add(frames, 0, v);
                } else {
                    tree.add(frames, v, 0);
                }
            }
        }
    }
    svg::svg(&tree, &ns.names, title, &t.sample_types[tst].unit, true)
}
