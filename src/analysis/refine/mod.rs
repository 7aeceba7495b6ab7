//! pprof's refinements and granularities as a profile → profile step: `-focus`, `-ignore`,
//! `-hide`, `-show`, `-show_from`, `-prune_from`, the tag filters, `-functions` / `-files` /
//! `-lines` / `-addresses` / `-filefunctions` and `-noinlines`, plus profdrop's "only my code"
//! and collapsed recursion.
//!
//! [`apply`] makes a new [`Profile`] whose "functions" are the nodes of the chosen granularity,
//! named as `go tool pprof -top` names them, and whose stacks are what pprof keeps of each
//! sample. Every view (top table, flame graph, diff, leak finder) then works on it unchanged.
//! It reads the profile's [`Locations`](crate::model::locations::Locations).

mod locs;
pub mod names;
pub mod tags;

use self::names::{display_file, printable_name, NodeKey, Strings};
use crate::analysis::leaks::is_user_code;
use crate::model::locations::{LocationCell, Locations, NO_INDEX};
use crate::model::names::simplify_func;
use crate::model::{LabelSets, Profile};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// pprof's granularities (`-functions`, …), named as pprof's `g=` URL parameter names them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// One node per function (pprof's default).
    #[default]
    Functions,
    /// One node per function and source file.
    FileFunctions,
    /// One node per source file.
    Files,
    /// One node per source line.
    Lines,
    /// One node per address (and its inlined lines).
    Addresses,
}

impl Granularity {
    /// pprof's name (`functions`, `filefunctions`, `files`, `lines`, `addresses`).
    pub fn name(self) -> &'static str {
        match self {
            Granularity::Functions => "functions",
            Granularity::FileFunctions => "filefunctions",
            Granularity::Files => "files",
            Granularity::Lines => "lines",
            Granularity::Addresses => "addresses",
        }
    }
    /// Parses pprof's name.
    pub fn parse(s: &str) -> Option<Granularity> {
        [Granularity::Functions, Granularity::FileFunctions, Granularity::Files, Granularity::Lines, Granularity::Addresses]
            .into_iter()
            .find(|g| g.name() == s)
    }
}

/// A refinement: what narrows, reshapes or renames a profile before any view reads it. Each
/// regex field is pprof's option of the same name; empty means "not set".
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Refine {
    /// `-focus`: keep samples with a location matching.
    pub focus: String,
    /// `-ignore`: drop samples with a location matching.
    pub ignore: String,
    /// `-hide`: remove matching frames.
    pub hide: String,
    /// `-show`: keep only matching frames.
    pub show: String,
    /// `-show_from`: drop frames above the root-most matching one.
    pub show_from: String,
    /// `-prune_from`: drop frames below the matching ones.
    pub prune_from: String,
    /// `-tagfocus`.
    pub tagfocus: String,
    /// `-tagignore`.
    pub tagignore: String,
    /// `-tagshow`.
    pub tagshow: String,
    /// `-taghide`.
    pub taghide: String,
    /// Granularity.
    pub granularity: Granularity,
    /// `-noinlines`: inlined frames are attributed to the function they were inlined into.
    pub noinlines: bool,
    /// `-mean`: values divided by the count of the first sample type (top table only).
    pub mean: bool,
    /// Only my code: frames that are not the user's code (the leak finder's
    /// `is_user_code`: runtime, standard library, unsymbolized) are removed; a stack with
    /// none keeps its leaf frame.
    pub only_mine: bool,
    /// Recursion collapsed: a node shows once per stack; a repeat cuts the stack back to
    /// the outer occurrence, which takes the inner one's callees (the leaf stays).
    pub collapse_recursion: bool,
}

impl Refine {
    /// True when it changes nothing: views read the profile itself.
    pub fn is_identity(&self) -> bool {
        let Refine { mean, .. } = self;
        let _ = mean; // `-mean` changes how the top table divides, not the profile.
        *self == Refine { mean: self.mean, ..Refine::default() }
    }
}

