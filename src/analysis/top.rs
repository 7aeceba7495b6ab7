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

/// pprof's `-mean` table (its report's `SampleMeanDivisor`): each row's flat and cum divided
/// by the same rows' sums of sample type `divisor` (pprof uses the first sample type, a
/// count), in integer division as Go does; a row whose divisor sum is 0 keeps its value.
/// Rows are chosen and put in `order` by the undivided values, as pprof sorts them.
pub fn top_table_mean(p: &Profile, sample_type: usize, divisor: usize, order: Order) -> Vec<TopRow> {
    let (flat, cum) = flat_cum(p, &stack_values(p, sample_type), None, p.functions.len());
    let (flat_div, cum_div) = flat_cum(p, &stack_values(p, divisor), None, p.functions.len());
    let mut rows = rows_from_sums(&flat, &cum, &p.functions.raw);
    if order != Order::Flat {
        sort_rows(&mut rows, order, &p.functions.raw);
    }
    let div = |v: i64, d: i64| if d == 0 { v } else { v.wrapping_div(d) };
    for r in &mut rows {
        let f = r.func as usize;
        r.flat = div(r.flat, flat_div[f]);
        r.cum = div(r.cum, cum_div[f]);
    }
    rows
}

/// pprof's total under `-mean`: the sum of |value| of `sample_type` over all samples divided
/// by the sum of `divisor` (unless that is 0).
pub fn mean_total(p: &Profile, sample_type: usize, divisor: usize) -> i64 {
    let d = p.values[divisor].iter().fold(0i64, |a, &b| a.wrapping_add(b));
    let t = p.total(sample_type);
    if d == 0 {
        t
    } else {
        t.wrapping_div(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_divides_each_row_by_its_own_count() {
        // Two samples: a→b (value 10, count 2) and a (value 9, count 3). pprof -mean on the
        // value: b flat 10/2 = 5, a flat 9/3 = 3, a cum 19/5 = 3; total 19/5 = 3.
        let mut p = Profile::default();
        let a = p.functions.intern(b"a", b"");
        let b = p.functions.intern(b"b", b"");
        let ab = p.stacks.intern(&[b, a]);
        let just_a = p.stacks.intern(&[a]);
        p.sample_stack = vec![ab, just_a];
        p.values = vec![vec![2, 3], vec![10, 9]];
        let rows = top_table_mean(&p, 1, 0, Order::Flat);
        assert_eq!(rows, vec![TopRow { func: b, flat: 5, cum: 5 }, TopRow { func: a, flat: 3, cum: 3 }]);
        assert_eq!(mean_total(&p, 1, 0), 3);
    }
}
