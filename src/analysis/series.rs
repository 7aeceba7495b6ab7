//! Which loaded profiles form a series (snapshots of one program, of one kind, over time),
//! and in what order: the leak finder reads one series, never a mix.
//!
//! Profiles belong together when they have the same sample types and come from the same
//! program: the same main binary (the first mapping's file name, and its build id when both
//! have one), or, when a profile names no binary, a high overlap of function names (estimated
//! from a [`Fingerprint`] small enough to travel with each profile's summary). A series is
//! ordered by collection time (`time_nanos`), else by a timestamp or sequence number in the
//! file names, else by load order, and says which it used.

use super::leaks::is_user_code;
use crate::model::names::basename;
use crate::model::Profile;
use serde::{Deserialize, Serialize};

/// Hashes kept per profile to estimate function-name overlap (MinHash).
pub const MINHASH: usize = 32;

/// Share of equal MinHash slots (estimated Jaccard similarity of function-name sets) from
/// which two profiles without a main binary count as one program.
pub const SAME_PROGRAM: f64 = 0.5;

/// A profile with at least this many functions of the user's own code is fingerprinted by
/// those alone.
pub const OWN_ENOUGH: usize = 3;

/// What identifies the program a profile comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Base name of the main binary (the first mapping's file), empty when unknown.
    pub program: String,
    /// Its build id, empty when unknown.
    pub build_id: String,
    /// MinHash of the function names ([`MINHASH`] values; empty for a profile without
    /// functions).
    pub minhash: Vec<u64>,
    /// Number of function names hashed.
    pub functions: usize,
}

fn hash(name: &[u8]) -> u64 {
    // FNV-1a, then a 64-bit finaliser: stable across builds and platforms (the page and the
    // engine compare fingerprints made in different places).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// The fingerprint of a profile.
pub fn fingerprint(p: &Profile) -> Fingerprint {
    let (program, build_id) = match &p.main_binary {
        Some((file, id)) => (String::from_utf8_lossy(basename(file.as_bytes())).into_owned(), id.clone()),
        None => (String::new(), String::new()),
    };
    // The program's own functions say more about which program it is than the runtime and
    // standard library every Go program shares; other languages' names are all kept.
    let own: Vec<&[u8]> = p.functions.raw.iter().zip(&p.functions.names).filter(|(_, n)| is_user_code(n)).map(|(r, _)| &r[..]).collect();
    let names: Vec<&[u8]> = if own.len() >= OWN_ENOUGH { own } else { p.functions.raw.iter().map(|r| &r[..]).collect() };
    let mut minhash = if names.is_empty() { Vec::new() } else { vec![u64::MAX; MINHASH] };
    for raw in &names {
        let h = hash(raw);
        for (i, slot) in minhash.iter_mut().enumerate() {
            let v = mix(h ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            if v < *slot {
                *slot = v;
            }
        }
    }
    Fingerprint { program, build_id, minhash, functions: names.len() }
}

/// Estimated Jaccard similarity of two profiles' function-name sets (0 when either has none).
pub fn similarity(a: &Fingerprint, b: &Fingerprint) -> f64 {
    if a.minhash.len() != MINHASH || b.minhash.len() != MINHASH {
        return 0.0;
    }
    a.minhash.iter().zip(&b.minhash).filter(|(x, y)| x == y).count() as f64 / MINHASH as f64
}

/// Estimated share of `a`'s function names that `b` has too.
pub fn contained(a: &Fingerprint, b: &Fingerprint) -> f64 {
    let j = similarity(a, b);
    if a.functions == 0 {
        return 0.0;
    }
    // |A ∩ B| = J (|A| + |B|) / (1 + J)
    (j * (a.functions + b.functions) as f64 / (1.0 + j) / a.functions as f64).min(1.0)
}

/// Do two profiles come from the same program?
pub fn same_program(a: &Fingerprint, b: &Fingerprint) -> bool {
    if !a.program.is_empty() && !b.program.is_empty() {
        return a.program == b.program && (a.build_id.is_empty() || b.build_id.is_empty() || a.build_id == b.build_id);
    }
    similarity(a, b) >= SAME_PROGRAM
}

/// One loaded profile, as the grouping needs it.
#[derive(Clone, Debug)]
pub struct Item<'a> {
    /// Profile id.
    pub id: u32,
    /// File name (for a timestamp or sequence number in it).
    pub name: &'a str,
    /// Sample type names, in file order.
    pub sample_types: Vec<&'a str>,
    /// Collection time (0 unknown).
    pub time_nanos: i64,
    /// Load order.
    pub order: u32,
    /// Fingerprint.
    pub fingerprint: &'a Fingerprint,
}

/// How a series was put in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderedBy {
    /// The profiles' collection times.
    Time,
    /// Timestamps or sequence numbers in the file names.
    FileName,
    /// The order the files were loaded in.
    LoadOrder,
}

impl OrderedBy {
    /// In words, for the page.
    pub fn describe(self) -> &'static str {
        match self {
            OrderedBy::Time => "ordered by collection time",
            OrderedBy::FileName => "ordered by the time or number in the file names",
            OrderedBy::LoadOrder => "in load order (the files carry no time)",
        }
    }
}

