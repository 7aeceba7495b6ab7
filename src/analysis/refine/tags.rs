//! pprof's tag filters (`-tagfocus`, `-tagignore`: `driver.compileTagFilter`) and the unit
//! arithmetic they use (`internal/measurement.Scale`), written as pprof writes them.

use crate::model::{Label, Profile};
use rustc_hash::FxHashMap;

/// A compiled `-tagfocus` / `-tagignore`.
#[derive(Debug)]
pub enum TagFilter {
    /// A numeric range (`bytes=1kb:`, `:64`, `1mb:2mb`, `32`) on the numeric labels of
    /// `key`, or of any key when `key` is `None`.
    Range {
        /// The label key, if the filter names one.
        key: Option<String>,
        /// The range.
        range: Range,
    },
    /// Regexes on string labels. With a key: any regex matches any value of that key.
    /// Without: every regex matches some `key:value` of the sample (pprof's rule).
    Regex {
        /// The label key, if the filter names one.
        key: Option<String>,
        /// The comma-separated regexes.
        rxs: Vec<regex_lite::Regex>,
    },
}

/// A numeric range of pprof's tag filter syntax, in `unit` (pprof's canonical unit name,
/// `""` for a number without one).
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    /// Lower bound, if any.
    pub lo: Option<f64>,
    /// Upper bound, if any.
    pub hi: Option<f64>,
    /// The unit both bounds are in.
    pub unit: &'static str,
}

impl Range {
    /// Is `v` (in `unit`) inside, as pprof compares: scaled to the range's unit, which it
    /// must then be in.
    pub fn contains(&self, v: i64, unit: &str) -> bool {
        let (sv, su) = scale(v, unit, self.unit);
        su == self.unit && self.lo.is_none_or(|lo| sv >= lo) && self.hi.is_none_or(|hi| sv <= hi)
    }
}

