//! The root component: the store, and the page laid out from components. Every callback
//! here turns a component's event into an [`Action`]; what happens next (which answers the
//! view needs, which files the workers read or forget) is the reducer's to decide.

use super::components::context_menu::{ContextMenu, MenuAt};
use super::components::diff_controls::DiffControls;
use super::components::diff_view::DiffView;
use super::components::drop_zone::DropZone;
use super::components::errors::Errors;
use super::components::export_menu::ExportMenu;
use super::components::flame_view::{FlameView, FlameViewProps};
use super::components::graph_view::GraphView;
use super::components::keys::{use_keys, Keys};
use super::components::labels_panel::LabelsPanel;
use super::components::leaks_view::{LeaksView, SeriesChoice};
use super::components::link_notes::LinkNotes;
use super::components::merge_button::MergeButton;
use super::components::peek_view::PeekView;
use super::components::pivot_view::PivotView;
use super::components::profile_list::ProfileList;
use super::components::progress::Progress;
use super::components::refine_bar::RefineBar;
use super::components::share_panel::{page_address, SharePanel};
use super::components::source_view::SourceView;
use super::components::summary_line::SummaryLine;
use super::components::toolbar::Toolbar;
use super::components::top_view::TopView;
use super::components::welcome::Welcome;
use super::flame::FlameMode;
use super::store::{use_store, Shared};
use crate::protocol::Request;
use crate::view::refining::exact as exact_regex;
use crate::view::state::{Action, Answer, AppState, View};
use wasm_bindgen::JsCast;
use yew::prelude::*;

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("document")
}

const THEME_KEY: &str = "profdrop-theme";

fn initial_dark() -> bool {
    let w = web_sys::window().expect("window");
    if let Ok(Some(st)) = w.local_storage() {
        if let Ok(Some(t)) = st.get_item(THEME_KEY) {
            return t == "dark";
        }
    }
    w.match_media("(prefers-color-scheme: dark)").ok().flatten().map(|m| m.matches()).unwrap_or(false)
}

