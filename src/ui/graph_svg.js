// The call graph's SVG (ui::components::graph_view), built in one call from WebAssembly per
// layout instead of a virtual DOM of some 600 groups rebuilt on every hover: the M heap graph
// (61 nodes, 525 edges) took a 160 ms main-thread task to draw that way. Every text is set with
// `textContent`, so function names are never parsed as markup.
//
// `strings` holds the texts one after another, each ending at the next offset of `ends` (in
// UTF-16 units); `nums` the numbers. Per node, in order: strings name, flat, cum, aria label,
// title, fill, stroke, then its label lines; nums x, y, width, height, centre x, first line's
// y, font size, line height, number of label lines. Per edge: strings weight, title, path,
// stroke, arrowhead points (empty: none), label (empty: none); nums from, to, stroke width,
// inlined (0/1), elided (0/1), label x, label y.
//
// A big graph's node labels, then its edges' labels and tooltips, are put in the page in tasks
// of their own, each after the next frame: the browser's style, layout and paint of some 3,000
// SVG elements is split up, so no task keeps the page from answering for long (the L heap
// graph: one 132 ms task before). Most of it was the node labels' SVG text: the first text of
// each font size (pprof's sizes: 17 of them) makes a font, 3 to 6 ms each here, so those fonts
// are made while Graphviz lays the graph out (`warmFonts`). The holder says `data-drawn="all"`
// once everything is in (`"part"` before).
//
// `key` names the graph (its answer and theme): drawn again with the same key (the final
// layout, with curves, after the quick one with straight edges: the nodes do not move), the
// elements stay and only their places change.

const NS = 'http://www.w3.org/2000/svg';
const f1 = (x) => x.toFixed(1);
const make = (doc, name, attrs) => {
  const x = doc.createElementNS(NS, name);
  for (const a in attrs) x.setAttribute(a, attrs[a]);
  return x;
};
/// Elements (nodes + edges) up to which a graph goes in at once.
const SMALL = 150;
/// Node labels put in per task (their fonts are made beforehand: see `warmFonts`).
const LABELS = 100;

export function drawGraph(holder, key, strings, ends, nums, nNodes, nEdges) {
  let at = 0;
  let e = 0;
  const s = () => {
    const v = strings.slice(at, ends[e]);
    at = ends[e++];
    return v;
  };
  let k = 0;
  const n = () => nums[k++];
  const old = holder.__graph;
  if (old && old.key === key && old.nodes.length === nNodes && old.edges.length === nEdges) return move(old, s, n);

  const doc = holder.ownerDocument;
  const el = (name, attrs) => make(doc, name, attrs);
  const generation = (holder.__generation = (holder.__generation ?? 0) + 1);
  // What goes in later: node labels (a group per LABELS nodes), then edge labels and tooltips.
  const later = [];
  const labels = [];

  const nodes = [];
  const names = [];
  const nodeLayer = el('g', { class: 'nodes' });
  for (let i = 0; i < nNodes; i++) {
    const [name, flat, cum, aria, title, fill, stroke] = [s(), s(), s(), s(), s(), s(), s()];
    const [x, y, w, h, cx, top, font, lineH, nLines] = [n(), n(), n(), n(), n(), n(), n(), n(), n()];
    const g = el('g', { class: 'node', 'data-node': '', 'data-i': String(i), tabindex: '0', role: 'button' });
    g.setAttribute('data-function', name);
    g.setAttribute('data-flat', flat);
    g.setAttribute('data-cum', cum);
    g.setAttribute('aria-label', aria);
    const t = el('title', {});
    t.textContent = title;
    g.appendChild(t);
    const rect = el('rect', { x: f1(x), y: f1(y), width: f1(w), height: f1(h), rx: '2', fill, stroke });
    g.appendChild(rect);
    const lines = [];
    for (let l = 0; l < nLines; l++) lines.push(s());
    // (Its label is made when it goes in, where the node is then.)
    const node = { g, rect, text: null, spans: [], cx, top };
    if (i % LABELS === 0) later.push([]);
    later.at(-1).push(() => {
      node.text = el('text', { x: f1(node.cx), y: f1(node.top), 'text-anchor': 'middle', 'font-size': String(font) });
      lines.forEach((line, l) => {
        const span = el('tspan', { x: f1(node.cx), dy: l === 0 ? '0' : f1(lineH) });
        span.textContent = line;
        node.text.appendChild(span);
        node.spans.push(span);
      });
      g.appendChild(node.text);
    });
    nodeLayer.appendChild(g);
    nodes.push(node);
    names.push(name);
  }

  const edges = [];
  const ends2 = new Int32Array(nEdges * 2);
  const edgeLayer = el('g', { class: 'edges' });
  for (let i = 0; i < nEdges; i++) {
    const [weight, title, d, stroke, arrow, label] = [s(), s(), s(), s(), s(), s()];
    const [from, to, width, inline, elided, lx, ly] = [n(), n(), n(), n(), n(), n(), n()];
    const cls = 'edge' + (inline ? ' inline' : '') + (elided ? ' elided' : '');
    const g = el('g', { class: cls, 'data-edge': '' });
    g.setAttribute('data-from', names[from]);
    g.setAttribute('data-to', names[to]);
    g.setAttribute('data-weight', weight);
    g.setAttribute('data-inline', inline ? '1' : '0');
    g.setAttribute('data-elided', elided ? '1' : '0');
    const path = el('path', { d, fill: 'none', stroke, 'stroke-width': String(width) });
    if (elided) path.setAttribute('stroke-dasharray', '5 4');
    g.appendChild(path);
    const poly = el('polygon', { points: arrow, fill: stroke });
    if (arrow) g.appendChild(poly);
    const edge = { g, path, poly, text: null, cls, lx, ly };
    labels.push(() => {
      const t = el('title', {});
      t.textContent = title;
      g.insertBefore(t, g.firstChild);
      if (label) {
        edge.text = el('text', { class: 'edge-label', x: f1(edge.lx + 4), y: f1(edge.ly), 'dominant-baseline': 'middle' });
        edge.text.textContent = label;
        g.appendChild(edge.text);
      }
    });
    edgeLayer.appendChild(g);
    edges.push(edge);
    ends2[2 * i] = from;
    ends2[2 * i + 1] = to;
  }
  later.push(labels);
  holder.replaceChildren(edgeLayer, nodeLayer);
  holder.__graph = { key, nodes, edges, ends: ends2 };
  const done = () => holder.setAttribute('data-drawn', 'all');
  if (nNodes + nEdges <= SMALL) {
    later.forEach((fs) => fs.forEach((f) => f()));
    return done();
  }
  holder.setAttribute('data-drawn', 'part');
  const step = (j) =>
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (holder.__generation !== generation) return;
        later[j].forEach((f) => f());
        if (j + 1 < later.length) step(j + 1);
        else done();
      }, 0),
    );
  step(0);
}