/// Compiles a tag filter as pprof's `compileTagFilter` does; `what` names the option in
/// errors. Empty is "no filter".
pub fn compile(what: &str, value: &str) -> Result<Option<TagFilter>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    let (key, value) = match value.split_once('=') {
        Some((k, v)) => (Some(k.to_string()), v),
        None => (None, value),
    };
    if let Some(range) = parse_range(value).map_err(|e| format!("{what}: {e}"))? {
        return Ok(Some(TagFilter::Range { key, range }));
    }
    let rxs = value
        .split(',')
        .map(|r| regex_lite::Regex::new(r).map_err(|e| format!("{what}: \"{r}\" is not a valid regular expression: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(TagFilter::Regex { key, rxs }))
}

/// `[+-]?[0-9]+[A-Za-z]*` matches, leftmost first, at most two: (whole, number, unit).
fn range_tokens(s: &str) -> Vec<(&str, &str, &str)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() && out.len() < 2 {
        let start = i;
        let mut j = i;
        if matches!(b[j], b'+' | b'-') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if !b[j].is_ascii_digit() {
            i += 1;
            continue;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let num_end = j;
        while j < b.len() && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        out.push((&s[start..j], &s[start..num_end], &s[num_end..j]));
        i = j;
    }
    out
}

/// pprof's `parseTagFilterRange`: `32kb` (equal), `:64kb` (at most), `4mb:` (at least),
/// `12kb:64mb` (between, both included); anything else is not a range (`None`: a regex).
pub fn parse_range(filter: &str) -> Result<Option<Range>, String> {
    let t = range_tokens(filter);
    let Some(&(m0, n0, u0)) = t.first() else { return Ok(None) };
    let int = |n: &str| n.parse::<i64>().map_err(|_| format!("{n} is out of range for a 64-bit number"));
    let (v0, unit) = scale(int(n0)?, u0, u0);
    if t.len() == 1 {
        let (lo, hi) = if filter == m0 {
            (Some(v0), Some(v0))
        } else if filter.strip_suffix(':') == Some(m0) {
            (Some(v0), None)
        } else if filter.strip_prefix(':') == Some(m0) {
            (None, Some(v0))
        } else {
            return Ok(None);
        };
        return Ok(Some(Range { lo, hi, unit }));
    }
    let (m1, n1, u1) = t[1];
    if filter.len() != m0.len() + 1 + m1.len() || !filter.starts_with(m0) || filter.as_bytes()[m0.len()] != b':' || !filter.ends_with(m1) {
        return Ok(None);
    }
    let (v1, unit1) = scale(int(n1)?, u1, unit);
    if unit1 != unit {
        return Ok(None);
    }
    Ok(Some(Range { lo: Some(v0), hi: Some(v1), unit }))
}

/// The unit of each numeric label key, as pprof's `Profile.NumLabelUnits` finds it: the
/// first unit seen for the key in sample order, else `bytes` for `alignment` and `request`,
/// else the key itself.
pub fn num_label_units(p: &Profile) -> FxHashMap<String, String> {
    let mut units: FxHashMap<String, String> = FxHashMap::default();
    let mut seen = vec![false; p.label_sets.sets.len()];
    for &set in &p.sample_labels {
        if std::mem::replace(&mut seen[set as usize], true) {
            continue;
        }
        for l in &p.label_sets.sets[set as usize] {
            if l.str.is_some() {
                continue;
            }
            let u = units.entry(l.key.clone()).or_default();
            if u.is_empty() && !l.unit.is_empty() {
                *u = l.unit.clone();
            }
        }
    }
    for (k, u) in units.iter_mut() {
        if u.is_empty() {
            *u = if k == "alignment" || k == "request" { "bytes".into() } else { k.clone() };
        }
    }
    units
}

impl TagFilter {
    /// Does a sample with these labels match?
    pub fn matches(&self, labels: &[Label], units: &FxHashMap<String, String>) -> bool {
        match self {
            TagFilter::Range { key, range } => labels.iter().any(|l| {
                l.str.is_none()
                    && key.as_ref().is_none_or(|k| *k == l.key)
                    && range.contains(l.num, units.get(&l.key).map(String::as_str).unwrap_or(""))
            }),
            TagFilter::Regex { key: Some(k), rxs } => {
                labels.iter().any(|l| l.key == *k && l.str.as_ref().is_some_and(|v| rxs.iter().any(|r| r.is_match(v))))
            }
            TagFilter::Regex { key: None, rxs } => {
                let mut kv = String::new();
                rxs.iter().all(|r| {
                    labels.iter().any(|l| match &l.str {
                        Some(v) => {
                            kv.clear();
                            kv.push_str(&l.key);
                            kv.push(':');
                            kv.push_str(v);
                            r.is_match(&kv)
                        }
                        None => false,
                    })
                })
            }
        }
    }
}

struct Unit {
    name: &'static str,
    aliases: &'static [&'static str],
    factor: f64,
}

struct UnitType {
    default: (&'static str, f64),
    units: &'static [Unit],
}

const UNIT_TYPES: &[UnitType] = &[
    UnitType {
        default: ("B", 1.0),
        units: &[
            Unit { name: "B", aliases: &["b", "byte"], factor: 1.0 },
            Unit { name: "kB", aliases: &["kb", "kbyte", "kilobyte"], factor: (1u64 << 10) as f64 },
            Unit { name: "MB", aliases: &["mb", "mbyte", "megabyte"], factor: (1u64 << 20) as f64 },
            Unit { name: "GB", aliases: &["gb", "gbyte", "gigabyte"], factor: (1u64 << 30) as f64 },
            Unit { name: "TB", aliases: &["tb", "tbyte", "terabyte"], factor: (1u64 << 40) as f64 },
            Unit { name: "PB", aliases: &["pb", "pbyte", "petabyte"], factor: (1u64 << 50) as f64 },
        ],
    },
    UnitType {
        default: ("s", 1e9),
        units: &[
            Unit { name: "ns", aliases: &["ns", "nanosecond"], factor: 1.0 },
            Unit { name: "us", aliases: &["μs", "us", "microsecond"], factor: 1e3 },
            Unit { name: "ms", aliases: &["ms", "millisecond"], factor: 1e6 },
            Unit { name: "s", aliases: &["s", "sec", "second"], factor: 1e9 },
            Unit { name: "hrs", aliases: &["hour", "hr"], factor: 3600e9 },
        ],
    },
    UnitType {
        default: ("GCU", 1.0),
        units: &[
            Unit { name: "n*GCU", aliases: &["nanogcu"], factor: 1e-9 },
            Unit { name: "u*GCU", aliases: &["microgcu"], factor: 1e-6 },
            Unit { name: "m*GCU", aliases: &["milligcu"], factor: 1e-3 },
            Unit { name: "GCU", aliases: &["gcu"], factor: 1.0 },
            Unit { name: "k*GCU", aliases: &["kilogcu"], factor: 1e3 },
            Unit { name: "M*GCU", aliases: &["megagcu"], factor: 1e6 },
            Unit { name: "G*GCU", aliases: &["gigagcu"], factor: 1e9 },
            Unit { name: "T*GCU", aliases: &["teragcu"], factor: 1e12 },
            Unit { name: "P*GCU", aliases: &["petagcu"], factor: 1e15 },
        ],
    },
];

impl UnitType {
    fn sniff(&self, unit: &str) -> Option<&Unit> {
        let lower = unit.to_lowercase();
        let u = if lower.len() > 2 { lower.strip_suffix('s').unwrap_or(&lower) } else { &lower };
        self.units.iter().find(|x| x.aliases.contains(&u))
    }
    fn convert(&self, value: i64, from: &str, to: &str) -> Option<(f64, &'static str)> {
        let f = self.sniff(from)?;
        let v = value as f64 * f.factor;
        if to == "minimum" || to == "auto" {
            let mut best: Option<&Unit> = None;
            for u in self.units {
                if best.is_none_or(|b| u.factor >= b.factor) && v / u.factor >= 1.0 {
                    best = Some(u);
                }
            }
            return Some(match best {
                Some(u) => (v / u.factor, u.name),
                None => (v / self.default.1, self.default.0),
            });
        }
        Some(match self.sniff(to) {
            Some(t) => (v / t.factor, t.name),
            None => (v / self.default.1, self.default.0),
        })
    }
}

/// pprof's `measurement.Scale`: `value` in `from` expressed in `to`, and the unit it ended
/// up in (a canonical name such as `kB`; `""` for counts; `to` itself when pprof does not
/// know the units).
pub fn scale(value: i64, from: &str, to: &str) -> (f64, &'static str) {
    if value < 0 && value != i64::MIN {
        let (v, u) = scale(-value, from, to);
        return (-v, u);
    }
    for ut in UNIT_TYPES {
        if let Some(r) = ut.convert(value, from, to) {
            return r;
        }
    }
    match to {
        "count" | "sample" | "unit" | "minimum" | "auto" | "" => (value as f64, ""),
        // An unknown unit is its own: leaked once per distinct unit string (a profile has
        // a handful), so every answer stays `&'static str`.
        _ => (value as f64, intern_unit(to)),
    }
}

fn intern_unit(u: &str) -> &'static str {
    use std::sync::Mutex;
    static UNITS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut all = UNITS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&s) = all.iter().find(|&&s| s == u) {
        return s;
    }
    let s: &'static str = Box::leak(u.to_string().into_boxed_str());
    all.push(s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_like_pprof() {
        assert_eq!(scale(1, "kb", "kb"), (1.0, "kB"));
        assert_eq!(scale(2048, "bytes", "kB"), (2.0, "kB"));
        assert_eq!(scale(32, "", ""), (32.0, ""));
        assert_eq!(scale(32, "bytes", ""), (32.0, "B"));
        assert_eq!(scale(1500, "ms", "s"), (1.5, "s"));
        assert_eq!(scale(7, "request_id", ""), (7.0, ""));
        assert_eq!(scale(-2048, "b", "kb"), (-2.0, "kB"));
    }

    #[test]
    fn ranges_like_pprof() {
        let r = |s: &str| parse_range(s).unwrap();
        assert_eq!(r("1kb:"), Some(Range { lo: Some(1.0), hi: None, unit: "kB" }));
        assert_eq!(r(":64"), Some(Range { lo: None, hi: Some(64.0), unit: "" }));
        assert_eq!(r("1mb:2mb"), Some(Range { lo: Some(1.0), hi: Some(2.0), unit: "MB" }));
        assert_eq!(r("1kb:2mb"), Some(Range { lo: Some(1.0), hi: Some(2048.0), unit: "kB" }));
        assert_eq!(r("32"), Some(Range { lo: Some(32.0), hi: Some(32.0), unit: "" }));
        assert_eq!(r("1kb:2ms"), None, "units of different kinds");
        assert_eq!(r("/api/users"), None);
        assert_eq!(r("v2"), None);
        assert_eq!(r("a1:2"), None);
        assert!(parse_range("99999999999999999999").is_err());
        // A bytes label of 2 KiB is in 1kb: and not in :1kb; a bare number never matches a
        // label with a unit pprof knows (it scales to B, the range is unitless).
        let one_kb = r("1kb:").unwrap();
        assert!(one_kb.contains(2048, "bytes") && !r(":1kb").unwrap().contains(2048, "bytes"));
        assert!(!r("2048").unwrap().contains(2048, "bytes"));
        assert!(r("2048").unwrap().contains(2048, "request_id"));
    }
}
