//! Files being loaded: stage and progress per file, and Cancel.

use crate::decode::Stage;
use crate::view::state::Loading;
use yew::prelude::*;

/// Props of [`Progress`].
#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    /// Files being loaded.
    pub loading: Vec<Loading>,
    /// Cancel was clicked.
    pub on_cancel: Callback<()>,
}

fn stage_label(s: Stage) -> &'static str {
    match s {
        Stage::Reading => "reading",
        Stage::Inflating => "inflating",
        Stage::Decoding => "decoding",
        Stage::Streaming => "inflating + decoding",
        Stage::Building => "building views",
        Stage::Downloading => "downloading",
    }
}

/// Rows shown at most: the files whose load has begun (the engine reads one and has the next
/// inflating; downloads run at once); the files waiting their turn are counted.
const ROWS: usize = 8;

/// The progress panel (nothing while no file loads): a row per file being loaded, with its
/// stage and progress, and how many wait. (A row per waiting file made a folder of 100
/// snapshots re-render and repaint 100 rows at every step.)
#[function_component(Progress)]
pub fn progress(p: &ProgressProps) -> Html {
    if p.loading.is_empty() {
        return html! {};
    }
    let mut active: Vec<&Loading> = p.loading.iter().filter(|l| l.started).take(ROWS).collect();
    if active.is_empty() {
        // (Nothing reported yet: the first in line.)
        active.extend(p.loading.first());
    }
    let waiting = p.loading.len() - active.len();
    html! {
        <div class="progress" data-testid="progress" role="status">
            { for active.iter().map(|l| html! {
                <div class="prog-row" key={l.id}>
                    <span class="fname">{ l.name.clone() }</span>
                    <span class="stage">{ stage_label(l.stage) }</span>
                    <progress max="1" value={format!("{:.3}", l.fraction)} />
                </div>
            }) }
            if waiting > 0 {
                <div class="prog-row prog-more muted" data-testid="progress-waiting">
                    { format!("{waiting} more {} waiting", if waiting == 1 { "file" } else { "files" }) }
                </div>
            }
            <button onclick={p.on_cancel.reform(|_: MouseEvent| ())} data-testid="cancel">{"Cancel"}</button>
        </div>
    }
}
