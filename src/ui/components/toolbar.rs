//! The header: open files, sample type, view tabs, search and theme.

use super::drop_zone::files_of;
use crate::model::ValueType;
use crate::view::state::View;
use web_sys::{File, HtmlInputElement, HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

/// Props of [`Toolbar`].
#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    /// Sample types of the selected profile (none: nothing loaded).
    pub sample_types: Vec<ValueType>,
    /// The sample type shown.
    pub sample_type: AttrValue,
    /// The view shown.
    pub view: View,
    /// Search text.
    pub search: AttrValue,
    /// Dark theme.
    pub dark: bool,
    /// Files were chosen.
    pub on_files: Callback<Vec<File>>,
    /// A sample type was chosen.
    pub on_sample_type: Callback<String>,
    /// A view was chosen.
    pub on_view: Callback<View>,
    /// The search text changed.
    pub on_search: Callback<String>,
    /// The theme button was clicked.
    pub on_theme: Callback<()>,
    /// The search should become a focus filter (Shift+Enter in the search box, or its button).
    pub on_search_focus: Callback<String>,
}

const VIEWS: [(View, &str, &str, &str); 7] = [
    (View::Top, "Top", "view-top", "1"),
    (View::Flame, "Flame", "view-flame", "2"),
    (View::Diff, "Diff", "view-diff", "3"),
    (View::Leaks, "Leaks", "view-leaks", "4"),
    (View::Peek, "Peek", "view-peek", "5"),
    (View::Graph, "Graph", "view-graph", "6"),
    (View::Source, "Source", "view-source", "7"),
];

/// The header.
#[function_component(Toolbar)]
pub fn toolbar(p: &ToolbarProps) -> Html {
    let on_input = {
        let on_files = p.on_files.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut files = files_of(input.files());
            input.set_value("");
            // A folder (the folder button): its files in path order, without dot files.
            // (`webkitRelativePath` is a standard property web-sys does not bind.)
            let path =
                |f: &File| js_sys::Reflect::get(f, &"webkitRelativePath".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
            if files.iter().any(|f| !path(f).is_empty()) {
                files.retain(|f| !f.name().starts_with('.'));
                files.sort_by_key(path);
            }
            on_files.emit(files);
        })
    };
    let on_type = p.on_sample_type.reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    let on_search = p.on_search.reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let on_search_key = {
        let cb = p.on_search_focus.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && e.shift_key() {
                e.prevent_default();
                cb.emit(e.target_unchecked_into::<HtmlInputElement>().value());
            }
        })
    };
    let search_focus = {
        let (cb, text) = (p.on_search_focus.clone(), p.search.to_string());
        Callback::from(move |_: MouseEvent| cb.emit(text.clone()))
    };
    let tabs = VIEWS.iter().map(|&(v, label, testid, key)| {
        let active = p.view == v;
        html! {
            <button class={classes!("tab", active.then_some("active"))} data-testid={testid}
                aria-pressed={active.to_string()} title={format!("{label} (key {key})")}
                onclick={p.on_view.reform(move |_: MouseEvent| v)}>{label}</button>
        }
    });
    html! {
        <header>
            <h1>{"profdrop"}</h1>
            <label class="file-btn">{"Open profiles…"}
                <input type="file" data-testid="file-input" multiple=true onchange={on_input.clone()} />
            </label>
            <label class="file-btn folder-btn" title="Open every profile in a folder (a folder of snapshots)">{"Folder…"}
                <input type="file" data-testid="folder-input" webkitdirectory=true multiple=true onchange={on_input} />
            </label>
            <label class="field">{"Sample type "}
                <select data-testid="sample-type" onchange={on_type} disabled={p.sample_types.is_empty()}>
                    { for p.sample_types.iter().map(|t| {
                        let unit = if t.unit.is_empty() { "count" } else { t.unit.as_str() };
                        html! { <option value={t.name.clone()} selected={*t.name == *p.sample_type}>{format!("{} ({unit})", t.name)}</option> }
                    }) }
                </select>
            </label>
            <nav class="tabs" aria-label="Views">{ for tabs }</nav>
            <label class="field search">{"Search "}
                <input type="search" data-testid="search" placeholder="regex or text  ( / )" value={p.search.clone()} oninput={on_search}
                    onkeydown={on_search_key} spellcheck="false" autocomplete="off" title="Shift+Enter: focus on the matches" />
            </label>
            if !p.search.trim().is_empty() && !p.sample_types.is_empty() {
                <button data-testid="search-focus" onclick={search_focus} title="Keep only samples through a match (a focus filter; Shift+Enter in the search box)">{"Focus on matches"}</button>
            }
            <button class="theme" onclick={p.on_theme.reform(|_: MouseEvent| ())} title="Light/dark theme (key d)" aria-label="Toggle theme">
                { if p.dark { "☀" } else { "☾" } }
            </button>
        </header>
    }
}
