//! The flame graph: one `<canvas>`, root on top, click to zoom, hover tooltip, search
//! highlight, HiDPI-sharp and redrawn on resize. Layout comes from `view::flame`.

use super::store::Shared;
use crate::analysis::tree::FlameData;
use crate::analysis::Search;
use crate::protocol::Response;
use crate::units::{human, pct, signed};
use crate::view::flame::{diff_colour, frame_colour, hit, layout, Hsl, Rect, MERGED};
use crate::view::flame_keys::{step, Step};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, MouseEvent};
use yew::prelude::*;

const ROW: f64 = 18.0;
const MAX_CANVAS_PX: f64 = 30_000.0;

/// Single-profile or differential.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FlameMode {
    /// One profile.
    Single,
    /// Coloured by change.
    Diff,
}

/// Props of [`FlameGraph`].
#[derive(Properties, PartialEq)]
pub struct FlameProps {
    /// The `Response::Flame`.
    pub resp: Shared<Response>,
    /// Search text.
    pub search: String,
    /// Current zoom path.
    pub zoom: Vec<String>,
    /// Focused function.
    pub focus: Option<String>,
    /// Dark theme.
    pub dark: bool,
    /// Mode.
    pub mode: FlameMode,
    /// Lay out on base values (diff).
    pub on_base: bool,
    /// Zoom to a path of function names (empty: the root).
    pub on_zoom: Callback<Vec<String>>,
    /// Reset zoom and focus.
    pub on_reset: Callback<()>,
    /// A function's context menu (its name, where to open it).
    #[prop_or_default]
    pub on_menu: Callback<(String, f64, f64)>,
    /// Inverted (bottom-up) graph: shown in the bar, with its toggle when `on_inverted` is set.
    #[prop_or_default]
    pub inverted: bool,
    /// Turns the inverted graph on or off (the bar's toggle).
    #[prop_or_default]
    pub on_inverted: Option<Callback<bool>>,
    /// Rows drawn: how many levels from the root are left out at the top (the pivot view
    /// leaves out its synthetic root, and the callee side the pivot row too).
    #[prop_or_default]
    pub skip: u32,
    /// Drawn upwards: the root at the bottom (the pivot's callers).
    #[prop_or_default]
    pub flip: bool,
    /// A click picks the frame's function (the pivot view re-pivots) instead of zooming; the
    /// bar (breadcrumb, reset) is not shown.
    #[prop_or_default]
    pub on_pick: Option<Callback<String>>,
    /// The canvas's `data-testid`.
    #[prop_or(AttrValue::Static("flamegraph"))]
    pub testid: AttrValue,
    /// Frames at this depth are outlined (the pivot's own frames).
    #[prop_or_default]
    pub mark: Option<u32>,
}

/// Rows of a drawn graph: which row a depth is on, and back.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Rows {
    skip: u32,
    flip: bool,
    /// Deepest depth drawn.
    max: u32,
}

impl Rows {
    fn new(d: &FlameData, skip: u32, flip: bool) -> Rows {
        Rows { skip, flip, max: d.depth.iter().copied().max().unwrap_or(0) }
    }
    /// Number of rows.
    fn count(&self) -> u32 {
        (self.max + 1).saturating_sub(self.skip).max(1)
    }
    /// The row of a depth, if it is drawn.
    fn row(&self, depth: u32) -> Option<u32> {
        let r = depth.checked_sub(self.skip)?;
        Some(if self.flip { self.count() - 1 - r } else { r })
    }
}

#[derive(Clone, PartialEq)]
struct Tip {
    x: f64,
    y: f64,
    node: u32,
}

