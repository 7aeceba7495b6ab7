//! App state and `reduce(state, action)`: what the page shows, decided without a browser.

use crate::analysis::leaks::LeakReport;
use crate::analysis::series::{self, Series};
use crate::protocol::Stage;
use crate::protocol::{FlameSource, GraphOptions, Refine, Request, Response, Summary, TopOrder};
use crate::view::hash::{self, UrlState};
use crate::view::share;
use serde::{Deserialize, Serialize};

/// The main views.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum View {
    /// Top table.
    Top,
    /// Flame graph.
    Flame,
    /// Diff.
    Diff,
    /// Leak finder.
    Leaks,
    /// pprof's `-peek` table.
    Peek,
    /// pprof's call graph.
    Graph,
    /// pprof's `-list`: annotated source.
    Source,
}

pub use crate::protocol::{FLAME_MIN_FRACTION, PEEK_PAGE, SOURCE_PAGE, TOP_PAGE};

/// Top table sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortBy {
    /// |flat| desc (pprof).
    Flat,
    /// |cum| desc.
    Cum,
    /// Name asc.
    Name,
    /// |delta| desc (diff).
    Delta,
    /// base desc (diff).
    Base,
    /// target desc (diff).
    Target,
}

/// A loaded profile in the list.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Summary from the engine.
    pub summary: Summary,
    /// Load order (ties on time).
    pub order: u32,
    /// Display name, unique among the loaded profiles: the file name, or `NAME (2)`,
    /// `NAME (3)`… when a profile of that name was there first (see [`AppState::unique_label`]).
    pub label: String,
}

/// A file being loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct Loading {
    /// Id it will get.
    pub id: u32,
    /// Display name (the entry's [`Entry::label`] once loaded).
    pub name: String,
    /// Stage.
    pub stage: Stage,
    /// Fraction of the stage done.
    pub fraction: f64,
    /// Its load has begun (a download, or the engine reported on it): the others wait their
    /// turn.
    pub started: bool,
}

/// What the reducer asks of the workers besides the view's queries (those follow from
/// [`AppState::wanted`]): changes of the loaded set. The page sends each one once, in order,
/// from [`AppState::outbox`].
// (A few hundred bytes per message, a handful of messages at a time: not worth boxing.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Read the file the page was handed with the [`Action::Open`] that queued this (the page
    /// keeps those files in the same order; one `Load` per name, always).
    Load {
        /// Id the profile gets.
        id: u32,
        /// The file's own name.
        file_name: String,
        /// Show its table before its model is built (instant drop)? Only the first file of a
        /// batch: the others are not shown while the batch loads, so their preview would only
        /// cost time.
        preview: bool,
    },
    /// Forget a profile (loaded or still loading).
    Remove {
        /// Profile id.
        id: u32,
    },
    /// Stop loading these files: the workers are replaced and the loaded files read again.
    Cancel {
        /// Ids of the files that were loading.
        ids: Vec<u32>,
    },
    /// A request that changes the loaded set ([`Request::Merge`]).
    Request(Request),
    /// Download a profile a link names (`#url=`, see [`crate::view::share`]) from the page's
    /// own origin, then read it as [`Command::Load`] reads a file.
    Fetch {
        /// Id the profile gets.
        id: u32,
        /// The URL as the link wrote it (relative to the page).
        url: String,
        /// The file name it is shown under.
        file_name: String,
        /// Show its table before its model is built (as [`Command::Load`]: the first of a batch).
        preview: bool,
    },
}

/// A computed result with the request it answers.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The request it answers.
    pub request: Request,
    /// The response (shared: states are cloned on every action).
    pub response: std::rc::Rc<Response>,
}

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    /// Loaded profiles, time order.
    pub entries: Vec<Entry>,
    /// Files being loaded.
    pub loading: Vec<Loading>,
    /// Errors of the latest batch ("file: why").
    pub errors: Vec<String>,
    /// Did a file of the latest batch fail?
    pub batch_failed: bool,
    /// Selected profile id.
    pub selected: Option<u32>,
    /// Selected sample type name.
    pub sample_type: String,
    /// Main view.
    pub view: View,
    /// Search text.
    pub search: String,
    /// Focused function (flame graph rooted at it).
    pub focus: Option<String>,
    /// Zoom path (function names from the root).
    pub zoom: Vec<String>,
    /// Diff base id.
    pub diff_base: Option<u32>,
    /// Diff target id.
    pub diff_target: Option<u32>,
    /// pprof -normalize.
    pub normalize: bool,
    /// Diff view shows the flame graph (else the table).
    pub diff_flame: bool,
    /// Lay the differential flame graph out on the base.
    pub diff_on_base: bool,
    /// Top/diff table sort.
    pub sort: SortBy,
    /// pprof's refinement (filters, granularity) every view applies.
    pub refine: Refine,
    /// A profile of the series the leak view reads, when the user picked one (else the
    /// selected profile's series).
    pub series_pick: Option<u32>,
    /// Snapshots the user took out of the series the leak view reads.
    pub series_out: Vec<u32>,
    /// Profiles of other series the user added to it anyway (the page warns).
    pub series_in: Vec<u32>,
    /// Rows of the top table to fetch (0 = all).
    pub top_limit: u32,
    /// Answers received, by kind.
    pub top: Option<Answer>,
    /// The top table request a preview's table is on its way for (not sent to the worker).
    pub top_coming: Option<Request>,
    /// Flame answer.
    pub flame: Option<Answer>,
    /// Diff answer.
    pub diff: Option<Answer>,
    /// Leaks answer.
    pub leaks: Option<Answer>,
    /// A request that failed (message).
    pub request_error: Option<String>,
    /// Bumped when the worker restarts: outstanding requests must be sent again.
    pub epoch: u32,
    /// Dark theme.
    pub dark: bool,
    /// The id the next profile gets (loads and merges).
    pub next_id: u32,
    /// Commands not yet confirmed sent ([`Action::Sent`]), oldest first.
    pub outbox: Vec<Command>,
    /// Sequence number of `outbox[0]` (commands are numbered from 0 in the order queued).
    pub outbox_start: u64,
    /// A link's view state (`location.hash`) still to apply: kept until the profiles it names
    /// have loaded (applied again as each one arrives, until no load is left).
    pub url: Option<UrlState>,
    /// What of the latest link could not be applied, in words.
    pub url_notes: Vec<String>,
    /// The latest refinement the engine answered without an error (the one to go back to
    /// when a new one fails: an invalid regex or tag filter).
    pub refine_ok: Refine,
    /// Why the latest refinement was not applied (the engine's message), shown by the refine
    /// bar; the view stays on [`AppState::refine_ok`].
    pub refine_error: Option<String>,
    /// The label browser is open.
    pub labels_open: bool,
    /// The label browser's answer.
    pub labels: Option<Answer>,
    // Pivot, inverted flame graph and peek.
    /// The flame graph is inverted (bottom-up).
    pub inverted: bool,
    /// Pivot regex (pprof's `p`): the flame view shows the matches' callers and callees.
    pub pivot: Option<String>,
    /// The pivot's callers (an inverted tree cut at the pivot).
    pub pivot_callers: Option<Answer>,
    /// The pivot's callees.
    pub pivot_callees: Option<Answer>,
    /// Peek answer (beside the pivot, and the peek view).
    pub peek: Option<Answer>,
    /// Peek entries to fetch (0 = all).
    pub peek_limit: u32,
    // Call graph.
    /// Graph answer.
    pub graph: Option<Answer>,
    /// Node count and fractions (pprof's `-nodecount`, `-nodefraction`, `-edgefraction`).
    pub graph_options: GraphOptions,
    /// The graph view draws the diff graph of the diff's base and target.
    pub graph_diff: bool,
    /// Graph answers received (each one is laid out and drawn in turn).
    pub graph_seq: u32,
    /// The latest graph answer laid out and drawn (`graph_seq` when the drawing is current).
    pub graph_drawn: u32,
    /// Source listing answer (the source view).
    pub source: Option<Answer>,
    // Links and embedding (`view::share`).
    /// Profiles fetched from URLs a link named (`#url=`): id and the URL as written, in load
    /// order (ids no longer loaded are dropped as the state changes).
    pub hosted: Vec<(u32, String)>,
    /// Embed mode (`#embed=1`): only the view and a link to open it in profdrop.
    pub embed: bool,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            entries: vec![],
            loading: vec![],
            errors: vec![],
            batch_failed: false,
            selected: None,
            sample_type: String::new(),
            view: View::Top,
            search: String::new(),
            focus: None,
            zoom: vec![],
            diff_base: None,
            diff_target: None,
            normalize: false,
            diff_flame: false,
            diff_on_base: false,
            sort: SortBy::Flat,
            refine: Refine::default(),
            series_pick: None,
            series_out: vec![],
            series_in: vec![],
            top_limit: TOP_PAGE,
            top: None,
            top_coming: None,
            flame: None,
            diff: None,
            leaks: None,
            request_error: None,
            epoch: 0,
            dark: false,
            next_id: 1,
            outbox: vec![],
            outbox_start: 0,
            url: None,
            url_notes: vec![],
            refine_ok: Refine::default(),
            refine_error: None,
            labels_open: false,
            labels: None,
            inverted: false,
            pivot: None,
            pivot_callers: None,
            pivot_callees: None,
            peek: None,
            peek_limit: PEEK_PAGE,
            graph: None,
            graph_options: GraphOptions::default(),
            graph_diff: false,
            graph_seq: 0,
            graph_drawn: 0,
            source: None,
            hosted: vec![],
            embed: false,
        }
    }
}

