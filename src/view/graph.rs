//! The call graph's presentation, still pure: what each node's box says and how big it is
//! (pprof's: font size by flat, colour by cum share, edge width by weight), the DOT text the
//! layout engine (Graphviz in a worker) places, and the layout it answers.
//!
//! Graphviz only places boxes of the sizes given here (fixed size, no labels of its own in
//! the nodes): the page draws every text itself, as text, so a name is never markup to
//! Graphviz or to the page.

use crate::protocol::Graph;
use crate::units::{human, pct};
use serde::Deserialize;

/// A node as drawn: its label lines and box.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeLook {
    /// Name lines (package, receiver, function; a file or line on its own line).
    pub name_lines: Vec<String>,
    /// Value lines (`12ms (3.1%)`, `of 40ms (9.9%)`).
    pub value_lines: Vec<String>,
    /// Font size (px): pprof's 8 to 24 by flat.
    pub font: f64,
    /// Box width (px).
    pub width: f64,
    /// Box height (px).
    pub height: f64,
    /// pprof's colour score: cum / |total|, clamped to [-1, 1].
    pub score: f64,
}

/// An edge as drawn: label and pen width.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeLook {
    /// `12ms`, and `(inline)` for inlined calls.
    pub label: String,
    /// Pen width: pprof's 1 to 6 by weight share.
    pub width: f64,
    /// pprof's colour score: weight / |total|.
    pub score: f64,
}

/// Line height as a share of the font size.
const LINE: f64 = 1.2;
/// Width of a character as a share of the font size (a generous estimate for sans-serif).
const CHAR: f64 = 0.6;

/// pprof's `ShortenFunctionName` in spirit: the package path is cut to its last element
/// (`compress/flate.(*compressor).deflate` → `flate.(*compressor).deflate`).
fn short_name(name: &str) -> &str {
    // The package path ends at the last '/' before the first '.' that follows it.
    let head = name.find(['(', '[', ' ']).map_or(name, |i| &name[..i]);
    if head.contains(['<', '>', '"']) {
        return name; // not a Go package path
    }
    match head.rfind('/') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// A node name split into lines as pprof's graph labels do: at the dots of the function
/// name (outside parentheses and brackets), with what follows a space (file, line) last.
pub fn name_lines(name: &str) -> Vec<String> {
    // At `-lines` and the like the name ends in a file (`main.f pkg/main.go:31`).
    let (func, rest) = match name.rsplit_once(' ') {
        Some((f, r)) if !f.is_empty() && (r.contains('/') || r.contains(':')) && !r.contains(['<', '>', '"']) => (f, Some(r)),
        _ => (name, None),
    };
    let func = short_name(func);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    for c in func.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ => {}
        }
        if c == '.' && depth == 0 && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    if let Some(r) = rest {
        out.push(r.rsplit('/').next().unwrap_or(r).to_string());
    }
    // Control characters would confuse nothing but a reader: shown as U+FFFD.
    out.into_iter().map(|l| l.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect()).collect()
}

/// pprof's look of every node and edge of `g`, in `unit`, shares of `total`.
pub fn looks(g: &Graph, unit: &str, total: i64) -> (Vec<NodeLook>, Vec<EdgeLook>) {
    let max_flat = g.nodes.iter().map(|n| n.flat.unsigned_abs()).max().unwrap_or(0) as f64;
    let abs_total = total.unsigned_abs() as f64;
    let share = |v: i64| if abs_total == 0.0 { 0.0 } else { (v as f64 / abs_total).clamp(-1.0, 1.0) };
    let nodes = g
        .nodes
        .iter()
        .map(|n| {
            let mut font = 8.0;
            if max_flat > 0.0 && n.flat != 0 {
                font += (16.0 * (n.flat.unsigned_abs() as f64 / max_flat).sqrt()).ceil();
            }
            let name_lines = name_lines(&n.name);
            let mut value_lines = Vec::new();
            if n.flat != 0 {
                value_lines.push(format!("{} ({})", human(n.flat, unit), pct(n.flat, total)));
            } else {
                value_lines.push("0".to_string());
            }
            if n.cum != n.flat {
                let of = format!("of {} ({})", human(n.cum, unit), pct(n.cum, total));
                if n.flat != 0 {
                    value_lines.push(of);
                } else {
                    value_lines[0] = format!("0 {of}");
                }
            }
            let chars = name_lines.iter().chain(&value_lines).map(|l| l.chars().count()).max().unwrap_or(1) as f64;
            let lines = (name_lines.len() + value_lines.len()) as f64;
            NodeLook {
                width: (chars * font * CHAR + 12.0).max(40.0),
                height: lines * font * LINE + 8.0,
                font,
                name_lines,
                value_lines,
                score: share(n.cum),
            }
        })
        .collect();
    let edges = g
        .edges
        .iter()
        .map(|e| {
            let mut label = human(e.weight, unit);
            if e.inline {
                label.push_str(" (inline)");
            }
            let width = if total == 0 { 1.0 } else { 1.0 + ((e.weight.unsigned_abs() as f64 * 5.0 / abs_total).floor()).min(5.0) };
            EdgeLook { label, width, score: share(e.weight) }
        })
        .collect();
    (nodes, edges)
}

