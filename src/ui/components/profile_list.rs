//! The loaded profiles, in time order: pick one to show it, or remove it. Each is named by
//! its display name (unique: `heap.pb.gz (2)` for a second file of that name).

use crate::view::state::Entry;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// Props of [`ProfileList`].
#[derive(Properties, PartialEq)]
pub struct ProfileListProps {
    /// The loaded profiles, time order.
    pub entries: Vec<Entry>,
    /// The profile shown.
    pub selected: Option<u32>,
    /// A profile was picked (its id).
    pub on_select: Callback<u32>,
    /// A profile's remove button was clicked (its id).
    pub on_remove: Callback<u32>,
}

/// The profile list.
#[function_component(ProfileList)]
pub fn profile_list(p: &ProfileListProps) -> Html {
    html! {
        <ul class="profiles" data-testid="profile-list" aria-label="Loaded profiles">
            { for p.entries.iter().map(|e| {
                let id = e.summary.id;
                let sel = p.selected == Some(id);
                let when = if e.summary.time_nanos > 0 { clock_time(e.summary.time_nanos) } else { String::new() };
                let sm = &e.summary;
                html! {
                    <li key={id} data-file={e.label.clone()} data-selected={sel.then_some("true")} class={classes!(sel.then_some("selected"))}>
                        <button class="pick" title={format!("{} — {}, {} samples, {} functions", e.label, sm.format, sm.samples, sm.functions)}
                            onclick={p.on_select.reform(move |_: MouseEvent| id)}>
                            <span class="fname">{ e.label.clone() }</span>
                            <span class="meta">{ when }</span>
                        </button>
                        <button class="remove" aria-label={format!("Remove {}", e.label)} title="Remove"
                            onclick={p.on_remove.reform(move |_: MouseEvent| id)}>{"×"}</button>
                    </li>
                }
            }) }
        </ul>
    }
}

/// A profile's time of day, local, as `HH:MM:SS`. (Not `toLocaleTimeString`: its first call
/// loads the browser's locale data, 60-70 ms on the main thread just as a big profile's table
/// is about to show.)
fn clock_time(time_nanos: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(time_nanos as f64 / 1e6));
    format!("{:02}:{:02}:{:02}", date.get_hours(), date.get_minutes(), date.get_seconds())
}
