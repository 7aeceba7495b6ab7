//! Comparing profiles as `go tool pprof -diff_base=BASE TARGET` does, and merging several.

use super::top::{flat_cum, pprof_cmp};
use super::{stack_values, NameSpace};
use crate::model::Profile;
use serde::{Deserialize, Serialize};

/// One row of a diff table, in the common namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRow {
    /// Common function id.
    pub func: u32,
    /// Base flat.
    pub base_flat: i64,
    /// Target flat.
    pub target_flat: i64,
    /// Base cum.
    pub base_cum: i64,
    /// Target cum.
    pub target_cum: i64,
}

impl DiffRow {
    /// target − base, flat.
    pub fn delta(&self) -> i64 {
        self.target_flat.wrapping_sub(self.base_flat)
    }
    /// target − base, cum.
    pub fn delta_cum(&self) -> i64 {
        self.target_cum.wrapping_sub(self.base_cum)
    }
}

/// Can these two profiles be compared on this sample type? `Err` says why not.
pub fn comparable(base: &Profile, target: &Profile, sample_type: &str) -> Result<(usize, usize), String> {
    let b = base.sample_type_index(sample_type).ok_or_else(|| format!("the base profile has no sample type \"{sample_type}\""))?;
    let t = target.sample_type_index(sample_type).ok_or_else(|| format!("the target profile has no sample type \"{sample_type}\""))?;
    let (bu, tu) = (&base.sample_types[b].unit, &target.sample_types[t].unit);
    if bu != tu {
        return Err(format!("\"{sample_type}\" is in {bu} in the base but in {tu} in the target"));
    }
    Ok((b, t))
}

/// Per-stack values with each sample's value multiplied by `ratio` and rounded half away
/// from zero first, as pprof's `Profile.ScaleN` does.
pub fn scaled_stack_values(p: &Profile, st: usize, ratio: f64) -> Vec<i64> {
    if ratio == 1.0 {
        return stack_values(p, st);
    }
    // pprof merges samples with the same locations and labels (`profile.Merge`, which every
    // fetched profile goes through) before `-normalize` scales and rounds each: the rounding is
    // of those sums, so the samples are grouped the same way here first.
    let locs = p.locations();
    let by_location = locs.sample_off.len() == p.sample_stack.len() + 1;
    let mut groups: rustc_hash::FxHashMap<(&[u32], u32), (u32, i64)> = rustc_hash::FxHashMap::default();
    for (i, (&s, &v)) in p.sample_stack.iter().zip(&p.values[st]).enumerate() {
        let at: &[u32] = if by_location { locs.sample(i) } else { p.stacks.get(s) };
        let labels = p.sample_labels.get(i).copied().unwrap_or(0);
        let g = groups.entry((at, labels)).or_insert((s, 0));
        g.1 = g.1.wrapping_add(v);
    }
    let mut out = vec![0i64; p.stacks.len()];
    for &(s, v) in groups.values() {
        out[s as usize] = out[s as usize].wrapping_add((v as f64 * ratio).round() as i64);
    }
    out
}

/// The diff table as `go tool pprof -diff_base=BASE TARGET -top`: rows sorted by |delta|
/// then name, the base total (pprof's percentage base) and the namespace the rows refer to.
/// With `normalize`, the target is scaled so its total equals the base's, as pprof's
/// `-normalize` does (ratio of the signed sums).
#[inline(never)]
pub fn diff_table(base: &Profile, bst: usize, target: &Profile, tst: usize, normalize: bool) -> (Vec<DiffRow>, i64, NameSpace) {
    let mut ns = NameSpace::default();
    let tmap = ns.add(target);
    let bmap = ns.add(base);
    let n = ns.len();
    let ratio = if normalize { normalize_ratio(base, bst, target, tst) } else { 1.0 };
    let bsv = stack_values(base, bst);
    let tsv = scaled_stack_values(target, tst, ratio);
    let (bf, bc) = flat_cum(base, &bsv, Some(&bmap), n);
    let (tf, tc) = flat_cum(target, &tsv, Some(&tmap), n);
    let mut rows: Vec<DiffRow> = (0..n)
        .map(|f| DiffRow { func: f as u32, base_flat: bf[f], target_flat: tf[f], base_cum: bc[f], target_cum: tc[f] })
        .filter(|r| r.delta() != 0 || r.delta_cum() != 0)
        .collect();
    let raw = &ns.raw;
    rows.sort_by(|a, b| pprof_cmp((a.delta(), &raw[a.func as usize], a.delta_cum()), (b.delta(), &raw[b.func as usize], b.delta_cum())));
    (rows, base.total(bst), ns)
}

/// pprof's `-normalize` ratio: sum(base) / sum(target) over signed sample values (0 when the
/// target sums to 0).
pub fn normalize_ratio(base: &Profile, bst: usize, target: &Profile, tst: usize) -> f64 {
    let b: i64 = base.values[bst].iter().sum();
    let t: i64 = target.values[tst].iter().sum();
    if t == 0 {
        0.0
    } else {
        b as f64 / t as f64
    }
}

/// Merges several profiles of the same sample types into one (values summed), as pprof
/// does when given several inputs. Profiles must have the same sample type names and units.
#[inline(never)]
pub fn merge(profiles: &[&Profile]) -> Result<Profile, String> {
    let first = *profiles.first().ok_or("nothing to merge")?;
    for p in &profiles[1..] {
        if p.sample_types != first.sample_types {
            return Err("profiles with different sample types cannot be merged".into());
        }
    }
    let mut out = Profile {
        sample_types: first.sample_types.clone(),
        default_sample_type: first.default_sample_type,
        period_type: first.period_type.clone(),
        period: first.period,
        time_nanos: profiles.iter().map(|p| p.time_nanos).filter(|&t| t != 0).min().unwrap_or(0),
        duration_nanos: profiles.iter().map(|p| p.duration_nanos).sum(),
        format: format!("merge of {} profiles", profiles.len()),
        main_binary: first.main_binary.clone(),
        values: vec![Vec::new(); first.sample_types.len()],
        ..Default::default()
    };
    let mut frames = Vec::new();
    for p in profiles {
        let fmap: Vec<u32> =
            (0..p.functions.len()).map(|f| out.functions.intern(&p.functions.raw[f], p.functions.files[f].as_bytes())).collect();
        let smap: Vec<u32> = (0..p.stacks.len())
            .map(|s| {
                frames.clear();
                frames.extend(p.stacks.get(s as u32).iter().map(|&f| fmap[f as usize]));
                out.stacks.intern(&frames)
            })
            .collect();
        for i in 0..p.num_samples() {
            out.sample_stack.push(smap[p.sample_stack[i] as usize]);
            for t in 0..out.sample_types.len() {
                out.values[t].push(p.values[t][i]);
            }
            let l = out.label_sets.intern(p.label_sets.sets[p.sample_labels[i] as usize].clone());
            out.sample_labels.push(l);
            if !p.goroutines.is_empty() {
                out.goroutines.push(p.goroutines[i].clone());
            }
        }
    }
    if out.goroutines.len() != out.num_samples() {
        out.goroutines.clear();
    }
    out.stacks.seal();
    out.label_sets.seal();
    // The merge's locations: each profile's, in the same sample order.
    let parts: Vec<_> = profiles.iter().map(|p| p.locations()).collect();
    out.locations = crate::model::locations::LocationCell::made(crate::model::locations::Locations::concat(
        &parts.iter().map(|l| &**l).collect::<Vec<_>>(),
    ));
    Ok(out)
}