/// The flame graph component.
#[function_component(FlameGraph)]
pub fn flame_graph(p: &FlameProps) -> Html {
    let canvas = use_node_ref();
    let wrap = use_node_ref();
    let width = use_state(|| 0f64);
    let rects: Rc<RefCell<Vec<Rect>>> = use_mut_ref(Vec::new);
    let tip = use_state(|| None::<Tip>);
    let drawn = use_state(|| 0usize);

    // Track the container width (redraw on resize).
    {
        let wrap = wrap.clone();
        let width = width.clone();
        use_effect_with((), move |_| {
            let el: Option<web_sys::Element> = wrap.cast();
            let mut observer = None;
            let mut cb_keep = None;
            if let Some(el) = el {
                width.set(el.client_width() as f64);
                let w2 = width.clone();
                let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                    if let Some(e) = entries.get(0).dyn_ref::<web_sys::ResizeObserverEntry>() {
                        let w = e.content_rect().width().floor();
                        if w > 0.0 {
                            w2.set(w);
                        }
                    }
                });
                if let Ok(o) = web_sys::ResizeObserver::new(cb.as_ref().unchecked_ref()) {
                    o.observe(&el);
                    observer = Some(o);
                }
                cb_keep = Some(cb);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(cb_keep);
            }
        });
    }

    let Response::Flame { unit, total, matched, data, diff, .. } = &*p.resp.0 else { return html! {} };
    let search = Search::new(&p.search);

    // Draw.
    {
        let canvas = canvas.clone();
        let rects = rects.clone();
        let drawn = drawn.clone();
        let resp = p.resp.clone();
        let search_text = p.search.clone();
        let dark = p.dark;
        let on_base = p.on_base;
        let mode = p.mode;
        let (skip, flip, mark) = (p.skip, p.flip, p.mark);
        use_effect_with(
            (resp, search_text, dark, on_base, *width, mode, skip, flip, mark),
            move |(resp, search_text, dark, on_base, width, mode, skip, flip, mark)| {
                if let Response::Flame { data, .. } = &*resp.0 {
                    let search = Search::new(search_text);
                    let now = || web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
                    let t0 = now();
                    let mut r = layout(data, *width, *on_base && *mode == FlameMode::Diff);
                    let rows = Rows::new(data, *skip, *flip);
                    // Rects carry their row from here on (what is drawn, and hit).
                    r.retain_mut(|x| match rows.row(x.depth) {
                        Some(row) => {
                            x.depth = row;
                            true
                        }
                        None => false,
                    });
                    if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                        draw(&c, data, &r, *width, *dark, *mode, search.as_ref(), rows.count());
                        if let Some(row) = mark.and_then(|d| rows.row(d)) {
                            outline(&c, &r, row, *dark);
                        }
                        // How long the last redraw (layout + paint) took, for the benchmark.
                        let _ = c.set_attribute("data-draw-ms", &format!("{:.2}", now() - t0));
                    }
                    drawn.set(r.len());
                    *rects.borrow_mut() = r;
                }
            },
        );
    }

    // The context menu and the keyboard (listeners set on the canvas once, calling the
    // handlers of the latest render): a right click on a frame opens its menu; with the canvas
    // focused, arrows move a cursor from frame to frame (shown with the tooltip), Enter zooms
    // to it, Shift+F10 or the context-menu key opens its menu (else the view root's).
    {
        let handlers = use_mut_ref(|| None::<(Callback<MouseEvent>, Callback<web_sys::KeyboardEvent>)>);
        *handlers.borrow_mut() = Some(menu_handlers(p, &rects, &tip, &canvas));
        let canvas = canvas.clone();
        use_effect_with((), move |_| {
            use gloo_events::{EventListener, EventListenerOptions};
            let listeners = canvas.cast::<web_sys::Element>().map(|el| {
                let _ = el.set_attribute("tabindex", "0");
                let _ = el.set_attribute(
                    "title",
                    "Click to zoom, right click for filters. Keyboard: arrows move between frames, Enter zooms, Shift+F10 opens the menu",
                );
                let h = handlers.clone();
                let menu = EventListener::new_with_options(&el, "contextmenu", EventListenerOptions::enable_prevent_default(), move |e| {
                    if let (Some(e), Some((cb, _))) = (e.dyn_ref::<MouseEvent>(), &*h.borrow()) {
                        cb.emit(e.clone());
                    }
                });
                let h = handlers.clone();
                let keys = EventListener::new_with_options(&el, "keydown", EventListenerOptions::enable_prevent_default(), move |e| {
                    if let (Some(e), Some((_, cb))) = (e.dyn_ref::<web_sys::KeyboardEvent>(), &*h.borrow()) {
                        cb.emit(e.clone());
                    }
                });
                (menu, keys)
            });
            move || drop(listeners)
        });
    }

    let on_move = {
        let rects = rects.clone();
        let tip = tip.clone();
        Callback::from(move |e: MouseEvent| {
            let x = e.offset_x() as f64;
            let y = e.offset_y() as f64;
            let row = (y / ROW).floor() as u32;
            let found = hit(&rects.borrow(), x, row).copied();
            match found {
                Some(r) if r.node != MERGED => tip.set(Some(Tip { x, y, node: r.node })),
                _ => tip.set(None),
            }
        })
    };
    let on_leave = {
        let tip = tip.clone();
        Callback::from(move |_| tip.set(None))
    };
    let on_click = {
        let rects = rects.clone();
        let resp = p.resp.clone();
        let zoom = p.zoom.clone();
        let on_zoom = p.on_zoom.clone();
        let on_pick = p.on_pick.clone();
        Callback::from(move |e: MouseEvent| {
            let row = (e.offset_y() as f64 / ROW).floor() as u32;
            let found = hit(&rects.borrow(), e.offset_x() as f64, row).copied();
            let Some(r) = found else { return };
            if r.node == MERGED {
                return;
            }
            let Response::Flame { data, .. } = &*resp.0 else { return };
            if let Some(pick) = &on_pick {
                if r.node != 0 {
                    pick.emit(data.names[data.name[r.node as usize] as usize].clone());
                }
                return;
            }
            let mut path = zoom.clone();
            if r.node == 0 {
                // Clicking the view root zooms out one level.
                path.pop();
            } else {
                let mut chain = Vec::new();
                let mut n = r.node as usize;
                while n != 0 {
                    chain.push(data.names[data.name[n] as usize].clone());
                    n = data.parent[n] as usize;
                }
                chain.reverse();
                path.extend(chain);
            }
            on_zoom.emit(path);
        })
    };

    let rows = Rows::new(data, p.skip, p.flip);
    let height = (rows.count() as f64 * ROW).min(MAX_CANVAS_PX);
    let root_name =
        if p.zoom.is_empty() { p.focus.clone().unwrap_or_else(|| "root".into()) } else { p.zoom.last().cloned().unwrap_or_default() };

    // Breadcrumb: root › … › zoomed frame.
    let crumbs = {
        let mut items = vec![html! {
            <button class="crumb" onclick={p.on_zoom.reform(|_: MouseEvent| vec![])}>
                { p.focus.clone().map(|f| format!("focus: {f}")).unwrap_or_else(|| if p.inverted { "root (bottom-up)".into() } else { "root".into() }) }
            </button>
        }];
        for i in 0..p.zoom.len() {
            let path = p.zoom[..=i].to_vec();
            items.push(html! { <span class="sep">{"›"}</span> });
            items.push(html! { <button class="crumb" title={p.zoom[i].clone()} onclick={p.on_zoom.reform(move |_: MouseEvent| path.clone())}>{ short(&p.zoom[i]) }</button> });
        }
        items
    };
    let reset = p.on_reset.reform(|_: MouseEvent| ());

    let tooltip = match &*tip {
        Some(t) if (t.node as usize) < data.value.len() => {
            let i = t.node as usize;
            let name = &data.names[data.name[i] as usize];
            let v = data.value[i];
            let lines: Vec<String> = if *diff {
                let b = data.base[i];
                vec![
                    format!("base {}  →  target {}", human(b, unit), human(v, unit)),
                    format!("delta {} ({} of base total)", signed(v - b, unit), pct(v - b, *total)),
                ]
            } else {
                vec![format!("{} ({} of total)", human(v, unit), pct(v, *total)), format!("exact: {v} {unit}")]
            };
            let left = (t.x + 14.0).min((*width - 320.0).max(0.0));
            html! {
                <div class="tooltip" data-testid="flame-tooltip" style={format!("left:{left}px;top:{}px", t.y + 16.0)}>
                    <div class="tip-name">{ clip_name(name) }</div>
                    { for lines.into_iter().map(|l| html! { <div>{ l }</div> }) }
                </div>
            }
        }
        _ => html! {},
    };
    let matched_line = match (matched, &search) {
        (Some(m), Some(s)) => html! {
            <span class="matched" data-testid="search-share">{ format!("{} “{}” matches {} ({})",
                if s.is_regex() { "regex" } else { "text" }, p.search.trim(), human(*m, unit), pct(*m, *total)) }</span>
        },
        _ => html! {},
    };
    let legend = if p.mode == FlameMode::Diff {
        html! {
            <span class="legend">
                <span class="sw grew"></span>{"grew"}<span class="sw shrank"></span>{"shrank"}<span class="sw same"></span>{"unchanged"}
                {" · width = "}{ if p.on_base { "base" } else { "target" } }
            </span>
        }
    } else {
        html! {}
    };

    let inverted_toggle = match &p.on_inverted {
        Some(cb) => {
            let (cb, now) = (cb.clone(), p.inverted);
            html! {
                <button class={classes!("toggle", now.then_some("on"))} data-testid="inverted" aria-pressed={now.to_string()}
                    title="Inverted (bottom-up): the functions samples end in at the root, their callers below (key b)"
                    onclick={Callback::from(move |_: MouseEvent| cb.emit(!now))}>{"Inverted"}</button>
            }
        }
        None => html! {},
    };
    let label = if p.inverted { "Flame graph, inverted (callers below)" } else { "Flame graph" };
    html! {
        <section class={classes!("flame", p.flip.then_some("flipped"))}>
            if p.on_pick.is_none() {
                <div class="flame-bar">
                    <nav class="crumbs" aria-label="Zoom path">{ for crumbs }</nav>
                    <button onclick={reset} title="Reset zoom and focus (Esc)">{"Reset"}</button>
                    { inverted_toggle }
                    { matched_line }
                    { legend }
                    if data.culled > 0 { <span class="muted">{ format!("{} narrow frames merged", data.culled) }</span> }
                </div>
            }
            <div class="canvas-wrap" ref={wrap}>
                <canvas ref={canvas} data-testid={p.testid.clone()} data-root={root_name} data-frames={drawn.to_string()}
                    data-inverted={p.inverted.then_some("1")}
                    style={format!("width:100%;height:{height}px")} role="img" aria-label={label}
                    onmousemove={on_move} onmouseleave={on_leave} onclick={on_click} />
                { tooltip }
            </div>
        </section>
    }
}

