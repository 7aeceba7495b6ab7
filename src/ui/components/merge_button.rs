//! Sums the profiles of the selected one's series (same kind, same program) into one, as `go tool pprof` does with
//! several inputs.

use yew::prelude::*;

/// Props of [`MergeButton`].
#[derive(Properties, PartialEq)]
pub struct MergeButtonProps {
    /// How many profiles would be merged (the button shows from two).
    pub count: usize,
    /// Clicked.
    pub on_merge: Callback<()>,
}

/// The merge button.
#[function_component(MergeButton)]
pub fn merge_button(p: &MergeButtonProps) -> Html {
    if p.count < 2 {
        return html! {};
    }
    html! {
        <button class="merge" data-testid="merge" onclick={p.on_merge.reform(|_: MouseEvent| ())}
            title="Sum the selected profile's series (the same kind of profile of the same program) into one, as go tool pprof does with several inputs">
            { format!("Merge {} profiles of this series", p.count) }
        </button>
    }
}
