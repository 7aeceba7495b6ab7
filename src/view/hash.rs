//! The view state in `location.hash`: `key=value` pairs joined by `&`, values percent-encoded,
//! with `go tool pprof -http`'s parameter names where pprof has the setting (`si`, `norm`, …)
//! and profdrop's own short names for the rest (`view`, `base`, `target`).
//!
//! pprof's refinements (`f`, `i`, `h`, `s`, `sf`, `prunefrom`, `tf`, `ti`, `ts`, `th`, `g`,
//! `noinlines`, `mean`) map to [`UrlState::refine`], with profdrop's own `mine` (only my code)
//! and `rec` (recursion collapsed). Unlike the other keys, the refinement is always said: a
//! hash without those keys names the unrefined profile (so back steps out of a filter).
//!
//! Pure: parsing never fails as a whole. A key the page does not know, a key for a setting it
//! does not have yet, or a value it cannot read becomes a [`Problem`] naming it, and the rest of
//! the state still applies.

use crate::protocol::{Granularity, Refine};
use std::fmt::Write as _;

/// pprof's URL parameters for settings the page does not offer yet; a link carrying one is
/// told so rather than silently showing something else.
const NOT_YET: &[(&str, &str)] = &[];

/// Views named in the hash (`view=`).
pub const VIEWS: &[&str] = &["top", "flame", "diff", "leaks", "peek", "graph", "source"];

/// Table orders named in the hash (`sort=`).
pub const SORTS: &[&str] = &["flat", "cum", "name", "delta", "base", "target"];

/// The state a hash names. `None`: the hash does not say (the page keeps its own choice).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlState {
    /// `view`: one of [`VIEWS`].
    pub view: Option<String>,
    /// `si`: sample type name (pprof's `-sample_index`).
    pub sample_type: Option<String>,
    /// `base`: diff base, by display name.
    pub base: Option<String>,
    /// `target`: diff target, by display name.
    pub target: Option<String>,
    /// `norm`: pprof's `-normalize`.
    pub normalize: Option<bool>,
    /// `sort`: one of [`SORTS`].
    pub sort: Option<String>,
    /// pprof's refinement (`f`, `i`, …, `g`, `noinlines`, `mean`) and profdrop's `mine`, `rec`.
    pub refine: Refine,
    // Pivot and inverted flame graph.
    /// `p`: pivot regex (pprof's flame graph `p`).
    pub pivot: Option<String>,
    /// `inv`: inverted (bottom-up) flame graph (profdrop's own).
    pub inverted: Option<bool>,
    // Call graph.
    /// `n`: pprof's `-nodecount` (0: no limit).
    pub nodecount: Option<u32>,
    /// `nf`: pprof's `-nodefraction`, as written (a number from 0 to 1).
    pub nodefraction: Option<String>,
    /// `ef`: pprof's `-edgefraction`, as written.
    pub edgefraction: Option<String>,
    /// `sel`: the profile shown, by display name (profdrop's own; written when several are
    /// loaded and the view shows one).
    pub selected: Option<String>,
}

/// The refinement's regex parameters: the hash key and the [`Refine`] field it sets.
pub const REFINE_REGEX_KEYS: [(&str, &str); 6] =
    [("f", "focus"), ("i", "ignore"), ("h", "hide"), ("s", "show"), ("sf", "show_from"), ("prunefrom", "prune_from")];

/// The tag filter parameters: the hash key and the [`Refine`] field it sets.
pub const REFINE_TAG_KEYS: [(&str, &str); 4] = [("tf", "tagfocus"), ("ti", "tagignore"), ("ts", "tagshow"), ("th", "taghide")];

/// The text field of `r` a refine key (regex or tag filter) names.
pub fn refine_field<'a>(r: &'a mut Refine, key: &str) -> Option<&'a mut String> {
    Some(match key {
        "f" => &mut r.focus,
        "i" => &mut r.ignore,
        "h" => &mut r.hide,
        "s" => &mut r.show,
        "sf" => &mut r.show_from,
        "prunefrom" => &mut r.prune_from,
        "tf" => &mut r.tagfocus,
        "ti" => &mut r.tagignore,
        "ts" => &mut r.tagshow,
        "th" => &mut r.taghide,
        _ => return None,
    })
}

