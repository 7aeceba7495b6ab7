//! A flame graph as one standalone SVG file that stays interactive when opened in a browser,
//! as `flamegraph.pl` and inferno's are: hover for a frame's name, value and share (a
//! tooltip and the details line), click to zoom, *Search* (or Ctrl+F) highlights the frames
//! a regex matches and shows their share, *Reset zoom* (or Escape) goes back. The script is
//! inline; nothing is fetched.
//!
//! Root on top, as the page draws it. Names are XML text (`&`, `<`, `>`, quotes escaped;
//! characters XML 1.0 forbids replaced by U+FFFD), never markup. Frames narrower than a tenth
//! of a pixel at full width are left out (inferno's `--minwidth`), and at most
//! [`MAX_FRAMES`] are written. A diff is drawn on the target's values, each frame coloured by
//! its change against the base (red grew, blue shrank), as the page's differential flame graph.

use crate::units::{human, signed};
use rustc_hash::FxHashMap;
use std::fmt::Write;

/// Frames written at most.
pub const MAX_FRAMES: usize = 200_000;

const WIDTH: f64 = 1200.0;
const ROW: f64 = 16.0;
const TOP: f64 = 48.0;
const PAD: f64 = 10.0;

/// A call tree to draw: node 0 is the root.
#[derive(Debug, Default)]
pub struct Tree {
    /// Name id per node (into the names given to [`svg`]).
    pub func: Vec<u32>,
    /// Value per node.
    pub value: Vec<i64>,
    /// A diff's base value per node (all zero otherwise).
    pub base: Vec<i64>,
    /// Children per node.
    pub kids: Vec<Vec<u32>>,
    index: FxHashMap<(u32, u32), u32>,
}

impl Tree {
    /// An empty tree (the root only).
    pub fn new() -> Tree {
        Tree { func: vec![u32::MAX], value: vec![0], base: vec![0], kids: vec![Vec::new()], index: FxHashMap::default() }
    }
    /// Adds a stack (name ids, root first) with its value and (a diff's) base value.
    pub fn add(&mut self, root_first: impl IntoIterator<Item = u32>, value: i64, base: i64) {
        let mut node = 0u32;
        self.value[0] = self.value[0].wrapping_add(value);
        self.base[0] = self.base[0].wrapping_add(base);
        for f in root_first {
            node = match self.index.get(&(node, f)) {
                Some(&n) => n,
                None => {
                    let n = self.func.len() as u32;
                    self.func.push(f);
                    self.value.push(0);
                    self.base.push(0);
                    self.kids.push(Vec::new());
                    self.kids[node as usize].push(n);
                    self.index.insert((node, f), n);
                    n
                }
            };
            self.value[node as usize] = self.value[node as usize].wrapping_add(value);
            self.base[node as usize] = self.base[node as usize].wrapping_add(base);
        }
    }
}

/// Text made safe for XML 1.0 character data and attribute values.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || matches!(c as u32, 0xFFFE | 0xFFFF) || (0xD800..0xE000).contains(&(c as u32)) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A stable warm colour per name (flamegraph.pl's "hot" palette, chosen by a hash).
fn warm(name: &str) -> String {
    let h = name.bytes().fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    let (a, b) = ((h & 0xff) as f64 / 255.0, ((h >> 8) & 0xff) as f64 / 255.0);
    format!("rgb({},{},{})", 205 + (50.0 * a) as u32, (230.0 * b) as u32, (55.0 * a) as u32)
}

/// Red for growth, blue for shrinkage, scaled by the change against the largest change.
fn diff_colour(delta: i64, max: i64) -> String {
    if delta == 0 || max == 0 {
        return "rgb(220,220,220)".into();
    }
    let t = (delta.unsigned_abs() as f64 / max as f64).clamp(0.0, 1.0);
    let fade = (220.0 - 180.0 * t) as u32;
    if delta > 0 {
        format!("rgb(230,{fade},{fade})")
    } else {
        format!("rgb({fade},{fade},230)")
    }
}

