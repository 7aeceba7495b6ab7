//! pprof's top table: flat and cum per function.

use super::stack_values;
use crate::model::Profile;
use serde::{Deserialize, Serialize};

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

/// flat/cum per function id for weighted stacks. `map` renames profile function ids
/// (for a shared namespace); `n_funcs` is the size of the id space.
pub fn flat_cum(p: &Profile, values: &[i64], map: Option<&[u32]>, n_funcs: usize) -> (Vec<i64>, Vec<i64>) {
    let mut flat = vec![0i64; n_funcs];
    let mut cum = vec![0i64; n_funcs];
    let mut seen = vec![u32::MAX; n_funcs];
    for (s, &v) in values.iter().enumerate() {
        if v == 0 {
            continue;
        }
        let frames = p.stacks.get(s as u32);
        let id = |f: u32| match map {
            Some(m) => m[f as usize] as usize,
            None => f as usize,
        };
        if let Some(&leaf) = frames.first() {
            let l = id(leaf);
            flat[l] = flat[l].wrapping_add(v);
        }
        for &f in frames {
            let f = id(f);
            if seen[f] != s as u32 {
                seen[f] = s as u32;
                cum[f] = cum[f].wrapping_add(v);
            }
        }
    }
    (flat, cum)
}

/// Sorts rows as pprof does: |flat| descending, then name (bytes) ascending, then |cum|.
pub fn sort_rows_pprof(rows: &mut [TopRow], raw_names: &[Box<[u8]>]) {
    rows.sort_by(|a, b| {
        b.flat
            .unsigned_abs()
            .cmp(&a.flat.unsigned_abs())
            .then_with(|| raw_names[a.func as usize].cmp(&raw_names[b.func as usize]))
            .then_with(|| b.cum.unsigned_abs().cmp(&a.cum.unsigned_abs()))
    });
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