/// The boolean options of a refinement: hash key and what it is, in words.
pub const REFINE_FLAG_KEYS: [(&str, &str); 4] =
    [("noinlines", "noinlines"), ("mean", "mean"), ("mine", "only my code"), ("rec", "recursion collapsed")];

/// The boolean option of `r` a flag key names.
pub fn refine_flag<'a>(r: &'a mut Refine, key: &str) -> Option<&'a mut bool> {
    Some(match key {
        "noinlines" => &mut r.noinlines,
        "mean" => &mut r.mean,
        "mine" => &mut r.only_mine,
        "rec" => &mut r.collapse_recursion,
        _ => return None,
    })
}

/// The granularity names `g=` takes.
pub const GRANULARITIES: &[&str] = &["functions", "filefunctions", "files", "lines", "addresses"];

/// Something in a hash that was not applied, in words for the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The parameter as written.
    pub key: String,
    /// Why it was not applied.
    pub why: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "link parameter `{}`: {}", self.key, self.why)
    }
}

/// Reads a hash (with or without its leading `#`).
pub fn parse(hash: &str) -> (UrlState, Vec<Problem>) {
    let mut st = UrlState::default();
    let mut problems = Vec::new();
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    for pair in hash.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let mut problem = |why: String| problems.push(Problem { key: k.to_string(), why });
        let Some(v) = decode(v) else {
            problem("its value is not valid percent-encoded UTF-8".into());
            continue;
        };
        match k {
            "view" if VIEWS.contains(&v.as_str()) => st.view = Some(v),
            "view" => problem(format!("unknown view `{v}` (one of {})", VIEWS.join(", "))),
            "si" if !v.is_empty() => st.sample_type = Some(v),
            "base" if !v.is_empty() => st.base = Some(v),
            "target" if !v.is_empty() => st.target = Some(v),
            "norm" => match flag(&v) {
                Some(b) => st.normalize = Some(b),
                None => problem(format!("`{v}` is not 1, 0, true or false")),
            },
            "sort" if SORTS.contains(&v.as_str()) => st.sort = Some(v),
            "sort" => problem(format!("unknown order `{v}` (one of {})", SORTS.join(", "))),
            // Pivot and inverted flame graph.
            "p" if !v.is_empty() => st.pivot = Some(v),
            "inv" => match flag(&v) {
                Some(b) => st.inverted = Some(b),
                None => problem(format!("`{v}` is not 1, 0, true or false")),
            },
            "sel" if !v.is_empty() => st.selected = Some(v),
            "si" | "base" | "target" | "p" | "sel" => problem("it is empty".into()),
            // Call graph pruning (pprof's `-nodecount`, `-nodefraction`, `-edgefraction`).
            "n" => match v.parse::<u32>() {
                Ok(n) => st.nodecount = Some(n),
                Err(_) => problem(format!("node count `{v}` is not a whole number")),
            },
            "nf" | "ef" => match v.parse::<f64>() {
                Ok(x) if (0.0..=1.0).contains(&x) => *(if k == "nf" { &mut st.nodefraction } else { &mut st.edgefraction }) = Some(v),
                _ => problem(format!("`{v}` is not a fraction from 0 to 1")),
            },
            // Profiles by URL and embed mode: read by `view::share` (not view state).
            "url" | "embed" => {}
            // pprof's refinement and profdrop's own options.
            "g" => match Granularity::parse(&v) {
                Some(g) => st.refine.granularity = g,
                None => problem(format!("unknown granularity `{v}` (one of {})", GRANULARITIES.join(", "))),
            },
            _ if refine_flag(&mut st.refine, k).is_some() => match flag(&v) {
                Some(b) => *refine_flag(&mut st.refine, k).expect("a flag key") = b,
                None => problem(format!("`{v}` is not 1, 0, true or false")),
            },
            _ if REFINE_REGEX_KEYS.iter().any(|(key, _)| *key == k) => match regex_lite::Regex::new(&v) {
                Ok(_) => *refine_field(&mut st.refine, k).expect("a regex key") = v,
                Err(e) => problem(format!("`{v}` is not a valid regular expression ({e})")),
            },
            _ if refine_field(&mut st.refine, k).is_some() => *refine_field(&mut st.refine, k).expect("a tag key") = v,
            _ => match NOT_YET.iter().find(|(key, _)| *key == k) {
                Some((_, what)) => problem(format!("{what} is not available in this version of profdrop; the rest of the link applies")),
                None => problem("profdrop does not know this parameter".into()),
            },
        }
    }
    (st, problems)
}

