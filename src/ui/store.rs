//! The store: [`AppState`] and its reducer behind Yew's `use_reducer`, and the one place
//! that talks to the workers. Every change of the loaded set is an [`Action`]; the reducer
//! queues what the workers must do ([`AppState::outbox`]) and decides what the view needs
//! ([`AppState::wanted`]); [`use_store`] sends both after each render.

use super::bridge::Bridge;
use crate::protocol::Request;
use crate::view::state::{reduce, Action, AppState, Command};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use yew::prelude::*;

/// Wrapper making [`AppState`] a Yew reducible.
#[derive(Clone, PartialEq, Default)]
pub struct Store(pub AppState);

impl Reducible for Store {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let s = Rc::try_unwrap(self).map(|s| s.0).unwrap_or_else(|rc| rc.0.clone());
        Rc::new(Store(reduce(s, action)))
    }
}

/// An `Rc` compared by pointer, so big answers are not compared deeply on every render.
#[derive(Clone)]
pub struct Shared<T>(pub Rc<T>);

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The store as components use it.
#[derive(Clone)]
pub struct StoreHandle {
    /// The state and its dispatcher.
    pub state: UseReducerHandle<Store>,
    /// Files handed over with [`Action::Open`], oldest first, until their
    /// [`Command::Load`] is sent; with their place in the browser's storage when they were
    /// kept there (see [`super::keep`]).
    files: Rc<RefCell<VecDeque<Opened>>>,
    /// The workers (exports ask them directly: their files go to the menu, not the store).
    pub bridge: Rc<Bridge>,
}

/// A file handed over, and its place in the browser's storage when it was kept there.
type Opened = (web_sys::File, Option<f64>);

impl StoreHandle {
    /// Opens files: each gets an id and a display name in the reducer, and is read by the
    /// workers when its [`Command::Load`] is sent.
    pub fn open(&self, files: Vec<web_sys::File>) {
        if files.is_empty() {
            return;
        }
        let names = files.iter().map(|f| f.name()).collect();
        self.files.borrow_mut().extend(files.into_iter().map(|f| (f, None)));
        self.state.dispatch(Action::Open(names));
    }

    /// Opens the files kept in the browser's storage (seq, file), in their order.
    pub fn open_kept(&self, files: Vec<(f64, web_sys::File)>) {
        if files.is_empty() {
            return;
        }
        let names = files.iter().map(|(_, f)| f.name()).collect();
        self.files.borrow_mut().extend(files.into_iter().map(|(seq, f)| (f, Some(seq))));
        self.state.dispatch(Action::Open(names));
    }
}

/// The app's store: the reducer, the worker bridge, and the effect that sends the reducer's
/// commands and the view's queries to it (commands first: a query may read a profile a
/// command loads, and after a Cancel, queries go to the new workers).
#[hook]
pub fn use_store(init: impl FnOnce() -> AppState) -> StoreHandle {
    let state = use_reducer(|| Store(reduce(init(), Action::Url(location_hash()))));
    let files = use_mut_ref(VecDeque::<Opened>::new);
    let bridge = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| Bridge::new(Rc::new(move |a| dispatcher.dispatch(a))))
    };
    let s = &state.0;

    // Commands, each once, in order.
    {
        let sent = use_mut_ref(|| 0u64);
        let bridge = bridge.clone();
        let files = files.clone();
        let dispatcher = state.dispatcher();
        let (start, outbox) = (s.outbox_start, s.outbox.clone());
        use_effect_with(s.outbox_end(), move |end| {
            let end = *end;
            let mut sent = sent.borrow_mut();
            for (seq, c) in (start..).zip(outbox) {
                if seq < *sent {
                    continue;
                }
                match c {
                    Command::Load { id, file_name, preview } => match files.borrow_mut().pop_front() {
                        Some((f, seq)) => {
                            super::keep::track(id, &f, seq);
                            bridge.load(id, &file_name, f.into(), preview)
                        }
                        None => dispatcher.dispatch(Action::LoadFailed(id, "internal: the file was not kept".into())),
                    },
                    Command::Remove { id } => {
                        super::fetch::abort(id);
                        bridge.remove(id)
                    }
                    Command::Cancel { ids } => {
                        ids.iter().for_each(|&id| super::fetch::abort(id));
                        bridge.cancel(&ids)
                    }
                    Command::Request(r) => bridge.request(r),
                    Command::Fetch { id, url, file_name, preview } => {
                        let d = dispatcher.clone();
                        let (bridge, name) = (bridge.clone(), file_name.clone());
                        let sink = Rc::new(move |a| d.dispatch(a));
                        super::fetch::start(id, url, file_name, sink, move |f| bridge.load(id, &name, f.into(), preview));
                    }
                }
            }
            if end > *sent {
                *sent = end;
                dispatcher.dispatch(Action::Sent(end));
            }
        });
    }

    // Queries: what the current view needs and has not got yet.
    {
        let bridge = bridge.clone();
        let wanted = s.wanted();
        let mut have: Vec<Request> =
            [&s.top, &s.flame, &s.diff, &s.leaks, &s.labels].iter().filter_map(|a| a.as_ref().map(|a| a.request.clone())).collect();
        have.extend(s.top_coming.clone());
        // (A preview's table that will not come any more is asked for.)
        use_effect_with((wanted, s.epoch, s.top_coming.clone()), move |(wanted, _, _)| {
            for w in wanted {
                if !have.contains(w) {
                    bridge.request(w.clone());
                }
            }
        });
    }

    // The view state in the URL: a hash change (a link, back, forward) is applied; every
    // change made in the page is written, as a new history entry (so back steps through
    // views and choices), once the link the page was opened with has been applied.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window()
                .map(|w| gloo_events::EventListener::new(&w, "hashchange", move |_| dispatcher.dispatch(Action::Url(location_hash()))));
            move || drop(listener)
        });
        let written = use_mut_ref(String::new);
        let hash = (s.url.is_none() && !s.entries.is_empty()).then(|| s.link(s.embed));
        use_effect_with(hash, move |hash| {
            let Some(h) = hash.clone() else { return };
            if *written.borrow() == h {
                return;
            }
            *written.borrow_mut() = h.clone();
            let current = location_hash();
            if current.trim_start_matches('#') == h {
                return;
            }
            let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else { return };
            let url = format!("#{h}");
            // The first state written replaces the bare address instead of adding a step.
            let _ = if current.trim_start_matches('#').is_empty() {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
            };
        });
    }

    let handle = StoreHandle { state, files, bridge };

    // Dropped files kept in the browser's storage (not in embed mode): opened again at start,
    // and the storage kept in step with the loaded set.
    {
        let s = &handle.state.0;
        let handle2 = handle.clone();
        use_effect_with((), move |_| {
            let skip = handle2.state.0.embed;
            wasm_bindgen_futures::spawn_local(async move { handle2.open_kept(super::keep::restore(skip).await) });
        });
        let loaded: Vec<u32> = s.entries.iter().map(|e| e.summary.id).collect();
        let mut live = loaded.clone();
        live.extend(s.loading.iter().map(|l| l.id));
        let busy = !s.loading.is_empty();
        use_effect_with((loaded, live, busy, s.embed), |(loaded, live, busy, embed)| {
            if !*embed {
                super::keep::sync(loaded, live, *busy);
            }
        });
    }

    handle
}

/// The page's `location.hash`, `#` included (empty without one).
fn location_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}
