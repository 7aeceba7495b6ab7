//! Keyboard: `/` search, `1`–`5` views, `Esc` resets zoom and focus (and leaves the pivot
//! view), `d` theme, `b` bottom-up (inverted) flame graph.

use crate::view::state::View;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// What the keys do.
#[derive(Clone, PartialEq)]
pub struct Keys {
    /// `1`–`4`.
    pub on_view: Callback<View>,
    /// `Esc`.
    pub on_reset: Callback<()>,
    /// `d`.
    pub on_theme: Callback<()>,
    /// `b`: inverted flame graph on or off.
    pub on_inverted: Callback<()>,
}

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("document")
}

/// Listens to the keys on the document while the component lives.
#[hook]
pub fn use_keys(keys: Keys) {
    use_effect_with(keys, move |keys| {
        let keys = keys.clone();
        let cb = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
            let typing = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
                .unwrap_or(false);
            if e.key() == "Escape" {
                keys.on_reset.emit(());
                if let Some(el) = document().active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.blur();
                }
                return;
            }
            if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            match e.key().as_str() {
                "/" => {
                    if let Some(i) = document()
                        .query_selector("[data-testid=search]")
                        .ok()
                        .flatten()
                        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        e.prevent_default();
                        let _ = i.focus();
                    }
                }
                "1" => keys.on_view.emit(View::Top),
                "2" => keys.on_view.emit(View::Flame),
                "3" => keys.on_view.emit(View::Diff),
                "4" => keys.on_view.emit(View::Leaks),
                "5" => keys.on_view.emit(View::Peek),
                "6" => keys.on_view.emit(View::Graph),
                "7" => keys.on_view.emit(View::Source),
                "b" => keys.on_inverted.emit(()),
                "d" => keys.on_theme.emit(()),
                _ => {}
            }
        });
        document().add_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref()).ok();
        move || {
            document().remove_event_listener_with_callback("keydown", cb.as_ref().unchecked_ref()).ok();
        }
    });
}