/// Things that happen.
// (As `Command`: an answer carries its request and response inline.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Files dropped or opened (their names, in order): each gets the next id and a display
    /// name, and a [`Command::Load`].
    Open(Vec<String>),
    /// Progress of a file.
    Progress(u32, Stage, f64),
    /// A file loaded.
    Loaded(Summary),
    /// A file's top table (of its default sample type, in pprof's order, the first
    /// [`TOP_PAGE`] rows) is ready while the rest of it is still being built: the file is
    /// shown, and stays in `loading` until it has loaded. The table follows in
    /// [`Action::PreviewTop`] (a task of its own, so that neither render is long).
    Preview(Summary),
    /// The table of the last [`Action::Preview`].
    PreviewTop(Response),
    /// A file failed.
    LoadFailed(u32, String),
    /// Cancel the files loading ([`Command::Cancel`]).
    Cancel,
    /// The worker died; it is restarted.
    WorkerCrashed(String),
    /// Remove a profile ([`Command::Remove`]).
    Remove(u32),
    /// Merge the profiles of the selected one's kind into a new one ([`Command::Request`]).
    Merge,
    /// Say what a folded-stacks profile's counts are ([`Request::SetUnit`]).
    SetUnit(u32, String),
    /// The page has sent the commands numbered below this to the workers.
    Sent(u64),
    /// Select a profile.
    Select(u32),
    /// Choose the sample type.
    SampleType(String),
    /// Switch view.
    View(View),
    /// Search text.
    Search(String),
    /// Focus a function (and show the flame graph).
    Focus(Option<String>),
    /// Zoom to a path of function names.
    Zoom(Vec<String>),
    /// Diff base.
    DiffBase(u32),
    /// Diff target.
    DiffTarget(u32),
    /// Swap base and target.
    Swap,
    /// Normalize toggle.
    Normalize(bool),
    /// Diff sub-view.
    DiffFlame(bool),
    /// Lay the diff flame graph on the base.
    DiffOnBase(bool),
    /// Sort.
    Sort(SortBy),
    /// Fetch this many top-table rows (0 = all).
    TopLimit(u32),
    /// An answer arrived.
    Answer(Request, Response),
    /// Dismiss errors.
    DismissErrors,
    /// Theme.
    Dark(bool),
    /// The other theme.
    ToggleDark,
    /// Reset zoom and focus (as `Esc`).
    ResetZoom,
    /// Open a leak suspect: diff of first vs last snapshot focused on the function.
    OpenSuspect(String),
    /// The page's `location.hash` (at start, or changed by a link, back or forward).
    Url(String),
    /// A new refinement (filters, granularity, options) for every view.
    Refine(Refine),
    /// Open or close the label browser.
    LabelsOpen(bool),
    /// The leak view reads the series holding this profile.
    PickSeries(u32),
    /// A snapshot of the series opened in the flame view.
    OpenSnapshot(u32),
    /// A profile in (true) or out of the series the leak view reads.
    SeriesMember(u32, bool),
    /// Two snapshots of the series opened in the diff view (base, target).
    OpenPair(u32, u32),
    /// Inverted flame graph on or off.
    Inverted(bool),
    /// Pivot on the functions matching a regex (and show the pivot view), or leave pivot mode.
    Pivot(Option<String>),
    /// Fetch this many peek entries (0 = all).
    PeekLimit(u32),
    /// The call graph's node count and fractions.
    GraphOptions(GraphOptions),
    /// The graph view draws the diff graph (base → target) or the selected profile's.
    GraphDiff(bool),
    /// The graph answer numbered so ([`AppState::graph_seq`]) is laid out and drawn.
    GraphDrawn(u32),
    /// Files of the latest batch that could not even be opened ("name: why"; members of an
    /// archive that cannot be read): named like failed loads.
    LoadErrors(Vec<String>),
    /// Load profiles from URLs of the page's own origin, relative to the page (the examples;
    /// a link's `url=`): see [`crate::view::share`].
    OpenUrls(Vec<String>),
}

/// What `body[data-state]` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Nothing loaded.
    Idle,
    /// Reading files or computing a view.
    Loading,
    /// Everything shown.
    Ready,
    /// The latest load failed.
    Error,
}

impl Status {
    /// The attribute value.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Loading => "loading",
            Status::Ready => "ready",
            Status::Error => "error",
        }
    }
}

impl AppState {
    /// The selected entry.
    pub fn selected_entry(&self) -> Option<&Entry> {
        self.selected.and_then(|id| self.entries.iter().find(|e| e.summary.id == id))
    }

    /// Profiles that can be merged with the selected one: its series (the same kind of
    /// profile of the same program, see [`series::group`]), time order. A profile of another
    /// program is never summed in silently.
    pub fn mergeable(&self) -> Vec<u32> {
        let Some(sel) = self.selected else { return vec![] };
        self.all_series().into_iter().find(|s| s.ids.contains(&sel)).map(|s| s.ids).unwrap_or_default()
    }

    /// Profiles in the leak series: every loaded profile that has the sample type, time order.
    pub fn series(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.current_series().map(|s| s.ids).unwrap_or_default();
        ids.retain(|id| !self.series_out.contains(id));
        for &id in &self.series_in {
            if !ids.contains(&id) && self.entries.iter().any(|e| e.summary.id == id) {
                ids.push(id);
            }
        }
        // Added profiles take their place in time (then load) order.
        let key = |id: &u32| self.entries.iter().position(|e| e.summary.id == *id).unwrap_or(usize::MAX);
        if !self.series_in.is_empty() {
            ids.sort_by_key(key);
        }
        ids
    }

    /// Profiles added to the series from elsewhere, each with the share of its function names
    /// the series' own profiles have (the page warns about a low one).
    pub fn series_mix(&self) -> Vec<(u32, f64)> {
        let own: Vec<u32> = self.current_series().map(|s| s.ids).unwrap_or_default();
        let fp = |id: u32| self.entries.iter().find(|e| e.summary.id == id).map(|e| &e.summary.fingerprint);
        self.series()
            .into_iter()
            .filter(|id| !own.contains(id))
            .map(|id| {
                let share = own.iter().filter_map(|&o| Some(series::contained(fp(id)?, fp(o)?))).fold(0.0, f64::max);
                (id, share)
            })
            .collect()
    }

    /// The loaded profiles grouped into series ([`series::group`]): same kind, same program,
    /// ordered in time.
    pub fn all_series(&self) -> Vec<Series> {
        let items: Vec<series::Item> = self
            .entries
            .iter()
            .map(|e| series::Item {
                id: e.summary.id,
                name: &e.summary.name,
                sample_types: e.summary.sample_types.iter().map(|t| t.name.as_str()).collect(),
                time_nanos: e.summary.time_nanos,
                order: e.order,
                fingerprint: &e.summary.fingerprint,
            })
            .collect();
        series::group(&items)
    }

    /// Does this profile have the sample type shown?
    pub fn has_sample_type(&self, e: &Entry) -> bool {
        e.summary.sample_types.iter().any(|t| t.name == self.sample_type)
    }

    /// The series of profiles that have the sample type shown (the leak view's choices).
    pub fn shown_series(&self) -> Vec<Series> {
        let has_type = |id: u32| self.entries.iter().any(|e| e.summary.id == id && self.has_sample_type(e));
        self.all_series().into_iter().filter(|s| s.ids.first().is_some_and(|&id| has_type(id))).collect()
    }

    /// The series the leak view reads: the one the user picked, else the selected profile's
    /// (when it has the sample type shown), else the longest with that sample type.
    pub fn current_series(&self) -> Option<Series> {
        let all = self.shown_series();
        let holding = |id: Option<u32>| id.and_then(|id| all.iter().find(|s| s.ids.contains(&id)).cloned());
        holding(self.series_pick).or_else(|| holding(self.selected)).or_else(|| all.iter().max_by_key(|s| s.ids.len()).cloned())
    }

    /// The requests the current view needs.
    pub fn wanted(&self) -> Vec<Request> {
        let mut out = Vec::new();
        let Some(sel) = self.selected else { return out };
        if self.sample_type.is_empty() {
            return out;
        }
        let st = self.sample_type.clone();
        match self.view {
            View::Top => {
                // Table first (it is ready first), then the flame graph shown above it.
                let order = match self.sort {
                    SortBy::Cum => TopOrder::Cum,
                    SortBy::Name => TopOrder::Name,
                    _ => TopOrder::Flat,
                };
                out.push(Request::Top { id: sel, sample_type: st.clone(), order, limit: self.top_limit, refine: self.refine.clone() });
                out.push(self.flame_request(FlameSource::Single { id: sel }));
            }
            View::Flame => match &self.pivot {
                Some(p) => out.extend(self.pivot_requests(sel, p)),
                None => out.push(self.flame_request(FlameSource::Single { id: sel })),
            },
            View::Source => out.push(Request::Source {
                id: sel,
                sample_type: st.clone(),
                regex: self.peek_regex(),
                limit: SOURCE_PAGE,
                refine: self.refine.clone(),
            }),
            View::Peek => out.push(Request::Peek {
                id: sel,
                sample_type: st.clone(),
                regex: self.peek_regex(),
                limit: self.peek_limit,
                refine: self.refine.clone(),
            }),
            View::Diff => {
                if let (Some(base), Some(target)) = (self.diff_base, self.diff_target) {
                    out.push(Request::Diff {
                        base,
                        target,
                        sample_type: st.clone(),
                        normalize: self.normalize,
                        refine: self.refine.clone(),
                    });
                    if self.diff_flame {
                        out.push(self.flame_request(FlameSource::Diff { base, target, normalize: self.normalize }));
                    }
                }
            }
            View::Leaks => out.push(Request::Leaks { ids: self.series(), sample_type: st.clone(), refine: self.refine.clone() }),
            View::Graph => {
                let (id, base) = match (self.graph_diff, self.diff_base, self.diff_target) {
                    (true, Some(b), Some(t)) => (t, Some(b)),
                    _ => (sel, None),
                };
                out.push(Request::Graph { id, base, sample_type: st.clone(), options: self.graph_options, refine: self.refine.clone() });
            }
        }
        // The label browser: the selected profile's labels, as refined.
        if self.labels_open {
            out.push(Request::Labels { id: sel, sample_type: st, refine: self.refine.clone() });
        }
        out
    }

