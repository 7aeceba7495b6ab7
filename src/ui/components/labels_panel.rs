//! The label browser: every label key of the shown profile (as refined) with its values and
//! each value's share of the total; numeric labels as a histogram with human units. Clicking
//! a value adds pprof's tag filter for it (`tf=key=^value$`, or a numeric range such as
//! `tf=bytes=1024bytes:2047bytes`); Shift+click ignores it instead (`ti=`).

use crate::analysis::labels::{LabelKey, LabelValue};
use crate::protocol::{Refine, Response};
use crate::ui::store::Shared;
use crate::units::{human, pct};
use crate::view::refining::{add_tag, exact_tag, tag_range};
use yew::prelude::*;

/// Props of [`LabelsPanel`].
#[derive(Properties, PartialEq)]
pub struct LabelsPanelProps {
    /// Is it open? (Closed: nothing is shown.)
    pub open: bool,
    /// The `Response::Labels` once it came (or the error).
    pub resp: Option<Shared<Response>>,
    /// The refinement shown.
    pub refine: Refine,
    /// A new refinement.
    pub on_refine: Callback<Refine>,
    /// Close the panel.
    pub on_close: Callback<()>,
}

/// The bucket's name: a value, or an inclusive range, in the label's unit for people.
fn bucket_text(k: &LabelKey, v: &LabelValue) -> String {
    if v.lo == v.hi {
        human(v.lo, &k.unit)
    } else {
        format!("{} – {}", human(v.lo, &k.unit), human(v.hi, &k.unit))
    }
}

/// The label browser.
#[function_component(LabelsPanel)]
pub fn labels_panel(p: &LabelsPanelProps) -> Html {
    if !p.open {
        return html! {};
    }
    let close = p.on_close.reform(|_: MouseEvent| ());
    let body = match p.resp.as_ref().map(|r| &*r.0) {
        None => html! { <p class="muted">{"Reading the labels…"}</p> },
        Some(Response::Error { message }) => html! { <p class="error-inline">{ message.clone() }</p> },
        Some(Response::Labels(sum)) if sum.keys.is_empty() => {
            html! { <p class="muted" data-testid="no-labels">{"No sample of this profile carries a label."}</p> }
        }
        Some(Response::Labels(sum)) => {
            let (unit, total) = (sum.unit.clone(), sum.total);
            let keys = sum.keys.iter().map(|k| {
                let max = k.values.iter().map(|v| v.value).max().unwrap_or(0).max(1);
                let values = k.values.iter().map(|v| {
                    let filter = if k.numeric { tag_range(&k.key, &k.unit, v.lo, v.hi) } else { exact_tag(&v.text) };
                    let text = if k.numeric { bucket_text(k, v) } else { v.text.clone() };
                    let onclick = {
                        let (r, cb, key, filter) = (p.refine.clone(), p.on_refine.clone(), k.key.clone(), filter.clone());
                        Callback::from(move |e: MouseEvent| {
                            let which = if e.shift_key() { "ti" } else { "tf" };
                            cb.emit(add_tag(&r, which, &key, &filter));
                        })
                    };
                    let width = (v.value as f64 / max as f64 * 100.0).clamp(0.0, 100.0);
                    html! {
                        <li>
                            <button class="label-value" data-testid="label-value" data-key={k.key.clone()} data-value={filter.clone()}
                                data-total={v.value.to_string()} {onclick}
                                title={format!("{}={} · {} samples · click: tagfocus, Shift+click: tagignore", k.key, filter, v.samples)}>
                                <span class="lv-name">{ text }</span>
                                <span class="lv-bar"><span style={format!("width:{width:.1}%")}></span></span>
                                <span class="lv-share">{ format!("{} · {}", human(v.value, &unit), pct(v.value, total)) }</span>
                            </button>
                        </li>
                    }
                });
                html! {
                    <div class="label-key" data-key={k.key.clone()}>
                        <h4>
                            <code>{ k.key.clone() }</code>
                            if k.numeric { <span class="muted">{ format!(" numeric{}", if k.unit.is_empty() { String::new() } else { format!(", {}", k.unit) }) }</span> }
                            <span class="muted">{ format!(" · on {} of the total", pct(k.labelled, total)) }</span>
                        </h4>
                        <ul class={classes!("label-values", k.numeric.then_some("histogram"))}>{ for values }</ul>
                        if k.more > 0 { <p class="muted">{ format!("and {} smaller values", k.more) }</p> }
                    </div>
                }
            });
            html! { <>{ for keys }</> }
        }
        Some(_) => html! {},
    };
    html! {
        <section class="labels-panel" data-testid="label-panel" aria-label="Labels">
            <div class="labels-head">
                <strong>{"Labels"}</strong>
                <span class="muted">{" · click a value to keep only its samples (tagfocus), Shift+click to drop them (tagignore)"}</span>
                <button class="close" onclick={close} aria-label="Close the label browser">{"×"}</button>
            </div>
            { body }
        </section>
    }
}