/// The SVG of `tree` (names by id in `names`), titled `title`, values in `unit`.
pub fn svg(tree: &Tree, names: &[String], title: &str, unit: &str, diff: bool) -> String {
    let total = tree.value[0].max(1);
    let min = (total as f64 / (WIDTH * 10.0)).max(0.0);
    // Depth-first, each node's x (in value units from the left) and depth.
    let mut frames: Vec<(u32, i64, u32)> = Vec::new();
    let mut stack = vec![(0u32, 0i64, 0u32)];
    let mut max_delta = 0i64;
    let mut max_depth = 0u32;
    while let Some((n, x, d)) = stack.pop() {
        if frames.len() >= MAX_FRAMES {
            break;
        }
        frames.push((n, x, d));
        max_depth = max_depth.max(d);
        if n != 0 {
            max_delta =
                max_delta.max(tree.value[n as usize].wrapping_sub(tree.base[n as usize]).unsigned_abs().min(i64::MAX as u64) as i64);
        }
        let mut kx = x;
        let mut kids = Vec::new();
        let mut order = tree.kids[n as usize].clone();
        order.sort_by(|a, b| names[tree.func[*a as usize] as usize].cmp(&names[tree.func[*b as usize] as usize]));
        for k in order {
            let v = tree.value[k as usize];
            if v > 0 && v as f64 >= min {
                kids.push((k, kx, d + 1));
            }
            kx = kx.wrapping_add(v.max(0));
        }
        stack.extend(kids.into_iter().rev());
    }
    let height = TOP + (max_depth as f64 + 1.0) * ROW + 2.0 * PAD + 16.0;
    let mut o = String::with_capacity(frames.len() * 200 + 8000);
    let _ = write!(
        o,
        r##"<?xml version="1.0" standalone="no"?>
<svg version="1.1" width="{w}" height="{height}" viewBox="0 0 {w} {height}" xmlns="http://www.w3.org/2000/svg" data-total="{total}" data-unit="{unit_x}">
<style>
text {{ font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }}
#title {{ font-size: 17px; }}
.button {{ cursor: pointer; fill: #333; }}
.button:hover {{ text-decoration: underline; }}
g.f {{ cursor: pointer; }}
g.f:hover rect {{ stroke: #000; stroke-width: 0.5; }}
g.f text {{ pointer-events: none; }}
#tooltip rect {{ fill: #ffffe0; stroke: #888; }}
</style>
<rect x="0" y="0" width="100%" height="100%" fill="#f8f8f8"/>
<text id="title" x="{half}" y="22" text-anchor="middle">{title}</text>
<text id="reset" class="button" x="{pad}" y="22" tabindex="0" role="button">Reset zoom</text>
<text id="search" class="button" x="{right}" y="22" text-anchor="end" tabindex="0" role="button">Search</text>
<text id="matched" x="{right}" y="{bottom}" text-anchor="end"> </text>
<text id="details" x="{pad}" y="{bottom}"> </text>
<g id="frames">
"##,
        w = WIDTH,
        unit_x = xml(unit),
        half = WIDTH / 2.0,
        title = xml(title),
        pad = PAD,
        right = WIDTH - PAD,
        bottom = height - PAD,
    );
    let scale = (WIDTH - 2.0 * PAD) / total as f64;
    for &(n, x, d) in &frames {
        let (name, colour) = if n == 0 {
            ("all".to_string(), "rgb(240,200,120)".to_string())
        } else {
            let name = &names[tree.func[n as usize] as usize];
            let c = if diff { diff_colour(tree.value[n as usize].wrapping_sub(tree.base[n as usize]), max_delta) } else { warm(name) };
            (name.clone(), c)
        };
        let v = tree.value[n as usize];
        let share = v as f64 * 100.0 / total as f64;
        let mut info = format!("{name} ({}, {share:.2}%)", human(v, unit));
        if diff {
            let b = tree.base[n as usize];
            let _ = write!(info, ", base {}, change {}", human(b, unit), signed(v.wrapping_sub(b), unit));
        }
        let (px, py, pw) = (PAD + x as f64 * scale, TOP + d as f64 * ROW, v as f64 * scale);
        let fit = ((pw - 6.0) / 7.0).floor().max(0.0) as usize;
        let label: String = if name.chars().count() <= fit {
            name.clone()
        } else if fit >= 3 {
            name.chars().take(fit - 2).collect::<String>() + ".."
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            r#"<g class="f" data-x="{x}" data-w="{v}" data-d="{d}" data-name="{nm}"><title>{info}</title><rect x="{px:.2}" y="{py:.1}" width="{pw:.2}" height="{h}" rx="2" fill="{colour}"/><text x="{tx:.2}" y="{ty:.1}">{label}</text></g>"#,
            nm = xml(&name),
            info = xml(&info),
            h = ROW - 1.0,
            tx = px + 3.0,
            ty = py + 11.5,
            label = xml(&label),
        );
    }
    let _ = write!(
        o,
        r#"</g>
<g id="tooltip" visibility="hidden"><rect x="0" y="0" width="10" height="20" rx="3"/><text x="6" y="14"> </text></g>
<script type="text/ecmascript"><![CDATA[
{SCRIPT}
]]></script>
</svg>
"#
    );
    o
}

/// The inline script (at the end, so the elements it reads are parsed): zoom, hover, search,
/// reset. Plain ES5, no outside request.
const SCRIPT: &str = r#"(function () {
  var svg = document.documentElement, W = 1200, PAD = 10;
  var frames = Array.prototype.slice.call(document.querySelectorAll('g.f'));
  var tip = document.getElementById('tooltip'), tipText = tip.querySelector('text'), tipRect = tip.querySelector('rect');
  var details = document.getElementById('details'), matchedEl = document.getElementById('matched');
  var total = +svg.getAttribute('data-total') || 1, query = null;
  function num(g, k) { return +g.getAttribute('data-' + k); }
  function fit(g, w) {
    var t = g.querySelector('text'), name = g.getAttribute('data-name'), n = Math.floor((w - 6) / 7);
    t.textContent = name.length <= n ? name : (n >= 3 ? name.slice(0, n - 2) + '..' : '');
  }
  function zoom(root) {
    var x0 = num(root, 'x'), w0 = num(root, 'w') || 1, d0 = num(root, 'd'), s = (W - 2 * PAD) / w0;
    frames.forEach(function (g) {
      var x = num(g, 'x'), w = num(g, 'w'), d = num(g, 'd'), r = g.querySelector('rect');
      var inside = x >= x0 && x + w <= x0 + w0 && d >= d0, above = d < d0 && x <= x0 && x + w >= x0 + w0;
      if (!inside && !above) { g.style.display = 'none'; return; }
      g.style.display = '';
      g.style.opacity = above ? '0.5' : '';
      var px = above ? PAD : PAD + (x - x0) * s, pw = above ? W - 2 * PAD : w * s;
      r.setAttribute('x', px.toFixed(2)); r.setAttribute('width', pw.toFixed(2));
      g.querySelector('text').setAttribute('x', (px + 3).toFixed(2));
      fit(g, pw);
    });
    svg.setAttribute('data-zoom', root.getAttribute('data-name'));
  }
  function reset() { if (frames.length) { zoom(frames[0]); } svg.removeAttribute('data-zoom'); }
  function show(g, e) {
    var info = g.querySelector('title').textContent;
    details.textContent = info;
    tipText.textContent = info;
    tip.setAttribute('visibility', 'visible');
    var bb = tipText.getBBox(), p = svg.createSVGPoint();
    p.x = e.clientX; p.y = e.clientY;
    var m = svg.getScreenCTM(), q = m ? p.matrixTransform(m.inverse()) : p;
    tipRect.setAttribute('width', bb.width + 12);
    var tx = Math.min(q.x + 12, W - bb.width - 16), ty = q.y + 14;
    tip.setAttribute('transform', 'translate(' + Math.max(0, tx) + ',' + ty + ')');
  }
  function hide() { tip.setAttribute('visibility', 'hidden'); details.textContent = ' '; }
  function search(re) {
    var rx = null, spans = [];
    if (re) { try { rx = new RegExp(re); } catch (err) { rx = null; } }
    frames.forEach(function (g) {
      var r = g.querySelector('rect');
      if (!r.getAttribute('data-fill')) { r.setAttribute('data-fill', r.getAttribute('fill')); }
      var hit = rx && rx.test(g.getAttribute('data-name')) && num(g, 'd') > 0;
      r.setAttribute('fill', hit ? 'rgb(230,0,230)' : r.getAttribute('data-fill'));
      g.classList.toggle('match', !!hit);
      if (hit) { spans.push([num(g, 'x'), num(g, 'x') + num(g, 'w')]); }
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var sum = 0, end = -Infinity;
    spans.forEach(function (s) { if (s[0] >= end) { sum += s[1] - s[0]; end = s[1]; } else if (s[1] > end) { sum += s[1] - end; end = s[1]; } });
    matchedEl.textContent = rx ? 'Matched: ' + (100 * sum / total).toFixed(1) + '%' : ' ';
    svg.setAttribute('data-matched', rx ? String(sum) : '');
    query = rx ? re : null;
  }
  frames.forEach(function (g) {
    g.addEventListener('click', function () { zoom(g); });
    g.addEventListener('mousemove', function (e) { show(g, e); });
    g.addEventListener('mouseout', hide);
  });
  function ask() {
    var re = window.prompt('Search (regular expression)', query || '');
    if (re !== null) { search(re); }
  }
  function key(el, f) {
    el.addEventListener('click', f);
    el.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); f(); } });
  }
  key(document.getElementById('reset'), reset);
  key(document.getElementById('search'), function () { if (query) { search(null); } else { ask(); } });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { reset(); }
    if ((e.ctrlKey || e.metaKey) && e.key === 'f') { e.preventDefault(); ask(); }
  });
  window.profdropSearch = search;
})();"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_forbidden_characters() {
        assert_eq!(xml("<script>&\"'"), "&lt;script&gt;&amp;&quot;&#39;");
        assert_eq!(xml("a\u{0}b\u{1b}c\nd"), "a\u{FFFD}b\u{FFFD}c d");
    }

    #[test]
    fn frames_are_laid_out_by_value() {
        let names = vec!["main".to_string(), "a".to_string(), "b<x>".to_string()];
        let mut t = Tree::new();
        t.add([0, 1], 30, 0);
        t.add([0, 2], 10, 0);
        t.add([0], 60, 0);
        let s = svg(&t, &names, "t", "count", false);
        // root, main, a, b: main is 100 of 100 wide, a starts at 0, b after a.
        assert_eq!(s.matches("<g class=\"f\"").count(), 4);
        assert!(s.contains(r#"data-x="0" data-w="30" data-d="2" data-name="a""#), "{s}");
        assert!(s.contains(r#"data-x="30" data-w="10" data-d="2" data-name="b&lt;x&gt;""#));
        assert!(!s.contains("<x>"));
    }
}