    fn flame_request(&self, source: FlameSource) -> Request {
        let single = matches!(source, FlameSource::Single { .. });
        Request::Flame {
            source,
            sample_type: self.sample_type.clone(),
            focus: self.focus.clone(),
            zoom: self.zoom.clone(),
            search: self.search.clone(),
            min_fraction: FLAME_MIN_FRACTION,
            refine: self.refine.clone(),
            inverted: self.inverted && single,
            pivot: None,
        }
    }

    /// The pivot view's requests: callers (inverted, cut at the pivot), callees, peek table.
    fn pivot_requests(&self, id: u32, pivot: &str) -> [Request; 3] {
        let side = |inverted: bool| Request::Flame {
            source: FlameSource::Single { id },
            sample_type: self.sample_type.clone(),
            focus: None,
            zoom: vec![],
            search: self.search.clone(),
            min_fraction: FLAME_MIN_FRACTION,
            refine: self.refine.clone(),
            inverted,
            pivot: Some(pivot.to_string()),
        };
        let peek = Request::Peek {
            id,
            sample_type: self.sample_type.clone(),
            regex: pivot.to_string(),
            limit: self.peek_limit,
            refine: self.refine.clone(),
        };
        [side(true), side(false), peek]
    }

    /// The regex the peek view lists: the pivot, else the focus filter, else the search
    /// (as pprof's web UI, which peeks at `f`), else every function.
    pub fn peek_regex(&self) -> String {
        let r = [self.pivot.as_deref(), Some(self.refine.focus.as_str()), Some(self.search.trim())];
        r.into_iter().flatten().find(|x| !x.is_empty()).unwrap_or(".").to_string()
    }

    /// Is this answer the one the view wants now?
    pub fn is_current(&self, a: &Option<Answer>) -> bool {
        let Some(a) = a else { return false };
        self.wanted().contains(&a.request)
    }

    /// `body[data-state]`.
    pub fn status(&self) -> Status {
        if !self.loading.is_empty() {
            return Status::Loading;
        }
        if self.batch_failed {
            return Status::Error;
        }
        if self.entries.is_empty() {
            return Status::Idle;
        }
        let answers = [
            &self.top,
            &self.flame,
            &self.diff,
            &self.leaks,
            &self.pivot_callers,
            &self.pivot_callees,
            &self.peek,
            &self.labels,
            &self.graph,
            &self.source,
        ];
        let all = self.wanted().iter().all(|w| answers.iter().any(|a| a.as_ref().is_some_and(|a| &a.request == w)));
        // The graph is rendered once laid out (in a worker, after its answer came).
        let all = all && (self.view != View::Graph || self.graph_drawn == self.graph_seq);
        if all {
            Status::Ready
        } else {
            Status::Loading
        }
    }

    /// A display name for a new profile called `name`: `name` itself when no profile loaded
    /// or loading goes by it, else `name (k)` with the smallest k ≥ 2 free. A name once given
    /// does not change: removing `a` leaves `a (2)` as it is, and the next `a` is `a` again.
    pub fn unique_label(&self, name: &str) -> String {
        let taken = |l: &str| self.entries.iter().any(|e| e.label == l) || self.loading.iter().any(|x| x.name == l);
        if !taken(name) {
            return name.to_string();
        }
        (2u32..).map(|k| format!("{name} ({k})")).find(|l| !taken(l)).expect("a free name")
    }

    /// The id of the profile with this display name.
    pub fn id_by_label(&self, label: &str) -> Option<u32> {
        self.entries.iter().find(|e| e.label == label).map(|e| e.summary.id)
    }

    /// The display name of a loaded profile.
    pub fn label_of(&self, id: u32) -> Option<&str> {
        self.entries.iter().find(|e| e.summary.id == id).map(|e| e.label.as_str())
    }

    /// Sequence number the next queued command gets.
    pub fn outbox_end(&self) -> u64 {
        self.outbox_start + self.outbox.len() as u64
    }

    fn send(&mut self, c: Command) {
        self.outbox.push(c);
    }

    /// Forgets every answer (they are asked again: `epoch` changes).
    fn clear_answers(&mut self) {
        for a in [
            &mut self.top,
            &mut self.flame,
            &mut self.diff,
            &mut self.leaks,
            &mut self.pivot_callers,
            &mut self.pivot_callees,
            &mut self.peek,
            &mut self.labels,
        ] {
            *a = None;
        }
        self.epoch += 1;
    }

    fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Adds a profile and shows it (the newest file loaded is shown, with its default
    /// sample type). Its display name is the one its load got, or a new one (a merge).
    fn show_new(&mut self, summary: Summary) {
        let id = summary.id;
        let default = summary.sample_types.get(summary.default_sample_type).map(|t| t.name.clone()).unwrap_or_default();
        self.entries.retain(|e| e.summary.id != id);
        let label = match self.loading.iter().find(|l| l.id == id) {
            Some(l) => l.name.clone(),
            None => self.unique_label(&summary.name),
        };
        self.entries.push(Entry { summary, order: id, label });
        self.sort_entries();
        self.diff_base = self.entries.first().map(|e| e.summary.id);
        self.diff_target = self.entries.last().map(|e| e.summary.id);
        // While more files of the batch are on their way, what is shown stays (a folder of a
        // hundred snapshots would otherwise draw each one in turn); the last one to arrive is
        // shown.
        if self.selected.is_some() && self.loading.iter().any(|l| l.id != id) {
            return;
        }
        self.selected = Some(id);
        self.sample_type = default;
        self.top_limit = TOP_PAGE;
        self.zoom.clear();
        self.focus = None;
    }

    /// Takes a profile off the list (removed, or a preview whose load then failed).
    fn forget(&mut self, id: u32) {
        if !self.entries.iter().any(|e| e.summary.id == id) {
            return;
        }
        self.entries.retain(|e| e.summary.id != id);
        if self.selected == Some(id) {
            self.selected = self.entries.last().map(|e| e.summary.id);
            self.zoom.clear();
            self.focus = None;
        }
        self.reset_diff_defaults();
        self.ensure_sample_type();
    }

    fn sort_entries(&mut self) {
        self.entries.sort_by(|a, b| a.summary.time_nanos.cmp(&b.summary.time_nanos).then(a.order.cmp(&b.order)));
    }

    fn reset_diff_defaults(&mut self) {
        let ids: Vec<u32> = self.entries.iter().map(|e| e.summary.id).collect();
        if !self.diff_base.is_some_and(|b| ids.contains(&b)) {
            self.diff_base = ids.first().copied();
        }
        if !self.diff_target.is_some_and(|t| ids.contains(&t)) {
            self.diff_target = ids.last().copied();
        }
    }

    /// The view state as a link names it (see [`hash`]): what a reader needs to see the same.
    pub fn url_state(&self) -> UrlState {
        let diff = matches!(self.view, View::Diff) || (self.view == View::Graph && self.graph_diff);
        let (o, d) = (self.graph_options, GraphOptions::default());
        let label = |id: Option<u32>| id.and_then(|id| self.label_of(id)).map(str::to_string);
        UrlState {
            view: Some(view_name(self.view).to_string()),
            sample_type: (!self.sample_type.is_empty()).then(|| self.sample_type.clone()),
            base: if diff { label(self.diff_base) } else { None },
            target: if diff { label(self.diff_target) } else { None },
            normalize: (diff && self.normalize).then_some(true),
            sort: match self.sort {
                SortBy::Flat | SortBy::Delta => None,
                by => Some(sort_name(by).to_string()),
            },
            refine: self.refine.clone(),
            pivot: self.pivot.clone(),
            inverted: self.inverted.then_some(true),
            nodecount: (o.nodecount != d.nodecount).then_some(o.nodecount),
            nodefraction: (o.nodefraction != d.nodefraction).then(|| o.nodefraction.to_string()),
            edgefraction: (o.edgefraction != d.edgefraction).then(|| o.edgefraction.to_string()),
            selected: if diff || self.entries.len() < 2 { None } else { label(self.selected) },
        }
    }

    /// Applies the link's state kept in [`AppState::url`] to the loaded profiles. What names a
    /// profile or sample type not loaded waits while loads are in flight, and is reported once
    /// none is left.
    fn apply_url(&mut self) {
        let Some(u) = self.url.clone() else { return };
        if self.entries.is_empty() {
            return;
        }
        let settled = self.loading.is_empty();
        if let Some(v) = u.view.as_deref().and_then(view_of) {
            self.view = v;
        }
        // (The profile shown first: the sample type is one of its.)
        if let Some(label) = &u.selected {
            match self.id_by_label(label) {
                Some(id) if self.selected != Some(id) => {
                    self.selected = Some(id);
                    self.top_limit = TOP_PAGE;
                    self.zoom.clear();
                    self.focus = None;
                    self.ensure_sample_type();
                }
                Some(_) => {}
                None if settled => self.url_notes.push(format!("link parameter `sel`: no profile named `{label}` is loaded")),
                None => {}
            }
        }
        if let Some(t) = &u.sample_type {
            let has = self.selected_entry().is_some_and(|e| e.summary.sample_types.iter().any(|st| &st.name == t));
            if has && &self.sample_type != t {
                self.sample_type = t.clone();
                self.top_limit = TOP_PAGE;
                self.zoom.clear();
            } else if !has && settled {
                self.url_notes.push(format!("link parameter `si`: the profile shown has no sample type `{t}`"));
            }
        }
        for (key, want, slot) in [("base", &u.base, &mut self.diff_base), ("target", &u.target, &mut self.diff_target)] {
            let Some(label) = want else { continue };
            match self.entries.iter().find(|e| &e.label == label) {
                Some(e) => *slot = Some(e.summary.id),
                None if settled => self.url_notes.push(format!("link parameter `{key}`: no profile named `{label}` is loaded")),
                None => {}
            }
        }
        if let Some(n) = u.normalize {
            self.normalize = n;
        }
        if let Some(by) = u.sort.as_deref().and_then(sort_of) {
            self.sort = by;
            self.top_limit = TOP_PAGE;
        }
        // (Refinement: a link always says it; none written means none.)
        self.set_refine(u.refine.clone());
        // Pivot and inverted flame graph: the page writes them whenever they are on, so a
        // link without them has them off (back from a pivot leaves it).
        if u.pivot.is_some() && u.view.is_none() {
            self.view = View::Flame;
        }
        if self.pivot != u.pivot {
            self.pivot = u.pivot.clone();
            self.peek_limit = PEEK_PAGE;
        }
        self.inverted = u.inverted.unwrap_or(false);
        // Call graph: pprof's defaults unless the link says; a graph link with base and
        // target asks for the diff graph.
        let d = GraphOptions::default();
        let frac = |v: &Option<String>, dflt: f64| v.as_deref().and_then(|x| x.parse().ok()).unwrap_or(dflt);
        self.graph_options = GraphOptions {
            nodecount: u.nodecount.unwrap_or(d.nodecount),
            nodefraction: frac(&u.nodefraction, d.nodefraction),
            edgefraction: frac(&u.edgefraction, d.edgefraction),
        };
        if self.view == View::Graph {
            self.graph_diff = u.base.is_some() && u.target.is_some();
        }
        if settled {
            self.url = None;
        }
    }

    /// Sets the refinement every view applies; a new one starts the table at one page and
    /// the flame graph at its root (the zoomed path may be gone).
    fn set_refine(&mut self, r: Refine) {
        if self.refine != r {
            self.refine = r;
            self.refine_error = None;
            self.top_limit = TOP_PAGE;
            self.zoom.clear();
        }
    }

    /// What the refinement did that the user should know (the engine's notes on the current
    /// top table and flame graph, each once).
    pub fn refine_notes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for a in [&self.top, &self.flame] {
            let Some(a) = a.as_ref().filter(|a| self.wanted().contains(&a.request)) else { continue };
            if let Response::Top { notes, .. } | Response::Flame { notes, .. } = &*a.response {
                for n in notes {
                    if !out.contains(n) {
                        out.push(n.clone());
                    }
                }
            }
        }
        out
    }

