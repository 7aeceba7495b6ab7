// The graph view's layout worker: Graphviz's `dot` (compiled to WebAssembly by
// @hpcc-js/wasm-graphviz, copied to vendor/graphviz.js by `make dist`). The page starts it the
// first time the graph view opens, so neither the library nor its start-up cost touch any
// other view. A message is { seq, dot } (or { warm: true }: load Graphviz now). Each graph is
// answered twice: first { seq, layout, final: false } with straight edges (splines=line: the
// nodes are placed exactly as in the final layout, and routing the curves is most of dot's
// time: 1.0 of 1.2 s on the M heap graph), then { seq, layout, final: true } with the curves,
// unless a newer graph came meanwhile ({ seq, skipped: true }). layout is a JSON string
// (view::graph::Layout: size, node centres, edge splines, in CSS pixels, y down); a failure
// is { seq, error }.
import { Graphviz } from './vendor/graphviz.js';

let graphviz = null;

const point = (s, h) => {
  const [x, y] = s.split(',').map(Number);
  return [x, h - y];
};

function convert(json, ms) {
  const g = JSON.parse(json);
  const [, , w, h] = g.bb.split(',').map(Number);
  const nodes = [];
  for (const o of g.objects ?? []) {
    const i = /^N(\d+)$/.exec(o.name);
    if (i) nodes[Number(i[1])] = point(o.pos, h);
  }
  const edges = [];
  for (const e of g.edges ?? []) {
    const i = /^e(\d+)$/.exec(e.id ?? '');
    if (!i) continue;
    let end = null;
    const points = [];
    for (const tok of (e.pos ?? '').split(' ')) {
      if (tok.startsWith('e,')) end = point(tok.slice(2), h);
      else if (tok.startsWith('s,')) continue;
      else if (tok) points.push(point(tok, h));
    }
    edges[Number(i[1])] = { points, end, label: e.lp ? point(e.lp, h) : null };
  }
  for (let k = 0; k < edges.length; k++) edges[k] ??= { points: [], end: null, label: null };
  return JSON.stringify({ width: w, height: h, nodes, edges, ms });
}

// The newest graph asked for: older ones still waiting are skipped.
let latest = 0;

const straight = (dot) => dot.replace('\ngraph [', '\ngraph [splines=line ');

function run(gv, seq, dot, final) {
  const t0 = performance.now();
  const json = gv.layout(final ? dot : straight(dot), 'json0', 'dot');
  self.postMessage({ seq, final, layout: convert(json, performance.now() - t0) });
}

self.addEventListener('message', async (e) => {
  const { seq, dot, warm } = e.data;
  if (!warm) latest = seq;
  try {
    // One load, started by whichever message comes first: the page sends { warm: true } when
    // the graph view opens, so Graphviz compiles while the engine computes the graph.
    graphviz ??= Graphviz.load().catch((err) => {
      graphviz = null; // the next message tries again
      throw err;
    });
    const gv = await graphviz;
    if (warm) return;
    if (seq !== latest) return self.postMessage({ seq, skipped: true });
    run(gv, seq, dot, false);
    // Messages that came meanwhile are read first.
    await new Promise((r) => setTimeout(r, 0));
    if (seq !== latest) return self.postMessage({ seq, skipped: true });
    run(gv, seq, dot, true);
  } catch (err) {
    if (!warm) self.postMessage({ seq, error: String(err?.message ?? err) });
  }
});