// The same graph in a new layout: new places for its elements.
function move(g, s, n) {
  for (const node of g.nodes) {
    for (let j = 0; j < 7; j++) s();
    const [x, y, , , cx, top, , , nLines] = [n(), n(), n(), n(), n(), n(), n(), n(), n()];
    for (let l = 0; l < nLines; l++) s();
    node.rect.setAttribute('x', f1(x));
    node.rect.setAttribute('y', f1(y));
    [node.cx, node.top] = [cx, top];
    node.text?.setAttribute('x', f1(cx));
    node.text?.setAttribute('y', f1(top));
    for (const span of node.spans) span.setAttribute('x', f1(cx));
  }
  for (const edge of g.edges) {
    const [, , d, , arrow] = [s(), s(), s(), s(), s(), s()];
    const [, , , , , lx, ly] = [n(), n(), n(), n(), n(), n(), n()];
    edge.path.setAttribute('d', d);
    edge.poly.setAttribute('points', arrow);
    if (arrow && !edge.poly.parentNode) edge.g.insertBefore(edge.poly, edge.path.nextSibling);
    if (!arrow && edge.poly.parentNode) edge.poly.remove();
    [edge.lx, edge.ly] = [lx, ly];
    edge.text?.setAttribute('x', f1(lx + 4));
    edge.text?.setAttribute('y', f1(ly));
  }
}

// Highlights node `focus` (-1: none) with its callers and callees, dimming the rest, and
// marks node `sel` (-1: none) selected.
export function highlightGraph(holder, focus, sel) {
  const g = holder.__graph;
  if (!g) return;
  const near = new Uint8Array(g.nodes.length);
  if (focus >= 0) {
    for (let i = 0; i < g.edges.length; i++) {
      const [a, b] = [g.ends[2 * i], g.ends[2 * i + 1]];
      if (a === focus) near[b] = 1;
      if (b === focus) near[a] = 1;
    }
  }
  g.nodes.forEach((x, i) => {
    let c = 'node';
    if (focus >= 0) c += i === focus ? ' hl' : near[i] ? ' near' : ' dim';
    if (i === sel) c += ' sel';
    if (x.g.getAttribute('class') !== c) x.g.setAttribute('class', c);
  });
  g.edges.forEach((x, i) => {
    let c = x.cls;
    if (focus >= 0) c += g.ends[2 * i] === focus || g.ends[2 * i + 1] === focus ? ' hl' : ' dim';
    if (x.g.getAttribute('class') !== c) x.g.setAttribute('class', c);
  });
}

// Nothing drawn (no layout yet).
export function clearGraph(holder) {
  holder.__graph = null;
  holder.__generation = (holder.__generation ?? 0) + 1;
  holder.removeAttribute('data-drawn');
  holder.replaceChildren();
}

// While a big graph (more than SMALL `elements`, nodes and edges) is laid out: a hidden text in
// each of its node label sizes, at the scales a graph is first shown at (0.6 for a wide one,
// 1), a few per frame, has the browser make those fonts before the labels come (the first text
// of a size costs 3 to 6 ms, most of the node labels' layout otherwise). A drawing stops it.
export function warmFonts(holder, sizes, elements) {
  if (elements <= SMALL) return;
  const doc = holder.ownerDocument;
  const generation = holder.__generation;
  const warm = make(doc, 'g', { visibility: 'hidden', 'aria-hidden': 'true' });
  holder.appendChild(warm);
  const texts = [];
  for (const k of [0.6, 1]) for (const size of sizes) texts.push([k, size]);
  const step = (at) =>
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (holder.__generation !== generation) return;
        for (const [k, size] of texts.slice(at, at + 6)) {
          const t = make(doc, 'text', { x: '0', y: '0', 'font-size': String(size), transform: `scale(${k})` });
          t.textContent = 'runtime.mallocgc 12.3 MB (4.56%) of 0';
          warm.appendChild(t);
        }
        if (at + 6 < texts.length) step(at + 6);
      }, 0),
    );
  step(0);
}