    fn ensure_sample_type(&mut self) {
        if let Some(e) = self.selected_entry() {
            let types = &e.summary.sample_types;
            if !types.iter().any(|t| t.name == self.sample_type) {
                self.sample_type = types[e.summary.default_sample_type].name.clone();
            }
        } else {
            self.sample_type.clear();
        }
    }
}

/// The refinement a view request carries.
fn request_refine(r: &Request) -> Option<&Refine> {
    match r {
        Request::Top { refine, .. }
        | Request::Flame { refine, .. }
        | Request::Diff { refine, .. }
        | Request::Leaks { refine, .. }
        | Request::Labels { refine, .. }
        | Request::Peek { refine, .. }
        | Request::Graph { refine, .. }
        | Request::Source { refine, .. } => Some(refine),
        _ => None,
    }
}

fn view_name(v: View) -> &'static str {
    match v {
        View::Top => "top",
        View::Flame => "flame",
        View::Diff => "diff",
        View::Leaks => "leaks",
        View::Peek => "peek",
        View::Graph => "graph",
        View::Source => "source",
    }
}

fn view_of(name: &str) -> Option<View> {
    [View::Top, View::Flame, View::Diff, View::Leaks, View::Peek, View::Graph, View::Source].into_iter().find(|v| view_name(*v) == name)
}

fn sort_name(by: SortBy) -> &'static str {
    match by {
        SortBy::Flat => "flat",
        SortBy::Cum => "cum",
        SortBy::Name => "name",
        SortBy::Delta => "delta",
        SortBy::Base => "base",
        SortBy::Target => "target",
    }
}

fn sort_of(name: &str) -> Option<SortBy> {
    [SortBy::Flat, SortBy::Cum, SortBy::Name, SortBy::Delta, SortBy::Base, SortBy::Target].into_iter().find(|b| sort_name(*b) == name)
}

// Links and embedding: profiles by URL (`#url=`) and embed mode (`#embed=1`). The hash codec
// of both, and named views, are `view::share`'s.
impl AppState {
    /// Is a profile still loaded or loading?
    fn is_live(&self, id: u32) -> bool {
        self.entries.iter().any(|e| e.summary.id == id) || self.loading.iter().any(|l| l.id == id)
    }

    fn prune_hosted(&mut self) {
        let keep: Vec<bool> = self.hosted.iter().map(|&(id, _)| self.is_live(id)).collect();
        let mut k = keep.into_iter();
        self.hosted.retain(|_| k.next().unwrap_or(false));
    }

    /// Applies a hash's `url=` and `embed=` (the rest is [`hash::parse`]'s): embed mode follows
    /// the hash; when it names profiles by URL, those not loaded yet are fetched and profiles by
    /// URL it does not name are removed.
    fn follow_link(mut self, hash: &str) -> AppState {
        self.embed = share::embed(hash);
        let urls = share::urls(hash);
        if urls.is_empty() {
            return self;
        }
        self.prune_hosted();
        let gone: Vec<u32> = self.hosted.iter().filter(|(_, u)| !urls.contains(u)).map(|&(id, _)| id).collect();
        for id in gone {
            self = reduce(self, Action::Remove(id));
        }
        self.open_urls(&urls)
    }

    /// Loads profiles by URL (a [`Command::Fetch`] each) beside what is loaded; a URL already
    /// loaded or loading is not fetched again.
    fn open_urls(mut self, urls: &[String]) -> AppState {
        self.prune_hosted();
        let mut first = true;
        for url in urls {
            if url.is_empty() || self.hosted.iter().any(|(_, u)| u == url) {
                continue;
            }
            let first_of_batch = std::mem::take(&mut first);
            if first_of_batch {
                self.errors.clear();
                self.batch_failed = false;
            }
            let id = self.take_id();
            let file_name = share::file_name(url);
            let name = self.unique_label(&file_name);
            self.loading.push(Loading { id, name, stage: Stage::Downloading, fraction: 0.0, started: true });
            self.hosted.push((id, url.clone()));
            self.send(Command::Fetch { id, url: url.clone(), file_name, preview: first_of_batch });
        }
        self
    }

    /// The hash (without `#`) of a link to what the page shows: a `url=` for each profile
    /// fetched by URL and still loaded (load order), the view state ([`hash::write`]), and
    /// `embed=1` when `embed`.
    pub fn link(&self, embed: bool) -> String {
        let mut out = String::new();
        for (id, u) in &self.hosted {
            if self.is_live(*id) {
                share::put_url(u, &mut out);
            }
        }
        for part in [hash::write(&self.url_state()), if embed { "embed=1".to_string() } else { String::new() }] {
            if !part.is_empty() {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(&part);
            }
        }
        out
    }

    /// Display names of the loaded profiles a link cannot bring along: dropped files and
    /// merges (a reader of the link needs the same files).
    pub fn unlinked(&self) -> Vec<String> {
        self.entries.iter().filter(|e| !self.hosted.iter().any(|(id, _)| *id == e.summary.id)).map(|e| e.label.clone()).collect()
    }
}

