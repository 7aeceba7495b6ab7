//! One line about the profile shown: format, samples, duration, period; for folded stacks,
//! whose file does not say what a count is, a select of the unit.

use crate::protocol::Summary;
use crate::units::human;
use yew::prelude::*;

/// Props of [`SummaryLine`].
#[derive(Properties, PartialEq)]
pub struct SummaryLineProps {
    /// The profile shown.
    pub summary: Option<Summary>,
    /// A unit was chosen for the (folded) profile `id`.
    #[prop_or_default]
    pub on_unit: Callback<(u32, String)>,
}

/// What each unit a folded file's counts can have is called in the select.
const UNIT_LABELS: [(&str, &str); 6] = [
    ("count", "samples (count)"),
    ("nanoseconds", "nanoseconds"),
    ("microseconds", "microseconds"),
    ("milliseconds", "milliseconds"),
    ("seconds", "seconds"),
    ("bytes", "bytes"),
];

/// The summary line.
#[function_component(SummaryLine)]
pub fn summary_line(p: &SummaryLineProps) -> Html {
    let Some(sm) = &p.summary else { return html! {} };
    let mut parts = vec![sm.format.clone(), format!("{} samples", human(sm.samples as i64, "count"))];
    if sm.duration_nanos > 0 {
        parts.push(format!("duration {}", human(sm.duration_nanos, "nanoseconds")));
    }
    if let Some(pt) = &sm.period_type {
        if sm.period != 0 {
            parts.push(format!("period {} {}", human(sm.period, &pt.unit), pt.name));
        }
    }
    let unit = sm.format.starts_with("folded stacks").then(|| {
        let id = sm.id;
        let current = sm.sample_types.first().map(|t| t.unit.clone()).unwrap_or_default();
        let on_unit = p.on_unit.clone();
        let onchange = Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                on_unit.emit((id, sel.value()));
            }
        });
        html! {
            <label class="unit-pick" title="A folded file does not say what its counts are">
                { " · counts are " }
                <select data-testid="unit-picker" aria-label="Unit of the counts" {onchange}>
                    { for UNIT_LABELS.iter().map(|(u, label)| html! { <option value={*u} selected={*u == current}>{ *label }</option> }) }
                </select>
            </label>
        }
    });
    html! { <p class="summary">{ parts.join(" · ") }{ for unit }</p> }
}