/// Writes a hash (without the leading `#`) that [`parse`] reads back as `st`, keys in a fixed
/// order so that the same state always gives the same link.
pub fn write(st: &UrlState) -> String {
    let mut out = String::new();
    let mut put = |k: &str, v: &str| {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        encode_into(v, &mut out);
    };
    if let Some(v) = &st.view {
        put("view", v);
    }
    if let Some(v) = &st.sample_type {
        put("si", v);
    }
    if let Some(v) = &st.base {
        put("base", v);
    }
    if let Some(v) = &st.target {
        put("target", v);
    }
    if let Some(b) = st.normalize {
        put("norm", if b { "1" } else { "0" });
    }
    if let Some(v) = &st.sort {
        put("sort", v);
    }
    // The refinement, only what is set.
    let mut r = st.refine.clone();
    for (k, _) in REFINE_REGEX_KEYS.iter().chain(&REFINE_TAG_KEYS) {
        let v = refine_field(&mut r, k).expect("a refine key");
        if !v.is_empty() {
            put(k, v);
        }
    }
    if r.granularity != Granularity::default() {
        put("g", r.granularity.name());
    }
    for (k, _) in REFINE_FLAG_KEYS {
        if *refine_flag(&mut r, k).expect("a flag key") {
            put(k, "1");
        }
    }
    // Pivot and inverted flame graph.
    if let Some(v) = &st.pivot {
        put("p", v);
    }
    if let Some(b) = st.inverted {
        put("inv", if b { "1" } else { "0" });
    }
    // Call graph.
    if let Some(n) = st.nodecount {
        put("n", &n.to_string());
    }
    if let Some(v) = &st.nodefraction {
        put("nf", v);
    }
    if let Some(v) = &st.edgefraction {
        put("ef", v);
    }
    if let Some(v) = &st.selected {
        put("sel", v);
    }
    out
}

fn flag(v: &str) -> Option<bool> {
    match v {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    }
}

