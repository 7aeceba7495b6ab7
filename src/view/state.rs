//! App state and `reduce(state, action)`: what the page shows, decided without a browser.

use crate::analysis::leaks::LeakReport;
use crate::decode::Stage;
use crate::protocol::{FlameSource, Request, Response, Summary, TopOrder};
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
}

pub use crate::protocol::{FLAME_MIN_FRACTION, TOP_PAGE};

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
}

/// A file being loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct Loading {
    /// Id it will get.
    pub id: u32,
    /// File name.
    pub name: String,
    /// Stage.
    pub stage: Stage,
    /// Fraction of the stage done.
    pub fraction: f64,
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
            top_limit: TOP_PAGE,
            top: None,
            top_coming: None,
            flame: None,
            diff: None,
            leaks: None,
            request_error: None,
            epoch: 0,
            dark: false,
        }
    }
}

/// Things that happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A batch of files starts loading: (id, file name).
    BeginBatch(Vec<(u32, String)>),
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
    /// Loading was cancelled.
    Cancel,
    /// The worker died; it is restarted.
    WorkerCrashed(String),
    /// Remove a profile.
    Remove(u32),
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
    /// Open a leak suspect: diff of first vs last snapshot focused on the function.
    OpenSuspect(String),
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

    /// Profiles that can be merged with the selected one (same sample types), time order.
    pub fn mergeable(&self) -> Vec<u32> {
        let Some(sel) = self.selected_entry() else { return vec![] };
        self.entries.iter().filter(|e| e.summary.sample_types == sel.summary.sample_types).map(|e| e.summary.id).collect()
    }

    /// Profiles in the leak series: every loaded profile that has the sample type, time order.
    pub fn series(&self) -> Vec<u32> {
        self.entries.iter().filter(|e| e.summary.sample_types.iter().any(|t| t.name == self.sample_type)).map(|e| e.summary.id).collect()
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
                out.push(Request::Top { id: sel, sample_type: st, order, limit: self.top_limit });
                out.push(self.flame_request(FlameSource::Single { id: sel }));
            }
            View::Flame => out.push(self.flame_request(FlameSource::Single { id: sel })),
            View::Diff => {
                if let (Some(base), Some(target)) = (self.diff_base, self.diff_target) {
                    out.push(Request::Diff { base, target, sample_type: st, normalize: self.normalize });
                    if self.diff_flame {
                        out.push(self.flame_request(FlameSource::Diff { base, target, normalize: self.normalize }));
                    }
                }
            }
            View::Leaks => out.push(Request::Leaks { ids: self.series(), sample_type: st }),
        }
        out
    }

    fn flame_request(&self, source: FlameSource) -> Request {
        Request::Flame {
            source,
            sample_type: self.sample_type.clone(),
            focus: self.focus.clone(),
            zoom: self.zoom.clone(),
            search: self.search.clone(),
            min_fraction: FLAME_MIN_FRACTION,
        }
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
        let answers = [&self.top, &self.flame, &self.diff, &self.leaks];
        let all = self.wanted().iter().all(|w| answers.iter().any(|a| a.as_ref().is_some_and(|a| &a.request == w)));
        if all {
            Status::Ready
        } else {
            Status::Loading
        }
    }

    /// Adds a profile and shows it (the newest file loaded is shown, with its default
    /// sample type).
    fn show_new(&mut self, summary: Summary) {
        let id = summary.id;
        let default = summary.sample_types.get(summary.default_sample_type).map(|t| t.name.clone()).unwrap_or_default();
        self.entries.retain(|e| e.summary.id != id);
        self.entries.push(Entry { summary, order: id });
        self.sort_entries();
        self.selected = Some(id);
        self.sample_type = default;
        self.top_limit = TOP_PAGE;
        self.zoom.clear();
        self.focus = None;
        self.diff_base = self.entries.first().map(|e| e.summary.id);
        self.diff_target = self.entries.last().map(|e| e.summary.id);
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

/// The reducer.
pub fn reduce(mut s: AppState, a: Action) -> AppState {
    match a {
        Action::BeginBatch(names) => {
            s.errors.clear();
            s.batch_failed = false;
            for (id, name) in names {
                s.loading.push(Loading { id, name, stage: Stage::Reading, fraction: 0.0 });
            }
        }
        Action::Progress(id, stage, f) => {
            if let Some(l) = s.loading.iter_mut().find(|l| l.id == id) {
                l.stage = stage;
                l.fraction = f;
            }
        }
        Action::Loaded(summary) => {
            let was_loading = s.loading.iter().any(|l| l.id == summary.id);
            s.loading.retain(|l| l.id != summary.id);
            if !was_loading {
                // Replayed into a restarted worker (nothing changes on screen), or removed
                // while it was being built.
                return s;
            }
            if let Some(e) = s.entries.iter_mut().find(|e| e.summary.id == summary.id) {
                // Shown since its preview: what was chosen meanwhile stays.
                e.summary = summary;
                return s;
            }
            s.show_new(summary);
        }
        Action::Preview(summary) => {
            let id = summary.id;
            if !s.loading.iter().any(|l| l.id == id) || s.entries.iter().any(|e| e.summary.id == id) {
                return s;
            }
            s.show_new(summary);
            let want = Request::Top { id, sample_type: s.sample_type.clone(), order: TopOrder::Flat, limit: TOP_PAGE };
            s.top_coming = s.wanted().contains(&want).then_some(want);
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
            s.loading.retain(|l| l.id != id);
            s.forget(id);
            if s.entries.is_empty() {
                s.batch_failed = false;
            }
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
        Action::Search(t) => s.search = t,
        Action::Focus(f) => {
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
        Action::Answer(req, resp) => {
            if let Response::Error { message } = &resp {
                s.request_error = Some(message.clone());
            } else {
                s.request_error = None;
            }
            if let Response::Merged(summary) = &resp {
                s.show_new(summary.clone());
                return s;
            }
            let slot = match &req {
                Request::Top { .. } => &mut s.top,
                Request::Flame { .. } => &mut s.flame,
                Request::Diff { .. } => &mut s.diff,
                Request::Leaks { .. } => &mut s.leaks,
                _ => return s,
            };
            *slot = Some(Answer { request: req, response: std::rc::Rc::new(resp) });
        }
        Action::DismissErrors => {
            s.errors.clear();
            s.batch_failed = false;
        }
        Action::Dark(d) => s.dark = d,
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
        }
    }

    #[test]
    fn loading_orders_by_time_selects_newest_load_and_defaults() {
        let mut s = reduce(AppState::default(), Action::BeginBatch(vec![(1, "a".into()), (2, "b".into())]));
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
        let mut s = reduce(AppState::default(), Action::BeginBatch(vec![(1, "f1".into())]));
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
        let mut s = reduce(AppState::default(), Action::BeginBatch(vec![(1, "good".into())]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = reduce(s, Action::BeginBatch(vec![(2, "bad".into())]));
        s = reduce(s, Action::LoadFailed(2, "not gzip or pprof protobuf".into()));
        assert_eq!(s.status(), Status::Error);
        assert_eq!(s.errors, vec!["bad: not gzip or pprof protobuf".to_string()]);
        assert_eq!(s.entries.len(), 1);
        s = reduce(s, Action::BeginBatch(vec![(3, "good2".into())]));
        s = reduce(s, Action::Loaded(summary(3, 0)));
        for req in s.wanted() {
            s = reduce(s, Action::Answer(req, Response::Done));
        }
        assert_eq!(s.status(), Status::Ready);
        assert!(s.errors.is_empty());
    }

    fn top_answer(id: u32, sample_type: &str) -> Response {
        Response::Top { id, sample_type: sample_type.into(), unit: "bytes".into(), total: 7, rows: vec![], n_rows: 0 }
    }

    #[test]
    fn a_preview_shows_the_table_while_the_file_still_loads() {
        let mut s = reduce(AppState::default(), Action::BeginBatch(vec![(1, "old".into())]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = reduce(s, Action::BeginBatch(vec![(2, "big".into())]));
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
        let mut s = reduce(AppState::default(), Action::BeginBatch(vec![(1, "a".into())]));
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
    fn a_previews_table_that_comes_after_a_newer_preview_is_left_out() {
        let mut s = reduce(AppState::default(), Action::BeginBatch(vec![(1, "a".into()), (2, "b".into())]));
        s = reduce(s, Action::Preview(summary(1, 0)));
        s = reduce(s, Action::Preview(summary(2, 0)));
        s = reduce(s, Action::PreviewTop(top_answer(1, "inuse_space")));
        assert!(s.top.is_none());
        assert!(matches!(s.top_coming, Some(Request::Top { id: 2, .. })), "b's table is still on its way");
        s = reduce(s, Action::PreviewTop(top_answer(2, "inuse_space")));
        assert!(s.is_current(&s.top));
        assert!(s.top_coming.is_none());
    }

    #[test]
    fn a_preview_whose_load_fails_or_is_removed_goes() {
        let mut s = reduce(AppState::default(), Action::BeginBatch(vec![(1, "good".into())]));
        s = reduce(s, Action::Loaded(summary(1, 0)));
        s = reduce(s, Action::BeginBatch(vec![(2, "bad".into()), (3, "gone".into())]));
        s = reduce(s, Action::Preview(summary(2, 0)));
        s = reduce(s, Action::PreviewTop(top_answer(2, "inuse_space")));
        s = reduce(s, Action::Preview(summary(3, 0)));
        // The user switched sample type before the table came: it is not shown.
        s = reduce(s, Action::SampleType("alloc_space".into()));
        s = reduce(s, Action::PreviewTop(top_answer(3, "inuse_space")));
        assert!(s.top.as_ref().is_some_and(|a| matches!(a.request, Request::Top { id: 2, .. })));
        assert_eq!(s.selected, Some(3));
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
    fn a_merged_profile_is_added_and_shown() {
        let mut s = AppState::default();
        for i in 1..=2 {
            s = reduce(s, Action::BeginBatch(vec![(i, format!("f{i}"))]));
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
            s = reduce(s, Action::BeginBatch(vec![(i, format!("f{i}"))]));
            s = reduce(s, Action::Loaded(summary(i, i as i64)));
        }
        s = reduce(s, Action::Swap);
        assert_eq!((s.diff_base, s.diff_target), (Some(3), Some(1)));
        s = reduce(s, Action::Remove(3));
        assert_eq!(s.diff_base, Some(1));
        assert_eq!(s.diff_target, Some(1));
        assert_eq!(s.selected, Some(2));
    }
}
