//! The model built from named stacks, for the formats that give a stack as a list of function
//! names with a weight (folded stacks, `perf script`, speedscope, Chrome's profiles): one
//! builder interns the functions and stacks, merges samples with the same stack and labels,
//! and checks the limits every such decoder shares.

use super::error::{DecodeError, Limits};
use crate::model::{Profile, ValueType};
use rustc_hash::FxHashMap;

/// Builds a [`Profile`] from stacks of function ids (see [`Builder::func`]).
pub(super) struct Builder<'l> {
    p: Profile,
    limits: &'l Limits,
    /// (stack, label set) → sample: samples with the same stack and labels are one sample.
    merge: FxHashMap<(u32, u32), u32>,
    /// |value| summed per sample type, to refuse a file whose total does not fit an i64.
    totals: Vec<i64>,
    /// Scratch: the stack being interned, leaf first.
    leaf_first: Vec<u32>,
}

impl<'l> Builder<'l> {
    /// A builder for a profile of these sample types (the default one given by index).
    pub fn new(types: Vec<ValueType>, default: usize, format: &str, limits: &'l Limits) -> Builder<'l> {
        let n = types.len();
        // No period: these formats do not have pprof's (a sampling rate is not in the file, or
        // each sample carries its own weight).
        let p = Profile {
            sample_types: types,
            default_sample_type: default,
            values: vec![Vec::new(); n],
            format: format.into(),
            ..Default::default()
        };
        Builder { p, limits, merge: FxHashMap::default(), totals: vec![0; n], leaf_first: Vec::new() }
    }

    /// The id of the function with this (raw) name, interned on first use.
    pub fn func(&mut self, name: &[u8], file: &[u8]) -> Result<u32, DecodeError> {
        if let Some(id) = self.p.functions.get(name) {
            return Ok(id);
        }
        if self.p.functions.len() >= self.limits.max_entries {
            return Err(DecodeError::Limit { what: "function count".into(), limit: self.limits.max_entries });
        }
        Ok(self.p.functions.intern(name, file))
    }

    /// Adds `value` of sample type `ty` to the sample of this stack (function ids, root
    /// first) and label set.
    pub fn add(&mut self, root_first: &[u32], labels: u32, ty: usize, value: i64) -> Result<(), DecodeError> {
        if root_first.len() > self.limits.max_stack_depth {
            return Err(DecodeError::Limit { what: "stack depth".into(), limit: self.limits.max_stack_depth });
        }
        self.leaf_first.clear();
        self.leaf_first.extend(root_first.iter().rev());
        let stack = self.p.stacks.intern(&self.leaf_first);
        if self.p.stacks.frames.len() > self.limits.max_total_frames {
            return Err(DecodeError::Limit { what: "frames over all distinct stacks".into(), limit: self.limits.max_total_frames });
        }
        let total = &mut self.totals[ty];
        *total = total.checked_add(value.checked_abs().unwrap_or(i64::MAX)).ok_or_else(|| DecodeError::Limit {
            what: format!("the total of {}", self.p.sample_types[ty].name),
            limit: i64::MAX as usize,
        })?;
        let next = self.p.sample_stack.len() as u32;
        let sample = *self.merge.entry((stack, labels)).or_insert(next);
        if sample == next {
            if self.p.sample_stack.len() >= self.limits.max_entries {
                return Err(DecodeError::Limit { what: "sample count".into(), limit: self.limits.max_entries });
            }
            self.p.sample_stack.push(stack);
            self.p.sample_labels.push(labels);
            for v in &mut self.p.values {
                v.push(0);
            }
        }
        // Cannot overflow: the |total| of this type, which includes this sample, fits.
        self.p.values[ty][sample as usize] += value;
        Ok(())
    }

    /// The label set id of these labels.
    pub fn labels(&mut self, set: Vec<crate::model::Label>) -> u32 {
        self.p.label_sets.intern(set)
    }

    /// The profile being built (to set its times, comments…).
    pub fn profile(&mut self) -> &mut Profile {
        &mut self.p
    }

    /// The finished profile.
    pub fn finish(mut self) -> Profile {
        self.p.stacks.seal();
        self.p.label_sets.seal();
        self.p
    }
}

/// A line as an error message quotes it: at most 60 characters, control characters shown as
/// U+FFFD.
pub(super) fn clip(s: &[u8]) -> String {
    let s = String::from_utf8_lossy(s);
    let c: String = s.chars().take(60).map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect();
    if s.chars().count() > 60 {
        format!("{c}…")
    } else {
        c
    }
}
