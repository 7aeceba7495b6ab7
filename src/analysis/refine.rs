//! pprof's refinements and granularities as a profile → profile step: `-focus`, `-ignore`,
//! `-hide`, `-show`, `-show_from`, `-prune_from`, the tag filters, `-functions` / `-files` /
//! `-lines` / `-addresses` / `-filefunctions` and `-noinlines`, plus profdrop's "only my code"
//! and collapsed recursion.
//!
//! [`apply`] makes a new [`Profile`] whose "functions" are the nodes of the chosen granularity,
//! named as `go tool pprof -top` names them, and whose stacks are what pprof keeps of each
//! sample. Every view (top table, flame graph, diff, leak finder) then works on it unchanged.
//! It reads the profile's [`Locations`](crate::model::locations::Locations).

use crate::model::locations::{Locations, NO_INDEX};
use crate::model::names::{unsymbolized, UNKNOWN};
use crate::model::Profile;
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
    /// Only my code: runtime and standard-library frames are removed.
    pub only_mine: bool,
    /// Recursion collapsed: a function shows once per stack.
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
    /// Notes, e.g. `focus "foo" matched no frame`.
    pub notes: Vec<String>,
}

fn compile(what: &str, re: &str) -> Result<Option<regex_lite::Regex>, String> {
    if re.is_empty() {
        return Ok(None);
    }
    regex_lite::Regex::new(re).map(Some).map_err(|e| format!("{what}: \"{re}\" is not a valid regular expression: {e}"))
}

/// Applies a refinement. First version: function granularity and the name filters
/// (`focus`, `ignore`, `hide`, `show`) with pprof's per-location matching.
pub fn apply(p: &Profile, r: &Refine) -> Result<Refined, String> {
    let focus = compile("focus", &r.focus)?;
    let ignore = compile("ignore", &r.ignore)?;
    let hide = compile("hide", &r.hide)?;
    let show = compile("show", &r.show)?;
    let locs = p.locations();
    let locs: &Locations = &locs;
    let mut notes = Vec::new();

    // Per location: its frames (node ids, leaf first) after hide/show, and focus/ignore marks.
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
        label_sets: p.label_sets.clone(),
        values: vec![Vec::new(); p.sample_types.len()],
        ..Default::default()
    };
    let mut name = Vec::new();
    let n_locs = locs.len();
    let mut loc_off = Vec::with_capacity(n_locs + 1);
    let mut loc_frames: Vec<u32> = Vec::new();
    let mut mark = vec![0u8; n_locs]; // 1 focus, 2 ignore
    let (mut fm, mut im, mut hm, mut sm) = (false, false, false, false);
    loc_off.push(0u32);
    for l in 0..n_locs as u32 {
        let lines = locs.lines(l);
        let matches = |re: &regex_lite::Regex, i: usize| {
            let f = locs.line_func[i];
            f != NO_INDEX && (re.is_match(&locs.func_name[f as usize]) || re.is_match(&locs.func_file[f as usize]))
        };
        let loc_matches = |re: &regex_lite::Regex| {
            lines.clone().any(|i| matches(re, i))
                || (locs.mapping[l as usize] != NO_INDEX && re.is_match(&locs.mapping_file[locs.mapping[l as usize] as usize]))
        };
        if ignore.as_ref().is_some_and(&loc_matches) {
            im = true;
            mark[l as usize] = 2;
        } else if focus.as_ref().is_none_or(&loc_matches) {
            fm = fm || focus.is_some();
            mark[l as usize] = 1;
        }
        let mut kept: Vec<usize> = lines.clone().collect();
        if let Some(re) = &hide {
            if loc_matches(re) {
                hm = true;
                kept.retain(|&i| !matches(re, i));
            }
        }
        if let Some(re) = &show {
            kept.retain(|&i| matches(re, i));
            sm = sm || !kept.is_empty();
        }
        let start = loc_frames.len();
        if lines.is_empty() && hide.is_none() && show.is_none() {
            loc_frames.push(pseudo(&mut out, locs, l, &mut name));
        }
        for i in kept {
            let f = locs.line_func[i];
            let id = if f == NO_INDEX || locs.func_name[f as usize].is_empty() {
                pseudo(&mut out, locs, l, &mut name)
            } else {
                out.functions.intern(locs.func_name[f as usize].as_bytes(), locs.func_file[f as usize].as_bytes())
            };
            loc_frames.push(id);
        }
        let _ = start;
        loc_off.push(loc_frames.len() as u32);
    }
    for (set, matched, what, re) in
        [(&focus, fm, "focus", &r.focus), (&ignore, im, "ignore", &r.ignore), (&hide, hm, "hide", &r.hide), (&show, sm, "show", &r.show)]
    {
        if set.is_some() && !matched {
            notes.push(format!("{what} \"{re}\" matched no frame"));
        }
    }
    let mut frames = Vec::new();
    for s in 0..p.num_samples() {
        let sl = locs.sample(s);
        let mut focused = false;
        let mut ignored = false;
        for &l in sl {
            match mark[l as usize] {
                1 => focused = true,
                2 => ignored = true,
                _ => {}
            }
        }
        if ignored || !focused {
            continue;
        }
        frames.clear();
        for &l in sl {
            frames.extend_from_slice(&loc_frames[loc_off[l as usize] as usize..loc_off[l as usize + 1] as usize]);
        }
        if frames.is_empty() {
            continue;
        }
        out.sample_stack.push(out.stacks.intern(&frames));
        for t in 0..p.sample_types.len() {
            out.values[t].push(p.values[t][s]);
        }
        out.sample_labels.push(p.sample_labels.get(s).copied().unwrap_or(0));
        if let Some(g) = p.goroutines.get(s) {
            out.goroutines.push(g.clone());
        }
    }
    out.stacks.seal();
    Ok(Refined { profile: out, notes })
}

/// The node of a location without a usable function: `[binary]` or `<unknown>`.
fn pseudo(out: &mut Profile, locs: &Locations, l: u32, name: &mut Vec<u8>) -> u32 {
    match locs.mapping[l as usize] {
        NO_INDEX => out.functions.intern(UNKNOWN, b""),
        m => {
            unsymbolized(locs.mapping_file[m as usize].as_bytes(), name);
            out.functions.intern(name, b"")
        }
    }
}