/// Percent-encodes what would break the hash's structure or read ambiguously: `&`, `=`, `+`,
/// `%`, `#`, white space, controls and non-ASCII. Path characters (`/`, `:`, `,`, `(`…) stay
/// readable.
pub fn encode_into(v: &str, out: &mut String) {
    for b in v.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-_.~/:,;@!$'()*[]|".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Decodes `%XX` escapes, and `+` as a space as pprof's own links write it. `None` when an
/// escape is malformed or the bytes are not UTF-8.
pub fn decode(v: &str) -> Option<String> {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pprof_style_links() {
        let (st, problems) = parse("#view=diff&si=inuse_space&base=heap.pb.gz&target=heap.pb.gz%20(2)&norm=true&sort=cum");
        assert_eq!(problems, vec![]);
        assert_eq!(st.view.as_deref(), Some("diff"));
        assert_eq!(st.sample_type.as_deref(), Some("inuse_space"));
        assert_eq!(st.base.as_deref(), Some("heap.pb.gz"));
        assert_eq!(st.target.as_deref(), Some("heap.pb.gz (2)"));
        assert_eq!(st.normalize, Some(true));
        assert_eq!(st.sort.as_deref(), Some("cum"));
        // pprof writes spaces as `+`.
        assert_eq!(parse("target=a+b").0.target.as_deref(), Some("a b"));
    }

    #[test]
    fn every_state_survives_a_round_trip() {
        let names = ["heap.pb.gz (2)", "a&b=c+d%e#f", "ünï cødé", "x/y:z", ""];
        for n in names {
            for view in [None, Some("flame")] {
                let st = UrlState {
                    view: view.map(String::from),
                    sample_type: Some("alloc_space".into()),
                    base: (!n.is_empty()).then(|| n.to_string()),
                    target: Some(format!("{n}!")),
                    normalize: Some(n.len().is_multiple_of(2)),
                    sort: Some("delta".into()),
                    refine: Refine { focus: format!("^{n}$"), tagfocus: format!("k={n}"), noinlines: true, ..Refine::default() },
                    pivot: Some(format!("^{n}\\.f$")),
                    inverted: Some(n.is_empty()),
                    nodecount: Some(n.len() as u32),
                    nodefraction: Some("0.05".into()),
                    edgefraction: (!n.is_empty()).then(|| "0".into()),
                    selected: (!n.is_empty()).then(|| format!("{n} (2)")),
                };
                let h = write(&st);
                assert!(!h.contains(' ') && !h.contains('#') && h.matches('&').count() == h.matches('=').count() - 1, "{h}");
                assert_eq!(parse(&h), (st, vec![]), "{h}");
            }
        }
    }

    #[test]
    fn a_bad_parameter_is_named_and_the_rest_applies() {
        let (st, problems) = parse("si=cpu&view=graphs&norm=yes&zz=1&n=many&target=%E0%A4&sort=cum&f=main%5C.leak");
        assert_eq!(st.sample_type.as_deref(), Some("cpu"));
        assert_eq!(st.sort.as_deref(), Some("cum"));
        assert_eq!(st.view, None);
        assert_eq!(st.normalize, None);
        assert_eq!(st.target, None);
        assert_eq!(st.refine.focus, "main\\.leak");
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["view", "norm", "zz", "n", "target"]);
        assert!(problems[3].to_string().contains("node count `many`"), "{}", problems[3]);
        assert!(problems[2].to_string().contains("does not know"), "{}", problems[2]);
    }

    #[test]
    fn reads_pprofs_refine_parameters_and_profdrops_own() {
        let (st, problems) = parse(
            "f=main%5C.(leak%7Cgrow)&i=runtime&h=%5Eruntime%5C.&s=main&sf=main%5C.main&prunefrom=bytes&tf=worker%3Dw1%2Cw2\
             &ti=bytes%3D1kb%3A&ts=worker&th=request&g=lines&noinlines=1&mean=true&mine=1&rec=1",
        );
        assert_eq!(problems, vec![]);
        let want = Refine {
            focus: "main\\.(leak|grow)".into(),
            ignore: "runtime".into(),
            hide: "^runtime\\.".into(),
            show: "main".into(),
            show_from: "main\\.main".into(),
            prune_from: "bytes".into(),
            tagfocus: "worker=w1,w2".into(),
            tagignore: "bytes=1kb:".into(),
            tagshow: "worker".into(),
            taghide: "request".into(),
            granularity: Granularity::Lines,
            noinlines: true,
            mean: true,
            only_mine: true,
            collapse_recursion: true,
        };
        assert_eq!(st.refine, want);
        // Written back in a fixed order, and read as the same.
        let h = write(&st);
        assert_eq!(parse(&h), (st, vec![]), "{h}");
        assert!(h.starts_with("f=main%5C.(leak|grow)&i=runtime&h="), "{h}");
        assert!(h.ends_with("&g=lines&noinlines=1&mean=1&mine=1&rec=1"), "{h}");
        // Every granularity by pprof's name; the default is not written.
        for g in GRANULARITIES {
            let st = parse(&format!("g={g}")).0;
            assert_eq!(st.refine.granularity.name(), *g);
            assert_eq!(write(&st), if *g == "functions" { String::new() } else { format!("g={g}") });
        }
        // Off flags are the unrefined state.
        assert_eq!(parse("noinlines=0&mean=false&mine=0&rec=false"), (UrlState::default(), vec![]));
    }

    #[test]
    fn a_malformed_refine_value_is_named_and_the_rest_applies() {
        let (st, problems) = parse("g=bytes&noinlines=maybe&f=main(&i=runtime&mine=yes&view=top");
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["g", "noinlines", "f", "mine"]);
        assert!(problems[0].to_string().contains("unknown granularity `bytes`"), "{}", problems[0]);
        assert!(problems[1].to_string().contains("`maybe`"), "{}", problems[1]);
        assert!(problems[2].to_string().contains("not a valid regular expression"), "{}", problems[2]);
        assert_eq!(st.refine, Refine { ignore: "runtime".into(), ..Refine::default() });
        assert_eq!(st.view.as_deref(), Some("top"));
    }

    #[test]
    fn empty_and_bare_hashes_say_nothing() {
        assert_eq!(parse(""), (UrlState::default(), vec![]));
        assert_eq!(parse("#"), (UrlState::default(), vec![]));
        assert_eq!(parse("#&&"), (UrlState::default(), vec![]));
        assert_eq!(write(&UrlState::default()), "");
    }
}