/// The canvas's context-menu and keyboard handlers (see the listeners in [`flame_graph`]).
fn menu_handlers(
    p: &FlameProps,
    rects: &Rc<RefCell<Vec<Rect>>>,
    tip: &UseStateHandle<Option<Tip>>,
    canvas: &NodeRef,
) -> (Callback<MouseEvent>, Callback<web_sys::KeyboardEvent>) {
    // (Not for the synthetic root of the whole graph: it is no function.)
    let whole = p.zoom.is_empty() && p.focus.is_none();
    let frame_name = move |data: &FlameData, node: u32| -> Option<String> {
        if node == MERGED || (node == 0 && whole) || node as usize >= data.name.len() {
            return None;
        }
        Some(data.names[data.name[node as usize] as usize].clone())
    };
    let on_context = {
        let (rects, on_menu, resp) = (rects.clone(), p.on_menu.clone(), p.resp.clone());
        Callback::from(move |e: MouseEvent| {
            let Response::Flame { data, .. } = &*resp.0 else { return };
            let row = (e.offset_y() as f64 / ROW).floor() as u32;
            let found = hit(&rects.borrow(), e.offset_x() as f64, row).copied();
            if let Some(name) = found.and_then(|r| frame_name(data, r.node)) {
                e.prevent_default();
                on_menu.emit((name, e.client_x() as f64, e.client_y() as f64));
            }
        })
    };
    let on_key = {
        let (tip, on_menu, canvas) = (tip.clone(), p.on_menu.clone(), canvas.clone());
        let (rects, resp, zoom, on_zoom) = (rects.clone(), p.resp.clone(), p.zoom.clone(), p.on_zoom.clone());
        Callback::from(move |e: web_sys::KeyboardEvent| {
            let Response::Flame { data, .. } = &*resp.0 else { return };
            if let Some(dir) = Step::of_key(&e.key()) {
                e.prevent_default();
                let rects = rects.borrow();
                let next = step(&rects, &data.parent, tip.as_ref().map(|t| t.node), dir);
                if let Some(r) = next.and_then(|n| rects.iter().find(|r| r.node == n)) {
                    tip.set(Some(Tip { x: r.x + (r.w / 2.0).min(30.0), y: r.depth as f64 * ROW + ROW / 2.0, node: r.node }));
                }
                return;
            }
            if e.key() == "Enter" {
                if let Some(t) = &*tip {
                    e.prevent_default();
                    on_zoom.emit(zoom_path(data, &zoom, t.node));
                }
                return;
            }
            if !(e.key() == "ContextMenu" || (e.shift_key() && e.key() == "F10")) {
                return;
            }
            let Some(c) = canvas.cast::<web_sys::Element>() else { return };
            let r = c.get_bounding_client_rect();
            let (node, x, y) = match &*tip {
                Some(t) => (t.node, r.left() + t.x, r.top() + t.y),
                None => (0, r.left() + 8.0, r.top() + ROW),
            };
            if let Some(name) = frame_name(data, node) {
                e.prevent_default();
                on_menu.emit((name, x, y));
            }
        })
    };
    (on_context, on_key)
}