/// A refined profile and what the user should know about it (a filter that matched nothing).
#[derive(Debug)]
pub struct Refined {
    /// The refined profile.
    pub profile: Profile,
    /// Notes, e.g. `focus "foo" matched no samples`.
    pub notes: Vec<String>,
}

fn compile(what: &str, re: &str) -> Result<Option<Matcher>, String> {
    if re.is_empty() {
        return Ok(None);
    }
    let rx = regex_lite::Regex::new(re).map_err(|e| format!("{what}: \"{re}\" is not a valid regular expression: {e}"))?;
    Ok(Some(Matcher::new(re, rx)))
}

/// A compiled regex, with a fast path for the common one that is only literal text (a
/// function name with its metacharacters escaped, maybe anchored): matched with `contains`,
/// `starts_with`, `ends_with` or `==`, giving what the regex gives.
#[derive(Debug)]
struct Matcher {
    rx: regex_lite::Regex,
    literal: Option<(String, bool, bool)>,
}

impl Matcher {
    fn new(pattern: &str, rx: regex_lite::Regex) -> Matcher {
        Matcher { rx, literal: literal(pattern) }
    }
    fn is_match(&self, s: &str) -> bool {
        match &self.literal {
            Some((lit, true, true)) => s == lit,
            Some((lit, true, false)) => s.starts_with(lit.as_str()),
            Some((lit, false, true)) => s.ends_with(lit.as_str()),
            Some((lit, false, false)) => s.contains(lit.as_str()),
            None => self.rx.is_match(s),
        }
    }
}

/// The text a regex matches when it is literal: (text, anchored at the start, at the end).
/// Only plain characters and backslash-escaped punctuation, with an optional leading `^`
/// and trailing `$`; anything else (classes, repetition, groups, flags) is `None`.
fn literal(pattern: &str) -> Option<(String, bool, bool)> {
    let (start, rest) = match pattern.strip_prefix('^') {
        Some(r) => (true, r),
        None => (false, pattern),
    };
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    let mut end = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => out.push(e),
                _ => return None,
            },
            '$' if chars.peek().is_none() => end = true,
            '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' => return None,
            c => out.push(c),
        }
    }
    Some((out, start, end))
}

// What a function's name or file matches (one bit per option), computed once per function.
const FOCUS: u8 = 1;
const IGNORE: u8 = 2;
const HIDE: u8 = 4;
const SHOW: u8 = 8;
const SHOW_FROM: u8 = 16;
const PRUNE_FROM: u8 = 32;
const MINE: u8 = 64;

// What a location is, after pprof's per-location steps.
const L_FOCUS: u8 = 1;
const L_IGNORE: u8 = 2;
const L_HIDDEN: u8 = 4;
const L_SHOW_FROM: u8 = 8;
const L_PRUNE_FROM: u8 = 16;

/// What pprof's `Aggregate` keeps at a granularity: (function, filename, line number, address).
fn kept(g: Granularity) -> (bool, bool, bool, bool) {
    match g {
        Granularity::Functions => (true, false, false, false),
        Granularity::FileFunctions => (true, true, false, false),
        Granularity::Files => (false, true, false, false),
        Granularity::Lines => (true, true, true, false),
        Granularity::Addresses => (true, true, true, true),
    }
}

