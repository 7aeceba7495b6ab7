//! pprof's flat/cum rule, written once: a sample's value is added to the **flat** of its
//! leaf frame and to the **cum** of every distinct key on its stack, once per sample (a
//! function that recurses counts once). Samples whose value is 0 add nothing.
//!
//! Every table sums through [`FlatCum`]: the early table of a profile still streaming in
//! (`decode::preview`, keyed by name slots), the model's first table summed while its stacks
//! are built (`decode::proto`), and the tables derived from the model ([`flat_cum`], used by
//! `analysis::top` and `analysis::diff`).

use super::Profile;

/// flat/cum sums per key (a function id, or any dense id standing for one), for one or
/// several sample types at once. The width (sample types per sample) is the length of the
/// value slice given to each call, the same for every call on one accumulator.
#[derive(Clone, Debug, Default)]
pub struct FlatCum {
    width: usize,
    /// Per key and sample type: `key * width + t`.
    flat: Vec<i64>,
    /// Per key: the last sample added to its cum (-1: none yet), then its cum per sample
    /// type, side by side (one cache line for all a frame touches).
    acc: Vec<i64>,
}

impl FlatCum {
    /// Sums of `width` sample types for `keys` keys, all 0.
    pub fn new(keys: usize, width: usize) -> FlatCum {
        let mut s = FlatCum { width, flat: Vec::new(), acc: Vec::new() };
        s.grow(keys);
        s
    }

    /// Makes room for `keys` keys (new ones start at 0).
    pub fn grow(&mut self, keys: usize) {
        let w = self.width;
        if keys * w <= self.flat.len() {
            return;
        }
        self.flat.resize(keys * w, 0);
        let mut at = self.acc.len();
        self.acc.resize(keys * (w + 1), 0);
        while at < self.acc.len() {
            self.acc[at] = -1;
            at += w + 1;
        }
    }

    /// Number of keys.
    pub fn keys(&self) -> usize {
        self.flat.len().checked_div(self.width).unwrap_or(0)
    }

    /// `key` is the leaf of the sample with values `v`: its flat grows by `v` (shrinks
    /// with `sign` = -1, to take a sample back).
    #[inline(always)]
    pub fn leaf(&mut self, key: u32, v: &[i64], sign: i64) {
        self.parts().leaf(key, v, sign);
    }

    /// `key` is on the stack of sample `stamp` (values `v`): its cum grows by `v`, unless
    /// it already did for this sample.
    #[inline(always)]
    pub fn frame(&mut self, key: u32, stamp: i64, v: &[i64]) {
        self.parts().frame(key, stamp, v);
    }

    /// Takes back [`frame`](FlatCum::frame) for sample `stamp` (once, whatever how often the
    /// key was on its stack).
    #[inline(always)]
    pub fn unframe(&mut self, key: u32, stamp: i64, v: &[i64]) {
        self.parts().unframe(key, stamp, v);
    }

    /// Adds sample `stamp` whose stack is `keys` (leaf first) and values `v`.
    #[inline(always)]
    pub fn add_stack(&mut self, keys: &[u32], stamp: i64, v: &[i64]) {
        self.parts().add_stack(keys, stamp, v);
    }

    /// The sums as slices, for a hot loop: borrowed once outside it, so that the compiler
    /// keeps them in registers instead of reloading the vectors at every frame.
    #[inline(always)]
    pub fn parts(&mut self) -> Parts<'_> {
        Parts { flat: &mut self.flat, acc: &mut self.acc }
    }

    /// flat per key, of sample type `t` (an index into the values given).
    pub fn flat(&self, t: usize) -> Vec<i64> {
        self.flat.iter().skip(t).step_by(self.width.max(1)).copied().collect()
    }

    /// cum per key, of sample type `t`.
    pub fn cum(&self, t: usize) -> Vec<i64> {
        self.acc.iter().skip(1 + t).step_by(self.width + 1).copied().collect()
    }

    /// (flat, cum) per key of a one-type accumulator.
    pub fn into_single(self) -> (Vec<i64>, Vec<i64>) {
        debug_assert_eq!(self.width, 1);
        let cum = self.cum(0);
        (self.flat, cum)
    }
}

