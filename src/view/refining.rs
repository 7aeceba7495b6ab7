//! What the refine bar, the context menu and the label browser do to a [`Refine`], decided
//! without a browser: the regex that names exactly one function (as pprof's web UI writes it),
//! how a new filter combines with one already set (as pprof's web UI combines them), the chips
//! of a refinement and what removing one leaves.

use crate::protocol::{Granularity, Refine};
use crate::view::hash::{refine_field, refine_flag, REFINE_FLAG_KEYS, REFINE_REGEX_KEYS, REFINE_TAG_KEYS};

/// Go's `regexp.QuoteMeta`: every regex metacharacter escaped with a backslash.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The regex that matches exactly `name`: `^` + QuoteMeta(name) + `$`.
pub fn exact(name: &str) -> String {
    format!("^{}$", quote_meta(name))
}

/// What pprof's name filters match for a node shown as `node` at granularity `g`: the
/// function name (or, at `files`, the file). pprof names a `lines` node `main.f pkg/main.go:31`,
/// a `filefunctions` node `main.f pkg/main.go`, an `addresses` node
/// `0000000000437a71 main.f file.go:250`; the filters match function and file names, not those.
pub fn match_name(node: &str, g: Granularity) -> &str {
    let node = node.strip_suffix(" (inline)").unwrap_or(node);
    let drop_place = |s: &str| -> usize { s.rfind(' ').unwrap_or(s.len()) };
    match g {
        Granularity::Functions | Granularity::Files => node,
        Granularity::FileFunctions | Granularity::Lines => &node[..drop_place(node)],
        Granularity::Addresses => {
            let rest = match node.split_once(' ') {
                Some((addr, rest)) if addr.bytes().all(|b| b.is_ascii_hexdigit()) => rest,
                _ => return node,
            };
            &rest[..drop_place(rest)]
        }
    }
}

/// The refinement with the regex `re` added under hash key `key` (`f`, `i`, `h`, `s`, `sf`,
/// `prunefrom`), as pprof's web UI's Refine menu does: focus, show and show_from replace what
/// was there; ignore, hide and prune_from add to it (`new|old`).
pub fn add_regex(r: &Refine, key: &str, re: &str) -> Refine {
    let mut out = r.clone();
    if let Some(field) = refine_field(&mut out, key) {
        *field = if matches!(key, "f" | "s" | "sf") || field.is_empty() { re.to_string() } else { format!("{re}|{field}") };
    }
    out
}

/// The refinement with a tag filter on label `label` added under hash key `key` (`tf`, `ti`,
/// `ts`, `th`). `value` is pprof's value part: a regex for string labels, a range for numeric
/// ones. pprof takes one key per filter and values separated by commas: a value for the key
/// already filtered is added to it (`key=a,b`), one for another key replaces the filter.
pub fn add_tag(r: &Refine, key: &str, label: &str, value: &str) -> Refine {
    let mut out = r.clone();
    if let Some(field) = refine_field(&mut out, key) {
        let prefix = format!("{label}=");
        *field = match field.strip_prefix(&prefix) {
            Some(old) if !old.is_empty() && !old.split(',').any(|v| v == value) => format!("{field},{value}"),
            Some(_) => field.clone(),
            None => format!("{prefix}{value}"),
        };
    }
    out
}

/// A tag filter value that matches exactly the string `v` (commas, which separate pprof's
/// values, written as `\x2c`).
pub fn exact_tag(v: &str) -> String {
    exact(v).replace(',', "\\x2c")
}

/// The unit suffix pprof's tag ranges take for a numeric label's unit (`1024bytes`), none
/// when the unit is not a word pprof can read.
pub fn range_unit(key: &str, unit: &str) -> String {
    let unit = if unit.is_empty() && key == "bytes" { "bytes" } else { unit };
    if unit.bytes().all(|b| b.is_ascii_alphabetic()) {
        unit.to_string()
    } else {
        String::new()
    }
}

/// pprof's inclusive range `lo:hi` for the numeric values `lo..=hi` of a label (one value:
/// just it).
pub fn tag_range(key: &str, unit: &str, lo: i64, hi: i64) -> String {
    let u = range_unit(key, unit);
    if lo == hi {
        format!("{lo}{u}")
    } else {
        format!("{lo}{u}:{hi}{u}")
    }
}

/// The focus regex a search becomes: the search is case-insensitive, a regex when it
/// compiles as one, else plain text (quoted).
pub fn search_focus(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let re = if regex_lite::Regex::new(t).is_ok() { t.to_string() } else { quote_meta(t) };
    Some(format!("(?i){re}"))
}

/// One active part of a refinement, as the refine bar shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chip {
    /// The hash key (`f`, `tf`, `g`, `noinlines`, `mine`, …).
    pub key: &'static str,
    /// What it is, in words (`focus`, `tagfocus`, `granularity`, `only my code`).
    pub what: &'static str,
    /// Its value (empty for a flag).
    pub value: String,
}