/// The DOT text Graphviz lays out: fixed-size boxes `N0`, `N1`, … (points = CSS pixels) and
/// edges `e0`, `e1`, … with pprof's layout weights. Edges carry no labels: Graphviz makes each
/// label a node of its own, which on a dense graph (500 edges) takes it 25 s instead of 2; the
/// page puts each weight at the middle of its edge.
pub fn dot(g: &Graph, nodes: &[NodeLook], total: i64) -> String {
    // A dense graph (many edges per node, as a heap profile with varied stacks gives) gets
    // Graphviz's iteration limits: its ranking and crossing passes otherwise take 10 s and more
    // (the M heap graph, 61 nodes and 525 edges: 9.5 s as is, 1.2 s with these limits).
    let limits = if g.edges.len() > 150 { " nslimit=1 nslimit1=1 mclimit=0.2" } else { "" };
    let mut s = format!(
        "digraph g {{\ngraph [nodesep=0.25 ranksep=0.45{limits}];\nnode [shape=box fixedsize=true label=\"\"];\nedge [fontsize=10];\n"
    );
    for (i, n) in nodes.iter().enumerate() {
        s.push_str(&format!("N{i} [width={:.3} height={:.3}];\n", n.width / 72.0, n.height / 72.0));
    }
    for (i, e) in g.edges.iter().enumerate() {
        let mut attrs = format!("id=\"e{i}\"");
        if total != 0 {
            let w = 1 + ((e.weight.unsigned_abs() as f64 * 100.0 / total.unsigned_abs() as f64).floor() as u64).min(100);
            if w > 1 {
                attrs.push_str(&format!(" weight={w}"));
            }
        }
        s.push_str(&format!("N{} -> N{} [{attrs}];\n", e.from, e.to));
    }
    s.push_str("}\n");
    s
}

/// Graphviz's answer as the layout worker passes it on: the drawing's size, each node's
/// centre (in `N` order), each edge's spline (in `e` order), all in CSS pixels with y down.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Layout {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Node centres.
    pub nodes: Vec<(f64, f64)>,
    /// Edges.
    pub edges: Vec<EdgePath>,
    /// Milliseconds Graphviz took.
    #[serde(default)]
    pub ms: f64,
}

/// One edge's spline.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct EdgePath {
    /// B-spline control points: a start point, then three per cubic segment.
    pub points: Vec<(f64, f64)>,
    /// Arrow tip, if the spline stops short of it.
    pub end: Option<(f64, f64)>,
    /// Label position.
    pub label: Option<(f64, f64)>,
}

