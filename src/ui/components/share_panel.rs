//! Sharing and keeping, in the side panel: *Copy link* (and the code to embed the view in a
//! docs page), named views (pprof's "Save config": the view and refinement under a name, kept
//! in `localStorage`), and the dropped profiles kept on this machine (IndexedDB, see
//! `ui::keep`) with their size against the limit and *Forget all*.

use crate::ui::keep::{self, Usage};
use crate::units::human;
use crate::view::share::{self as share, SavedView};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

const VIEWS_KEY: &str = "profdrop-views";

/// Props of [`SharePanel`].
#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    /// The hash of a link to what the page shows (`AppState::link`).
    pub link: AttrValue,
    /// Loaded profiles a link cannot bring along (dropped files, merges), by display name.
    pub unlinked: Vec<String>,
    /// The hash a named view keeps of what the page shows (`share::saved_hash`).
    pub view: AttrValue,
    /// Something is loaded.
    pub loaded: bool,
    /// *Forget all* was clicked (the kept files are gone already): remove the loaded set.
    pub on_forget: Callback<()>,
}

/// The address of the page without its hash.
pub fn page_address() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn load_views() -> Vec<SavedView> {
    storage().and_then(|s| s.get_item(VIEWS_KEY).ok().flatten()).map(|t| share::read_saved(&t)).unwrap_or_default()
}

fn store_views(list: &[SavedView]) {
    if let Some(s) = storage() {
        let _ = s.set_item(VIEWS_KEY, &share::write_saved(list));
    }
}

/// Copies text to the clipboard; says whether it could.
fn copy(text: String, done: Callback<bool>) {
    let Some(w) = web_sys::window() else { return done.emit(false) };
    let p = w.navigator().clipboard().write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        done.emit(wasm_bindgen_futures::JsFuture::from(p).await.is_ok());
    });
}

/// What was copied last, shown so it can be copied by hand too.
#[derive(Clone, PartialEq)]
struct Copied {
    what: &'static str,
    text: String,
    ok: Option<bool>,
}