/// A callback that dispatches the action `f` makes of its argument.
#[hook]
fn use_action<T: 'static>(d: &UseReducerDispatcher<super::store::Store>, f: fn(T) -> Action) -> Callback<T> {
    use_callback(d.clone(), move |v: T, d| d.dispatch(f(v)))
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let store = use_store(|| AppState { dark: initial_dark(), ..Default::default() });
    let d = store.state.dispatcher();
    let s: &AppState = &store.state.0;

    // body[data-state], written after every render (tests wait for a write after an action),
    // and the theme (kept for the next visit once changed).
    {
        let status = s.status();
        use_effect(move || {
            if let Some(b) = document().body() {
                let _ = b.set_attribute("data-state", status.as_str());
            }
        });
        let first = use_mut_ref(|| true);
        use_effect_with(s.dark, move |&dark| {
            if let Some(h) = document().document_element() {
                let _ = h.set_attribute("data-theme", if dark { "dark" } else { "light" });
            }
            if !std::mem::replace(&mut *first.borrow_mut(), false) {
                if let Some(st) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
                    let _ = st.set_item(THEME_KEY, if dark { "dark" } else { "light" });
                }
            }
        });
    }

    // Once the page shows: the table path warmed up (see `top_table::warm_up`), in a task of
    // its own.
    use_effect_with((), |_| {
        let warm = wasm_bindgen::closure::Closure::once_into_js(super::components::top_table::warm_up);
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(warm.unchecked_ref(), 0);
        }
    });

    let on_files = {
        let store = store.clone();
        use_callback((), move |files: Vec<web_sys::File>, _| super::archives::open(store.clone(), files))
    };
    let on_view = use_action(&d, Action::View);
    let on_theme = use_action(&d, |()| Action::ToggleDark);
    let on_reset = use_action(&d, |()| Action::ResetZoom);
    let on_sample_type = use_action(&d, Action::SampleType);
    let on_search = use_action(&d, Action::Search);
    let on_select = use_action(&d, Action::Select);
    let on_remove = use_action(&d, Action::Remove);
    let on_merge = use_action(&d, |()| Action::Merge);
    let on_unit = use_action(&d, |(id, u): (u32, String)| Action::SetUnit(id, u));
    let on_cancel = use_action(&d, |()| Action::Cancel);
    let on_dismiss = use_action(&d, |()| Action::DismissErrors);
    let on_zoom = use_action(&d, Action::Zoom);
    let on_focus = use_action(&d, |f: String| Action::Focus(Some(f)));
    let on_sort = use_action(&d, Action::Sort);
    let on_show_all = use_action(&d, |()| Action::TopLimit(0));
    let on_open_suspect = use_action(&d, Action::OpenSuspect);
    let on_pick = use_action(&d, Action::PickSeries);
    let on_snapshot = use_action(&d, Action::OpenSnapshot);
    let on_pair = use_action(&d, |(b, t): (u32, u32)| Action::OpenPair(b, t));
    let on_member = use_action(&d, |(id, on): (u32, bool)| Action::SeriesMember(id, on));
    let on_base = use_action(&d, Action::DiffBase);
    let on_target = use_action(&d, Action::DiffTarget);
    let on_swap = use_action(&d, |()| Action::Swap);
    let on_normalize = use_action(&d, Action::Normalize);
    let on_mode = use_action(&d, Action::DiffFlame);
    let on_layout = use_action(&d, Action::DiffOnBase);
    let on_refine = use_action(&d, Action::Refine);
    let on_search_focus = {
        let refine = s.refine.clone();
        use_callback((d.clone(), refine), |text: String, (d, refine)| {
            if let Some(re) = crate::view::refining::search_focus(&text) {
                d.dispatch(Action::Refine(crate::view::refining::add_regex(refine, "f", &re)));
            }
        })
    };
    // The context menu of a function (UI state only: not in the link).
    let menu = use_state(|| None::<MenuAt>);
    let on_menu = {
        let menu = menu.clone();
        use_callback((), move |(name, x, y): (String, f64, f64), _| menu.set(Some(MenuAt { name, x, y })))
    };
    let on_menu_close = {
        let menu = menu.clone();
        use_callback((), move |(), _| menu.set(None))
    };
    let on_labels = {
        let open = s.labels_open;
        use_callback((d.clone(), open), |(), (d, open)| d.dispatch(Action::LabelsOpen(!*open)))
    };
    let on_labels_close = use_action(&d, |()| Action::LabelsOpen(false));
    // (The context menu's Pivot: the regex it made for the function.)
    let on_menu_pivot = use_action(&d, |re: String| Action::Pivot(Some(re)));
    let on_menu_source = {
        let (d, refine) = (d.clone(), s.refine.clone());
        use_callback(refine, move |re: String, refine| {
            d.dispatch(Action::Refine(crate::protocol::Refine { focus: re, ..refine.clone() }));
            d.dispatch(Action::View(View::Source));
        })
    };
    let on_inverted = use_action(&d, Action::Inverted);
    let on_pivot = use_action(&d, |name: String| Action::Pivot(Some(exact_regex(&name))));
    let on_unpivot = use_action(&d, |()| Action::Pivot(None));
    let on_peek_all = use_action(&d, |()| Action::PeekLimit(0));
    let on_graph_options = use_action(&d, Action::GraphOptions);
    let on_graph_diff = use_action(&d, Action::GraphDiff);
    let on_graph_drawn = use_action(&d, Action::GraphDrawn);
    // Sharing and keeping (`view::share`, `ui::keep`).
    let on_urls = use_action(&d, Action::OpenUrls);
    let on_forget = {
        let ids: Vec<u32> = s.entries.iter().map(|e| e.summary.id).chain(s.loading.iter().map(|l| l.id)).collect();
        use_callback((d.clone(), ids), |(), (d, ids)| {
            for &id in ids {
                d.dispatch(Action::Remove(id));
            }
            // (The link in the address bar goes too: a reload shows an empty page.)
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&page_address()));
            }
        })
    };
    let on_flip = {
        let (d, now) = (d.clone(), s.inverted);
        use_callback(now, move |(), now| d.dispatch(Action::Inverted(!*now)))
    };
    use_keys(Keys { on_view: on_view.clone(), on_reset: on_reset.clone(), on_theme: on_theme.clone(), on_inverted: on_flip });

    let answer = |a: &Option<Answer>| a.as_ref().map(|a| Shared(a.response.clone()));
    let flame = |mode: FlameMode| FlameViewProps {
        flame: answer(&s.flame),
        pending: AttrValue::Static("Computing…"),
        search: s.search.clone().into(),
        zoom: s.zoom.clone(),
        focus: s.focus.clone(),
        dark: s.dark,
        mode,
        on_base: s.diff_on_base,
        on_zoom: on_zoom.clone(),
        on_reset: on_reset.clone(),
        on_menu: on_menu.clone(),
        inverted: s.inverted && mode == FlameMode::Single,
        on_inverted: (mode == FlameMode::Single).then(|| on_inverted.clone()),
    };
    let label = |id: Option<u32>| AttrValue::from(id.and_then(|id| s.label_of(id)).unwrap_or_default().to_string());

    let main_view = if s.entries.is_empty() {
        html! { <Welcome on_urls={on_urls.clone()} /> }
    } else {
        match s.view {
            View::Top => html! {
                <TopView top={answer(&s.top)} sort={s.sort} search={s.search.clone()}
                    on_sort={on_sort.clone()} on_row={on_focus.clone()} on_show_all={on_show_all} on_menu={on_menu.clone()}>
                    <FlameView ..FlameViewProps { pending: AttrValue::Static("Drawing the flame graph…"), ..flame(FlameMode::Single) } />
                </TopView>
            },
            View::Flame => match &s.pivot {
                Some(pivot) => html! {
                    <PivotView pivot={pivot.clone()} callers={answer(&s.pivot_callers)} callees={answer(&s.pivot_callees)}
                        peek={answer(&s.peek)} search={s.search.clone()} dark={s.dark} on_pick={on_pivot.clone()} on_close={on_unpivot} on_show_all={on_peek_all.clone()} />
                },
                None => html! { <FlameView ..flame(FlameMode::Single) /> },
            },
            View::Source => html! { <SourceView source={answer(&s.source)} regex={s.peek_regex()} /> },
            View::Peek => {
                html! { <PeekView peek={answer(&s.peek)} regex={s.peek_regex()} on_pick={on_pivot.clone()} on_show_all={on_peek_all} /> }
            }
            View::Graph => html! {
                <GraphView graph={answer(&s.graph)} seq={s.graph_seq} dark={s.dark} options={s.graph_options} diff={s.graph_diff}
                    can_diff={s.entries.len() >= 2} base_file={label(s.diff_base)} target_file={label(s.diff_target)}
                    on_options={on_graph_options} on_diff={on_graph_diff} on_drawn={on_graph_drawn} on_menu={on_menu.clone()} />
            },
            View::Diff => {
                let profiles: Vec<(u32, AttrValue)> = s.entries.iter().map(|e| (e.summary.id, AttrValue::from(e.label.clone()))).collect();
                let controls = html! {
                    <DiffControls {profiles} base={s.diff_base} target={s.diff_target} normalize={s.normalize} flame={s.diff_flame}
                        on_base_layout={s.diff_on_base} {on_base} {on_target} {on_swap} {on_normalize} {on_mode} {on_layout} />
                };
                html! {
                    <DiffView {controls} flame={html! { <FlameView ..flame(FlameMode::Diff) /> }} show_flame={s.diff_flame}
                        single={s.entries.len() < 2} diff={answer(&s.diff)} sort={s.sort}
                        base_file={label(s.diff_base)} target_file={label(s.diff_target)} on_sort={on_sort.clone()} on_row={on_focus.clone()} on_menu={on_menu.clone()} />
                }
            }
            View::Leaks => {
                let current = s.current_series();
                let series: Vec<SeriesChoice> = s
                    .shown_series()
                    .into_iter()
                    .map(|x| SeriesChoice {
                        id: x.ids[0],
                        labels: x.ids.iter().filter_map(|&id| s.label_of(id).map(str::to_string)).collect(),
                        ordered_by: x.ordered_by.describe(),
                    })
                    .collect();
                let at = current.as_ref().and_then(|c| series.iter().position(|x| c.ids.contains(&x.id)));
                // The snapshots the answer is about: the ids its request named.
                let snapshots: Vec<(u32, String)> = match s.leaks.as_ref().map(|a| &a.request) {
                    Some(Request::Leaks { ids, .. }) => {
                        ids.iter().map(|&id| (id, s.label_of(id).unwrap_or_default().to_string())).collect()
                    }
                    _ => Vec::new(),
                };
                let in_series = s.series();
                let own = current.map(|c| c.ids).unwrap_or_default();
                let members: Vec<(u32, String, bool, bool)> = s
                    .entries
                    .iter()
                    .filter(|e| s.has_sample_type(e))
                    .map(|e| (e.summary.id, e.label.clone(), in_series.contains(&e.summary.id), own.contains(&e.summary.id)))
                    .collect();
                let warnings: Vec<String> = s
                    .series_mix()
                    .into_iter()
                    .map(|(id, share)| {
                        format!(
                            "{} looks like another program: {:.0}% of its functions appear in the others. Its numbers are mixed into the series.",
                            s.label_of(id).unwrap_or_default(),
                            share * 100.0
                        )
                    })
                    .collect();
                html! { <LeaksView leaks={answer(&s.leaks)} {series} current={at} {on_pick} on_open={on_open_suspect} {snapshots} {on_snapshot} {on_pair}
                {members} {warnings} {on_member} on_menu={on_menu.clone()} /> }
            }
        }
    };

    // The export menu: the engine makes the file, the answer goes straight to the menu.
    let on_export = {
        let bridge = store.bridge.clone();
        use_callback((), move |(req, then): (Request, Callback<crate::protocol::Response>), _| {
            bridge.request_then(req, move |resp| then.emit(resp))
        })
    };
    let png_name = AttrValue::from(format!(
        "{}-flame.png",
        crate::analysis::export::file_stem(s.selected.and_then(|id| s.label_of(id)).unwrap_or("profile"))
    ));

    let selected = s.selected_entry();
    let errors: Vec<String> = s.errors.iter().chain(s.request_error.iter()).cloned().collect();
    if s.embed {
        // Embed mode: only the view, and a link that opens it in profdrop.
        let main_view = if s.entries.is_empty() && s.loading.is_empty() && errors.is_empty() {
            html! { <p class="muted">{"Nothing to show: this embedded view names no profile (url=)."}</p> }
        } else if s.entries.is_empty() {
            html! {}
        } else {
            main_view
        };
        return html! {
            <div class="embed">
                <Progress loading={s.loading.clone()} {on_cancel} />
                <Errors messages={errors} {on_dismiss} />
                <LinkNotes notes={s.url_notes.clone()} />
                { main_view }
                <a class="open-in" data-testid="open-in-profdrop" href={format!("{}#{}", page_address(), s.link(false))}
                    target="_blank" rel="noopener" title="Open this view in profdrop, with every control">{"Open in profdrop ↗"}</a>
                <ContextMenu at={(*menu).clone()} refine={s.refine.clone()} on_refine={on_refine.clone()} on_close={on_menu_close} on_pivot={Some(on_menu_pivot)} />
            </div>
        };
    }
    html! {
        <DropZone on_files={on_files.clone()}>
            <Toolbar sample_types={selected.map(|e| e.summary.sample_types.clone()).unwrap_or_default()}
                sample_type={s.sample_type.clone()} view={s.view} search={s.search.clone()} dark={s.dark}
                {on_files} {on_sample_type} {on_view} {on_search} {on_theme} {on_search_focus} />
            <div class="body">
                <aside>
                    <ProfileList entries={s.entries.clone()} selected={s.selected} {on_select} {on_remove} />
                    <MergeButton count={s.mergeable().len()} {on_merge} />
                    <SharePanel link={AttrValue::from(s.link(false))} unlinked={s.unlinked()} loaded={!s.entries.is_empty()}
                        view={AttrValue::from(crate::view::share::saved_hash(&s.url_state()))} {on_forget} />
                </aside>
                <main>
                    <Progress loading={s.loading.clone()} {on_cancel} />
                    <Errors messages={errors} {on_dismiss} />
                    <LinkNotes notes={s.url_notes.clone()} />
                    <RefineBar hidden={s.entries.is_empty()} refine={s.refine.clone()} error={s.refine_error.clone()} notes={s.refine_notes()}
                        labels_open={s.labels_open} on_refine={on_refine.clone()} {on_labels} />
                    <LabelsPanel open={s.labels_open && !s.entries.is_empty()}
                        resp={s.labels.as_ref().filter(|a| s.wanted().contains(&a.request)).map(|a| Shared(a.response.clone()))}
                        refine={s.refine.clone()} on_refine={on_refine.clone()} on_close={on_labels_close} />
                    <SummaryLine summary={selected.map(|e| e.summary.clone())} {on_unit} />
                    <ExportMenu entries={crate::view::export::entries(s)} on_request={on_export} {png_name} />
                    { main_view }
                </main>
                <ContextMenu at={(*menu).clone()} refine={s.refine.clone()} on_refine={on_refine.clone()} on_close={on_menu_close} on_pivot={Some(on_menu_pivot)} on_source={Some(on_menu_source)} />
            </div>
        </DropZone>
    }
}
