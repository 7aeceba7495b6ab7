//! The label browser's analysis: every label key of a profile with its values and the value
//! of the samples carrying each (the share of the total the page shows); numeric labels as a
//! histogram (each value when there are few, else power-of-two buckets) with their unit.
//!
//! A sample counts once for each distinct value it carries of a key (pprof's tag filters
//! match a sample when any of its values for the key matches), with its absolute value, as
//! pprof's totals.

use crate::model::Profile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Values listed per key at most (the largest); the rest are counted in [`LabelKey::more`].
pub const MAX_VALUES: usize = 60;

/// Distinct numeric values up to which each value is a bucket of its own.
pub const EXACT_BUCKETS: usize = 16;

/// The labels of a profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LabelSummary {
    /// Sample type summed.
    pub sample_type: String,
    /// Its unit.
    pub unit: String,
    /// The total shares are of.
    pub total: i64,
    /// Every key, string keys first, then by name.
    pub keys: Vec<LabelKey>,
}

/// One label key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LabelKey {
    /// The key.
    pub key: String,
    /// Numeric (`num_label`) rather than string.
    pub numeric: bool,
    /// The numeric values' unit (pprof's: `bytes` for a `bytes` key without one).
    pub unit: String,
    /// String values by value, largest first; numeric buckets in ascending order.
    pub values: Vec<LabelValue>,
    /// Values not listed (beyond [`MAX_VALUES`]).
    pub more: usize,
    /// Value of the samples that carry the key.
    pub labelled: i64,
}

/// One value of a key (a string value, or a range of numeric values).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LabelValue {
    /// The string value (string keys).
    pub text: String,
    /// Lowest numeric value of the bucket (numeric keys).
    pub lo: i64,
    /// Highest numeric value of the bucket, included.
    pub hi: i64,
    /// Value of the samples carrying it.
    pub value: i64,
    /// How many samples carry it.
    pub samples: u64,
}

/// The power-of-two bucket of `v`: `[2^k, 2^(k+1) - 1]` (mirrored for negatives, 0 alone).
fn bucket(v: i64) -> (i64, i64) {
    if v == 0 {
        return (0, 0);
    }
    let a = v.unsigned_abs();
    let k = 63 - a.leading_zeros();
    let lo = 1u64 << k;
    let hi = if k >= 63 { u64::MAX } else { (lo << 1) - 1 };
    let (lo, hi) = (lo.min(i64::MAX as u64) as i64, hi.min(i64::MAX as u64) as i64);
    if v > 0 {
        (lo, hi)
    } else {
        (-hi, -lo)
    }
}