/// The reducer.
pub fn reduce(mut s: AppState, a: Action) -> AppState {
    match a {
        Action::Open(names) => {
            s.errors.clear();
            s.batch_failed = false;
            for (k, file_name) in names.into_iter().enumerate() {
                let id = s.take_id();
                let name = s.unique_label(&file_name);
                s.loading.push(Loading { id, name, stage: Stage::Reading, fraction: 0.0, started: false });
                s.send(Command::Load { id, file_name, preview: k == 0 });
            }
        }
        Action::Progress(id, stage, f) => {
            if let Some(l) = s.loading.iter_mut().find(|l| l.id == id) {
                l.stage = stage;
                l.fraction = f;
                l.started = true;
            }
        }
        Action::Loaded(summary) => {
            let id = summary.id;
            if !s.loading.iter().any(|l| l.id == id) {
                // Replayed into a restarted worker (nothing changes on screen), or removed
                // while it was being built.
                return s;
            }
            if let Some(e) = s.entries.iter_mut().find(|e| e.summary.id == id) {
                // Shown since its preview: what was chosen meanwhile stays.
                e.summary = summary;
            } else {
                s.show_new(summary);
            }
            s.loading.retain(|l| l.id != id);
            s.apply_url();
        }
        Action::Preview(summary) => {
            let id = summary.id;
            if !s.loading.iter().any(|l| l.id == id) || s.entries.iter().any(|e| e.summary.id == id) {
                return s;
            }
            // The engine sends the early table as it starts building the model (the page may
            // show that stage's progress a little later: it is shown every 100 ms at most).
            if let Some(l) = s.loading.iter_mut().find(|l| l.id == id && l.stage != Stage::Building) {
                l.stage = Stage::Building;
                l.fraction = 0.0;
                l.started = true;
            }
            // (The early table is of the default sample type: not the one a link may ask for.)
            let default_type = summary.sample_types.get(summary.default_sample_type).map(|t| t.name.clone());
            s.show_new(summary);
            s.apply_url();
            let want =
                Request::Top { id, sample_type: s.sample_type.clone(), order: TopOrder::Flat, limit: TOP_PAGE, refine: s.refine.clone() };
            // (The early table is the whole profile's: it is not the table of a refinement.)
            if s.refine.is_identity() && default_type.as_ref() == Some(&s.sample_type) && s.wanted().contains(&want) {
                s.top_coming = Some(want);
            } else if s.top_coming.as_ref().is_some_and(|w| !s.wanted().contains(w)) {
                s.top_coming = None;
            }
        }
        Action::PreviewTop(top) => {
            // (The table of an earlier preview, overtaken by a newer one, is not the one coming.)
            let fits = |want: &Request| matches!((&top, want), (Response::Top { id: t, sample_type, .. }, Request::Top { id, sample_type: st, .. }) if t == id && sample_type == st);
            let Some(want) = s.top_coming.take_if(|w| fits(w)) else { return s };
            if s.wanted().contains(&want) {
                s.top = Some(Answer { request: want, response: std::rc::Rc::new(top) });
            }
        }
        Action::LoadFailed(id, msg) => {
            let name = s.loading.iter().find(|l| l.id == id).map(|l| l.name.clone()).unwrap_or_default();
            s.loading.retain(|l| l.id != id);
            s.forget(id);
            s.errors.push(format!("{name}: {msg}"));
            s.batch_failed = true;
        }
        Action::Cancel => {
            let ids: Vec<u32> = s.loading.iter().map(|l| l.id).collect();
            if ids.is_empty() {
                return s;
            }
            s.send(Command::Cancel { ids });
            for l in std::mem::take(&mut s.loading) {
                s.forget(l.id);
                s.errors.push(format!("{}: loading cancelled", l.name));
            }
            s.epoch += 1;
        }
        Action::WorkerCrashed(msg) => {
            for l in std::mem::take(&mut s.loading) {
                s.forget(l.id);
                s.errors.push(format!("{}: {msg}", l.name));
                s.batch_failed = true;
            }
            s.epoch += 1;
        }
        Action::Remove(id) => {
            if !s.loading.iter().any(|l| l.id == id) && !s.entries.iter().any(|e| e.summary.id == id) {
                return s;
            }
            s.send(Command::Remove { id });
            s.loading.retain(|l| l.id != id);
            s.forget(id);
            if s.entries.is_empty() {
                s.batch_failed = false;
            }
        }
        Action::Merge => {
            let ids = s.mergeable();
            if ids.len() < 2 {
                return s;
            }
            let new_id = s.take_id();
            let name = format!("merged ({} profiles)", ids.len());
            s.send(Command::Request(Request::Merge { ids, new_id, name }));
        }
        Action::SetUnit(id, unit) => {
            s.send(Command::Request(Request::SetUnit { id, unit }));
        }
        Action::Sent(upto) => {
            let n = upto.saturating_sub(s.outbox_start).min(s.outbox.len() as u64) as usize;
            s.outbox.drain(..n);
            s.outbox_start += n as u64;
        }
        Action::Select(id) => {
            if s.selected != Some(id) {
                s.selected = Some(id);
                s.top_limit = TOP_PAGE;
                s.zoom.clear();
                s.focus = None;
                s.ensure_sample_type();
            }
        }
        Action::SampleType(t) => {
            if s.sample_type != t {
                s.sample_type = t;
                s.top_limit = TOP_PAGE;
                s.zoom.clear();
            }
        }
        Action::View(v) => s.view = v,
        Action::Url(h) => {
            let (u, problems) = hash::parse(&h);
            s.url_notes = problems.iter().map(|p| p.to_string()).collect();
            // (Profiles by URL and embed mode.)
            s = s.follow_link(&h);
            if u != UrlState::default() && u != s.url_state() {
                s.url = Some(u);
                s.apply_url();
            }
        }
        Action::Search(t) => s.search = t,
        Action::Focus(f) => {
            if f.is_some() {
                s.pivot = None;
            }
            s.focus = f;
            s.zoom.clear();
            if s.view != View::Diff {
                s.view = View::Flame;
            }
        }
        Action::Zoom(z) => s.zoom = z,
        Action::DiffBase(id) => {
            s.diff_base = Some(id);
            s.zoom.clear();
        }
        Action::DiffTarget(id) => {
            s.diff_target = Some(id);
            s.zoom.clear();
        }
        Action::Swap => {
            std::mem::swap(&mut s.diff_base, &mut s.diff_target);
            s.zoom.clear();
        }
        Action::Normalize(n) => s.normalize = n,
        Action::DiffFlame(f) => {
            s.diff_flame = f;
            s.zoom.clear();
        }
        Action::DiffOnBase(b) => s.diff_on_base = b,
        Action::Sort(by) => {
            s.sort = by;
            s.top_limit = TOP_PAGE;
        }
        Action::TopLimit(n) => s.top_limit = n,
        Action::Refine(r) => s.set_refine(r),
        Action::LabelsOpen(o) => s.labels_open = o,
        Action::Answer(req, resp) => {
            let refine = request_refine(&req).cloned();
            match (&resp, refine) {
                // A refinement the engine refused (a bad regex or tag filter): the view goes
                // back to the last one that worked, and the bar says why.
                (Response::Error { message }, Some(r)) if r == s.refine && r != s.refine_ok => {
                    s.refine = s.refine_ok.clone();
                    s.refine_error = Some(message.clone());
                    return s;
                }
                // (An answer for a refinement no longer shown: nothing to say.)
                (Response::Error { .. }, Some(r)) if r != s.refine => return s,
                (Response::Error { .. }, _) => {}
                (_, Some(r)) if r == s.refine => s.refine_ok = r,
                _ => {}
            }
            if let Response::Error { message } = &resp {
                s.request_error = Some(message.clone());
            } else {
                s.request_error = None;
            }
            if let Response::Merged(summary) = &resp {
                s.show_new(summary.clone());
                return s;
            }
            if let Response::UnitSet(summary) = &resp {
                // Same numbers, new unit: every answer is asked again, to show the unit.
                if let Some(e) = s.entries.iter_mut().find(|e| e.summary.id == summary.id) {
                    e.summary = Summary { bytes: e.summary.bytes, ..summary.clone() };
                    s.clear_answers();
                }
                return s;
            }
            let slot = match &req {
                Request::Top { .. } => &mut s.top,
                Request::Flame { pivot: None, .. } => &mut s.flame,
                Request::Diff { .. } => &mut s.diff,
                Request::Leaks { .. } => &mut s.leaks,
                Request::Labels { .. } => &mut s.labels,
                Request::Flame { pivot: Some(_), inverted: true, .. } => &mut s.pivot_callers,
                Request::Flame { pivot: Some(_), .. } => &mut s.pivot_callees,
                Request::Peek { .. } => &mut s.peek,
                Request::Graph { .. } => {
                    s.graph_seq += 1;
                    &mut s.graph
                }
                Request::Source { .. } => &mut s.source,
                _ => return s,
            };
            *slot = Some(Answer { request: req, response: std::rc::Rc::new(resp) });
        }
        Action::PickSeries(id) => {
            s.series_pick = Some(id);
            s.series_out.clear();
            s.series_in.clear();
        }
        Action::SeriesMember(id, on) => {
            let own = s.current_series().is_some_and(|x| x.ids.contains(&id));
            s.series_out.retain(|&x| x != id);
            s.series_in.retain(|&x| x != id);
            match (own, on) {
                (true, false) => s.series_out.push(id),
                (false, true) => s.series_in.push(id),
                _ => {}
            }
        }
        Action::OpenSnapshot(id) => {
            // (The series stays the one the leak view read.)
            s.series_pick = s.series_pick.or(s.current_series().and_then(|x| x.ids.first().copied()));
            s = reduce(s, Action::Select(id));
            s.view = View::Flame;
        }
        Action::OpenPair(base, target) => {
            s.diff_base = Some(base);
            s.diff_target = Some(target);
            s.view = View::Diff;
        }
        Action::DismissErrors => {
            s.errors.clear();
            s.batch_failed = false;
        }
        Action::Dark(d) => s.dark = d,
        Action::ToggleDark => s.dark = !s.dark,
        Action::ResetZoom => {
            if s.pivot.is_some() {
                // Esc leaves pivot mode first.
                return reduce(s, Action::Pivot(None));
            }
            s = reduce(s, Action::Zoom(vec![]));
            s = reduce(s, Action::Focus(None));
        }
        Action::Inverted(i) => {
            s.inverted = i;
            s.zoom.clear();
        }
        Action::Pivot(p) => {
            if p.is_some() && !matches!(s.view, View::Flame | View::Peek) {
                s.view = View::Flame;
            }
            s.pivot = p.filter(|p| !p.is_empty());
            s.peek_limit = PEEK_PAGE;
        }
        Action::PeekLimit(n) => s.peek_limit = n,
        Action::GraphOptions(o) => s.graph_options = o,
        Action::GraphDiff(on) => s.graph_diff = on,
        Action::GraphDrawn(seq) => s.graph_drawn = seq,
        Action::LoadErrors(msgs) => {
            s.batch_failed |= !msgs.is_empty();
            s.errors.extend(msgs);
        }
        Action::OpenUrls(urls) => s = s.open_urls(&urls),
        Action::OpenSuspect(f) => {
            if let Some(Answer { request: Request::Leaks { ids, .. }, response }) = &s.leaks {
                if ids.len() >= 2 && matches!(**response, Response::Leaks(LeakReport { .. })) {
                    s.diff_base = ids.first().copied();
                    s.diff_target = ids.last().copied();
                }
            }
            s.view = View::Diff;
            s.diff_flame = true;
            s.focus = Some(f);
            s.zoom.clear();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProfileKind, ValueType};

    fn summary(id: u32, time: i64) -> Summary {
        Summary {
            id,
            name: format!("f{id}"),
            sample_types: vec![
                ValueType { name: "alloc_space".into(), unit: "bytes".into() },
                ValueType { name: "inuse_space".into(), unit: "bytes".into() },
            ],
            default_sample_type: 1,
            time_nanos: time,
            duration_nanos: 0,
            period: 0,
            period_type: None,
            samples: 1,
            functions: 1,
            format: String::new(),
            kind: ProfileKind::Heap,
            comments: vec![],
            bytes: 0,
            // One program unless a test says otherwise.
            fingerprint: crate::analysis::series::Fingerprint { program: "test".into(), ..Default::default() },
        }
    }

    #[test]
    fn the_leak_view_reads_one_programs_series_in_time_order() {
        use crate::analysis::series::Fingerprint;
        let program = |p: &str| Fingerprint { program: p.into(), build_id: "b".into(), ..Default::default() };
        let mut s = reduce(AppState::default(), Action::Open(vec!["heap.pb.gz".into(), "s2".into(), "s1".into(), "s3".into()]));
        // The bundled example, loaded first but stamped last, is another program.
        for (id, time, prog) in [(1, 900, "example"), (2, 200, "svc"), (3, 100, "svc"), (4, 300, "svc")] {
            s = reduce(s, Action::Loaded(Summary { fingerprint: program(prog), ..summary(id, time) }));
        }
        s = reduce(s, Action::View(View::Leaks));
        assert_eq!(s.series(), vec![3, 2, 4], "the service's snapshots, not the example");
        assert!(matches!(s.wanted().as_slice(), [Request::Leaks { ids, .. }] if *ids == vec![3, 2, 4]));
        // The example's own series, when the user picks it or selects the example.
        s = reduce(s, Action::PickSeries(1));
        assert_eq!(s.series(), vec![1]);
        s = reduce(s, Action::PickSeries(2));
        assert_eq!(s.series(), vec![3, 2, 4]);
        // A snapshot taken out, the example forced in (in its place in time), a warning for it.
        s = reduce(s, Action::SeriesMember(2, false));
        s = reduce(s, Action::SeriesMember(1, true));
        assert_eq!(s.series(), vec![3, 4, 1]);
        assert_eq!(s.series_mix().iter().map(|m| m.0).collect::<Vec<_>>(), vec![1]);
        s = reduce(s, Action::SeriesMember(1, false));
        s = reduce(s, Action::SeriesMember(2, true));
        assert_eq!(s.series(), vec![3, 2, 4]);
        assert!(s.series_mix().is_empty());
    }

    #[test]
    fn merge_sums_the_selected_profiles_series_not_another_programs_profiles() {
        use crate::analysis::series::Fingerprint;
        let program = |p: &str| Fingerprint { program: p.into(), build_id: "b".into(), ..Default::default() };
        let mut s = reduce(AppState::default(), Action::Open(vec!["heap.pb.gz".into(), "s1".into(), "s2".into()]));
        for (id, time, prog) in [(1, 900, "example"), (2, 100, "svc"), (3, 200, "svc")] {
            s = reduce(s, Action::Loaded(Summary { fingerprint: program(prog), ..summary(id, time) }));
        }
        s = reduce(s, Action::Select(3));
        assert_eq!(s.mergeable(), vec![2, 3], "the example has the same sample types but is another program");
        s = reduce(s, Action::Merge);
        assert!(matches!(s.outbox.last(), Some(Command::Request(Request::Merge { ids, .. })) if *ids == vec![2, 3]), "{:?}", s.outbox);
        s = reduce(s, Action::Select(1));
        assert_eq!(s.mergeable(), vec![1], "the example stands alone: nothing to merge it with");
    }

    #[test]
    fn loading_orders_by_time_selects_newest_load_and_defaults() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into(), "b".into()]));
        assert_eq!(s.status(), Status::Loading);
        s = reduce(s, Action::Loaded(summary(1, 200)));
        s = reduce(s, Action::Loaded(summary(2, 100)));
        let order: Vec<u32> = s.entries.iter().map(|e| e.summary.id).collect();
        assert_eq!(order, vec![2, 1]);
        assert_eq!(s.selected, Some(2));
        assert_eq!(s.sample_type, "inuse_space");
        assert_eq!((s.diff_base, s.diff_target), (Some(2), Some(1)));
        // The top view wants the table, then the flame graph; ready only once both arrived.
        assert_eq!(s.status(), Status::Loading);
        let wanted = s.wanted();
        assert!(
            matches!(wanted.as_slice(), [Request::Top { id: 2, .. }, Request::Flame { source: FlameSource::Single { id: 2 }, .. }]),
            "{wanted:?}"
        );
        s = reduce(s, Action::Answer(wanted[0].clone(), Response::Done));
        assert_eq!(s.status(), Status::Loading);
        s = reduce(s, Action::Answer(wanted[1].clone(), Response::Done));
        assert_eq!(s.status(), Status::Ready);
        // Changing the sample type makes the answer stale.
        s = reduce(s, Action::SampleType("alloc_space".into()));
        assert_eq!(s.status(), Status::Loading);
    }

    #[test]
    fn the_top_table_asks_for_one_page_in_the_current_order() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["f1".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        let top = |s: &AppState| s.wanted().into_iter().find(|r| matches!(r, Request::Top { .. })).expect("top request");
        assert!(matches!(top(&s), Request::Top { order: TopOrder::Flat, limit: TOP_PAGE, .. }));
        s = reduce(s, Action::TopLimit(0));
        assert!(matches!(top(&s), Request::Top { order: TopOrder::Flat, limit: 0, .. }));
        // A new order starts again at one page.
        s = reduce(s, Action::Sort(SortBy::Cum));
        assert!(matches!(top(&s), Request::Top { order: TopOrder::Cum, limit: TOP_PAGE, .. }));
        s = reduce(s, Action::Sort(SortBy::Name));
        assert!(matches!(top(&s), Request::Top { order: TopOrder::Name, .. }));
        s = reduce(s, Action::TopLimit(0));
        s = reduce(s, Action::SampleType("alloc_space".into()));
        assert!(matches!(top(&s), Request::Top { limit: TOP_PAGE, .. }));
    }

    #[test]
    fn a_failed_file_keeps_what_is_loaded_and_a_good_one_recovers() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["good".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = reduce(s, Action::Open(vec!["bad".into()]));
        s = reduce(s, Action::LoadFailed(2, "not gzip or pprof protobuf".into()));
        assert_eq!(s.status(), Status::Error);
        assert_eq!(s.errors, vec!["bad: not gzip or pprof protobuf".to_string()]);
        assert_eq!(s.entries.len(), 1);
        s = reduce(s, Action::Open(vec!["good2".into()]));
        s = reduce(s, Action::Loaded(summary(3, 0)));
        for req in s.wanted() {
            s = reduce(s, Action::Answer(req, Response::Done));
        }
        assert_eq!(s.status(), Status::Ready);
        assert!(s.errors.is_empty());
    }

    fn top_answer(id: u32, sample_type: &str) -> Response {
        Response::Top { id, sample_type: sample_type.into(), unit: "bytes".into(), total: 7, rows: vec![], n_rows: 0, notes: vec![] }
    }

    #[test]
    fn a_preview_shows_the_table_while_the_file_still_loads() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["old".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = reduce(s, Action::Open(vec!["big".into()]));
        s = reduce(s, Action::Preview(summary(2, 5)));
        assert!(s.top_coming.is_some(), "the table is on its way: not asked of the worker");
        s = reduce(s, Action::PreviewTop(top_answer(2, "inuse_space")));
        // Shown and selected, its table answered; still loading (the flame graph waits for
        // the model), so the progress bar and Cancel stay.
        assert_eq!(s.selected, Some(2));
        assert_eq!(s.entries.len(), 2);
        assert_eq!(s.loading.len(), 1);
        assert_eq!(s.status(), Status::Loading);
        assert!(s.is_current(&s.top), "the preview answers the table the view wants");
        let wanted = s.wanted();
        assert!(matches!(wanted.as_slice(), [Request::Top { .. }, Request::Flame { .. }]), "{wanted:?}");
        // What the user chooses meanwhile survives the load's end.
        s = reduce(s, Action::Sort(SortBy::Cum));
        s = reduce(s, Action::SampleType("alloc_space".into()));
        s = reduce(s, Action::Loaded(summary(2, 5)));
        assert!(s.loading.is_empty());
        assert_eq!((s.sort, s.sample_type.as_str(), s.selected), (SortBy::Cum, "alloc_space", Some(2)));
        assert_eq!(s.entries.len(), 2);
        for req in s.wanted() {
            s = reduce(s, Action::Answer(req, Response::Done));
        }
        assert_eq!(s.status(), Status::Ready);
    }

    #[test]
    fn a_preview_for_another_table_or_a_file_no_longer_loading_is_not_shown() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into()]));
        s = reduce(s, Action::Sort(SortBy::Name));
        s = reduce(s, Action::Preview(summary(1, 0)));
        s = reduce(s, Action::PreviewTop(top_answer(1, "inuse_space")));
        assert_eq!(s.entries.len(), 1);
        assert!(s.top.is_none() && s.top_coming.is_none(), "a preview is in flat order: not the table sorted by name");
        // Cancelled: the entry goes with the load, and a late preview brings nothing back.
        s = reduce(s, Action::Cancel);
        assert!(s.entries.is_empty());
        assert_eq!(s.selected, None);
        s = reduce(s, Action::Preview(summary(1, 0)));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        assert!(s.entries.is_empty());
    }

    #[test]
    fn a_batch_shows_its_first_file_until_the_last_one_arrives() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into(), "b".into(), "c".into()]));
        s = reduce(s, Action::Preview(summary(1, 0)));
        assert_eq!(s.selected, Some(1));
        assert!(matches!(s.top_coming, Some(Request::Top { id: 1, .. })));
        // b's preview comes while c is still on its way: a stays shown, b's early table is
        // not the one the view wants.
        s = reduce(s, Action::Preview(summary(2, 0)));
        assert_eq!(s.selected, Some(1));
        s = reduce(s, Action::PreviewTop(top_answer(2, "inuse_space")));
        assert!(s.top.is_none(), "the table of a profile not shown is left out");
        s = reduce(s, Action::PreviewTop(top_answer(1, "inuse_space")));
        assert!(s.is_current(&s.top));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = reduce(s, Action::Loaded(summary(2, 0)));
        assert_eq!(s.selected, Some(1), "c is still loading");
        assert_eq!(s.entries.len(), 2);
        // The last file of the batch is shown, as after any load.
        s = reduce(s, Action::Loaded(summary(3, 0)));
        assert_eq!(s.selected, Some(3));
        assert_eq!((s.diff_base, s.diff_target), (Some(1), Some(3)));
    }

    #[test]
    fn a_preview_whose_load_fails_or_is_removed_goes() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["good".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = reduce(s, Action::Open(vec!["bad".into(), "gone".into()]));
        s = reduce(s, Action::Preview(summary(2, 0)));
        s = reduce(s, Action::Preview(summary(3, 0)));
        assert_eq!(s.entries.len(), 3);
        assert_eq!(s.selected, Some(1), "the batch is still loading: what was shown stays");
        s = reduce(s, Action::Remove(3));
        s = reduce(s, Action::LoadFailed(2, "stack depth exceeds the limit".into()));
        let ids: Vec<u32> = s.entries.iter().map(|e| e.summary.id).collect();
        assert_eq!(ids, vec![1]);
        assert_eq!(s.selected, Some(1));
        assert_eq!(s.status(), Status::Error);
        // The removed file's model arrives later: it stays removed.
        s = reduce(s, Action::Loaded(summary(3, 0)));
        assert_eq!(s.entries.len(), 1);
    }

    #[test]
    fn a_unit_set_is_sent_then_every_answer_asked_again() {
        let mut s = AppState::default();
        s = reduce(s, Action::Open(vec!["f.folded".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        let top = Request::Top { id: 1, sample_type: "samples".into(), order: TopOrder::Flat, limit: TOP_PAGE, refine: Refine::default() };
        s = reduce(s, Action::Answer(top.clone(), Response::Done));
        assert!(s.top.is_some());
        s = reduce(s, Action::SetUnit(1, "nanoseconds".into()));
        assert_eq!(s.outbox.last(), Some(&Command::Request(Request::SetUnit { id: 1, unit: "nanoseconds".into() })));
        let epoch = s.epoch;
        let mut new = summary(1, 0);
        new.sample_types[0].unit = "nanoseconds".into();
        s = reduce(s, Action::Answer(Request::SetUnit { id: 1, unit: "nanoseconds".into() }, Response::UnitSet(new)));
        assert_eq!(s.entries[0].summary.sample_types[0].unit, "nanoseconds");
        assert!(s.top.is_none() && s.epoch > epoch, "the table is asked again, in the new unit");
    }

    #[test]
    fn a_merged_profile_is_added_and_shown() {
        let mut s = AppState::default();
        for i in 1..=2 {
            s = reduce(s, Action::Open(vec![format!("f{i}")]));
            s = reduce(s, Action::Loaded(summary(i, i as i64)));
        }
        assert_eq!(s.mergeable(), vec![1, 2]);
        let req = Request::Merge { ids: vec![1, 2], new_id: 9, name: "merged".into() };
        s = reduce(s, Action::Answer(req, Response::Merged(summary(9, 3))));
        assert_eq!(s.entries.len(), 3);
        assert_eq!(s.selected, Some(9));
    }

    #[test]
    fn swap_and_remove_keep_diff_selection_valid() {
        let mut s = AppState::default();
        for i in 1..=3 {
            s = reduce(s, Action::Open(vec![format!("f{i}")]));
            s = reduce(s, Action::Loaded(summary(i, i as i64)));
        }
        s = reduce(s, Action::Swap);
        assert_eq!((s.diff_base, s.diff_target), (Some(3), Some(1)));
        s = reduce(s, Action::Remove(3));
        assert_eq!(s.diff_base, Some(1));
        assert_eq!(s.diff_target, Some(1));
        assert_eq!(s.selected, Some(2));
    }

    fn named(id: u32, name: &str) -> Summary {
        Summary { name: name.into(), ..summary(id, id as i64) }
    }

    #[test]
    fn same_named_files_get_distinct_display_names_that_stay() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["heap.pb.gz".into(), "heap.pb.gz".into()]));
        let names: Vec<&str> = s.loading.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["heap.pb.gz", "heap.pb.gz (2)"], "named while loading (progress, errors)");
        // The second one loads first: it keeps its name.
        s = reduce(s, Action::Loaded(named(2, "heap.pb.gz")));
        s = reduce(s, Action::Loaded(named(1, "heap.pb.gz")));
        s = reduce(s, Action::Open(vec!["heap.pb.gz".into(), "cpu.pb.gz".into()]));
        s = reduce(s, Action::Preview(named(3, "heap.pb.gz")));
        s = reduce(s, Action::Loaded(named(3, "heap.pb.gz")));
        s = reduce(s, Action::Loaded(named(4, "cpu.pb.gz")));
        let labels = |s: &AppState| s.entries.iter().map(|e| (e.summary.id, e.label.clone())).collect::<Vec<_>>();
        assert_eq!(
            labels(&s),
            [(1, "heap.pb.gz".into()), (2, "heap.pb.gz (2)".into()), (3, "heap.pb.gz (3)".into()), (4, "cpu.pb.gz".into())]
        );
        // Labels map back to ids, so a selector picks the profile it shows.
        assert_eq!(s.id_by_label("heap.pb.gz (2)"), Some(2));
        assert_eq!(s.label_of(3), Some("heap.pb.gz (3)"));
        // Removing the first renames nothing; the next file of that name takes the free name,
        // and a file really called "heap.pb.gz (3)" does not collide with the one named so.
        s = reduce(s, Action::Remove(1));
        s = reduce(s, Action::Open(vec!["heap.pb.gz".into(), "heap.pb.gz (3)".into()]));
        s = reduce(s, Action::Loaded(named(5, "heap.pb.gz")));
        s = reduce(s, Action::Loaded(named(6, "heap.pb.gz (3)")));
        assert_eq!(
            labels(&s),
            [
                (2, "heap.pb.gz (2)".into()),
                (3, "heap.pb.gz (3)".into()),
                (4, "cpu.pb.gz".into()),
                (5, "heap.pb.gz".into()),
                (6, "heap.pb.gz (3) (2)".into())
            ]
        );
        // A merge is named once too.
        s = reduce(s, Action::Select(2));
        s = reduce(s, Action::Merge);
        let Some(Command::Request(req)) = s.outbox.last().cloned() else { panic!("{:?}", s.outbox) };
        let Request::Merge { new_id, name, .. } = req.clone() else { panic!("{req:?}") };
        s = reduce(s, Action::Answer(req.clone(), Response::Merged(named(new_id, &name))));
        s = reduce(s, Action::Merge);
        s = reduce(s, Action::Answer(req, Response::Merged(named(new_id + 1, &name))));
        let merged: Vec<String> = s.entries.iter().filter(|e| e.summary.id >= new_id).map(|e| e.label.clone()).collect();
        assert_eq!(merged, [name.clone(), format!("{name} (2)")]);
    }

    #[test]
    fn the_diff_selection_follows_ids_not_names() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["heap.pb.gz".into(), "heap.pb.gz".into(), "x".into()]));
        for id in 1..=3 {
            s = reduce(s, Action::Loaded(named(id, if id == 3 { "x" } else { "heap.pb.gz" })));
        }
        let target = s.id_by_label("heap.pb.gz (2)").expect("a label");
        s = reduce(s, Action::DiffTarget(target));
        s = reduce(s, Action::View(View::Diff));
        assert!(matches!(s.wanted().as_slice(), [Request::Diff { base: 1, target: 2, .. }]), "{:?}", s.wanted());
    }

    #[test]
    fn changes_of_the_loaded_set_are_queued_once_in_order() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into(), "b".into()]));
        assert_eq!(
            s.outbox,
            [Command::Load { id: 1, file_name: "a".into(), preview: true }, Command::Load { id: 2, file_name: "b".into(), preview: false }]
        );
        assert_eq!((s.outbox_start, s.outbox_end()), (0, 2));
        // The page sent the first only (say, a second action came before the effect ran).
        s = reduce(s, Action::Sent(1));
        assert_eq!(s.outbox, [Command::Load { id: 2, file_name: "b".into(), preview: false }]);
        s = reduce(s, Action::Sent(2));
        assert!(s.outbox.is_empty());
        // A repeated or stale confirmation changes nothing.
        s = reduce(s, Action::Sent(1));
        assert_eq!((s.outbox_start, s.outbox.len()), (2, 0));
        s = reduce(s, Action::Loaded(summary(1, 1)));
        // Cancel names exactly the files still loading; then nothing is left to cancel.
        s = reduce(s, Action::Cancel);
        assert_eq!(s.outbox, [Command::Cancel { ids: vec![2] }]);
        s = reduce(s, Action::Cancel);
        assert_eq!(s.outbox.len(), 1);
        // Removing: a loaded profile is removed from the workers; an unknown id asks nothing.
        s = reduce(s, Action::Remove(1));
        s = reduce(s, Action::Remove(1));
        s = reduce(s, Action::Remove(77));
        assert_eq!(s.outbox, [Command::Cancel { ids: vec![2] }, Command::Remove { id: 1 }]);
        assert_eq!(s.outbox_end(), 4);
        // A merge takes a fresh id, never one a load had, and needs two profiles of a kind.
        s = reduce(s, Action::Open(vec!["c".into()]));
        s = reduce(s, Action::Merge);
        assert_eq!(s.outbox.len(), 3, "nothing to merge while nothing is loaded: {:?}", s.outbox);
        s = reduce(s, Action::Loaded(summary(3, 3)));
        s = reduce(s, Action::Open(vec!["d".into()]));
        s = reduce(s, Action::Loaded(summary(4, 4)));
        s = reduce(s, Action::Merge);
        assert_eq!(
            s.outbox.last(),
            Some(&Command::Request(Request::Merge { ids: vec![3, 4], new_id: 5, name: "merged (2 profiles)".into() }))
        );
        s = reduce(s, Action::Open(vec!["e".into()]));
        assert_eq!(s.outbox.last(), Some(&Command::Load { id: 6, file_name: "e".into(), preview: true }));
    }

    #[test]
    fn a_link_waits_for_its_profiles_then_applies_and_names_what_it_could_not() {
        // The page opens on a link, then the files it names are dropped.
        let mut s = reduce(AppState::default(), Action::Url("#view=diff&si=alloc_space&base=b&target=a&norm=1&sort=cum&zz=1".into()));
        assert!(s.url.is_some(), "kept until profiles are loaded");
        assert_eq!(s.url_notes.len(), 1, "{:?}", s.url_notes);
        assert!(s.url_notes[0].contains("`zz`"));
        s = reduce(s, Action::Open(vec!["a".into(), "b".into()]));
        let mut a = summary(1, 100);
        a.name = "a".into();
        let mut b = summary(2, 200);
        b.name = "b".into();
        s = reduce(s, Action::Loaded(a));
        // `b` is still loading: the link is not done with.
        assert!(s.url.is_some());
        s = reduce(s, Action::Loaded(b));
        assert_eq!(s.url, None);
        assert_eq!(s.view, View::Diff);
        assert_eq!(s.sample_type, "alloc_space", "not the default inuse_space");
        assert_eq!((s.diff_base, s.diff_target), (Some(2), Some(1)), "by display name, against the time-order defaults");
        assert!(s.normalize);
        assert_eq!(s.sort, SortBy::Cum);
        // What the page writes back reads as the same state.
        let written = hash::write(&s.url_state());
        assert_eq!(written, "view=diff&si=alloc_space&base=b&target=a&norm=1&sort=cum");
        let again = reduce(s.clone(), Action::Url(written));
        assert_eq!(again, AppState { url_notes: vec![], ..s.clone() });
    }

    #[test]
    fn a_hash_change_applies_to_loaded_profiles_and_unknown_names_are_reported() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        assert_eq!((s.view, s.sample_type.as_str()), (View::Top, "inuse_space"));
        s = reduce(s, Action::Url("view=flame&si=alloc_space".into()));
        assert_eq!((s.view, s.sample_type.as_str()), (View::Flame, "alloc_space"));
        assert_eq!(s.url, None);
        s = reduce(s, Action::Url("view=diff&si=nope&target=missing".into()));
        assert_eq!(s.view, View::Diff, "the rest of the link applies");
        assert_eq!(s.sample_type, "alloc_space");
        assert_eq!(s.url_notes.len(), 2, "{:?}", s.url_notes);
        assert!(s.url_notes[0].contains("nope") && s.url_notes[1].contains("missing"), "{:?}", s.url_notes);
        assert_eq!(s.url_state().view.as_deref(), Some("diff"));
    }

    fn ready(mut s: AppState) -> AppState {
        for req in s.wanted() {
            let resp = match &req {
                Request::Top { id, sample_type, .. } => top_answer(*id, sample_type),
                _ => Response::Done,
            };
            s = reduce(s, Action::Answer(req, resp));
        }
        s
    }

    #[test]
    fn a_graph_link_asks_for_pprofs_graph_and_is_ready_once_drawn() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into(), "b".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = reduce(s, Action::Loaded(summary(2, 1)));
        s = reduce(s, Action::Url("view=graph&si=alloc_space&n=20&nf=0.05".into()));
        let want = GraphOptions { nodecount: 20, nodefraction: 0.05, edgefraction: 0.001 };
        let wanted = s.wanted();
        let [Request::Graph { id, base: None, sample_type, options, .. }] = wanted.as_slice() else { panic!("{wanted:?}") };
        assert_eq!((*id, sample_type.as_str(), *options), (2, "alloc_space", want));
        // The answer alone is not "ready": the graph is laid out and drawn first.
        let req = s.wanted()[0].clone();
        s = reduce(s, Action::Answer(req, Response::Done));
        assert_eq!(s.status(), Status::Loading);
        let seq = s.graph_seq;
        s = reduce(s, Action::GraphDrawn(seq));
        assert_eq!(s.status(), Status::Ready);
        let h = hash::write(&s.url_state());
        assert!(
            h.contains("view=graph") && h.contains("n=20") && h.contains("nf=0.05") && !h.contains("ef=") && !h.contains("base="),
            "{h}"
        );
        // With base and target: the diff graph, and the link says so.
        s = reduce(s, Action::Url("view=graph&si=alloc_space&base=a&target=b".into()));
        assert!(
            matches!(s.wanted().as_slice(), [Request::Graph { id: 2, base: Some(1), options, .. }] if *options == GraphOptions::default()),
            "{:?}",
            s.wanted()
        );
        let h = hash::write(&s.url_state());
        assert!(h.contains("base=a") && h.contains("target=b") && !h.contains("n="), "{h}");
        s = reduce(s, Action::GraphDiff(false));
        assert!(matches!(s.wanted().as_slice(), [Request::Graph { base: None, .. }]), "{:?}", s.wanted());
    }

    #[test]
    fn a_refinement_reaches_every_request_and_the_hash_and_back_undoes_it() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = ready(s);
        let plain = hash::write(&s.url_state());
        s = reduce(s, Action::Zoom(vec!["main.main".into()]));
        let r = Refine { focus: "^main\\.leak$".into(), granularity: crate::protocol::Granularity::Lines, ..Refine::default() };
        s = reduce(s, Action::Refine(r.clone()));
        assert!(s.zoom.is_empty(), "the zoomed path may not exist in the refined graph");
        assert_eq!(s.status(), Status::Loading);
        for req in s.wanted() {
            assert_eq!(request_refine(&req), Some(&r), "{req:?}");
        }
        let written = hash::write(&s.url_state());
        assert_eq!(written, format!("{plain}&f=%5Emain%5C.leak$&g=lines"));
        s = ready(s);
        assert_eq!((s.status(), &s.refine_ok), (Status::Ready, &r));
        // Back: the hash without the filter is the unrefined view.
        s = reduce(s, Action::Url(format!("#{plain}")));
        assert_eq!(s.refine, Refine::default());
        // Forward again.
        s = reduce(s, Action::Url(written));
        assert_eq!(s.refine, r);
        assert!(s.url_notes.is_empty(), "{:?}", s.url_notes);
    }

    #[test]
    fn a_refinement_the_engine_refuses_keeps_the_previous_view_and_says_why() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        let good = Refine { ignore: "runtime".into(), ..Refine::default() };
        s = reduce(s, Action::Refine(good.clone()));
        s = ready(s);
        let shown = s.top.clone();
        let bad = Refine { tagfocus: "bytes=lots".into(), ..good.clone() };
        s = reduce(s, Action::Refine(bad.clone()));
        let wanted = s.wanted();
        let msg = "tagfocus: \"bytes=lots\" is not a tag filter";
        s = reduce(s, Action::Answer(wanted[0].clone(), Response::Error { message: msg.into() }));
        assert_eq!(s.refine, good, "back to the last refinement that worked");
        assert_eq!(s.refine_error.as_deref(), Some(msg));
        assert_eq!(s.request_error, None, "said by the bar, not as a page error");
        assert_eq!(s.top, shown);
        assert_eq!(s.status(), Status::Ready, "the previous view is still all there");
        // The flame graph's error for the same refinement comes later: nothing more to say.
        s = reduce(s, Action::Answer(wanted[1].clone(), Response::Error { message: msg.into() }));
        assert_eq!((s.status(), s.request_error.as_ref()), (Status::Ready, None));
        // The next change clears the message.
        s = reduce(s, Action::Refine(Refine::default()));
        assert_eq!(s.refine_error, None);
    }

    #[test]
    fn the_engines_notes_on_a_refinement_are_collected_once() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        let wanted = s.wanted();
        let note = "focus \"zzz\" matched no frame".to_string();
        let Response::Top { id, sample_type, unit, total, rows, n_rows, .. } = top_answer(1, "inuse_space") else { unreachable!() };
        s = reduce(
            s,
            Action::Answer(wanted[0].clone(), Response::Top { id, sample_type, unit, total, rows, n_rows, notes: vec![note.clone()] }),
        );
        assert_eq!(s.refine_notes(), vec![note]);
    }

    // Pivot, inverted flame graph and peek.
    #[test]
    fn a_pivot_link_shows_callers_callees_and_peek_and_esc_leaves_it() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = reduce(s, Action::Url("p=%5Emain%5C.f%24&inv=1".into()));
        assert!(s.url_notes.is_empty(), "{:?}", s.url_notes);
        assert_eq!((s.view, s.pivot.as_deref(), s.inverted), (View::Flame, Some("^main\\.f$"), true));
        let w = s.wanted();
        assert!(
            matches!(w.as_slice(), [
                Request::Flame { inverted: true, pivot: Some(a), .. },
                Request::Flame { inverted: false, pivot: Some(b), .. },
                Request::Peek { regex, .. },
            ] if a == "^main\\.f$" && b == a && regex == a),
            "{w:?}"
        );
        // Each answer lands in its own slot; the view is ready once all three came.
        for req in w {
            s = reduce(s, Action::Answer(req, Response::Done));
        }
        assert!(s.pivot_callers.is_some() && s.pivot_callees.is_some() && s.peek.is_some() && s.flame.is_none());
        assert_eq!(s.status(), Status::Ready);
        assert_eq!(hash::write(&s.url_state()), "view=flame&si=inuse_space&p=%5Emain%5C.f$&inv=1");
        // Back to a link without the pivot leaves it; forward brings it back.
        let with = hash::write(&s.url_state());
        let mut back = reduce(s.clone(), Action::Url("view=flame&si=inuse_space&inv=1".into()));
        assert_eq!((back.pivot.as_deref(), back.inverted), (None, true));
        back = reduce(back, Action::Url(with));
        assert_eq!(back.pivot, s.pivot);
        // Esc leaves the pivot view first, then the inverted graph stays.
        s = reduce(s, Action::ResetZoom);
        assert_eq!(s.pivot, None);
        assert!(matches!(s.wanted().as_slice(), [Request::Flame { inverted: true, pivot: None, .. }]), "{:?}", s.wanted());
        // The peek view peeks at the search when there is no pivot or focus filter.
        s = reduce(s, Action::View(View::Peek));
        s = reduce(s, Action::Search("alloc".into()));
        assert!(matches!(s.wanted().as_slice(), [Request::Peek { regex, .. }] if regex == "alloc"), "{:?}", s.wanted());
    }

    #[test]
    fn the_source_view_lists_the_focus_and_its_link_says_view_source() {
        let mut s = reduce(AppState::default(), Action::Open(vec!["a".into()]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = reduce(s, Action::Url("view=source&f=main%5C.crunch".into()));
        assert!(s.url_notes.is_empty(), "{:?}", s.url_notes);
        assert_eq!(s.view, View::Source);
        let w = s.wanted();
        assert!(
            matches!(w.as_slice(), [Request::Source { id: 1, regex, limit: SOURCE_PAGE, refine, .. }] if regex == "main\\.crunch" && refine.focus == *regex),
            "{w:?}"
        );
        s = reduce(s, Action::Answer(w[0].clone(), Response::Done));
        assert!(s.source.is_some());
        assert_eq!(s.status(), Status::Ready);
        assert!(hash::write(&s.url_state()).starts_with("view=source&"), "{}", hash::write(&s.url_state()));
    }
}
