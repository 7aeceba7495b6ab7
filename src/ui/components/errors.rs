//! What could not be loaded or computed, in words, until dismissed.

use yew::prelude::*;

/// Props of [`Errors`].
#[derive(Properties, PartialEq)]
pub struct ErrorsProps {
    /// One message per problem ("file: why").
    pub messages: Vec<String>,
    /// Dismiss was clicked.
    pub on_dismiss: Callback<()>,
}

/// The error panel (nothing without errors).
#[function_component(Errors)]
pub fn errors(p: &ErrorsProps) -> Html {
    if p.messages.is_empty() {
        return html! {};
    }
    html! {
        <div class="error" data-testid="error" role="alert">
            { for p.messages.iter().map(|e| html! { <p>{ e.clone() }</p> }) }
            <button onclick={p.on_dismiss.reform(|_: MouseEvent| ())}>{"Dismiss"}</button>
        </div>
    }
}