/// A series: profile ids in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    /// Profile ids, oldest first.
    pub ids: Vec<u32>,
    /// How they were ordered.
    pub ordered_by: OrderedBy,
}

/// Groups profiles into series (each profile in exactly one; one that fits no other stands
/// alone). Series come in the order of their first member in `items`.
pub fn group(items: &[Item<'_>]) -> Vec<Series> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let home = groups.iter_mut().find(|g| {
            let first = &items[g[0]];
            first.sample_types == it.sample_types && same_program(first.fingerprint, it.fingerprint)
        });
        match home {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups.into_iter().map(|g| order(items, g)).collect()
}

fn order(items: &[Item<'_>], mut g: Vec<usize>) -> Series {
    let ordered_by = if g.iter().all(|&i| items[i].time_nanos != 0) {
        g.sort_by_key(|&i| (items[i].time_nanos, items[i].order));
        OrderedBy::Time
    } else if let Some(keys) = name_keys(&g.iter().map(|&i| items[i].name).collect::<Vec<_>>()) {
        let mut k: Vec<(u128, u32, usize)> = g.iter().zip(keys).map(|(&i, key)| (key, items[i].order, i)).collect();
        k.sort();
        g = k.into_iter().map(|x| x.2).collect();
        OrderedBy::FileName
    } else {
        g.sort_by_key(|&i| items[i].order);
        OrderedBy::LoadOrder
    };
    Series { ids: g.into_iter().map(|i| items[i].id).collect(), ordered_by }
}

/// Sort keys from the file names, when every name has one and they tell the files apart: a
/// date and time (`2024-05-01T10-30-00`, `20240501-103000`), else the one number in which the
/// names differ (`heap.7.pb.gz`, `snap-1715000000.pb.gz`).
fn name_keys(names: &[&str]) -> Option<Vec<u128>> {
    if names.len() < 2 {
        return None;
    }
    if let Some(keys) = names.iter().map(|n| date_time(n)).collect::<Option<Vec<_>>>() {
        return distinct(keys);
    }
    // The numbers of each name; the position where they differ between names decides.
    let nums: Vec<Vec<u128>> = names.iter().map(|n| numbers(n)).collect();
    let len = nums[0].len();
    if len == 0 || nums.iter().any(|v| v.len() != len) {
        return None;
    }
    let differing: Vec<usize> = (0..len).filter(|&k| nums.iter().any(|v| v[k] != nums[0][k])).collect();
    match differing.as_slice() {
        [k] => distinct(nums.iter().map(|v| v[*k]).collect()),
        _ => None,
    }
}

fn distinct(keys: Vec<u128>) -> Option<Vec<u128>> {
    let mut s = keys.clone();
    s.sort_unstable();
    s.dedup();
    (s.len() == keys.len()).then_some(keys)
}

/// The runs of ASCII digits in a name, as numbers (at most 38 digits each).
fn numbers(name: &str) -> Vec<u128> {
    name.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty() && s.len() <= 38).filter_map(|s| s.parse().ok()).collect()
}