/// The zoom path to `node` from the current one (`zoom`); the view root zooms out one level
/// (as a click does).
fn zoom_path(data: &FlameData, zoom: &[String], node: u32) -> Vec<String> {
    let mut path = zoom.to_vec();
    if node == 0 {
        path.pop();
    } else {
        let mut chain = Vec::new();
        let mut n = node as usize;
        while n != 0 {
            chain.push(data.names[data.name[n] as usize].clone());
            n = data.parent[n] as usize;
        }
        chain.reverse();
        path.extend(chain);
    }
    path
}

fn short(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    if c.len() > 40 {
        format!("…{}", c[c.len() - 39..].iter().collect::<String>())
    } else {
        s.to_string()
    }
}

/// Names can be 100 KB long: the tooltip shows a bounded prefix.
fn clip_name(s: &str) -> String {
    let mut out: String = s.chars().take(400).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Paints `rects`, whose `depth` is the row they are drawn on (of `rows`).
#[allow(clippy::too_many_arguments)]
fn draw(c: &HtmlCanvasElement, d: &FlameData, rects: &[Rect], width: f64, dark: bool, mode: FlameMode, search: Option<&Search>, rows: u32) {
    let dpr = web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).max(1.0);
    let height = (rows as f64 * ROW).min(MAX_CANVAS_PX);
    let (pw, ph) = ((width * dpr).round() as u32, (height * dpr).round() as u32);
    if c.width() != pw {
        c.set_width(pw);
    }
    if c.height() != ph {
        c.set_height(ph);
    }
    let Ok(Some(ctx)) = c.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<CanvasRenderingContext2d>() else { return };
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, width, height);
    ctx.set_font("12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace");
    ctx.set_text_baseline("middle");
    let char_w = ctx.measure_text("abcdefghijklmnopqrstuvwxyz").map(|m| m.width() / 26.0).unwrap_or(7.0).max(1.0);
    let matched: Vec<bool> = match search {
        Some(s) => d.names.iter().map(|n| s.is_match(n)).collect(),
        None => vec![],
    };
    let text_colour = if dark { "#f0f0f0" } else { "#1a1a1a" };
    // Colours are worked out once per name (single mode). Labels are drawn in a second pass
    // with one style and no clipping (they are cut to fit by characters).
    let merged = Hsl { h: 0.0, s: 0.0, l: if dark { 30.0 } else { 75.0 } };
    let colour_of = |i: usize| -> Hsl {
        let name = &d.names[d.name[i] as usize];
        let mut c = match mode {
            FlameMode::Single => frame_colour(name, dark),
            FlameMode::Diff => diff_colour(d.base[i], d.value[i], dark),
        };
        if !matched.is_empty() {
            if matched[d.name[i] as usize] {
                c = Hsl { h: 285.0, s: 70.0, l: if dark { 50.0 } else { 65.0 } };
            } else {
                c.s *= 0.25;
            }
        }
        c
    };
    let visible = |r: &&Rect| (r.depth as f64 + 1.0) * ROW <= MAX_CANVAS_PX;
    if (pw as usize) * (ph as usize) <= MAX_PIXELS {
        // Frames are painted as pixels in one buffer and put on the canvas at once: thousands
        // of fillRect calls (each a crossing into JS and a colour to parse) took ~20 ms.
        let mut rgba_by_name: Vec<Option<[u8; 4]>> = vec![None; d.names.len()];
        let merged_rgba = merged.rgba();
        let mut px = vec![0u8; pw as usize * ph as usize * 4];
        for r in rects.iter().filter(visible) {
            let rgba = if r.node == MERGED {
                merged_rgba
            } else if mode == FlameMode::Single {
                *rgba_by_name[d.name[r.node as usize] as usize].get_or_insert_with(|| colour_of(r.node as usize).rgba())
            } else {
                colour_of(r.node as usize).rgba()
            };
            let y = r.depth as f64 * ROW;
            fill_px(&mut px, pw as usize, ph as usize, [r.x, y, (r.w - 0.5).max(0.5), ROW - 1.0].map(|v| v * dpr), rgba);
        }
        if let Ok(img) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(&px), pw, ph) {
            let _ = ctx.put_image_data(&img, 0.0, 0.0);
        }
    } else {
        fill_rects(&ctx, rects.iter().filter(visible), d, mode, &merged.css(), colour_of);
    }
    ctx.set_fill_style_str(text_colour);
    for r in rects.iter().filter(visible) {
        if r.node != MERGED && r.w > 3.0 * char_w {
            let name = &d.names[d.name[r.node as usize] as usize];
            let fit = ((r.w - 6.0) / char_w).floor() as usize;
            let label = fit_label(name, fit);
            if !label.is_empty() {
                let _ = ctx.fill_text(&label, r.x + 3.0, r.depth as f64 * ROW + ROW / 2.0);
            }
        }
    }
}

