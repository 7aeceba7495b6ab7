//! The diff view's controls: base and target (by display name; each maps back to its
//! profile's id, so two files of one name are told apart), swap, normalize, table or flame
//! graph, and the flame graph's layout.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Props of [`DiffControls`].
#[derive(Properties, PartialEq)]
pub struct DiffControlsProps {
    /// The loaded profiles: (id, display name), time order.
    pub profiles: Vec<(u32, AttrValue)>,
    /// Base id.
    pub base: Option<u32>,
    /// Target id.
    pub target: Option<u32>,
    /// pprof's -normalize.
    pub normalize: bool,
    /// The flame graph is shown (else the table).
    pub flame: bool,
    /// The flame graph is laid out on the base.
    pub on_base_layout: bool,
    /// A base was chosen (its id).
    pub on_base: Callback<u32>,
    /// A target was chosen (its id).
    pub on_target: Callback<u32>,
    /// Swap was clicked.
    pub on_swap: Callback<()>,
    /// Normalize was toggled.
    pub on_normalize: Callback<bool>,
    /// Table (false) or flame graph (true) was chosen.
    pub on_mode: Callback<bool>,
    /// The layout on the base was toggled.
    pub on_layout: Callback<bool>,
}

/// The diff controls.
#[function_component(DiffControls)]
pub fn diff_controls(p: &DiffControlsProps) -> Html {
    let options = |sel: Option<u32>| {
        p.profiles
            .iter()
            .map(|(id, label)| html! { <option key={*id} value={label.clone()} selected={sel == Some(*id)}>{ label.clone() }</option> })
            .collect::<Html>()
    };
    // A chosen option's value is a display name: back to the id.
    let picked = |cb: &Callback<u32>| {
        let profiles = p.profiles.clone();
        let cb = cb.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some((id, _)) = profiles.iter().find(|(_, l)| **l == *value) {
                cb.emit(*id);
            }
        })
    };
    let mode = |flame: bool, label: &'static str| {
        let active = p.flame == flame;
        html! {
            <button class={classes!("tab", active.then_some("active"))} aria-pressed={active.to_string()}
                onclick={p.on_mode.reform(move |_: MouseEvent| flame)}>{ label }</button>
        }
    };
    let (normalize, layout) = (p.normalize, p.on_base_layout);
    html! {
        <div class="diff-controls">
            <label class="field">{"Base "}<select data-testid="diff-base" onchange={picked(&p.on_base)}>{ options(p.base) }</select></label>
            <button onclick={p.on_swap.reform(|_: MouseEvent| ())} data-testid="swap" title="Swap base and target">{"⇄ Swap"}</button>
            <label class="field">{"Target "}<select data-testid="diff-target" onchange={picked(&p.on_target)}>{ options(p.target) }</select></label>
            <label class="check"><input type="checkbox" checked={normalize} onchange={p.on_normalize.reform(move |_: Event| !normalize)} />{" normalize (pprof -normalize)"}</label>
            <span class="modes">{ mode(false, "Table") }{ mode(true, "Flame graph") }</span>
            if p.flame {
                <label class="check"><input type="checkbox" checked={layout} onchange={p.on_layout.reform(move |_: Event| !layout)} />{" lay out on base (show vanished stacks)"}</label>
            }
        </div>
    }
}