/// A date and time in a name, as seconds since 0000-03-01 (only the order matters):
/// `YYYY-MM-DD` or `YYYYMMDD`, then `T`, `_`, `-` or a space, then `HH:MM:SS`, `HH-MM-SS`,
/// `HH_MM_SS` or `HHMMSS`.
fn date_time(name: &str) -> Option<u128> {
    let b = name.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let num = |s: &[u8]| s.iter().fold(0u128, |a, &c| a * 10 + (c - b'0') as u128);
    for start in 0..b.len() {
        let rest = &b[start..];
        // Date.
        let (y, m, d, after) = if rest.len() >= 10
            && digits(&rest[..4])
            && rest[4] == b'-'
            && digits(&rest[5..7])
            && rest[7] == b'-'
            && digits(&rest[8..10])
        {
            (num(&rest[..4]), num(&rest[5..7]), num(&rest[8..10]), 10)
        } else if rest.len() >= 8 && digits(&rest[..8]) && (start == 0 || !b[start - 1].is_ascii_digit()) {
            (num(&rest[..4]), num(&rest[4..6]), num(&rest[6..8]), 8)
        } else {
            continue;
        };
        if !(1970..=2200).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            continue;
        }
        let t = &rest[after..];
        if t.is_empty() || !matches!(t[0], b'T' | b'_' | b'-' | b' ') {
            continue;
        }
        let t = &t[1..];
        let (hh, mm, ss) = if t.len() >= 8
            && digits(&t[..2])
            && digits(&t[3..5])
            && digits(&t[6..8])
            && t[2] == t[5]
            && matches!(t[2], b':' | b'-' | b'_')
        {
            (num(&t[..2]), num(&t[3..5]), num(&t[6..8]))
        } else if t.len() >= 6 && digits(&t[..6]) {
            (num(&t[..2]), num(&t[2..4]), num(&t[4..6]))
        } else {
            continue;
        };
        if hh > 23 || mm > 59 || ss > 60 {
            continue;
        }
        return Some((((y * 13 + m) * 32 + d) * 24 + hh) * 3600 + mm * 60 + ss);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(program: &str, build: &str, names: &[&str]) -> Fingerprint {
        let mut p = Profile::default();
        for n in names {
            p.functions.intern(n.as_bytes(), b"");
        }
        if !program.is_empty() {
            p.main_binary = Some((format!("/usr/local/bin/{program}"), build.to_string()));
        }
        fingerprint(&p)
    }

    fn item<'a>(id: u32, name: &'a str, types: &[&'a str], time: i64, fp: &'a Fingerprint) -> Item<'a> {
        Item { id, name, sample_types: types.to_vec(), time_nanos: time, order: id, fingerprint: fp }
    }

    const HEAP: &[&str] = &["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"];

    #[test]
    fn the_example_of_another_program_stands_alone_and_the_snapshots_go_by_time() {
        let example = fp("example", "aaa", &["main.main", "main.example"]);
        let svc = fp("svc", "bbb", &["main.main", "main.serve"]);
        // The example was loaded first but is stamped last.
        let items = vec![
            item(1, "heap.pb.gz", HEAP, 900, &example),
            item(2, "s3.pb.gz", HEAP, 300, &svc),
            item(3, "s1.pb.gz", HEAP, 100, &svc),
            item(4, "s2.pb.gz", HEAP, 200, &svc),
        ];
        let g = group(&items);
        assert_eq!(
            g,
            vec![Series { ids: vec![1], ordered_by: OrderedBy::Time }, Series { ids: vec![3, 4, 2], ordered_by: OrderedBy::Time }]
        );
    }

    #[test]
    fn another_build_or_another_kind_is_another_series() {
        let a = fp("svc", "build-1", &["main.main"]);
        let b = fp("svc", "build-2", &["main.main"]);
        let c = fp("svc", "", &["main.main"]);
        let items =
            vec![item(1, "a", HEAP, 1, &a), item(2, "b", HEAP, 2, &b), item(3, "c", HEAP, 3, &c), item(4, "d", &["goroutine"], 4, &a)];
        let g = group(&items);
        // c has no build id: it joins the first series of its program.
        assert_eq!(g.iter().map(|s| s.ids.clone()).collect::<Vec<_>>(), vec![vec![1, 3], vec![2], vec![4]]);
    }

    #[test]
    fn without_a_binary_the_function_names_decide() {
        let names: Vec<String> = (0..200).map(|i| format!("github.com/acme/svc.f{i}")).collect();
        let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        let other: Vec<String> = (0..200).map(|i| format!("com.example.Other.m{i}")).collect();
        let other: Vec<&str> = other.iter().map(|s| s.as_str()).collect();
        let a = fp("", "", &names[..190]);
        let b = fp("", "", &names[10..]);
        let c = fp("", "", &other);
        assert!(similarity(&a, &b) >= SAME_PROGRAM, "{}", similarity(&a, &b));
        assert!(similarity(&a, &c) < 0.1);
        assert!(contained(&c, &a) < 0.1);
        let items = vec![item(1, "x", HEAP, 0, &a), item(2, "y", HEAP, 0, &c), item(3, "z", HEAP, 0, &b)];
        assert_eq!(group(&items).iter().map(|s| s.ids.clone()).collect::<Vec<_>>(), vec![vec![1, 3], vec![2]]);
    }

    #[test]
    fn file_names_order_a_series_without_times() {
        let f = fp("svc", "", &["main.main"]);
        let by_names = |names: &[&'static str]| {
            let items: Vec<Item> = names.iter().enumerate().map(|(i, n)| item(i as u32, n, HEAP, 0, &f)).collect();
            group(&items).remove(0)
        };
        // Sequence numbers, compared as numbers (10 after 9).
        let s = by_names(&["heap.10.pb.gz", "heap.9.pb.gz", "heap.1.pb.gz"]);
        assert_eq!((s.ids, s.ordered_by), (vec![2, 1, 0], OrderedBy::FileName));
        // Dates and times, whatever the separators.
        let s = by_names(&["pod-2024-05-01T10-30-00.pb.gz", "pod-2024-04-30T23-59-59.pb.gz", "pod-2024-05-01T09-00-00.pb.gz"]);
        assert_eq!((s.ids, s.ordered_by), (vec![1, 2, 0], OrderedBy::FileName));
        let s = by_names(&["heap_20240501_103000.pb.gz", "heap_20240430_235959.pb.gz"]);
        assert_eq!((s.ids, s.ordered_by), (vec![1, 0], OrderedBy::FileName));
        // Names that do not tell: load order, and the page says so.
        let s = by_names(&["b.pb.gz", "a.pb.gz"]);
        assert_eq!((s.ids, s.ordered_by), (vec![0, 1], OrderedBy::LoadOrder));
        let s = by_names(&["x1y2.pb.gz", "x2y1.pb.gz"]);
        assert_eq!(s.ordered_by, OrderedBy::LoadOrder, "two numbers differ: neither decides");
    }
}
