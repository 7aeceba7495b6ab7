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
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent, MouseEvent, WheelEvent};
use yew::prelude::*;

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
                Some((false, text)) => graph_layout::layout(text, move |result| {
                    mark("profdrop:graph-laid-out");
                    if let Ok(l) = &result {
                        let w = wrap.cast::<HtmlElement>().map_or(1000.0, |el| el.client_width() as f64);
                        transform.dispatch(Move::Set(first_view(l, w)));
                    }
                    drawn.set(Some(Drawn { seq, layout: result.map(Rc::new) }));
                    on_drawn.emit(seq);
                }),
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

    let on_keydown = {
        let (transform, wrap) = (transform.dispatcher(), wrap.clone());
        let layout = drawn.as_ref().and_then(|d| d.layout.clone().ok());
        Callback::from(move |e: KeyboardEvent| {
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

    let Some((g, unit, total, notes, is_diff)) = graph else {
        let body = match error {
            Some(m) => html! { <p class="error-inline">{ m }</p> },
            None => html! { <p class="muted">{"Computing the call graph…"}</p> },
        };
        return html! { <section class="graph-view">{ bar }{ body }</section> };
    };
    let empty = (Vec::new(), Vec::new());
    let (nl, el): (&Vec<NodeLook>, &Vec<EdgeLook>) = view_looks.as_ref().map_or((&empty.0, &empty.1), |x| (&x.0, &x.1));
    let current = drawn.as_ref().filter(|d| d.seq == p.seq);
    let layout: Option<Rc<Layout>> = current.and_then(|d| d.layout.clone().ok());
    let layout_error = current.and_then(|d| d.layout.clone().err());
    let state = match (current, &layout) {
        (None, _) if !g.nodes.is_empty() => "pending",
        (Some(_), None) if !g.nodes.is_empty() => "error",
        _ => "done",
    };

    // Highlight: the hovered node (else the selected one) and its neighbours.
    let sel = selected.filter(|(seq, _)| *seq == p.seq).map(|(_, i)| i);
    let focus = hover.or(sel);
    let near: Vec<bool> = {
        let mut v = vec![false; g.nodes.len()];
        if let Some(f) = focus {
            for e in &g.edges {
                if e.from as usize == f {
                    v[e.to as usize] = true;
                }
                if e.to as usize == f {
                    v[e.from as usize] = true;
                }
            }
        }
        v
    };
    let t = *transform;
    let dark = p.dark;
    let edges = g.edges.iter().enumerate().map(|(i, e)| {
        let look = &el[i];
        let path = layout.as_ref().and_then(|l| l.edges.get(i));
        let d = path.map(|x| x.svg_path()).unwrap_or_default();
        let arrow = path.and_then(|x| x.arrow(look.width));
        let stroke = color(look.score, false, dark);
        let class = match focus {
            Some(f) if e.from as usize == f || e.to as usize == f => "edge hl",
            Some(_) => "edge dim",
            None => "edge",
        };
        let (lx, ly) = path.and_then(|x| x.label_at()).unwrap_or((0.0, 0.0));
        let from = &g.nodes[e.from as usize].name;
        let to = &g.nodes[e.to as usize].name;
        html! {
            <g class={classes!(class, e.inline.then_some("inline"), e.residual.then_some("elided"))} data-edge="" data-from={from.clone()} data-to={to.clone()}
                data-weight={e.weight.to_string()} data-inline={if e.inline { "1" } else { "0" }} data-elided={if e.residual { "1" } else { "0" }}>
                <title>{ format!("{from} {} {to} ({})", if e.residual { "…" } else { "→" }, human(e.weight, &unit)) }</title>
                <path d={d} fill="none" stroke={stroke.clone()} stroke-width={look.width.to_string()}
                    stroke-dasharray={e.residual.then_some("5 4")} />
                if let Some(a) = arrow { <polygon points={a} fill={stroke} /> }
                if path.is_some_and(|x| x.label_at().is_some()) {
                    <text class="edge-label" x={format!("{:.1}", lx + 4.0)} y={format!("{ly:.1}")} dominant-baseline="middle">{ look.label.clone() }</text>
                }
            </g>
        }
    });
    let nodes = g.nodes.iter().enumerate().map(|(i, n)| {
        let look = &nl[i];
        let (cx, cy) = layout.as_ref().and_then(|l| l.nodes.get(i).copied()).unwrap_or((0.0, 0.0));
        let (x, y) = (cx - look.width / 2.0, cy - look.height / 2.0);
        let class = match focus {
            Some(f) if f == i => "node hl",
            Some(_) if near[i] => "node near",
            Some(_) => "node dim",
            None => "node",
        };
        let line_h = look.font * 1.2;
        let lines: Vec<&String> = look.name_lines.iter().chain(&look.value_lines).collect();
        let top = cy - line_h * lines.len() as f64 / 2.0 + line_h * 0.8;
        let name = n.name.clone();
        let on_enter = {
            let hover = hover.clone();
            Callback::from(move |_: MouseEvent| hover.set(Some(i)))
        };
        let on_leave = {
            let hover = hover.clone();
            Callback::from(move |_: MouseEvent| hover.set(None))
        };
        let on_click = {
            let (selected, seq) = (selected.clone(), p.seq);
            Callback::from(move |_: MouseEvent| selected.set(Some((seq, i))))
        };
        let on_context = {
            let (on_menu, name) = (p.on_menu.clone(), name.clone());
            Callback::from(move |e: MouseEvent| {
                e.prevent_default();
                on_menu.emit((name.clone(), e.client_x() as f64, e.client_y() as f64));
            })
        };
        let on_key = {
            let (on_menu, name, selected, seq) = (p.on_menu.clone(), name.clone(), selected.clone(), p.seq);
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "ContextMenu" || (e.key() == "F10" && e.shift_key()) {
                    e.prevent_default();
                    e.stop_propagation();
                    let r = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map(|el| el.get_bounding_client_rect());
                    on_menu.emit((name.clone(), r.as_ref().map_or(0.0, |r| r.left()), r.as_ref().map_or(0.0, |r| r.bottom())));
                } else if e.key() == "Enter" || e.key() == " " {
                    e.prevent_default();
                    selected.set(Some((seq, i)));
                }
            })
        };
        html! {
            <g class={classes!(class, (sel == Some(i)).then_some("sel"))} data-node="" data-function={name.clone()} data-flat={n.flat.to_string()}
                data-cum={n.cum.to_string()} tabindex="0" role="button" aria-label={format!("{name}: flat {}, cum {}", human(n.flat, &unit), human(n.cum, &unit))}
                onmouseenter={on_enter} onmouseleave={on_leave} onclick={on_click} oncontextmenu={on_context} onkeydown={on_key}>
                <title>{ format!("{name} ({})", human(n.cum, &unit)) }</title>
                <rect x={format!("{x:.1}")} y={format!("{y:.1}")} width={format!("{:.1}", look.width)} height={format!("{:.1}", look.height)} rx="2"
                    fill={color(look.score, true, dark)} stroke={color(look.score, false, dark)} />
                <text x={format!("{cx:.1}")} y={format!("{top:.1}")} text-anchor="middle" font-size={format!("{}", look.font)}>
                    { for lines.iter().enumerate().map(|(k, l)| html! {
                        <tspan x={format!("{cx:.1}")} dy={if k == 0 { "0".to_string() } else { format!("{line_h:.1}") }}>{ (*l).clone() }</tspan>
                    }) }
                </text>
            </g>
        }
    });
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
                if let Some(l) = &layout { { format!(" · laid out in {:.0} ms", l.ms) } }
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
                onkeydown={on_keydown} onmousedown={on_mousedown} onmousemove={on_mousemove} onmouseup={on_mouseup}>
                if state == "pending" { <p class="graph-pending muted">{"Laying out the graph…"}</p> }
                <svg width="100%" height={format!("{HEIGHT}")} role="img" data-width={format!("{w:.0}")} data-height={format!("{h:.0}")}>
                    <g transform={format!("translate({:.2},{:.2}) scale({:.4})", t.x, t.y, t.k)}>
                        // (Nothing to place before the layout: the boxes come with it.)
                        if state != "pending" {
                            <g class="edges">{ for edges }</g>
                            <g class="nodes">{ for nodes }</g>
                        }
                    </g>
                </svg>
            </div>
        </section>
    }
}