/// Applies a refinement as `go tool pprof` does, in its order (`driver.applyFocus`, then
/// `aggregate`, then the graph `-top` prints):
///
/// 1. `-focus`/`-ignore` mark each location whose function names, file names or mapping file
///    match; a sample is kept when one of its locations is focused and none ignored (with no
///    `-focus`, every location is focused). Samples without locations are dropped.
/// 2. `-hide` removes the matching lines of each location, `-show` keeps only matching lines
///    (lines without a function stay); a location left without lines leaves its samples,
///    and a sample left without locations is dropped.
/// 3. `-show_from` cuts each matching location's lines above its root-most match and each
///    sample above its root-most matching location; samples without one are dropped.
/// 4. `-tagfocus`/`-tagignore` keep samples by labels ([`tags`]); `-tagshow`/`-taghide`
///    remove label keys (the label sets only).
/// 5. `-prune_from` cuts each location below its leaf-most line whose simplified function
///    name matches, and each sample below its leaf-most such location.
/// 6. The granularity (and `-noinlines`: only a location's outermost line stays) makes one
///    node per distinct pprof `NodeInfo`, named as `-top` prints it.
///
/// Then profdrop's own: `only_mine` removes frames that are not the user's code
/// ([`is_user_code`]; unsymbolized frames are not); a sample left with none keeps its leaf
/// frame, so every sample still counts and flat values stay where they were.
/// `collapse_recursion` makes each node appear at most once per stack: when a node shows up
/// again towards the leaf, the frames from its outer occurrence to the inner one are dropped
/// and the outer occurrence takes the inner one's callees (the leaf, hence flat, stays).
pub fn apply(p: &Profile, r: &Refine) -> Result<Refined, String> {
    // Compiled in pprof's order, so the first bad option is the one named.
    let focus = compile("focus", &r.focus)?;
    let ignore = compile("ignore", &r.ignore)?;
    let hide = compile("hide", &r.hide)?;
    let show = compile("show", &r.show)?;
    let show_from = compile("show_from", &r.show_from)?;
    let tagfocus = tags::compile("tagfocus", &r.tagfocus)?;
    let tagignore = tags::compile("tagignore", &r.tagignore)?;
    let prune_from = compile("prune_from", &r.prune_from)?;
    let tagshow = compile("tagshow", &r.tagshow)?;
    let taghide = compile("taghide", &r.taghide)?;
    let locs_arc = p.locations();
    let locs: &Locations = &locs_arc;

    // Per function and per mapping: which options match it.
    let rxs = [(&focus, FOCUS), (&ignore, IGNORE), (&hide, HIDE), (&show, SHOW), (&show_from, SHOW_FROM)];
    let name_bits = |s: &str| rxs.iter().filter(|(re, _)| re.as_ref().is_some_and(|re| re.is_match(s))).fold(0, |b, (_, bit)| b | bit);
    // Many functions share a file: each file is matched once.
    let mut file_bits: FxHashMap<&str, u8> = FxHashMap::default();
    let any_rx = rxs.iter().any(|(re, _)| re.is_some());
    let fbits: Vec<u8> = (0..locs.func_name.len())
        .map(|f| {
            let (name, file) = (&locs.func_name[f], locs.func_file[f].as_str());
            let mut b = 0;
            if any_rx {
                b = name_bits(name) | *file_bits.entry(file).or_insert_with(|| name_bits(file));
            }
            if prune_from.as_ref().is_some_and(|re| !name.is_empty() && re.is_match(simplify_func(name))) {
                b |= PRUNE_FROM;
            }
            if r.only_mine && is_user_code(name) {
                b |= MINE;
            }
            b
        })
        .collect();
    let mbits: Vec<u8> = locs.mapping_file.iter().map(|file| name_bits(file)).collect();
    let line_has = |i: usize, bit: u8| {
        let f = locs.line_func[i];
        f != NO_INDEX && fbits[f as usize] & bit != 0
    };

    let mut out = Profile {
        sample_types: p.sample_types.clone(),
        default_sample_type: p.default_sample_type,
        period_type: p.period_type.clone(),
        period: p.period,
        time_nanos: p.time_nanos,
        duration_nanos: p.duration_nanos,
        comments: p.comments.clone(),
        doc_url: p.doc_url.clone(),
        format: p.format.clone(),
        values: vec![Vec::new(); p.sample_types.len()],
        ..Default::default()
    };

    // Per location: its flags and its nodes (leaf first), made once.
    let (function, filename, linenumber, address) = kept(r.granularity);
    let n_locs = locs.len();
    let mut lbits: Vec<u8> = Vec::with_capacity(n_locs);
    let mut node_off: Vec<u32> = Vec::with_capacity(n_locs + 1);
    let mut node_ids: Vec<u32> = Vec::with_capacity(locs.line_func.len());
    // Per node of a location: the original line it came from (for the refined locations).
    let mut node_line: Vec<u32> = Vec::with_capacity(locs.line_func.len());
    let mut node_mine: Vec<bool> = Vec::new();
    let mut strings = Strings::default();
    let mut fname: Vec<u32> = vec![NO_INDEX; locs.func_name.len()];
    let mut ffile: Vec<u32> = vec![NO_INDEX; locs.func_name.len()];
    let mut mfile: Vec<u32> = vec![NO_INDEX; locs.mapping_file.len()];
    let mut nodes: FxHashMap<NodeKey, u32> = FxHashMap::default();
    let mut name_buf = String::new();
    let (mut fm, mut im, mut hm, mut snm, mut sfm, mut pfm) = (false, false, false, false, false, false);
    let mut cur: Vec<usize> = Vec::new();
    node_off.push(0);
    for l in 0..n_locs {
        let range = locs.lines(l as u32);
        let m = locs.mapping[l];
        let mb = if m == NO_INDEX { 0 } else { mbits[m as usize] };
        let any = |bit: u8| mb & bit != 0 || range.clone().any(|i| line_has(i, bit));
        let mut lb = 0u8;
        if ignore.is_some() && any(IGNORE) {
            im = true;
            lb |= L_IGNORE;
        } else if focus.is_none() || any(FOCUS) {
            fm = true;
            lb |= L_FOCUS;
        }
        cur.clear();
        cur.extend(range.clone());
        if hide.is_some() && any(HIDE) {
            hm = true;
            if mb & HIDE != 0 {
                cur.clear();
            } else {
                cur.retain(|&i| !line_has(i, HIDE));
            }
            if cur.is_empty() {
                lb |= L_HIDDEN;
            }
        }
        if show.is_some() {
            if mb & SHOW == 0 {
                cur.retain(|&i| locs.line_func[i] == NO_INDEX || line_has(i, SHOW));
            }
            if cur.is_empty() {
                lb |= L_HIDDEN;
            } else {
                snm = true;
            }
        }
        if show_from.is_some() {
            if mb & SHOW_FROM != 0 {
                lb |= L_SHOW_FROM;
            } else if let Some(k) = cur.iter().rposition(|&i| line_has(i, SHOW_FROM)) {
                cur.truncate(k + 1);
                lb |= L_SHOW_FROM;
            }
            sfm |= lb & L_SHOW_FROM != 0;
        }
        if prune_from.is_some() {
            if let Some(k) = cur.iter().position(|&i| line_has(i, PRUNE_FROM)) {
                cur.drain(..k);
                lb |= L_PRUNE_FROM;
                pfm = true;
            }
        }
        lbits.push(lb);
        if lb & L_HIDDEN == 0 {
            if r.noinlines && cur.len() > 1 {
                cur.drain(..cur.len() - 1);
            }
            let addr = if address { locs.address[l] } else { 0 };
            let objfile = match m {
                NO_INDEX => 0,
                m => *get_or(&mut mfile[m as usize], || strings.intern(&locs.mapping_file[m as usize])),
            };
            // A location without lines is one node, of its address and mapping.
            let n_lines = cur.len().max(1);
            for j in 0..n_lines {
                let f = cur.get(j).map_or(NO_INDEX, |&i| locs.line_func[i]);
                let key = if f == NO_INDEX {
                    NodeKey { address: addr, name: 0, file: 0, lineno: 0, start_line: 0, objfile }
                } else {
                    let fu = f as usize;
                    let name = if function { *get_or(&mut fname[fu], || strings.intern(&locs.func_name[fu])) } else { 0 };
                    let file = if filename { *get_or(&mut ffile[fu], || strings.intern(&display_file(&locs.func_file[fu]))) } else { 0 };
                    let lineno = if linenumber { locs.line_no[cur[j]] } else { 0 };
                    if name == 0 {
                        NodeKey { address: addr, name, file, lineno, start_line: locs.func_start_line[fu], objfile }
                    } else {
                        NodeKey { address: addr, name, file, lineno, start_line: 0, objfile: 0 }
                    }
                };
                let id = *nodes.entry(key).or_insert_with(|| {
                    printable_name(&key, &strings, &mut name_buf);
                    let file = if f == NO_INDEX { "" } else { &locs.func_file[f as usize] };
                    new_node(&mut out, &name_buf, file)
                });
                node_ids.push(id);
                node_line.push(cur.get(j).map_or(NO_INDEX, |&i| i as u32));
                if r.only_mine {
                    node_mine.push(f != NO_INDEX && fbits[f as usize] & MINE != 0);
                }
            }
        }
        node_off.push(node_ids.len() as u32);
    }

    // Tag filters, once per label set.
    let units = if tagfocus.is_some() || tagignore.is_some() { tags::num_label_units(p) } else { FxHashMap::default() };
    let sets = &p.label_sets.sets;
    let tag_in: Vec<(bool, bool)> = if tagfocus.is_some() || tagignore.is_some() {
        sets.iter()
            .map(|s| (tagfocus.as_ref().is_none_or(|t| t.matches(s, &units)), tagignore.as_ref().is_some_and(|t| t.matches(s, &units))))
            .collect()
    } else {
        Vec::new()
    };
    let (mut tfm, mut tim) = (false, false);

    // Per sample.
    let need_focus = focus.is_some() || ignore.is_some();
    let may_hide = hide.is_some() || show.is_some();
    let mut set_used = vec![false; sets.len()];
    let mut buf: Vec<u32> = Vec::new();
    let mut mine: Vec<bool> = Vec::new();
    let mut pos: Vec<u32> = if r.collapse_recursion { vec![NO_INDEX; out.functions.len()] } else { Vec::new() };
    let mut kept_stack: Vec<u32> = Vec::new();
    // First which samples stay, and the window of each one's locations that does.
    let mut windows: Vec<(u32, u32, u32)> = Vec::with_capacity(p.num_samples());
    'samples: for s in 0..p.num_samples() {
        let sl = locs.sample(s);
        if sl.is_empty() {
            continue;
        }
        if need_focus {
            let mut focused = false;
            for &l in sl {
                let b = lbits[l as usize];
                if b & L_IGNORE != 0 {
                    continue 'samples;
                }
                focused |= b & L_FOCUS != 0;
            }
            if !focused {
                continue;
            }
        }
        if may_hide && sl.iter().all(|&l| lbits[l as usize] & L_HIDDEN != 0) {
            continue;
        }
        let visible = |j: &usize, bit: u8| lbits[sl[*j] as usize] & (bit | L_HIDDEN) == bit;
        let mut end = sl.len();
        if show_from.is_some() {
            match (0..sl.len()).rev().find(|j| visible(j, L_SHOW_FROM)) {
                Some(j) => end = j + 1,
                None => continue,
            }
        }
        let set = p.sample_labels.get(s).copied().unwrap_or(0);
        if !tag_in.is_empty() {
            let (f, i) = tag_in[set as usize];
            tfm |= f;
            tim |= i;
            if !f || i {
                continue;
            }
        }
        let mut start = 0;
        if prune_from.is_some() {
            if let Some(k) = (0..end).find(|j| visible(j, L_PRUNE_FROM)) {
                start = k;
            }
        }
        windows.push((s as u32, start as u32, end as u32));
    }

    // Then each kept sample's nodes, into room reserved for them.
    let kept_frac = windows.len() as f64 / p.num_samples().max(1) as f64;
    out.stacks.reserve(windows.len(), (p.stacks.frames.len() as f64 * kept_frac * 1.1) as usize + 16);
    out.sample_stack.reserve_exact(windows.len());
    out.sample_labels.reserve_exact(windows.len());
    for col in &mut out.values {
        col.reserve_exact(windows.len());
    }
    // Samples with the same locations get the same stack: where the model found few distinct
    // stacks (many samples per stack, as in CPU profiles), a sample whose window of locations
    // equals that of the first sample of its model stack reuses its answer.
    let memo_on = p.stacks.len() * 2 < p.num_samples();
    let mut memo: Vec<(u32, u32, u32, u32)> = if memo_on { vec![(0, 0, 0, NO_INDEX); p.stacks.len()] } else { Vec::new() };
    let plain = !r.only_mine && !r.collapse_recursion;
    // The window of each sample kept (for the refined locations).
    let mut kept_windows: Vec<(u32, u32, u32)> = Vec::new();
    for &(s32, start32, end32) in &windows {
        let (s, start, end) = (s32 as usize, start32 as usize, end32 as usize);
        let sl = locs.sample(s);
        let window = &sl[start..end];
        let set = p.sample_labels.get(s).copied().unwrap_or(0);
        let mut id = NO_INDEX;
        if memo_on {
            let (s0, st0, en0, id0) = memo[p.sample_stack[s] as usize];
            if id0 != NO_INDEX && &locs.sample(s0 as usize)[st0 as usize..en0 as usize] == window {
                id = id0;
            }
        }
        if id == NO_INDEX {
            let made = if plain {
                // The common case: the nodes go straight where the stack is interned (a
                // location has a node or two: pushed one by one, not copied as slices).
                let frames = &mut out.stacks.frames;
                let before = frames.len();
                for &l in window {
                    for &n in &node_ids[node_off[l as usize] as usize..node_off[l as usize + 1] as usize] {
                        frames.push(n);
                    }
                }
                (frames.len() > before).then(|| out.stacks.intern_pending())
            } else {
                let mut with_buf = || -> Option<()> {
                    buf.clear();
                    mine.clear();
                    for &l in window {
                        let (a, b) = (node_off[l as usize] as usize, node_off[l as usize + 1] as usize);
                        for k in a..b {
                            buf.push(node_ids[k]);
                            if r.only_mine {
                                mine.push(node_mine[k]);
                            }
                        }
                    }
                    if buf.is_empty() {
                        return None;
                    }
                    if r.only_mine && mine.iter().any(|&m| m) {
                        let mut k = 0;
                        buf.retain(|_| {
                            k += 1;
                            mine[k - 1]
                        });
                    } else if r.only_mine {
                        buf.truncate(1);
                    }
                    if r.collapse_recursion {
                        // Root first: an id seen before cuts the kept stack back to its first occurrence.
                        kept_stack.clear();
                        for &f in buf.iter().rev() {
                            match pos[f as usize] {
                                NO_INDEX => {
                                    pos[f as usize] = kept_stack.len() as u32;
                                    kept_stack.push(f);
                                }
                                k => {
                                    for &g in &kept_stack[k as usize + 1..] {
                                        pos[g as usize] = NO_INDEX;
                                    }
                                    kept_stack.truncate(k as usize + 1);
                                }
                            }
                        }
                        buf.clear();
                        for &f in kept_stack.iter().rev() {
                            pos[f as usize] = NO_INDEX;
                            buf.push(f);
                        }
                    }
                    Some(())
                };
                with_buf().map(|()| {
                    out.stacks.frames.extend_from_slice(&buf);
                    out.stacks.intern_pending()
                })
            };
            let Some(made) = made else { continue };
            id = made;
            if memo_on && memo[p.sample_stack[s] as usize].3 == NO_INDEX {
                memo[p.sample_stack[s] as usize] = (s32, start32, end32, id);
            }
        }
        out.sample_stack.push(id);
        if plain {
            kept_windows.push((s32, start32, end32));
        }
        for (t, col) in out.values.iter_mut().enumerate() {
            col.push(p.values[t][s]);
        }
        set_used[set as usize] = true;
        out.sample_labels.push(set);
        if let Some(g) = p.goroutines.get(s) {
            out.goroutines.push(g.clone());
        }
    }
    out.stacks.seal();
    if plain {
        // Which frames were inlined stays known (the call graph's and peek's inline marks).
        out.locations = LocationCell::new(std::sync::Arc::new(locs::RefinedLocations {
            orig: locs_arc.clone(),
            kept: kept_windows,
            node_off,
            node_ids,
            node_line,
            names: out.functions.names.clone(),
            files: out.functions.files.clone(),
        }));
    }

    // -tagshow / -taghide: label keys removed from the kept samples' label sets.
    let (mut tsm, mut thm) = (false, false);
    if tagshow.is_some() || taghide.is_some() {
        let mut new_sets = LabelSets::default();
        let mut map = vec![0u32; sets.len()];
        for (i, set) in sets.iter().enumerate() {
            if !set_used[i] {
                continue;
            }
            let kept: Vec<_> = set
                .iter()
                .filter(|l| {
                    let show = tagshow.as_ref().is_none_or(|re| re.is_match(&l.key));
                    let hide = taghide.as_ref().is_some_and(|re| re.is_match(&l.key));
                    tsm |= show;
                    thm |= hide;
                    show && !hide
                })
                .cloned()
                .collect();
            map[i] = new_sets.intern(kept);
        }
        new_sets.seal();
        for s in &mut out.sample_labels {
            *s = map[*s as usize];
        }
        out.label_sets = new_sets;
    } else {
        out.label_sets = p.label_sets.clone();
    }

    let mut notes = Vec::new();
    for (set, matched, what, re) in [
        (focus.is_some(), fm, "focus", &r.focus),
        (ignore.is_some(), im, "ignore", &r.ignore),
        (hide.is_some(), hm, "hide", &r.hide),
        (show.is_some(), snm, "show", &r.show),
        (show_from.is_some(), sfm, "show_from", &r.show_from),
        (tagfocus.is_some(), tfm, "tagfocus", &r.tagfocus),
        (tagignore.is_some(), tim, "tagignore", &r.tagignore),
        (tagshow.is_some(), tsm, "tagshow", &r.tagshow),
        (taghide.is_some(), thm, "taghide", &r.taghide),
        (prune_from.is_some(), pfm, "prune_from", &r.prune_from),
    ] {
        if set && !matched {
            notes.push(format!("{what} \"{re}\" matched no samples"));
        }
    }
    if notes.is_empty() && out.num_samples() == 0 && p.num_samples() > 0 {
        notes.push("the refinement left no samples".into());
    }
    Ok(Refined { profile: out, notes })
}

