//! The graph view (`view=graph`): pprof's call graph, laid out by Graphviz in a worker and
//! drawn here as SVG (every label a text node). Pan with a drag, the arrow keys or a
//! trackpad; zoom with the wheel, a pinch or `+`/`-`; `0` fits the graph. Hovering a node
//! highlights it with its callers and callees; a click selects it; a right click, the
//! context-menu key or Shift+F10 opens the function's menu.

use crate::protocol::{GraphOptions, Response};
use crate::ui::graph_layout;
use crate::ui::store::Shared;
use crate::units::human;
use crate::view::graph::{color, dot, looks, EdgeLook, Layout, NodeLook};
use gloo_events::{EventListener, EventListenerOptions};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent, MouseEvent, WheelEvent};
use yew::prelude::*;

#[wasm_bindgen(module = "/src/ui/graph_svg.js")]
extern "C" {
    /// Builds the graph's edges and nodes in `holder` (see `graph_svg.js`): one call per
    /// layout.
    #[wasm_bindgen(js_name = drawGraph)]
    #[allow(clippy::too_many_arguments)]
    fn draw_graph(holder: &Element, key: f64, strings: &str, ends: &[u32], nums: &[f64], n_nodes: u32, n_edges: u32);
    /// Empties `holder`.
    #[wasm_bindgen(js_name = clearGraph)]
    fn clear_graph(holder: &Element);
    /// Has the browser make the fonts of these label sizes (hidden texts in `holder`) for a
    /// graph of `elements` nodes and edges, if it is one whose labels go in after its boxes.
    #[wasm_bindgen(js_name = warmFonts)]
    fn warm_fonts(holder: &Element, sizes: &[f64], elements: u32);
    /// Highlights a node (-1: none) with its neighbours and marks the selected one (-1: none).
    #[wasm_bindgen(js_name = highlightGraph)]
    fn highlight_graph(holder: &Element, focus: i32, sel: i32);
}

/// Texts for `drawGraph`, one after another, with where each ends (UTF-16 units).
#[derive(Default)]
struct Texts {
    s: String,
    ends: Vec<u32>,
    at: u32,
}

impl Texts {
    fn push(&mut self, t: &str) {
        self.s.push_str(t);
        self.at += if t.is_ascii() { t.len() } else { t.encode_utf16().count() } as u32;
        self.ends.push(self.at);
    }
}

/// Draws a laid-out graph into `holder` (its texts and numbers in the order `drawGraph`
/// reads them).
/// `key`: the answer's number (a layout of the same answer in the same theme moves the
/// elements drawn before instead of making them again).
#[allow(clippy::too_many_arguments)]
fn draw(
    holder: &Element,
    key: u32,
    g: &crate::analysis::graph::Graph,
    (nl, el): (&[NodeLook], &[EdgeLook]),
    l: &Layout,
    unit: &str,
    dark: bool,
) {
    let mut t = Texts::default();
    let mut nums: Vec<f64> = Vec::with_capacity(g.nodes.len() * 9 + g.edges.len() * 7);
    for (i, n) in g.nodes.iter().enumerate() {
        let look = &nl[i];
        let (cx, cy) = l.nodes.get(i).copied().unwrap_or((0.0, 0.0));
        let line_h = look.font * 1.2;
        let lines = look.name_lines.len() + look.value_lines.len();
        let top = cy - line_h * lines as f64 / 2.0 + line_h * 0.8;
        t.push(&n.name);
        t.push(&n.flat.to_string());
        t.push(&n.cum.to_string());
        t.push(&format!("{}: flat {}, cum {}", n.name, human(n.flat, unit), human(n.cum, unit)));
        t.push(&format!("{} ({})", n.name, human(n.cum, unit)));
        t.push(&color(look.score, true, dark));
        t.push(&color(look.score, false, dark));
        for line in look.name_lines.iter().chain(&look.value_lines) {
            t.push(line);
        }
        nums.extend([cx - look.width / 2.0, cy - look.height / 2.0, look.width, look.height, cx, top, look.font, line_h, lines as f64]);
    }
    for (i, e) in g.edges.iter().enumerate() {
        let look = &el[i];
        let path = l.edges.get(i);
        let (from, to) = (&g.nodes[e.from as usize].name, &g.nodes[e.to as usize].name);
        t.push(&e.weight.to_string());
        t.push(&format!("{from} {} {to} ({})", if e.residual { "…" } else { "→" }, human(e.weight, unit)));
        t.push(&path.map(|x| x.svg_path()).unwrap_or_default());
        t.push(&color(look.score, false, dark));
        t.push(&path.and_then(|x| x.arrow(look.width)).unwrap_or_default());
        let label = path.and_then(|x| x.label_at());
        t.push(if label.is_some() { &look.label } else { "" });
        let (lx, ly) = label.unwrap_or((0.0, 0.0));
        nums.extend([e.from as f64, e.to as f64, look.width, e.inline as u8 as f64, e.residual as u8 as f64, lx, ly]);
    }
    let key = key as f64 * 2.0 + dark as u8 as f64;
    draw_graph(holder, key, &t.s, &t.ends, &nums, g.nodes.len() as u32, g.edges.len() as u32);
}