/// Sums the labels of `p` for sample type `st`; shares are of `total`.
pub fn summarize(p: &Profile, st: usize, total: i64) -> LabelSummary {
    // Value and samples per label set first (few sets, many samples).
    let sets = &p.label_sets.sets;
    let mut per_set = vec![(0i64, 0u64); sets.len()];
    let values = &p.values[st];
    for (s, &v) in values.iter().enumerate() {
        let set = p.sample_labels.get(s).copied().unwrap_or(0) as usize;
        if let Some(x) = per_set.get_mut(set) {
            x.0 = x.0.wrapping_add(v.wrapping_abs());
            x.1 += 1;
        }
    }
    #[derive(Default)]
    struct Acc {
        numeric: bool,
        unit: String,
        strings: BTreeMap<String, (i64, u64)>,
        numbers: BTreeMap<i64, (i64, u64)>,
        labelled: i64,
    }
    let mut keys: BTreeMap<String, Acc> = BTreeMap::new();
    let mut seen: Vec<(&str, Option<&str>, i64)> = Vec::new();
    for (set, &(v, n)) in sets.iter().zip(&per_set) {
        if n == 0 {
            continue;
        }
        seen.clear();
        for l in set {
            let item = (l.key.as_str(), l.str.as_deref(), l.num);
            if seen.contains(&item) {
                continue;
            }
            let first_of_key = !seen.iter().any(|x| x.0 == item.0);
            seen.push(item);
            let acc = keys.entry(l.key.clone()).or_default();
            if first_of_key {
                acc.labelled = acc.labelled.wrapping_add(v);
            }
            let slot = match &l.str {
                Some(s) => acc.strings.entry(s.clone()).or_default(),
                None => {
                    acc.numeric = true;
                    if acc.unit.is_empty() {
                        acc.unit = if l.unit.is_empty() && l.key == "bytes" { "bytes".into() } else { l.unit.clone() };
                    }
                    acc.numbers.entry(l.num).or_default()
                }
            };
            slot.0 = slot.0.wrapping_add(v);
            slot.1 += n;
        }
    }
    let mut out: Vec<LabelKey> = Vec::new();
    for (key, acc) in keys {
        let mut values: Vec<LabelValue> = if !acc.strings.is_empty() {
            let mut v: Vec<LabelValue> =
                acc.strings.into_iter().map(|(text, (value, samples))| LabelValue { text, value, samples, ..Default::default() }).collect();
            v.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.text.cmp(&b.text)));
            v
        } else if acc.numbers.len() <= EXACT_BUCKETS {
            acc.numbers.into_iter().map(|(n, (value, samples))| LabelValue { lo: n, hi: n, value, samples, ..Default::default() }).collect()
        } else {
            let mut buckets: BTreeMap<i64, LabelValue> = BTreeMap::new();
            for (n, (value, samples)) in acc.numbers {
                let (lo, hi) = bucket(n);
                let b = buckets.entry(lo).or_insert(LabelValue { lo, hi, ..Default::default() });
                b.value = b.value.wrapping_add(value);
                b.samples += samples;
            }
            buckets.into_values().collect()
        };
        let more = values.len().saturating_sub(MAX_VALUES);
        if more > 0 {
            // (Numeric buckets are few: at most 129. Only string keys are cut, largest kept.)
            values.truncate(MAX_VALUES);
        }
        let numeric = acc.numeric && values.iter().all(|v| v.text.is_empty());
        out.push(LabelKey { key, numeric, unit: if numeric { acc.unit } else { String::new() }, values, more, labelled: acc.labelled });
    }
    out.sort_by(|a, b| a.numeric.cmp(&b.numeric).then_with(|| a.key.cmp(&b.key)));
    LabelSummary {
        sample_type: p.sample_types.get(st).map(|t| t.name.clone()).unwrap_or_default(),
        unit: p.sample_types.get(st).map(|t| t.unit.clone()).unwrap_or_default(),
        total,
        keys: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Label, ValueType};

    fn s(key: &str, v: &str) -> Label {
        Label { key: key.into(), str: Some(v.into()), num: 0, unit: String::new() }
    }
    fn n(key: &str, v: i64, unit: &str) -> Label {
        Label { key: key.into(), str: None, num: v, unit: unit.into() }
    }

    /// A profile whose samples carry these label sets and values (one stack, one sample type).
    fn profile(samples: Vec<(Vec<Label>, i64)>) -> Profile {
        let mut p = Profile { sample_types: vec![ValueType { name: "cpu".into(), unit: "nanoseconds".into() }], ..Default::default() };
        p.values = vec![Vec::new()];
        for (labels, v) in samples {
            let id = p.label_sets.intern(labels);
            p.sample_labels.push(id);
            p.values[0].push(v);
        }
        p
    }

    #[test]
    fn string_labels_with_their_values_and_shares() {
        let p = profile(vec![
            (vec![s("worker", "w1"), s("path", "/a")], 10),
            (vec![s("worker", "w2"), s("path", "/a")], 30),
            (vec![s("worker", "w1")], 5),
            // A key twice with one value counts once; two values count once each.
            (vec![s("worker", "w2"), s("worker", "w2"), s("path", "/a"), s("path", "/b")], 7),
            (vec![], 100),
            // Negative values count by their absolute value, as pprof's totals.
            (vec![s("worker", "w3")], -2),
        ]);
        let sum = summarize(&p, 0, 154);
        assert_eq!((sum.total, sum.unit.as_str(), sum.sample_type.as_str()), (154, "nanoseconds", "cpu"));
        let keys: Vec<&str> = sum.keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["path", "worker"]);
        let worker = &sum.keys[1];
        let got: Vec<(&str, i64, u64)> = worker.values.iter().map(|v| (v.text.as_str(), v.value, v.samples)).collect();
        assert_eq!(got, [("w2", 37, 2), ("w1", 15, 2), ("w3", 2, 1)]);
        assert_eq!(worker.labelled, 54);
        let path = &sum.keys[0];
        let got: Vec<(&str, i64)> = path.values.iter().map(|v| (v.text.as_str(), v.value)).collect();
        assert_eq!(got, [("/a", 47), ("/b", 7)]);
        assert_eq!(path.labelled, 47, "the sample with /a and /b counts once for the key");
        assert!(!path.numeric && path.unit.is_empty());
    }

    #[test]
    fn few_numeric_values_are_listed_each_many_in_power_of_two_buckets() {
        let few = profile(vec![(vec![n("bytes", 64, "")], 1), (vec![n("bytes", 8, "")], 2), (vec![n("bytes", 64, "")], 3)]);
        let k = &summarize(&few, 0, 6).keys[0];
        assert!(k.numeric);
        assert_eq!(k.unit, "bytes", "pprof's unit for a bytes key without one");
        let got: Vec<(i64, i64, i64)> = k.values.iter().map(|v| (v.lo, v.hi, v.value)).collect();
        assert_eq!(got, [(8, 8, 2), (64, 64, 4)]);

        // 20 distinct sizes: 1..=20 B, each with value 1, plus 0 and 1000.
        let mut samples: Vec<(Vec<Label>, i64)> = (1..=20).map(|b| (vec![n("size", b, "bytes")], 1)).collect();
        samples.push((vec![n("size", 0, "bytes")], 1));
        samples.push((vec![n("size", 1000, "bytes"), s("worker", "w1")], 1));
        let k = summarize(&profile(samples), 0, 22).keys.into_iter().find(|k| k.key == "size").expect("size");
        let got: Vec<(i64, i64, i64)> = k.values.iter().map(|v| (v.lo, v.hi, v.value)).collect();
        assert_eq!(got, [(0, 0, 1), (1, 1, 1), (2, 3, 2), (4, 7, 4), (8, 15, 8), (16, 31, 5), (512, 1023, 1)]);
        assert_eq!(k.unit, "bytes");
        assert_eq!(bucket(-5), (-7, -4));
        assert_eq!(bucket(i64::MAX), (1 << 62, i64::MAX));
    }

    #[test]
    fn many_string_values_keep_the_largest() {
        let samples = (0..(MAX_VALUES as i64 + 5)).map(|i| (vec![s("id", &format!("v{i:03}"))], i + 1)).collect();
        let k = &summarize(&profile(samples), 0, 1).keys[0];
        assert_eq!((k.values.len(), k.more), (MAX_VALUES, 5));
        assert_eq!(k.values[0].text, format!("v{:03}", MAX_VALUES + 4));
    }
}
