//! What of a link's view state could not be applied (an unknown parameter, a profile it names
//! that is not loaded), named, while the rest of the link applies.

use yew::prelude::*;

/// Props of [`LinkNotes`].
#[derive(Properties, PartialEq)]
pub struct LinkNotesProps {
    /// One message per parameter not applied.
    pub notes: Vec<String>,
}

/// The notice (nothing when every parameter applied).
#[function_component(LinkNotes)]
pub fn link_notes(p: &LinkNotesProps) -> Html {
    if p.notes.is_empty() {
        return html! {};
    }
    html! {
        <div class="notice" data-testid="link-notes" role="status">
            { for p.notes.iter().map(|n| html! { <p>{ n.clone() }</p> }) }
        </div>
    }
}