/// A new node named `name`. pprof keeps nodes apart that print the same (at `-files`, two
/// functions without names from one file are two nodes, told apart by their start lines),
/// so a name already taken gets a raw name of its own (`name`, NUL, a number) and the same
/// display name. (Such rows are ordered by that raw name where pprof orders them by cum.)
fn new_node(out: &mut Profile, name: &str, file: &str) -> u32 {
    if out.functions.get(name.as_bytes()).is_none() {
        return out.functions.intern(name.as_bytes(), file.as_bytes());
    }
    let mut raw = Vec::with_capacity(name.len() + 4);
    for n in 1u32.. {
        raw.clear();
        raw.extend_from_slice(name.as_bytes());
        raw.push(0);
        raw.extend_from_slice(n.to_string().as_bytes());
        if out.functions.get(&raw).is_none() {
            break;
        }
    }
    let id = out.functions.intern(&raw, file.as_bytes());
    out.functions.names[id as usize] = name.to_string();
    id
}

/// The value in `slot`, made by `make` the first time (`NO_INDEX` means "not made yet").
fn get_or(slot: &mut u32, make: impl FnOnce() -> u32) -> &mut u32 {
    if *slot == NO_INDEX {
        *slot = make();
    }
    slot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_fast_path_matches_what_the_regex_matches() {
        let texts = ["main.(*T).f", "main.walk", "xmain.walk", "main.walkers", "runtime.mallocgc", "a$b", "", "μs·x"];
        for pat in [
            "main\\.walk",
            "^main\\.walk$",
            "^main\\.walk",
            "walk$",
            "main\\.\\(\\*T\\)\\.f",
            "a\\$b",
            "μs·",
            "main.walk",
            "ma(in)",
            "^$",
            "a|b",
            "\\d",
        ] {
            let m = Matcher::new(pat, regex_lite::Regex::new(pat).unwrap());
            for t in texts {
                assert_eq!(m.is_match(t), m.rx.is_match(t), "{pat:?} on {t:?}");
            }
        }
        assert!(literal("main\\.walk").is_some() && literal("main.walk").is_none() && literal("\\d").is_none());
    }
}