/// The chips of a refinement, in the hash's order.
pub fn chips(r: &Refine) -> Vec<Chip> {
    let mut r = r.clone();
    let mut out = Vec::new();
    for (key, what) in REFINE_REGEX_KEYS.iter().chain(&REFINE_TAG_KEYS) {
        let v = refine_field(&mut r, key).expect("a refine key");
        if !v.is_empty() {
            out.push(Chip { key, what, value: v.clone() });
        }
    }
    if r.granularity != Granularity::default() {
        out.push(Chip { key: "g", what: "granularity", value: r.granularity.name().to_string() });
    }
    for (key, what) in REFINE_FLAG_KEYS {
        if *refine_flag(&mut r, key).expect("a flag key") {
            out.push(Chip { key, what, value: String::new() });
        }
    }
    out
}

/// The refinement without the chip of hash key `key`.
pub fn remove(r: &Refine, key: &str) -> Refine {
    let mut out = r.clone();
    if key == "g" {
        out.granularity = Granularity::default();
    } else if let Some(v) = refine_field(&mut out, key) {
        v.clear();
    } else if let Some(b) = refine_flag(&mut out, key) {
        *b = false;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_exact_regex_matches_the_name_only() {
        for name in ["main.(*Cache).Put", "a+b|c[0]^$", "std::vector<int>::push_back", "x"] {
            let rx = regex_lite::Regex::new(&exact(name)).expect("a valid regex");
            assert!(rx.is_match(name), "{name}");
            assert!(!rx.is_match(&format!("{name}x")) && !rx.is_match(&format!("x{name}")), "{name}");
        }
        assert_eq!(exact("main.f"), "^main\\.f$");
    }

    use super::*;

    #[test]
    fn an_exact_regex_matches_only_its_name() {
        let names = [
            "main.(*Cache).Put",
            "main.f[...]",
            "a.b|c",
            "x+y*z?",
            "{^$}",
            "back\\slash",
            "main.f",
            "main_f",
            "main.(*Cache).Pu",
            "xmain.f",
        ];
        for n in names {
            let re = regex_lite::Regex::new(&exact(n)).expect("compiles");
            for other in names {
                assert_eq!(re.is_match(other), n == other, "{} on {other}", exact(n));
            }
        }
        assert_eq!(exact("main.(*T).f"), "^main\\.\\(\\*T\\)\\.f$");
    }

    #[test]
    fn the_name_a_filter_matches_at_each_granularity() {
        use Granularity::*;
        assert_eq!(match_name("main.f", Functions), "main.f");
        assert_eq!(match_name("pkg/main.go", Files), "pkg/main.go");
        assert_eq!(match_name("main.f pkg/main.go", FileFunctions), "main.f");
        assert_eq!(match_name("main.f pkg/main.go:31", Lines), "main.f");
        assert_eq!(match_name("main.f pkg/main.go:31 (inline)", Lines), "main.f");
        assert_eq!(match_name("0000000000437a71 main.f file.go:250", Addresses), "main.f");
        assert_eq!(match_name("[binary]", Addresses), "[binary]");
    }

    #[test]
    fn filters_combine_as_pprofs_web_ui_combines_them() {
        let r = add_regex(&Refine::default(), "f", "^a$");
        let r = add_regex(&r, "f", "^b$");
        assert_eq!(r.focus, "^b$", "focus replaces");
        let r = add_regex(&r, "i", "^x$");
        let r = add_regex(&r, "i", "^y$");
        assert_eq!(r.ignore, "^y$|^x$", "ignore adds");
        let r = add_regex(&r, "h", "runtime");
        assert_eq!(r.hide, "runtime");
        let r = add_tag(&r, "tf", "worker", "^w1$");
        let r = add_tag(&r, "tf", "worker", "^w2$");
        let r = add_tag(&r, "tf", "worker", "^w2$");
        assert_eq!(r.tagfocus, "worker=^w1$,^w2$");
        let r = add_tag(&r, "tf", "bytes", &tag_range("bytes", "", 1024, 2047));
        assert_eq!(r.tagfocus, "bytes=1024bytes:2047bytes", "one key per tag filter");
        assert_eq!(tag_range("duration", "nanoseconds", 5, 5), "5nanoseconds");
        assert_eq!(tag_range("id", "", 1, 9), "1:9");
        assert_eq!(exact_tag("a,b"), "^a\\x2cb$");
        assert!(regex_lite::Regex::new(&exact_tag("a,b")).expect("compiles").is_match("a,b"));
    }

    #[test]
    fn chips_name_every_active_part_and_removing_one_leaves_the_rest() {
        let r = Refine {
            focus: "^main\\.f$".into(),
            taghide: "worker=w1".into(),
            granularity: Granularity::Lines,
            only_mine: true,
            mean: true,
            ..Refine::default()
        };
        let c = chips(&r);
        let keys: Vec<&str> = c.iter().map(|c| c.key).collect();
        assert_eq!(keys, ["f", "th", "g", "mean", "mine"]);
        assert_eq!(c[2].value, "lines");
        let mut left = r.clone();
        for k in keys {
            left = remove(&left, k);
        }
        assert_eq!(left, Refine::default());
        assert_eq!(remove(&r, "g"), Refine { granularity: Granularity::Functions, ..r.clone() });
        assert!(chips(&Refine::default()).is_empty());
    }

    #[test]
    fn a_search_becomes_a_case_insensitive_focus() {
        assert_eq!(search_focus("  "), None);
        assert_eq!(search_focus("leak|grow").as_deref(), Some("(?i)leak|grow"));
        assert_eq!(search_focus("f(").as_deref(), Some("(?i)f\\("));
    }
}
