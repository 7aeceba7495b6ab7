//! One line about the profile shown: format, samples, duration, period.

use crate::protocol::Summary;
use crate::units::human;
use yew::prelude::*;

/// Props of [`SummaryLine`].
#[derive(Properties, PartialEq)]
pub struct SummaryLineProps {
    /// The profile shown.
    pub summary: Option<Summary>,
}

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
    html! { <p class="summary">{ parts.join(" · ") }</p> }
}