/// A [`FlatCum`]'s sums borrowed as slices: the same operations, for hot loops.
pub struct Parts<'a> {
    flat: &'a mut [i64],
    acc: &'a mut [i64],
}

impl Parts<'_> {
    /// See [`FlatCum::leaf`].
    #[inline(always)]
    pub fn leaf(&mut self, key: u32, v: &[i64], sign: i64) {
        let w = v.len();
        for (x, &y) in self.flat[key as usize * w..][..w].iter_mut().zip(v) {
            *x = x.wrapping_add(y.wrapping_mul(sign));
        }
    }

    /// See [`FlatCum::frame`].
    #[inline(always)]
    pub fn frame(&mut self, key: u32, stamp: i64, v: &[i64]) {
        let w = v.len();
        let row = &mut self.acc[key as usize * (w + 1)..][..w + 1];
        if row[0] != stamp {
            row[0] = stamp;
            for (x, &y) in row[1..].iter_mut().zip(v) {
                *x = x.wrapping_add(y);
            }
        }
    }

    /// See [`FlatCum::unframe`].
    #[inline(always)]
    pub fn unframe(&mut self, key: u32, stamp: i64, v: &[i64]) {
        let w = v.len();
        let row = &mut self.acc[key as usize * (w + 1)..][..w + 1];
        if row[0] == stamp {
            row[0] = -1;
            for (x, &y) in row[1..].iter_mut().zip(v) {
                *x = x.wrapping_sub(y);
            }
        }
    }

    /// See [`FlatCum::add_stack`].
    #[inline(always)]
    pub fn add_stack(&mut self, keys: &[u32], stamp: i64, v: &[i64]) {
        if let Some(&leaf) = keys.first() {
            self.leaf(leaf, v, 1);
        }
        for &k in keys {
            self.frame(k, stamp, v);
        }
    }
}

/// flat/cum per function id for weighted stacks (`values[stack]`, as
/// [`Profile::stack_values`] gives). `map` renames the profile's function ids (for a
/// namespace shared by several profiles); `n_funcs` is the size of the id space.
pub fn flat_cum(p: &Profile, values: &[i64], map: Option<&[u32]>, n_funcs: usize) -> (Vec<i64>, Vec<i64>) {
    let mut all = FlatCum::new(n_funcs, 1);
    let mut sums = all.parts();
    match map {
        None => {
            for (s, &v) in values.iter().enumerate() {
                if v != 0 {
                    sums.add_stack(p.stacks.get(s as u32), s as i64, &[v]);
                }
            }
        }
        Some(m) => {
            for (s, &v) in values.iter().enumerate() {
                if v == 0 {
                    continue;
                }
                let frames = p.stacks.get(s as u32);
                let v = [v];
                if let Some(&leaf) = frames.first() {
                    sums.leaf(m[leaf as usize], &v, 1);
                }
                for &f in frames {
                    sums.frame(m[f as usize], s as i64, &v);
                }
            }
        }
    }
    all.into_single()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursion_counts_once_and_the_leaf_is_flat() {
        let mut s = FlatCum::new(3, 1);
        // a → b → a (leaf a), value 5; then b alone, value 2.
        s.add_stack(&[0, 1, 0], 0, &[5]);
        s.add_stack(&[1], 1, &[2]);
        assert_eq!(s.clone().into_single(), (vec![5, 2, 0], vec![5, 7, 0]));
        // Taking the last sample back (once, however often it is asked) leaves the first.
        s.leaf(1, &[2], -1);
        s.unframe(1, 1, &[2]);
        s.unframe(1, 1, &[2]);
        assert_eq!(s.into_single(), (vec![5, 0, 0], vec![5, 5, 0]));
    }

    #[test]
    fn several_types_side_by_side() {
        let mut s = FlatCum::new(2, 2);
        s.add_stack(&[1, 0, 1], 7, &[3, -4]);
        assert_eq!((s.flat(0), s.flat(1), s.cum(0), s.cum(1)), (vec![0, 3], vec![0, -4], vec![3, 3], vec![-4, -4]));
        s.grow(3);
        assert_eq!(s.keys(), 3);
    }
}