/// The graph of an answer, and its unit.
fn answer_graph(r: &Option<Shared<Response>>) -> Option<(&crate::analysis::graph::Graph, &str)> {
    match &*r.as_ref()?.0 {
        Response::Graph { graph, unit, .. } => Some((graph, unit)),
        _ => None,
    }
}

/// The name of node `i` of an answer's graph.
fn node_name(r: &Option<Shared<Response>>, i: usize) -> Option<String> {
    Some(answer_graph(r)?.0.nodes.get(i)?.name.clone())
}

/// The node an event happened in (its index), if any.
fn node_of(target: Option<web_sys::EventTarget>) -> Option<(usize, Element)> {
    let el = target?.dyn_into::<Element>().ok()?.closest("[data-node]").ok()??;
    Some((el.get_attribute("data-i")?.parse().ok()?, el))
}

/// Props of [`GraphView`].
#[derive(Properties, PartialEq)]
pub struct GraphViewProps {
    /// The `Response::Graph`, once it came.
    pub graph: Option<Shared<Response>>,
    /// Its number ([`crate::view::state::AppState::graph_seq`]).
    pub seq: u32,
    /// Dark theme.
    pub dark: bool,
    /// Node count and fractions shown.
    pub options: GraphOptions,
    /// The diff graph is shown.
    pub diff: bool,
    /// A diff graph can be asked for (two profiles or more).
    pub can_diff: bool,
    /// The diff's base and target, by display name.
    pub base_file: AttrValue,
    /// Target.
    pub target_file: AttrValue,
    /// New options.
    pub on_options: Callback<GraphOptions>,
    /// Diff graph on or off.
    pub on_diff: Callback<bool>,
    /// The graph numbered so is laid out and drawn (or could not be).
    pub on_drawn: Callback<u32>,
    /// Open the context menu of a function at viewport coordinates.
    pub on_menu: Callback<(String, f64, f64)>,
}

/// Pan and zoom: screen = graph × k + (x, y).
#[derive(Clone, Copy, PartialEq)]
struct Transform {
    x: f64,
    y: f64,
    k: f64,
}

enum Move {
    /// Zoom by a factor around a point of the view.
    Zoom(f64, f64, f64),
    /// Pan by pixels.
    Pan(f64, f64),
    Set(Transform),
}

impl Reducible for Transform {
    type Action = Move;
    fn reduce(self: Rc<Self>, m: Move) -> Rc<Self> {
        let t = *self;
        Rc::new(match m {
            Move::Zoom(f, cx, cy) => {
                let k = (t.k * f).clamp(0.02, 8.0);
                let f = k / t.k;
                Transform { x: cx - (cx - t.x) * f, y: cy - (cy - t.y) * f, k }
            }
            Move::Pan(dx, dy) => Transform { x: t.x + dx, y: t.y + dy, ..t },
            Move::Set(t) => t,
        })
    }
}

/// The view's height in pixels (the keyboard's zoom centre).
const HEIGHT: f64 = 640.0;

/// The transform that fits a whole layout into a view `w` pixels wide (never enlarging).
fn fit(l: &Layout, w: f64) -> Transform {
    let k = ((w - 20.0) / l.width.max(1.0)).min((HEIGHT - 20.0) / l.height.max(1.0)).clamp(0.02, 1.0);
    Transform { x: (w - l.width * k) / 2.0, y: 10.0, k }
}

