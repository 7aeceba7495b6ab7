//! The engine's answer to [`Request::Graph`](crate::protocol::Request::Graph): pprof's call
//! graph of a refined profile, or the diff graph of two.

use super::{sample_index, Engine};
use crate::analysis::diff::comparable;
use crate::analysis::graph::{graph, GraphOptions, Part};
use crate::analysis::refine::Refine;
use crate::protocol::{Graph, Response};

impl Engine {
    /// The call graph of `id` (or, with `base`, the diff graph base → `id`).
    pub(super) fn graph_response(
        &mut self,
        id: u32,
        base: Option<u32>,
        sample_type: &str,
        options: &GraphOptions,
        refine: &Refine,
    ) -> Result<Response, String> {
        self.refine(id, refine)?;
        let Some(b) = base else {
            let st = sample_index(self.get(id)?, sample_type)?;
            // pprof's total is the whole profile's, before any filter (as the top table's).
            let total = self.get(id)?.total(st);
            let (p, notes) = self.view(id, refine)?;
            let g = graph(&[Part { profile: p, sample_type: st, negate: false }], options);
            return Ok(Response::Graph {
                id,
                base: None,
                sample_type: p.sample_types[st].name.clone(),
                unit: p.sample_types[st].unit.clone(),
                total,
                graph: g,
                notes: notes.to_vec(),
            });
        };
        self.refine(b, refine)?;
        let (bp, _) = self.view(b, refine)?;
        let (tp, notes) = self.view(id, refine)?;
        let (bst, tst) = match comparable(bp, tp, sample_type) {
            Ok(x) => x,
            Err(e) => {
                return Ok(Response::Graph {
                    id,
                    base,
                    sample_type: sample_type.to_string(),
                    unit: String::new(),
                    total: 0,
                    graph: Graph::default(),
                    notes: vec![format!("These profiles cannot be compared: {e}.")],
                })
            }
        };
        // pprof's total of a diff is the base's.
        let total = self.get(b)?.total(bst);
        let g =
            graph(&[Part { profile: bp, sample_type: bst, negate: true }, Part { profile: tp, sample_type: tst, negate: false }], options);
        Ok(Response::Graph {
            id,
            base,
            sample_type: tp.sample_types[tst].name.clone(),
            unit: tp.sample_types[tst].unit.clone(),
            total,
            graph: g,
            notes: notes.to_vec(),
        })
    }
}
