//! The leak view: which series it reads (a picker when several are loaded), and the leak
//! finder's table over it.

use super::leak_table::LeakTable;
use super::timeline::Timeline;
use crate::protocol::Response;
use crate::ui::store::Shared;
use yew::prelude::*;

/// A series as the picker shows it.
#[derive(Clone, PartialEq)]
pub struct SeriesChoice {
    /// A member's id (what picking it sends).
    pub id: u32,
    /// Display names of its profiles, in order.
    pub labels: Vec<String>,
    /// How it was ordered, in words.
    pub ordered_by: &'static str,
}

/// Props of [`LeaksView`].
#[derive(Properties, PartialEq)]
pub struct LeaksViewProps {
    /// The `Response::Leaks`, once it came.
    pub leaks: Option<Shared<Response>>,
    /// The series of the sample type shown.
    pub series: Vec<SeriesChoice>,
    /// Index in `series` of the one read.
    pub current: Option<usize>,
    /// Another series was picked (a member's id).
    pub on_pick: Callback<u32>,
    /// A suspect was clicked (its function name).
    pub on_open: Callback<String>,
    /// A function's context menu (its name, where to open it).
    #[prop_or_default]
    pub on_menu: Callback<(String, f64, f64)>,
    /// The snapshots the answer is about (ids, and display names), in its order.
    pub snapshots: Vec<(u32, String)>,
    /// A snapshot was clicked on the timeline.
    pub on_snapshot: Callback<u32>,
    /// Two snapshots were picked on the timeline (base, target).
    pub on_pair: Callback<(u32, u32)>,
    /// Every profile of the sample type shown: (id, display name, in the series read, of
    /// the series' own program).
    pub members: Vec<(u32, String, bool, bool)>,
    /// Warnings about profiles added from elsewhere.
    pub warnings: Vec<String>,
    /// A profile was put in or taken out of the series.
    pub on_member: Callback<(u32, bool)>,
}

/// The leak view.
#[function_component(LeaksView)]
pub fn leaks_view(p: &LeaksViewProps) -> Html {
    let on_change = {
        let on_pick = p.on_pick.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Ok(id) = v.parse() {
                on_pick.emit(id);
            }
        })
    };
    let about = p.current.and_then(|i| p.series.get(i)).map(|c| {
        let n = c.labels.len();
        let what = if n == 1 { "1 snapshot: load more of the same program to find leaks".to_string() } else { format!("{n} snapshots") };
        format!("{what}, {}", c.ordered_by)
    });
    let name = |c: &SeriesChoice| match c.labels.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [first, .., last] => format!("{first} … {last} ({})", c.labels.len()),
    };
    let picker = html! {
        <div class="diff-controls series-bar">
            <label class="field">{"Series "}
                <select data-testid="series-picker" onchange={on_change} disabled={p.series.len() < 2}
                        title="Profiles of the same kind from the same program, in time order">
                    { for p.series.iter().enumerate().map(|(i, c)| html! {
                        <option value={c.id.to_string()} data-series={c.labels.join(",")} selected={p.current == Some(i)}>{name(c)}</option>
                    }) }
                </select>
            </label>
            if let Some(a) = about { <span class="muted">{a}</span> }
        </div>
    };
    let n_in = p.members.iter().filter(|m| m.2).count();
    let members = html! {
        <details class="members">
            <summary>{ format!("{n_in} of {} profiles of this kind in the series", p.members.len()) }</summary>
            <ul>{ for p.members.iter().map(|(id, label, on, own)| {
                let (id, on) = (*id, *on);
                let toggle = p.on_member.reform(move |_: Event| (id, !on));
                html! {
                    <li><label class="check"><input type="checkbox" checked={on} onchange={toggle} data-member={label.clone()} />
                        { label.clone() }{ if *own { html! {} } else { html! { <span class="muted">{" (another series)"}</span> } } }</label></li>
                }
            }) }</ul>
        </details>
    };
    let warnings =
        html! { <>{ for p.warnings.iter().map(|w| html! { <p class="notice warn" data-testid="series-warning">{ w.clone() }</p> }) }</> };
    let body = match &p.leaks {
        Some(r) => {
            let chart = match &*r.0 {
                Response::Leaks(report) => {
                    // (Rates of a counter since the start are per interval: one value fewer,
                    // each at the snapshot that ends its interval.)
                    let snaps = if report.totals.len() + 1 == p.snapshots.len() { &p.snapshots[1..] } else { &p.snapshots[..] };
                    html! {
                    <Timeline report={report.clone()} ids={snaps.iter().map(|s| s.0).collect::<Vec<_>>()}
                        labels={snaps.iter().map(|s| s.1.clone()).collect::<Vec<_>>()}
                        on_open={p.on_snapshot.clone()} on_diff={p.on_pair.clone()} />
                    }
                }
                _ => html! {},
            };
            html! { <>{chart}<LeakTable resp={r.clone()} on_open={p.on_open.clone()} on_menu={p.on_menu.clone()} /></> }
        }
        None => html! { <p class="muted">{"Analysing the series…"}</p> },
    };
    html! { <>{picker}{members}{warnings}{body}</> }
}