/// The first view of a layout: its width fitted, but never so small that labels cannot be
/// read (a big graph is then panned), the top shown.
fn first_view(l: &Layout, w: f64) -> Transform {
    let k = ((w - 20.0) / l.width.max(1.0)).clamp(0.6, 1.0);
    // Centred: a graph wider than the view shows its middle.
    Transform { x: (w - l.width * k) / 2.0, y: 10.0, k }
}

/// A performance mark (the graph benchmark reads them: answer in, laid out).
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// The laid-out graph of one answer.
#[derive(Clone, PartialEq)]
struct Drawn {
    seq: u32,
    layout: Result<Rc<Layout>, String>,
    /// The final layout (curved edges), not the quick one before it (straight edges, the
    /// nodes where they stay).
    curved: bool,
}

/// The graph view.
#[function_component(GraphView)]
pub fn graph_view(p: &GraphViewProps) -> Html {
    let drawn = use_state(|| None::<Drawn>);
    let transform = use_reducer(|| Transform { x: 0.0, y: 0.0, k: 1.0 });
    let hover = use_state(|| None::<usize>);
    let selected = use_state(|| None::<(u32, usize)>);
    let wrap = use_node_ref();
    let drag = use_mut_ref(|| None::<(f64, f64)>);

    let graph = p.graph.as_ref().and_then(|r| match &*r.0 {
        Response::Graph { graph, unit, total, notes, base, .. } => {
            Some((graph.clone(), unit.clone(), *total, notes.clone(), base.is_some()))
        }
        _ => None,
    });
    let error = p.graph.as_ref().and_then(|r| match &*r.0 {
        Response::Error { message } => Some(message.clone()),
        _ => None,
    });
    // Each answer's looks and DOT text, once (not on every hover or pan).
    let prepared = use_memo(p.graph.clone(), |_| {
        graph.as_ref().map(|(g, unit, total, _, _)| {
            let (n, e) = looks(g, unit, *total);
            let text = dot(g, &n, *total);
            Rc::new((n, e, g.nodes.is_empty(), text))
        })
    });
    let view_looks = (*prepared).clone();

    // Graphviz loads in its worker while the engine computes the first graph.
    use_effect_with((), |_| graph_layout::warm());

    // Lay out each new answer (in the worker), then say it is drawn.
    {
        let (drawn, transform, wrap, on_drawn) = (drawn.clone(), transform.dispatcher(), wrap.clone(), p.on_drawn.clone());
        let job = view_looks.as_ref().map(|x| (x.2, x.3.clone()));
        use_effect_with(p.seq, move |&seq| {
            if job.is_some() {
                mark("profdrop:graph-answer");
            }
            match job {
                // First with straight edges (drawn: the page is ready), then with curves in
                // their place; the view is placed once, on the first.
                Some((false, text)) => {
                    let mut first = true;
                    graph_layout::layout(text, move |result, curved| {
                        mark(if curved { "profdrop:graph-laid-out" } else { "profdrop:graph-drawn" });
                        if first {
                            if let Ok(l) = &result {
                                let w = wrap.cast::<HtmlElement>().map_or(1000.0, |el| el.client_width() as f64);
                                transform.dispatch(Move::Set(first_view(l, w)));
                            }
                        }
                        drawn.set(Some(Drawn { seq, layout: result.map(Rc::new), curved }));
                        if first {
                            on_drawn.emit(seq);
                        }
                        first = false;
                    })
                }
                // Nothing to lay out (no answer yet is not drawn; an empty graph or an error is).
                Some((true, _)) => on_drawn.emit(seq),
                None if seq > 0 => on_drawn.emit(seq),
                None => {}
            }
        });
    }

    // The wheel: zoom (a mouse wheel, a pinch) or pan (a trackpad's two-finger scroll). A
    // listener of its own, so that it may keep the page from scrolling.
    {
        let (wrap, transform) = (wrap.clone(), transform.dispatcher());
        use_effect_with((), move |_| {
            let listener = wrap.cast::<HtmlElement>().map(|el| {
                let el2 = el.clone();
                EventListener::new_with_options(&el, "wheel", EventListenerOptions::enable_prevent_default(), move |e| {
                    let Some(e) = e.dyn_ref::<WheelEvent>() else { return };
                    e.prevent_default();
                    let r = el2.get_bounding_client_rect();
                    let (cx, cy) = (e.client_x() as f64 - r.left(), e.client_y() as f64 - r.top());
                    let mouse = e.delta_mode() != 0 || (e.delta_x() == 0.0 && e.delta_y().abs() >= 50.0);
                    if e.ctrl_key() || e.meta_key() || mouse {
                        let dy = if e.delta_mode() != 0 { e.delta_y() * 33.0 } else { e.delta_y() };
                        transform.dispatch(Move::Zoom((-dy * 0.002).exp(), cx, cy));
                    } else {
                        transform.dispatch(Move::Pan(-e.delta_x(), -e.delta_y()));
                    }
                })
            });
            move || drop(listener)
        });
    }

    // Nodes' events, on the view (the nodes are drawn by `graph_svg.js`).
    let on_mouseover = {
        let hover = hover.clone();
        Callback::from(move |e: MouseEvent| {
            let now = node_of(e.target()).map(|(i, _)| i);
            if *hover != now {
                hover.set(now);
            }
        })
    };
    let on_mouseleave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let on_click = {
        let (selected, seq) = (selected.clone(), p.seq);
        Callback::from(move |e: MouseEvent| {
            if let Some((i, _)) = node_of(e.target()) {
                selected.set(Some((seq, i)));
            }
        })
    };
    let on_context = {
        let (on_menu, answer) = (p.on_menu.clone(), p.graph.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(name) = node_of(e.target()).and_then(|(i, _)| node_name(&answer, i)) {
                e.prevent_default();
                on_menu.emit((name, e.client_x() as f64, e.client_y() as f64));
            }
        })
    };
    let on_keydown = {
        let (transform, wrap) = (transform.dispatcher(), wrap.clone());
        let layout = drawn.as_ref().and_then(|d| d.layout.clone().ok());
        let (on_menu, answer, selected, seq) = (p.on_menu.clone(), p.graph.clone(), selected.clone(), p.seq);
        Callback::from(move |e: KeyboardEvent| {
            if let Some((i, el)) = node_of(e.target()) {
                if e.key() == "ContextMenu" || (e.key() == "F10" && e.shift_key()) {
                    e.prevent_default();
                    e.stop_propagation();
                    let r = el.get_bounding_client_rect();
                    if let Some(name) = node_name(&answer, i) {
                        on_menu.emit((name, r.left(), r.bottom()));
                    }
                    return;
                } else if e.key() == "Enter" || e.key() == " " {
                    e.prevent_default();
                    selected.set(Some((seq, i)));
                    return;
                }
            }
            let w = wrap.cast::<HtmlElement>().map_or(1000.0, |el| el.client_width() as f64);
            let m = match e.key().as_str() {
                "+" | "=" => Move::Zoom(1.25, w / 2.0, HEIGHT / 2.0),
                "-" | "_" => Move::Zoom(0.8, w / 2.0, HEIGHT / 2.0),
                "ArrowLeft" => Move::Pan(60.0, 0.0),
                "ArrowRight" => Move::Pan(-60.0, 0.0),
                "ArrowUp" => Move::Pan(0.0, 60.0),
                "ArrowDown" => Move::Pan(0.0, -60.0),
                "0" => match &layout {
                    Some(l) => Move::Set(fit(l, w)),
                    None => return,
                },
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            transform.dispatch(m);
        })
    };
    let on_mousedown = {
        let drag = drag.clone();
        Callback::from(move |e: MouseEvent| {
            if e.button() == 0 {
                *drag.borrow_mut() = Some((e.client_x() as f64, e.client_y() as f64));
            }
        })
    };
    let on_mousemove = {
        let (drag, transform) = (drag.clone(), transform.dispatcher());
        Callback::from(move |e: MouseEvent| {
            let mut d = drag.borrow_mut();
            if let Some((x, y)) = *d {
                if e.buttons() & 1 == 0 {
                    *d = None;
                    return;
                }
                let (nx, ny) = (e.client_x() as f64, e.client_y() as f64);
                transform.dispatch(Move::Pan(nx - x, ny - y));
                *d = Some((nx, ny));
            }
        })
    };
    let on_mouseup = {
        let drag = drag.clone();
        Callback::from(move |_: MouseEvent| *drag.borrow_mut() = None)
    };

    // The bar: options and what is shown.
    let opts = p.options;
    let num_input = |label: &'static str, key: &'static str, value: String, step: &'static str, testid: &'static str| {
        let on_options = p.on_options.clone();
        let onchange = Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let v = input.value();
            let mut o = opts;
            match key {
                "n" => match v.parse() {
                    Ok(n) => o.nodecount = n,
                    Err(_) => return,
                },
                "nf" => match v.parse::<f64>() {
                    Ok(x) if (0.0..=1.0).contains(&x) => o.nodefraction = x,
                    _ => return,
                },
                _ => match v.parse::<f64>() {
                    Ok(x) if (0.0..=1.0).contains(&x) => o.edgefraction = x,
                    _ => return,
                },
            }
            on_options.emit(o);
        });
        html! {
            <label class="field" title={format!("pprof's -{} (link key {key})", label.to_lowercase().replace(' ', ""))}>
                { label }
                <input type="number" class="num" min="0" max={if key == "n" { None } else { Some(AttrValue::Static("1")) }} {step} value={value}
                    data-testid={testid} {onchange} />
            </label>
        }
    };
    let on_diff = {
        let cb = p.on_diff.clone();
        Callback::from(move |e: Event| cb.emit(e.target_unchecked_into::<HtmlInputElement>().checked()))
    };
    let on_fit = {
        let (transform, wrap) = (transform.dispatcher(), wrap.clone());
        let layout = drawn.as_ref().and_then(|d| d.layout.clone().ok());
        Callback::from(move |_: MouseEvent| {
            if let Some(l) = &layout {
                let w = wrap.cast::<HtmlElement>().map_or(1000.0, |el| el.client_width() as f64);
                transform.dispatch(Move::Set(fit(l, w)));
            }
        })
    };
    let bar = html! {
        <div class="flame-bar graph-bar">
            { num_input("Nodes", "n", opts.nodecount.to_string(), "1", "graph-nodecount") }
            { num_input("Node fraction", "nf", opts.nodefraction.to_string(), "0.001", "graph-nodefraction") }
            { num_input("Edge fraction", "ef", opts.edgefraction.to_string(), "0.001", "graph-edgefraction") }
            if p.can_diff {
                <label class="check" title="pprof's -diff_base: the base's values count negative">
                    <input type="checkbox" checked={p.diff} onchange={on_diff} data-testid="graph-diff" />
                    { "Diff " }
                    if p.diff { <span class="muted">{ format!("{} → {}", p.base_file, p.target_file) }</span> }
                </label>
            }
            <button onclick={on_fit} title="Fit the graph in the view (0)">{"Fit"}</button>
            <span class="muted">{"Drag or arrow keys to pan, wheel or +/− to zoom, 0 to fit"}</span>
        </div>
    };

    // The drawing: once per layout (and theme); the highlight on every hover or selection.
    let holder = use_node_ref();
    let current = drawn.as_ref().filter(|d| d.seq == p.seq);
    let layout: Option<Rc<Layout>> = current.and_then(|d| d.layout.clone().ok());
    {
        let (holder, layout, answer, looks_now) = (holder.clone(), layout.clone(), p.graph.clone(), view_looks.clone());
        let looks_id = view_looks.as_ref().map(|x| Rc::as_ptr(x) as usize);
        let key = (p.seq, layout.as_ref().map(|l| Rc::as_ptr(l) as usize), p.dark, looks_id);
        use_effect_with(key, move |&(seq, _, dark, _)| {
            let Some(h) = holder.cast::<Element>() else { return };
            match (layout, answer_graph(&answer), looks_now) {
                (Some(l), Some((g, unit)), Some(x)) => draw(&h, seq, g, (&x.0, &x.1), &l, unit, dark),
                // Nothing drawn before the layout (the boxes come with it); while Graphviz
                // works, the browser makes the fonts of its node labels.
                (None, Some((g, _)), Some(x)) => {
                    clear_graph(&h);
                    let mut sizes: Vec<f64> = x.0.iter().map(|n| n.font).collect();
                    sizes.sort_by(f64::total_cmp);
                    sizes.dedup();
                    warm_fonts(&h, &sizes, (g.nodes.len() + g.edges.len()) as u32);
                }
                _ => clear_graph(&h),
            }
        });
    }
    let sel = selected.filter(|(seq, _)| *seq == p.seq).map(|(_, i)| i);
    let focus = hover.or(sel);
    {
        let holder = holder.clone();
        let key = (focus, sel, p.seq, layout.as_ref().map(|l| Rc::as_ptr(l) as usize), p.dark);
        use_effect_with(key, move |&(focus, sel, ..)| {
            if let Some(h) = holder.cast::<Element>() {
                let idx = |x: Option<usize>| x.map_or(-1, |i| i as i32);
                highlight_graph(&h, idx(focus), idx(sel));
            }
        });
    }

    let Some((g, unit, total, notes, is_diff)) = graph else {
        let body = match error {
            Some(m) => html! { <p class="error-inline">{ m }</p> },
            None => html! { <p class="muted">{"Computing the call graph…"}</p> },
        };
        return html! { <section class="graph-view">{ bar }{ body }</section> };
    };
    let layout_error = current.and_then(|d| d.layout.clone().err());
    let state = match (current, &layout) {
        (None, _) if !g.nodes.is_empty() => "pending",
        (Some(_), None) if !g.nodes.is_empty() => "error",
        (Some(d), Some(_)) if !d.curved => "lines",
        _ => "done",
    };
    let t = *transform;
    let (w, h) = layout.as_ref().map_or((0.0, 0.0), |l| (l.width, l.height));
    let info = match sel.and_then(|i| g.nodes.get(i)) {
        Some(n) => html! {
            <p class="graph-info" data-testid="graph-selected"><code>{ n.name.clone() }</code>
                { format!("  flat {}  cum {}", human(n.flat, &unit), human(n.cum, &unit)) }</p>
        },
        None => html! {
            <p class="graph-info muted">
                { format!("{} of {} nodes, {} edges", g.nodes.len(), g.nodes_total, g.edges.len()) }
                if g.dropped_nodes > 0 { { format!("; {} nodes under the node fraction dropped", g.dropped_nodes) } }
                if g.dropped_edges > 0 { { format!("; {} edges under the edge fraction dropped", g.dropped_edges) } }
                { "; dotted edges stand for paths through nodes not shown" }
                if is_diff { { format!("; red grew, green shrank (base total {})", human(total, &unit)) } }
                if state == "lines" { { " · edges straight until Graphviz has routed their curves" } }
                else if let Some(l) = &layout { { format!(" · laid out in {:.0} ms", l.ms) } }
            </p>
        },
    };
    html! {
        <section class="graph-view">
            { bar }
            { for notes.iter().map(|n| html! { <p class="note">{ n.clone() }</p> }) }
            if let Some(e) = layout_error { <p class="error-inline">{ e }</p> }
            { info }
            <div class={classes!("graph-wrap", (state == "pending").then_some("pending"))} ref={wrap} tabindex="0" data-testid="graph"
                data-layout={state} data-layout-ms={layout.as_ref().map(|l| format!("{:.0}", l.ms))} data-nodes={g.nodes.len().to_string()} data-edges={g.edges.len().to_string()}
                aria-label="Call graph: arrow keys pan, + and - zoom, 0 fits"
                onkeydown={on_keydown} onmousedown={on_mousedown} onmousemove={on_mousemove} onmouseup={on_mouseup}
                onmouseover={on_mouseover} onmouseleave={on_mouseleave} onclick={on_click} oncontextmenu={on_context}>
                if state == "pending" { <p class="graph-pending muted">{"Laying out the graph…"}</p> }
                <svg width="100%" height={format!("{HEIGHT}")} role="img" data-width={format!("{w:.0}")} data-height={format!("{h:.0}")}>
                    <g transform={format!("translate({:.2},{:.2}) scale({:.4})", t.x, t.y, t.k)}>
                        // Edges and nodes, drawn by `graph_svg.js` once laid out.
                        <g ref={holder}></g>
                    </g>
                </svg>
            </div>
        </section>
    }
}
