//! Sharing, the pure part: profiles named by a link (`#url=PATH`, fetched from the page's own
//! origin), embed mode (`#embed=1`), the link of what the page shows ([`AppState::link`]), and
//! named views (pprof's "Save config").
//!
//! A link's `url=` keys are repeatable and each value may list several URLs separated by
//! commas (a comma inside a URL is written `%2C`). The URLs are kept as written: relative to
//! the page, so a link works under any sub-path. When a link names profiles by URL, those are
//! the profiles by URL the page shows: one it no longer names is removed (back after opening a
//! second link returns to the first), and one already loaded is not fetched again. Files
//! dropped on the page are not part of any link.
//!
//! Whether a URL may be fetched (the page's own origin only) is the browser's URL parser's to
//! say: `ui::fetch` checks it before any request.

use crate::view::hash::{self, UrlState};

/// The profile URLs a hash names, in order, each once.
pub fn urls(hash: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for pair in hash.strip_prefix('#').unwrap_or(hash).split('&') {
        let Some(v) = pair.strip_prefix("url=") else { continue };
        for part in v.split(',') {
            if let Some(u) = hash::decode(part).map(|u| u.trim().to_string()) {
                if !u.is_empty() && !out.contains(&u) {
                    out.push(u);
                }
            }
        }
    }
    out
}

/// Does a hash ask for embed mode (`embed=1` or `embed=true`)?
pub fn embed(hash: &str) -> bool {
    hash.strip_prefix('#').unwrap_or(hash).split('&').any(|p| p == "embed=1" || p == "embed=true")
}

/// The name a profile fetched from `url` is shown under: the last segment of its path
/// (percent-decoded, without query or fragment), or `profile` when there is none.
pub fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit(['/', '\\']).next().unwrap_or_default();
    let name = hash::decode(&last.replace('+', "%2B")).unwrap_or_else(|| last.to_string());
    if name.is_empty() || name == "." || name == ".." {
        "profile".to_string()
    } else {
        name
    }
}

/// Writes a URL as a `url=` value after what `out` holds: as the hash writes values, with
/// commas escaped too.
pub fn put_url(u: &str, out: &mut String) {
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str("url=");
    let mut v = String::new();
    hash::encode_into(u, &mut v);
    out.push_str(&v.replace(',', "%2C"));
}

// ---------------------------------------------------------------------------------------------
// Named views

/// A view saved under a name: the view state of a link without its profiles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedView {
    /// Its name (one line of text).
    pub name: String,
    /// The hash that restores it ([`saved_hash`]).
    pub hash: String,
}

/// First line of [`write_saved`]'s text.
const SAVED_HEADER: &str = "profdrop-views 1";

/// The hash a named view keeps: the view, sample type, order, refinement, pivot and
/// inversion; not which profiles (`url=`, `base`, `target`, `sel`), so that it applies to others.
pub fn saved_hash(st: &UrlState) -> String {
    hash::write(&UrlState { base: None, target: None, selected: None, ..st.clone() })
}

/// A name as it is kept: one line, trimmed, at most 80 characters.
pub fn clean_name(name: &str) -> String {
    let one: String = name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    one.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(80).collect()
}

/// Saves (or replaces) a view under a name; the list stays in name order. An empty name is
/// not saved.
pub fn save(list: &mut Vec<SavedView>, name: &str, hash: &str) {
    let name = clean_name(name);
    if name.is_empty() {
        return;
    }
    list.retain(|v| v.name != name);
    list.push(SavedView { name, hash: hash.to_string() });
    list.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.name.cmp(&b.name)));
}

/// Deletes the view of that name.
pub fn delete(list: &mut Vec<SavedView>, name: &str) {
    list.retain(|v| v.name != name);
}

/// The list as text (for `localStorage`): a header line, then `hash TAB name` per view.
pub fn write_saved(list: &[SavedView]) -> String {
    let mut out = String::from(SAVED_HEADER);
    for v in list {
        out.push('\n');
        out.push_str(&v.hash);
        out.push('\t');
        out.push_str(&v.name);
    }
    out
}

/// Reads [`write_saved`]'s text; anything else (another version, damage) reads as no views
/// or skips the damaged lines.
pub fn read_saved(text: &str) -> Vec<SavedView> {
    let mut lines = text.lines();
    if lines.next() != Some(SAVED_HEADER) {
        return Vec::new();
    }
    let mut list = Vec::new();
    for line in lines {
        let Some((hash, name)) = line.split_once('\t') else { continue };
        // (A kept hash is as the page writes it: no white space, no `#`.)
        if hash.contains([' ', '#']) {
            continue;
        }
        save(&mut list, name, hash);
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Refine;

    #[test]
    fn reads_repeated_and_comma_separated_urls() {
        assert_eq!(
            urls("#url=../runbooks/heap.pb.gz&view=flame&url=a.pb.gz,b%2Cc.pb.gz,&url=a.pb.gz"),
            ["../runbooks/heap.pb.gz", "a.pb.gz", "b,c.pb.gz"]
        );
        assert_eq!(urls("#view=flame&urls=x&xurl=y"), Vec::<String>::new());
        assert_eq!(urls("url=%E0%A4&url=%20"), Vec::<String>::new());
        assert!(embed("#url=x&embed=1") && embed("embed=true"));
        assert!(!embed("#embed=0") && !embed("#embedded=1") && !embed(""));
    }

    #[test]
    fn names_a_fetched_profile_by_its_files_name() {
        assert_eq!(file_name("../runbooks/incident-42/heap.pb.gz"), "heap.pb.gz");
        assert_eq!(file_name("examples/cpu.pb.gz?v=3#x"), "cpu.pb.gz");
        assert_eq!(file_name("/p/heap%20now+1.pb.gz"), "heap now+1.pb.gz");
        assert_eq!(file_name("dir/"), "profile");
        assert_eq!(file_name(".."), "profile");
    }

    #[test]
    fn named_views_keep_the_view_not_the_profiles() {
        let st = UrlState {
            view: Some("flame".into()),
            sample_type: Some("inuse_space".into()),
            base: Some("a".into()),
            target: Some("b".into()),
            selected: Some("c".into()),
            refine: Refine { focus: "main\\.leak".into(), ..Refine::default() },
            ..UrlState::default()
        };
        let h = saved_hash(&st);
        assert_eq!(h, "view=flame&si=inuse_space&f=main%5C.leak");
        let mut list = Vec::new();
        save(&mut list, "  leaks\tonly \n", &h);
        save(&mut list, "Alloc", "view=top&si=alloc_space");
        save(&mut list, "", "view=top");
        assert_eq!(list.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["Alloc", "leaks only"]);
        // Saving under a name again replaces it.
        save(&mut list, "Alloc", "view=top&si=alloc_objects");
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].hash, "view=top&si=alloc_objects");
        let text = write_saved(&list);
        assert_eq!(read_saved(&text), list);
        delete(&mut list, "Alloc");
        assert_eq!(list.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["leaks only"]);
        // Damage reads as nothing, or skips the line.
        assert_eq!(read_saved("{\"json\": 1}"), vec![]);
        assert_eq!(read_saved(&format!("{SAVED_HEADER}\nno tab here\nview=top\tok\nview top\tbad")).len(), 1);
        assert_eq!(clean_name(&"x".repeat(200)).len(), 80);
    }
}