/// Outlines the frames drawn on `row` (the pivot's frames).
fn outline(c: &HtmlCanvasElement, rects: &[Rect], row: u32, dark: bool) {
    let Ok(Some(ctx)) = c.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<CanvasRenderingContext2d>() else { return };
    ctx.set_stroke_style_str(if dark { "#fb923c" } else { "#c2410c" });
    ctx.set_line_width(2.0);
    for r in rects.iter().filter(|r| r.depth == row && r.node != MERGED) {
        ctx.stroke_rect(r.x + 1.0, row as f64 * ROW + 1.0, (r.w - 2.5).max(0.5), ROW - 3.0);
    }
}

/// Most canvas pixels painted through a pixel buffer (4 bytes each); a larger canvas (very
/// deep or wide graphs on HiDPI screens) is drawn with `fillRect`.
const MAX_PIXELS: usize = 12 << 20;

/// Fills the device-pixel rectangle `[x, y, w, h]` of an RGBA buffer `w_px` × `h_px`. Edges
/// are rounded to whole pixels, and a frame is at least one pixel wide.
fn fill_px(px: &mut [u8], w_px: usize, h_px: usize, [x, y, w, h]: [f64; 4], rgba: [u8; 4]) {
    let x0 = (x.round().max(0.0) as usize).min(w_px);
    let x1 = ((x + w).round().max(0.0) as usize).min(w_px).max((x0 + 1).min(w_px));
    let y0 = (y.round().max(0.0) as usize).min(h_px);
    let y1 = ((y + h).round().max(0.0) as usize).min(h_px);
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let first = y0 * w_px * 4;
    let row = &mut px[first + x0 * 4..first + x1 * 4];
    for p in row.chunks_exact_mut(4) {
        p.copy_from_slice(&rgba);
    }
    let (head, rest) = px.split_at_mut(first + w_px * 4);
    let span = &head[first + x0 * 4..first + x1 * 4];
    for yy in 1..y1 - y0 {
        let at = (yy - 1) * w_px * 4;
        rest[at + x0 * 4..at + x1 * 4].copy_from_slice(span);
    }
}

