//! Everything derived from a [`Profile`](crate::model::Profile): top tables, call trees,
//! diffs, search, merges and the leak finder. Pure functions over the model.

pub mod diff;
pub mod export;
pub mod graph;
pub mod labels;
pub mod leaks;
pub mod peek;
pub mod refine;
pub mod series;
pub mod source;
pub mod top;
pub mod tree;

use crate::model::Profile;
use rustc_hash::FxHashMap;

/// Sum of values per distinct stack for one sample type (samples with the same stack merge).
pub fn stack_values(p: &Profile, sample_type: usize) -> Vec<i64> {
    p.stack_values(sample_type)
}

/// A namespace of function names shared by several profiles (for diffs and merges): maps
/// each profile's function ids to common ids.
#[derive(Default, Clone, Debug)]
pub struct NameSpace {
    /// Display names by common id.
    pub names: Vec<String>,
    /// Raw names by common id.
    pub raw: Vec<Box<[u8]>>,
    index: FxHashMap<Box<[u8]>, u32>,
}

impl NameSpace {
    /// Adds a profile's functions; returns its function id → common id map.
    pub fn add(&mut self, p: &Profile) -> Vec<u32> {
        let mut map = Vec::with_capacity(p.functions.len());
        for (i, raw) in p.functions.raw.iter().enumerate() {
            let id = match self.index.get(raw) {
                Some(&id) => id,
                None => {
                    let id = self.raw.len() as u32;
                    self.raw.push(raw.clone());
                    self.names.push(p.functions.names[i].clone());
                    self.index.insert(raw.clone(), id);
                    id
                }
            };
            map.push(id);
        }
        map
    }
    /// Number of names.
    pub fn len(&self) -> usize {
        self.raw.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

/// A compiled search: case-insensitive regex when the text parses as one, else a plain
/// case-insensitive substring.
#[derive(Clone, Debug)]
pub struct Search {
    rx: Option<regex_lite::Regex>,
    needle: String,
}

impl Search {
    /// Compiles a search; `None` for empty text.
    pub fn new(text: &str) -> Option<Search> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let rx = regex_lite::Regex::new(&format!("(?i){t}")).ok();
        Some(Search { rx, needle: t.to_lowercase() })
    }
    /// Does a function name match?
    pub fn is_match(&self, name: &str) -> bool {
        match &self.rx {
            Some(r) => r.is_match(name),
            None => name.to_lowercase().contains(&self.needle),
        }
    }
    /// Is the text used as a regex (rather than a substring)?
    pub fn is_regex(&self) -> bool {
        self.rx.is_some()
    }
}

/// Matched share of a search: the value of samples whose stack contains a matching
/// function (each sample once), as pprof's `-focus` would keep.
pub fn search_share(p: &Profile, sample_type: usize, search: &Search) -> i64 {
    let matched: Vec<bool> = p.functions.names.iter().map(|n| search.is_match(n)).collect();
    let sv = stack_values(p, sample_type);
    let mut sum = 0i64;
    for (s, v) in sv.iter().enumerate() {
        if *v != 0 && p.stacks.get(s as u32).iter().any(|&f| matched[f as usize]) {
            sum = sum.wrapping_add(v.wrapping_abs());
        }
    }
    sum
}
