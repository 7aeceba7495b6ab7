//! pprof's top table: flat and cum per function.

use super::stack_values;
use crate::model::Profile;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// One row of a top table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopRow {
    /// Function id (in the profile, or in a [`NameSpace`](super::NameSpace)).
    pub func: u32,
    /// Value of samples whose leaf frame is this function.
    pub flat: i64,
    /// Value of samples whose stack contains this function (once per sample).
    pub cum: i64,
}

pub use crate::model::sums::flat_cum;

/// The orders a table can be sorted in (the page asks for one as `protocol::TopOrder`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    /// |flat| descending (pprof's default).
    #[default]
    Flat,
    /// |cum| descending.
    Cum,
    /// Name ascending.
    Name,
}

/// pprof's order of table rows, written once (the top table, the diff table and the engine's
/// other orders use it): `|key|` descending, then the raw name bytes ascending, then `|tie|`
/// descending. Each side is `(key, name, tie)`.
#[inline]
pub fn pprof_cmp(a: (i64, &[u8], i64), b: (i64, &[u8], i64)) -> Ordering {
    b.0.unsigned_abs().cmp(&a.0.unsigned_abs()).then_with(|| a.1.cmp(b.1)).then_with(|| b.2.unsigned_abs().cmp(&a.2.unsigned_abs()))
}

/// Sorts rows in `order`: by flat as pprof does (|flat|, name, |cum|), by cum likewise
/// (|cum|, name, |flat|), or by name.
pub fn sort_rows(rows: &mut [TopRow], order: Order, raw_names: &[Box<[u8]>]) {
    let name = |r: &TopRow| &raw_names[r.func as usize][..];
    match order {
        Order::Flat => rows.sort_by(|a, b| pprof_cmp((a.flat, name(a), a.cum), (b.flat, name(b), b.cum))),
        Order::Cum => rows.sort_by(|a, b| pprof_cmp((a.cum, name(a), a.flat), (b.cum, name(b), b.flat))),
        Order::Name => rows.sort_by(|a, b| name(a).cmp(name(b))),
    }
}

/// Sorts rows as pprof does: |flat| descending, then name (bytes) ascending, then |cum|.
pub fn sort_rows_pprof(rows: &mut [TopRow], raw_names: &[Box<[u8]>]) {
    sort_rows(rows, Order::Flat, raw_names);
}

/// The top table for one sample type, sorted as pprof sorts it, and the total.
#[inline(never)]
pub fn top_table(p: &Profile, sample_type: usize) -> (Vec<TopRow>, i64) {
    let owned;
    let (flat, cum): (&[i64], &[i64]) = match &p.top_cache {
        Some(c) if c.sample_type == sample_type && c.shape == p.shape() => (&c.flat, &c.cum),
        _ => {
            owned = flat_cum(p, &stack_values(p, sample_type), None, p.functions.len());
            (&owned.0, &owned.1)
        }
    };
    (rows_from_sums(flat, cum, &p.functions.raw), p.total(sample_type))
}

/// The rows of functions with a flat or cum, sorted as pprof sorts them.
pub fn rows_from_sums(flat: &[i64], cum: &[i64], raw_names: &[Box<[u8]>]) -> Vec<TopRow> {
    let mut rows: Vec<TopRow> = (0..raw_names.len())
        .filter(|&f| flat[f] != 0 || cum[f] != 0)
        .map(|f| TopRow { func: f as u32, flat: flat[f], cum: cum[f] })
        .collect();
    sort_rows_pprof(&mut rows, raw_names);
    rows
}