/// Draws frames with one `fillRect` each (the fallback for canvases too large for a buffer).
fn fill_rects<'a>(
    ctx: &CanvasRenderingContext2d,
    rects: impl Iterator<Item = &'a Rect>,
    d: &FlameData,
    mode: FlameMode,
    merged_css: &str,
    colour_of: impl Fn(usize) -> Hsl,
) {
    let mut css_by_name: Vec<Option<String>> = vec![None; d.names.len()];
    let mut current = String::new();
    for r in rects {
        let y = r.depth as f64 * ROW;
        let owned;
        let css: &str = if r.node == MERGED {
            merged_css
        } else if mode == FlameMode::Single {
            let k = d.name[r.node as usize] as usize;
            css_by_name[k].get_or_insert_with(|| colour_of(r.node as usize).css())
        } else {
            owned = colour_of(r.node as usize).css();
            &owned
        };
        if css != current {
            ctx.set_fill_style_str(css);
            current.clear();
            current.push_str(css);
        }
        ctx.fill_rect(r.x, y, (r.w - 0.5).max(0.5), ROW - 1.0);
    }
}

/// Shortens a label to `fit` characters with an ellipsis; control characters are shown
/// as `�` so text never breaks the canvas.
fn fit_label(name: &str, fit: usize) -> String {
    if fit < 2 {
        return String::new();
    }
    let clean = |c: char| if c.is_control() { '\u{fffd}' } else { c };
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i + 1 >= fit {
            if name.chars().count() > fit {
                out.push('…');
            } else {
                out.push(clean(c));
            }
            return out;
        }
        out.push(clean(c));
    }
    out
}