/// The panel.
#[function_component(SharePanel)]
pub fn share_panel(p: &SharePanelProps) -> Html {
    let copied = use_state(|| None::<Copied>);
    let views = use_state(load_views);
    let picked = use_state(String::new);
    let usage = use_state(Usage::default);
    {
        let usage = usage.clone();
        use_effect_with((), move |_| {
            keep::listen(Some(Callback::from(move |u| usage.set(u))));
            || keep::listen(None)
        });
    }

    let copy_as = |what: &'static str, text: String| {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let c = Copied { what, text: text.clone(), ok: None };
            copied.set(Some(c.clone()));
            let copied = copied.clone();
            copy(text.clone(), Callback::from(move |ok| copied.set(Some(Copied { ok: Some(ok), ..c.clone() }))));
        })
    };
    let full = format!("{}#{}", page_address(), p.link);
    let embed_src = format!("{}#{}{}embed=1", page_address(), p.link, if p.link.is_empty() { "" } else { "&" });
    let embed_code = format!(
        "<iframe src=\"{}\" title=\"profdrop\" loading=\"lazy\" style=\"width:100%;height:520px;border:1px solid #ccc\"></iframe>",
        embed_src.replace('&', "&amp;").replace('"', "&quot;")
    );

    let on_pick = {
        let (views, picked) = (views.clone(), picked.clone());
        Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(v) = views.iter().find(|v| v.name == name) {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().set_hash(&v.hash);
                }
            }
            picked.set(name);
        })
    };
    let name_ref = use_node_ref();
    let on_save = {
        let (views, picked, name_ref, view) = (views.clone(), picked.clone(), name_ref.clone(), p.view.to_string());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = name_ref.cast::<HtmlInputElement>() else { return };
            let name = share::clean_name(&input.value());
            if name.is_empty() {
                return;
            }
            let mut list = load_views();
            share::save(&mut list, &name, &view);
            store_views(&list);
            views.set(list);
            picked.set(name);
            input.set_value("");
        })
    };
    let on_delete = {
        let (views, picked) = (views.clone(), picked.clone());
        Callback::from(move |_: MouseEvent| {
            let mut list = load_views();
            share::delete(&mut list, &picked);
            store_views(&list);
            views.set(list);
            picked.set(String::new());
        })
    };
    let on_forget = {
        let cb = p.on_forget.clone();
        Callback::from(move |_: MouseEvent| {
            wasm_bindgen_futures::spawn_local(keep::forget_all());
            cb.emit(());
        })
    };
    let on_keep = Callback::from(|e: Event| keep::set_enabled(e.target_unchecked_into::<HtmlInputElement>().checked()));

    let u = &*usage;
    let mb = |b: f64| human(b as i64, "bytes");
    html! {
        <section class="share" aria-label="Share and keep">
            <h3>{"Share"}</h3>
            <div class="share-row">
                <button data-testid="copy-link" disabled={!p.loaded} onclick={copy_as("link", full)}
                    title="Copy a link to this view (the profiles by URL, the view, the refinement)">{"Copy link"}</button>
                <button data-testid="copy-embed" disabled={!p.loaded} onclick={copy_as("embed code", embed_code)}
                    title="Copy an iframe that shows this view in a docs page">{"Embed…"}</button>
            </div>
            if let Some(c) = &*copied {
                <p class="copied" role="status">{ match c.ok {
                    Some(true) => format!("The {} is copied.", c.what),
                    Some(false) => format!("Copy the {} from this box:", c.what),
                    None => String::new(),
                } }</p>
                <input class="share-link" data-testid="share-link" readonly=true value={c.text.clone()}
                    onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select())} />
                if !p.unlinked.is_empty() {
                    <p class="note" data-testid="share-note">
                        { format!("The link carries the view only for {}: whoever opens it must drop the same files on the page.", p.unlinked.join(", ")) }
                    </p>
                }
            }

            <h3>{"Named views"}</h3>
            <select data-testid="saved-views" aria-label="Named views" onchange={on_pick} disabled={views.is_empty()}>
                <option value="" selected={picked.is_empty()}>{ if views.is_empty() { "none saved yet" } else { "open a named view…" } }</option>
                { for views.iter().map(|v| html! { <option value={v.name.clone()} selected={*picked == v.name}>{ v.name.clone() }</option> }) }
            </select>
            <form class="share-row" onsubmit={on_save}>
                <input ref={name_ref} data-testid="view-name" type="text" placeholder="name this view" aria-label="Name for this view" maxlength="80" />
                <button type="submit" data-testid="save-view" disabled={!p.loaded} title="Save the view and refinement under this name (on this machine)">{"Save"}</button>
            </form>
            if !picked.is_empty() {
                <button data-testid="delete-view" onclick={on_delete}>{ format!("Delete “{}”", *picked) }</button>
            }

            <h3>{"Kept on this machine"}</h3>
            <label class="keep-toggle" title="Dropped profiles are kept in this browser (IndexedDB) and opened again on reload; nothing is sent anywhere">
                <input type="checkbox" data-testid="keep-toggle" checked={u.enabled} onchange={on_keep} />
                {" Keep dropped profiles"}
            </label>
            <p class="muted kept" data-testid="kept-usage" data-kept={u.count.to_string()} data-restored={u.restored.then_some("1")}>
                { format!("{} file{} kept, {} of {}", u.count, if u.count == 1 { "" } else { "s" }, mb(u.bytes), mb(keep::LIMIT)) }
                <meter min="0" max={keep::LIMIT.to_string()} value={u.bytes.to_string()} />
            </p>
            if !u.not_kept.is_empty() {
                <p class="note">{ format!("Not kept (over the limit): {}", u.not_kept.join(", ")) }</p>
            }
            if let Some(why) = &u.unavailable {
                <p class="note">{ format!("This browser's storage is not available: {why}") }</p>
            }
            <button data-testid="forget-all" onclick={on_forget} title="Remove every kept profile from this browser, and unload every profile">{"Forget all"}</button>
        </section>
    }
}