impl EdgePath {
    /// The SVG path of the spline (`M x y C …`), ending at the arrow's base.
    pub fn svg_path(&self) -> String {
        let mut d = String::new();
        for (i, (x, y)) in self.points.iter().enumerate() {
            if i == 0 {
                d.push_str(&format!("M{x:.1},{y:.1}"));
            } else if i % 3 == 1 {
                d.push_str(&format!(" C{x:.1},{y:.1}"));
            } else {
                d.push_str(&format!(" {x:.1},{y:.1}"));
            }
        }
        d
    }
    /// Where the edge's label goes: Graphviz's place for it, else the middle of the spline.
    pub fn label_at(&self) -> Option<(f64, f64)> {
        self.label.or_else(|| self.points.get(self.points.len() / 2).copied())
    }
    /// The arrowhead triangle from the spline's end to the tip (`x,y x,y x,y`).
    pub fn arrow(&self, width: f64) -> Option<String> {
        let (bx, by) = *self.points.last()?;
        let (tx, ty) = self.end?;
        let (dx, dy) = (tx - bx, ty - by);
        let len = (dx * dx + dy * dy).sqrt();
        if len == 0.0 {
            return None;
        }
        let half = (2.5 + width).min(6.0);
        let (nx, ny) = (-dy / len * half, dx / len * half);
        Some(format!("{tx:.1},{ty:.1} {:.1},{:.1} {:.1},{:.1}", bx + nx, by + ny, bx - nx, by - ny))
    }
}

/// pprof's `dotColor`: a colour for a score in [-1, 1] (red positive, green negative, grey
/// near 0), light for a background or dark for a border; `dark` gives the dark theme's
/// (dark backgrounds, light borders).
pub fn color(score: f64, background: bool, dark: bool) -> String {
    let (mut saturation, value) = match (background, dark) {
        (true, false) => (0.1, 0.93),
        (false, false) => (1.0, 0.7),
        (true, true) => (0.45, 0.3),
        (false, true) => (0.8, 0.85),
    };
    let mut score = score.clamp(-1.0, 1.0);
    if score.abs() < 0.2 {
        saturation *= score.abs() / 0.2;
    }
    if score > 0.0 {
        score = score.powf(0.3);
    }
    if score < 0.0 {
        score = -(-score).powf(0.3);
    }
    let (r, g) = if score < 0.0 { (value * (1.0 + saturation * score), value) } else { (value, value * (1.0 - saturation * score)) };
    let b = value * (1.0 - saturation);
    let byte = |x: f64| (x * 255.0).clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{GraphEdge, GraphNode};

    #[test]
    fn names_split_as_pprof_labels() {
        assert_eq!(name_lines("compress/flate.(*compressor).deflate"), ["flate", "(*compressor)", "deflate"]);
        assert_eq!(name_lines("main.f pkg/main.go:31"), ["main", "f", "main.go:31"]);
        assert_eq!(name_lines("runtime.main"), ["runtime", "main"]);
        assert_eq!(name_lines("main.<script>alert(1)</script>"), ["main", "<script>alert(1)</script>"]);
        assert_eq!(name_lines("a\nb"), ["a\u{fffd}b"]);
        assert_eq!(name_lines("<img src=x onerror=\"w.p=1\">"), ["<img src=x onerror=\"w", "p=1\">"]);
        assert_eq!(name_lines("</t><s>w.p</s>"), ["</t><s>w", "p</s>"]);
    }

    #[test]
    fn pprof_colours_and_sizes() {
        // pprof's dotColor for cum shares (from go tool pprof -dot on testdata/example/cpu.pb.gz:
        // 96.91% → color="#b20100" fillcolor="#edd5d5"; 2.06% → "#b2aca0" "#edecea").
        assert_eq!(color(0.9691, false, false), "#b20100");
        assert_eq!(color(0.9691, true, false), "#edd5d5");
        assert_eq!(color(0.0206, false, false), "#b2aca0");
        assert_eq!(color(0.0206, true, false), "#edecea");
        let g = Graph {
            nodes: vec![GraphNode { name: "a.b".into(), flat: 100, cum: 400 }, GraphNode { name: "a.c".into(), flat: 25, cum: 25 }],
            edges: vec![GraphEdge { from: 0, to: 1, weight: 25, inline: true, residual: false }],
            ..Default::default()
        };
        let (n, e) = looks(&g, "count", 1000);
        // pprof: 8 + ceil(16 * sqrt(flat / max flat)): 24 and 16.
        assert_eq!((n[0].font, n[1].font), (24.0, 16.0));
        assert_eq!(n[0].value_lines, ["100 (10.00%)", "of 400 (40.00%)"]);
        assert_eq!(e[0].label, "25 (inline)");
        let d = dot(&g, &n, 1000);
        assert!(d.contains("N0 -> N1 [id=\"e0\" weight=3]"), "{d}");
    }
}
