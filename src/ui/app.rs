//! The page: toolbar, profile list, views. State lives in [`AppState`] via `use_reducer`.

use super::bridge::Bridge;
use super::flame::{FlameGraph, FlameMode};
use super::tables::{DiffTable, LeakTable, TopTable};
use crate::decode::Stage;
use crate::protocol::Response;
use crate::units as format;
use crate::view::state::{reduce, Action, AppState, View};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement, HtmlSelectElement, KeyboardEvent};
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

fn stage_label(s: Stage) -> &'static str {
    match s {
        Stage::Reading => "reading",
        Stage::Inflating => "inflating",
        Stage::Decoding => "decoding",
        Stage::Streaming => "inflating + decoding",
        Stage::Building => "building views",
    }
}

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("document")
}

fn initial_dark() -> bool {
    let w = web_sys::window().expect("window");
    if let Ok(Some(st)) = w.local_storage() {
        if let Ok(Some(t)) = st.get_item("profdrop-theme") {
            return t == "dark";
        }
    }
    w.match_media("(prefers-color-scheme: dark)").ok().flatten().map(|m| m.matches()).unwrap_or(false)
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let store = use_reducer(|| Store(AppState { dark: initial_dark(), ..Default::default() }));
    let s = &store.0;
    let next_id = use_mut_ref(|| Cell::new(1u32));
    let bridge = {
        let dispatcher = store.dispatcher();
        use_memo((), move |_| Bridge::new(Rc::new(move |a| dispatcher.dispatch(a))))
    };

    // Send what the current view needs and has not got yet.
    {
        let bridge = bridge.clone();
        let wanted = s.wanted();
        let mut have: Vec<_> = [&s.top, &s.flame, &s.diff, &s.leaks].iter().filter_map(|a| a.as_ref().map(|a| a.request.clone())).collect();
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

    // body[data-state] and the theme.
    {
        let status = s.status();
        let dark = s.dark;
        use_effect(move || {
            let doc = document();
            if let Some(b) = doc.body() {
                let _ = b.set_attribute("data-state", status.as_str());
            }
            if let Some(h) = doc.document_element() {
                let _ = h.set_attribute("data-theme", if dark { "dark" } else { "light" });
            }
        });
    }

    let load_files = {
        let bridge = bridge.clone();
        let store = store.clone();
        let next_id = next_id.clone();
        Callback::from(move |files: Vec<web_sys::File>| {
            if files.is_empty() {
                return;
            }
            let mut batch = Vec::new();
            for f in &files {
                let id = next_id.borrow().get();
                next_id.borrow().set(id + 1);
                batch.push((id, f.name()));
            }
            store.dispatch(Action::BeginBatch(batch.clone()));
            for ((id, name), f) in batch.into_iter().zip(files) {
                bridge.load(id, &name, f.into());
            }
        })
    };

    // Keyboard: "/" search, 1–4 views, Esc resets zoom/focus, "d" theme.
    {
        let store = store.clone();
        use_effect_with((), move |_| {
            let cb = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
                let typing = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
                    .unwrap_or(false);
                if e.key() == "Escape" {
                    store.dispatch(Action::Zoom(vec![]));
                    store.dispatch(Action::Focus(None));
                    if let Some(el) = document().active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                        let _ = el.blur();
                    }
                    return;
                }
                if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                match e.key().as_str() {
                    "/" => {
                        if let Some(el) = document().query_selector("[data-testid=search]").ok().flatten() {
                            if let Ok(i) = el.dyn_into::<web_sys::HtmlElement>() {
                                e.prevent_default();
                                let _ = i.focus();
                            }
                        }
                    }
                    "1" => store.dispatch(Action::View(View::Top)),
                    "2" => store.dispatch(Action::View(View::Flame)),
                    "3" => store.dispatch(Action::View(View::Diff)),
                    "4" => store.dispatch(Action::View(View::Leaks)),
                    "d" => store.dispatch(Action::Dark(!store.0.dark)),
                    _ => {}
                }
            });
            document().add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref()).ok();
            move || {
                document().remove_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref()).ok();
            }
        });
    }

    let on_input = {
        let load_files = load_files.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut files = Vec::new();
            if let Some(list) = input.files() {
                for i in 0..list.length() {
                    if let Some(f) = list.get(i) {
                        files.push(f);
                    }
                }
            }
            load_files.emit(files);
            input.set_value("");
        })
    };
    let dragging = use_state(|| false);
    let on_dragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let on_dragleave = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let on_drop = {
        let load_files = load_files.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let mut files = Vec::new();
            if let Some(list) = e.data_transfer().and_then(|d| d.files()) {
                for i in 0..list.length() {
                    if let Some(f) = list.get(i) {
                        files.push(f);
                    }
                }
            }
            load_files.emit(files);
        })
    };
    let open_example = {
        let load_files = load_files.clone();
        Callback::from(move |name: &'static str| {
            let load_files = load_files.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let Some(w) = web_sys::window() else { return };
                let url = format!("./examples/{name}");
                let Ok(resp) = wasm_bindgen_futures::JsFuture::from(w.fetch_with_str(&url)).await else { return };
                let resp: web_sys::Response = resp.unchecked_into();
                let Ok(p) = resp.blob() else { return };
                let Ok(blob) = wasm_bindgen_futures::JsFuture::from(p).await else { return };
                let parts = js_sys::Array::of1(&blob);
                if let Ok(f) = web_sys::File::new_with_blob_sequence(&parts, name) {
                    load_files.emit(vec![f]);
                }
            });
        })
    };

    let d = store.dispatcher();
    let view_button = |v: View, label: &str, testid: &str, key: &str| {
        let d = d.clone();
        let active = s.view == v;
        html! {
            <button class={classes!("tab", active.then_some("active"))} data-testid={testid.to_string()}
                aria-pressed={active.to_string()} title={format!("{label} (key {key})")}
                onclick={Callback::from(move |_| d.dispatch(Action::View(v)))}>{label}</button>
        }
    };

    let selected = s.selected_entry().cloned();
    let sample_select = {
        let d = d.clone();
        let onchange = Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            d.dispatch(Action::SampleType(sel.value()));
        });
        let types = selected.as_ref().map(|e| e.summary.sample_types.clone()).unwrap_or_default();
        html! {
            <label class="field">{"Sample type "}
                <select data-testid="sample-type" {onchange} disabled={types.is_empty()}>
                    { for types.iter().map(|t| {
                        let unit = if t.unit.is_empty() { "count".to_string() } else { t.unit.clone() };
                        html! { <option value={t.name.clone()} selected={t.name == s.sample_type}>{format!("{} ({unit})", t.name)}</option> }
                    }) }
                </select>
            </label>
        }
    };
    let search = {
        let d = d.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            d.dispatch(Action::Search(i.value()));
        });
        html! {
            <label class="field search">{"Search "}
                <input type="search" data-testid="search" placeholder="regex or text  ( / )" value={s.search.clone()} {oninput}
                    spellcheck="false" autocomplete="off" />
            </label>
        }
    };
    let theme_toggle = {
        let d = d.clone();
        let dark = s.dark;
        Callback::from(move |_| {
            if let Some(st) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
                let _ = st.set_item("profdrop-theme", if dark { "light" } else { "dark" });
            }
            d.dispatch(Action::Dark(!dark))
        })
    };

    let profile_list = html! {
        <ul class="profiles" data-testid="profile-list" aria-label="Loaded profiles">
            { for s.entries.iter().map(|e| {
                let id = e.summary.id;
                let sel = s.selected == Some(id);
                let d1 = d.clone();
                let d2 = d.clone();
                let bridge = bridge.clone();
                let when = if e.summary.time_nanos > 0 { clock_time(e.summary.time_nanos) } else { String::new() };
                html! {
                    <li data-file={e.summary.name.clone()} data-selected={sel.then_some("true")} class={classes!(sel.then_some("selected"))}>
                        <button class="pick" title={format!("{} — {}, {} samples, {} functions", e.summary.name, e.summary.format, e.summary.samples, e.summary.functions)}
                            onclick={Callback::from(move |_| d1.dispatch(Action::Select(id)))}>
                            <span class="fname">{ e.summary.name.clone() }</span>
                            <span class="meta">{ when }</span>
                        </button>
                        <button class="remove" aria-label={format!("Remove {}", e.summary.name)} title="Remove"
                            onclick={Callback::from(move |_| { bridge.remove(id); d2.dispatch(Action::Remove(id)) })}>{"×"}</button>
                    </li>
                }
            }) }
        </ul>
    };

    let mergeable = s.mergeable();
    let merge_button = if mergeable.len() >= 2 {
        let bridge = bridge.clone();
        let next_id = next_id.clone();
        let n = mergeable.len();
        let onclick = Callback::from(move |_| {
            let id = next_id.borrow().get();
            next_id.borrow().set(id + 1);
            bridge.request(crate::protocol::Request::Merge { ids: mergeable.clone(), new_id: id, name: format!("merged ({n} profiles)") });
        });
        html! {
            <button class="merge" data-testid="merge" {onclick} title="Sum these profiles into one, as go tool pprof does with several inputs">
                { format!("Merge {n} profiles of this kind") }
            </button>
        }
    } else {
        html! {}
    };

    let progress = if s.loading.is_empty() {
        html! {}
    } else {
        let ids: Vec<u32> = s.loading.iter().map(|l| l.id).collect();
        let cancel = {
            let bridge = bridge.clone();
            let d = d.clone();
            Callback::from(move |_| {
                bridge.cancel(&ids);
                d.dispatch(Action::Cancel)
            })
        };
        html! {
            <div class="progress" data-testid="progress" role="status">
                { for s.loading.iter().map(|l| html! {
                    <div class="prog-row">
                        <span class="fname">{ l.name.clone() }</span>
                        <span class="stage">{ stage_label(l.stage) }</span>
                        <progress max="1" value={format!("{:.3}", l.fraction)} />
                    </div>
                }) }
                <button onclick={cancel} data-testid="cancel">{"Cancel"}</button>
            </div>
        }
    };

    let errors = if s.errors.is_empty() && s.request_error.is_none() {
        html! {}
    } else {
        let dismiss = {
            let d = d.clone();
            Callback::from(move |_| d.dispatch(Action::DismissErrors))
        };
        html! {
            <div class="error" data-testid="error" role="alert">
                { for s.errors.iter().map(|e| html! { <p>{ e.clone() }</p> }) }
                { for s.request_error.iter().map(|e| html! { <p>{ e.clone() }</p> }) }
                <button onclick={dismiss}>{"Dismiss"}</button>
            </div>
        }
    };

    let main_view = if s.entries.is_empty() {
        let ex = open_example.clone();
        let ex2 = open_example.clone();
        let ex3 = open_example.clone();
        html! {
            <section class="welcome">
                <h2>{"Drop pprof profiles anywhere on this page"}</h2>
                <p>{"Heap, allocs, goroutine, CPU, mutex and block profiles from Go's "}<code>{"net/http/pprof"}</code>
                   {" (gzipped or raw protobuf), and goroutine dumps from "}<code>{"?debug=1"}</code>{" and "}<code>{"?debug=2"}</code>{". Drop several snapshots to compare them or find leaks."}</p>
                <p class="privacy">{"Everything is decoded and analysed inside this tab. No byte leaves your machine."}</p>
                <p class="examples">{"Or open an example: "}
                    <button data-testid="example" onclick={Callback::from(move |_| ex.emit("heap.pb.gz"))}>{"Go heap profile"}</button>
                    <button onclick={Callback::from(move |_| ex2.emit("cpu.pb.gz"))}>{"Go CPU profile"}</button>
                    <button onclick={Callback::from(move |_| ex3.emit("goroutine.pb.gz"))}>{"Go goroutine profile"}</button>
                </p>
                <p class="keys">{"Keys: "}<kbd>{"/"}</kbd>{" search · "}<kbd>{"1"}</kbd>{"–"}<kbd>{"4"}</kbd>{" views · "}<kbd>{"Esc"}</kbd>{" reset zoom · "}<kbd>{"d"}</kbd>{" theme"}</p>
            </section>
        }
    } else {
        match s.view {
            // The top table with the flame graph above it: the table comes first (it is ready
            // first), the flame graph follows.
            View::Top => match s.top.as_ref().map(|a| a.response.clone()) {
                Some(r) => html! {
                    <>
                        <div class="flame-panel">
                            { if s.flame.is_some() { flame_view(s, &d, FlameMode::Single) } else { html! { <p class="muted">{"Drawing the flame graph…"}</p> } } }
                        </div>
                        <TopTable resp={super::tables::Shared(r)} sort={s.sort} search={s.search.clone()} dispatch={d.clone()} />
                    </>
                },
                None => html! { <p class="muted">{"Computing…"}</p> },
            },
            View::Flame => flame_view(s, &d, FlameMode::Single),
            View::Diff => diff_view(s, &d),
            View::Leaks => match s.leaks.as_ref().map(|a| a.response.clone()) {
                Some(r) => html! { <LeakTable resp={super::tables::Shared(r)} dispatch={d.clone()} /> },
                None => html! { <p class="muted">{"Analysing the series…"}</p> },
            },
        }
    };

    let summary_line = match &selected {
        Some(e) => {
            let sm = &e.summary;
            let mut parts = vec![sm.format.clone(), format!("{} samples", format::human(sm.samples as i64, "count"))];
            if sm.duration_nanos > 0 {
                parts.push(format!("duration {}", format::human(sm.duration_nanos, "nanoseconds")));
            }
            if let Some(pt) = &sm.period_type {
                if sm.period != 0 {
                    parts.push(format!("period {} {}", format::human(sm.period, &pt.unit), pt.name));
                }
            }
            html! { <p class="summary">{ parts.join(" · ") }</p> }
        }
        None => html! {},
    };

    html! {
        <div class={classes!("page", dragging.then_some("dragging"))} ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}>
            <header>
                <h1>{"profdrop"}</h1>
                <label class="file-btn">{"Open profiles…"}
                    <input type="file" data-testid="file-input" multiple=true onchange={on_input} />
                </label>
                { sample_select }
                <nav class="tabs" aria-label="Views">
                    { view_button(View::Top, "Top", "view-top", "1") }
                    { view_button(View::Flame, "Flame graph", "view-flame", "2") }
                    { view_button(View::Diff, "Diff", "view-diff", "3") }
                    { view_button(View::Leaks, "Leaks", "view-leaks", "4") }
                </nav>
                { search }
                <button class="theme" onclick={theme_toggle} title="Light/dark theme (key d)" aria-label="Toggle theme">{ if s.dark { "☀" } else { "☾" } }</button>
            </header>
            <div class="body">
                <aside>
                    { profile_list }
                    { merge_button }
                </aside>
                <main>
                    { progress }
                    { errors }
                    { summary_line }
                    { main_view }
                </main>
            </div>
            <div class="drop-overlay">{"Drop profiles to load them"}</div>
        </div>
    }
}

