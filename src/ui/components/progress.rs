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

/// The progress panel (nothing while no file loads).
#[function_component(Progress)]
pub fn progress(p: &ProgressProps) -> Html {
    if p.loading.is_empty() {
        return html! {};
    }
    html! {
        <div class="progress" data-testid="progress" role="status">
            { for p.loading.iter().map(|l| html! {
                <div class="prog-row" key={l.id}>
                    <span class="fname">{ l.name.clone() }</span>
                    <span class="stage">{ stage_label(l.stage) }</span>
                    <progress max="1" value={format!("{:.3}", l.fraction)} />
                </div>
            }) }
            <button onclick={p.on_cancel.reform(|_: MouseEvent| ())} data-testid="cancel">{"Cancel"}</button>
        </div>
    }
}