fn flame_view(s: &AppState, d: &UseReducerDispatcher<Store>, mode: FlameMode) -> Html {
    match s.flame.as_ref().map(|a| a.response.clone()) {
        Some(r) if matches!(*r, Response::Flame { .. }) => html! {
            <FlameGraph resp={super::tables::Shared(r)} search={s.search.clone()} zoom={s.zoom.clone()} focus={s.focus.clone()}
                dark={s.dark} mode={mode} on_base={s.diff_on_base} dispatch={d.clone()} />
        },
        Some(r) => match &*r {
            Response::Error { message } => html! { <p class="error-inline">{ message.clone() }</p> },
            _ => html! {},
        },
        None => html! { <p class="muted">{"Computing…"}</p> },
    }
}

fn diff_view(s: &AppState, d: &UseReducerDispatcher<Store>) -> Html {
    let options = |sel: Option<u32>| {
        s.entries
            .iter()
            .map(|e| {
                html! {
                    <option value={e.summary.name.clone()} selected={sel == Some(e.summary.id)}>{ e.summary.name.clone() }</option>
                }
            })
            .collect::<Html>()
    };
    let by_name = {
        let entries: Vec<(String, u32)> = s.entries.iter().map(|e| (e.summary.name.clone(), e.summary.id)).collect();
        move |name: String| entries.iter().find(|e| e.0 == name).map(|e| e.1)
    };
    let on_base = {
        let d = d.clone();
        let by_name = by_name.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            if let Some(id) = by_name(sel.value()) {
                d.dispatch(Action::DiffBase(id))
            }
        })
    };
    let on_target = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let sel: HtmlSelectElement = e.target_unchecked_into();
            if let Some(id) = by_name(sel.value()) {
                d.dispatch(Action::DiffTarget(id))
            }
        })
    };
    let swap = {
        let d = d.clone();
        Callback::from(move |_| d.dispatch(Action::Swap))
    };
    let normalize = {
        let d = d.clone();
        let n = s.normalize;
        Callback::from(move |_| d.dispatch(Action::Normalize(!n)))
    };
    let mode = |flame: bool, label: &str| {
        let d = d.clone();
        html! { <button class={classes!("tab", (s.diff_flame == flame).then_some("active"))} aria-pressed={(s.diff_flame == flame).to_string()}
        onclick={Callback::from(move |_| d.dispatch(Action::DiffFlame(flame)))}>{ label.to_string() }</button> }
    };
    let on_base_layout = {
        let d = d.clone();
        let b = s.diff_on_base;
        Callback::from(move |_| d.dispatch(Action::DiffOnBase(!b)))
    };
    let single = s.entries.len() < 2;
    html! {
        <section class="diff">
            <div class="diff-controls">
                <label class="field">{"Base "}<select data-testid="diff-base" onchange={on_base}>{ options(s.diff_base) }</select></label>
                <button onclick={swap} data-testid="swap" title="Swap base and target">{"⇄ Swap"}</button>
                <label class="field">{"Target "}<select data-testid="diff-target" onchange={on_target}>{ options(s.diff_target) }</select></label>
                <label class="check"><input type="checkbox" checked={s.normalize} onchange={normalize} />{" normalize (pprof -normalize)"}</label>
                <span class="modes">{ mode(false, "Table") }{ mode(true, "Flame graph") }</span>
                if s.diff_flame {
                    <label class="check"><input type="checkbox" checked={s.diff_on_base} onchange={on_base_layout} />{" lay out on base (show vanished stacks)"}</label>
                }
            </div>
            if single { <p class="muted">{"Load two or more profiles to compare them: drop a before and an after snapshot."}</p> }
            if s.diff_flame { { flame_view(s, d, FlameMode::Diff) } }
            {
                match s.diff.as_ref().map(|a| a.response.clone()) {
                    Some(r) => html! {
                        <DiffTable resp={super::tables::Shared(r)} sort={s.sort} dispatch={d.clone()}
                            base_file={s.entries.iter().find(|e| Some(e.summary.id) == s.diff_base).map(|e| e.summary.name.clone()).unwrap_or_default()}
                            target_file={s.entries.iter().find(|e| Some(e.summary.id) == s.diff_target).map(|e| e.summary.name.clone()).unwrap_or_default()} />
                    },
                    None => html! { <p class="muted">{"Computing…"}</p> },
                }
            }
        </section>
    }
}

/// A profile's time of day, local, as `HH:MM:SS`. (Not `toLocaleTimeString`: its first call
/// loads the browser's locale data, 60-70 ms on the main thread just as a big profile's table
/// is about to show.)
fn clock_time(time_nanos: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(time_nanos as f64 / 1e6));
    format!("{:02}:{:02}:{:02}", date.get_hours(), date.get_minutes(), date.get_seconds())
}
