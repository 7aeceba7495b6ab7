// The graph view (../shared/contract.md "Later views": [data-testid=graph] [data-node] and
// [data-edge], view=graph with n/nf/ef and base/target in the URL). Numbers come from
// `go tool pprof -dot` (testdata/golden/graph, recorded by testdata/gen/graph_golden.py), never
// from the page. Screenshots of the graph in both themes go to /tmp/shots-graph/ (the README's
// come from there).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TESTDATA_DIR, actAndSettle, assertDistBuilt, loadFiles, pageSummary, withPage, useBrowser } from './helpers.mjs';

const GOLDEN = path.join(TESTDATA_DIR, 'golden', 'graph');
const SHOTS = '/tmp/shots-graph';
const GRAPH = '[data-testid=graph]';

/** A golden: { profile, index, base, args, nodes: [{fn, flat, cum}], edges: [{from, to, weight, inline, elided}] }. */
function readGolden(name) {
  const g = { args: [], nodes: [], edges: [], base: null };
  for (const line of fs.readFileSync(path.join(GOLDEN, name), 'utf8').split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    if (f[0] === 'profile') g.profile = f[1];
    else if (f[0] === 'sample_index') g.index = Number(f[1]);
    else if (f[0] === 'base') g.base = f[1];
    else if (f[0] === 'args') g.args = f.slice(1);
    else if (f[0] === 'N') g.nodes.push({ fn: f[3], flat: f[1], cum: f[2] });
    else if (f[0] === 'E') g.edges.push({ from: f[4], to: f[5], weight: f[1], inline: f[2] === '1', elided: f[3] === '1' });
  }
  assert.ok(g.nodes.length > 0, `${name} has nodes`);
  return g;
}

/** The page's graph: nodes in document order, edges sorted (pprof's edge order among equal weights is not the page's concern). */
async function readGraph(page) {
  const nodes = await page.$$eval(`${GRAPH} [data-node]`, (els) =>
    els.map((e) => ({ fn: e.getAttribute('data-function'), flat: e.getAttribute('data-flat'), cum: e.getAttribute('data-cum') })),
  );
  const edges = await page.$$eval(`${GRAPH} [data-edge]`, (els) =>
    els.map((e) => ({
      from: e.getAttribute('data-from'),
      to: e.getAttribute('data-to'),
      weight: e.getAttribute('data-weight'),
      inline: e.getAttribute('data-inline') === '1',
      elided: e.getAttribute('data-elided') === '1',
    })),
  );
  return { nodes, edges };
}

const key = (e) => `${e.from}\u0000${e.to}`;

function compareGraph(got, want, what) {
  for (let i = 0; i < Math.min(got.nodes.length, want.nodes.length); i++) {
    assert.deepEqual(got.nodes[i], want.nodes[i], `${what}: node ${i + 1} differs from go tool pprof -dot's N${i + 1}`);
  }
  assert.equal(got.nodes.length, want.nodes.length, `${what}: ${got.nodes.length} nodes, pprof -dot has ${want.nodes.length}`);
  const sort = (es) => [...es].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  assert.deepEqual(sort(got.edges), sort(want.edges), `${what}: edges differ from go tool pprof -dot's`);
}

// Laid out with curves, and every label in (a big graph's labels come a frame or two after
// its boxes and edges: `data-drawn`).
const laidOut = (sel) => document.querySelector(sel)?.getAttribute('data-layout') === 'done' && !document.querySelector(`${sel} [data-drawn=part]`);

async function setHash(page, h) {
  await actAndSettle(page, `location.hash = ${h}`, () => page.evaluate((h) => { location.hash = h; }, h), { until: laidOut, arg: GRAPH });
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const theme of ['light', 'dark']) {
    const now = await page.evaluate(() => document.documentElement.getAttribute('data-theme'));
    if (now !== theme) await page.keyboard.press('d');
    await page.waitForFunction((t) => document.documentElement.getAttribute('data-theme') === t, theme);
    await page.mouse.move(1, 1);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`) });
  }
}

// A CPU profile whose leaf functions, called by main.main, have names full of markup (the
// encoding as tests/e2e/hostile.test.mjs writes it).
const uv = (n) => {
  let v = BigInt(n);
  const out = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
};
const fVarint = (f, n) => Buffer.concat([uv((f << 3) | 0), uv(n)]);
const fBytes = (f, b) => Buffer.concat([uv((f << 3) | 2), uv(b.length), b]);
const packed = (f, nums) => fBytes(f, Buffer.concat(nums.map(uv)));
const HOSTILE = ['<img src=x onerror="window.__pwned=1">', '</text><script>window.__pwned=2</script>', 'a"b\\N&amp;\\G'];
function hostileProfile() {
  const strings = [''];
  const S = (x) => (strings.includes(x) ? strings.indexOf(x) : strings.push(x) - 1);
  const parts = [fBytes(1, Buffer.concat([fVarint(1, S('cpu')), fVarint(2, S('nanoseconds'))])), fVarint(12, 10_000_000)];
  const names = ['main.main', ...HOSTILE];
  names.forEach((n, i) => {
    parts.push(fBytes(5, Buffer.concat([fVarint(1, i + 1), fVarint(2, S(n)), fVarint(4, S('hostile/main.go'))])));
    parts.push(fBytes(4, Buffer.concat([fVarint(1, i + 1), fVarint(3, 0x1000 + 16 * i), fBytes(4, fVarint(1, i + 1))])));
  });
  HOSTILE.forEach((_, i) => parts.push(fBytes(2, Buffer.concat([packed(1, [i + 2, 1]), packed(2, [(i + 1) * 10_000_000])]))));
  for (const x of strings) parts.push(fBytes(6, Buffer.from(x, 'utf8')));
  return Buffer.concat(parts);
}

it('dist/ is built', () => assertDistBuilt());

describe('graph view', () => {
  const ctx = useBrowser({ before, after });

  it('draws go tool pprof -dot\'s graph of a CPU profile, with its options from the URL', { timeout: 180_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'graph-cpu', async ({ page }) => {
      await loadFiles(page, [path.join(TESTDATA_DIR, 'example/cpu.pb.gz')]);
      await actAndSettle(page, 'graph view', () => page.click('[data-testid=view-graph]'), { until: laidOut, arg: GRAPH });
      const want = readGolden('example__cpu.pb.gz.1.default.tsv');
      const got = await readGraph(page);
      compareGraph(got, want, 'cpu default');
      assert.ok(got.edges.some((e) => e.inline) && got.edges.some((e) => e.elided), 'inline and dotted edges are drawn');
      const hash = await page.evaluate(() => location.hash);
      assert.match(hash, /(^#|&)view=graph(&|$)/, `the hash names the view: ${hash}`);
      // Nodes are laid out: boxes with a size, inside the drawing.
      const boxes = await page.$$eval(`${GRAPH} [data-node] rect`, (rs) => rs.map((r) => r.getBBox()).filter((b) => b.width > 0 && b.height > 0).length);
      assert.equal(boxes, want.nodes.length, 'every node has a box');
      await shot(page, 'graph-cpu');

      // pprof's -nodecount and fractions, by their URL keys.
      for (const [h, golden] of [
        ['view=graph&si=cpu&n=20', 'example__cpu.pb.gz.1.n20.tsv'],
        ['view=graph&si=cpu&nf=0.05&ef=0.01', 'example__cpu.pb.gz.1.nf05-ef01.tsv'],
        ['view=graph&si=cpu&n=0', 'example__cpu.pb.gz.1.n0.tsv'],
      ]) {
        await setHash(page, h);
        compareGraph(await readGraph(page), readGolden(golden), h);
      }
      // The option inputs write the hash.
      await actAndSettle(page, 'node count 10', async () => {
        await page.fill('[data-testid=graph-nodecount]', '20');
        await page.press('[data-testid=graph-nodecount]', 'Enter');
        await page.locator('[data-testid=graph-nodecount]').blur();
      }, { until: laidOut, arg: GRAPH });
      compareGraph(await readGraph(page), readGolden('example__cpu.pb.gz.1.n20.tsv'), 'node count input');
      assert.match(await page.evaluate(() => location.hash), /(^#|&)n=20(&|$)/);
    });
  });

  it('follows the refinement and the sample type (heap, refine fixtures)', { timeout: 180_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'graph-refine', async ({ page }) => {
      await loadFiles(page, [path.join(TESTDATA_DIR, 'refine/refine-cpu.pb.gz')]);
      await setHash(page, 'view=graph&si=cpu&h=runtime');
      compareGraph(await readGraph(page), readGolden('refine__refine-cpu.pb.gz.1.hide.tsv'), 'refine-cpu -hide=runtime');
      await setHash(page, 'view=graph&si=cpu&f=main%5C.handle&g=lines');
      compareGraph(await readGraph(page), readGolden('refine__refine-cpu.pb.gz.1.focus-lines.tsv'), 'refine-cpu -focus -lines');
      await loadFiles(page, [path.join(TESTDATA_DIR, 'example/heap.pb.gz')]);
      await setHash(page, 'view=graph&si=inuse_space&n=20');
      compareGraph(await readGraph(page), readGolden('example__heap.pb.gz.3.n20.tsv'), 'heap -nodecount=20 (tag boxes count)');
    });
  });

  it('draws the diff graph of base and target (pprof -diff_base)', { timeout: 180_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'graph-diff', async ({ page }) => {
      await loadFiles(page, ['01', '06'].map((n) => path.join(TESTDATA_DIR, `leaks/cache/${n}.heap.pb.gz`)));
      const names = await page.$$eval('[data-testid=profile-list] [data-file]', (els) => els.map((e) => e.getAttribute('data-file')));
      assert.equal(names.length, 2, `two profiles: ${names}`);
      const [base, target] = names;
      await setHash(page, `view=graph&si=inuse_space&base=${encodeURIComponent(base)}&target=${encodeURIComponent(target)}`);
      const want = readGolden('diff.leaks__cache__01.heap.pb.gz.leaks__cache__06.heap.pb.gz.3.default.tsv');
      const got = await readGraph(page);
      compareGraph(got, want, 'diff graph');
      assert.ok(got.nodes.some((n) => n.cum.startsWith('-')), 'a node shrank (negative cum)');
      await shot(page, 'graph-diff');
    });
  });

  it('hover, select, keyboard pan/zoom and the context menu work on nodes', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'graph-interact', async ({ page }) => {
      await loadFiles(page, [path.join(TESTDATA_DIR, 'example/heap.pb.gz')]);
      await actAndSettle(page, 'graph view', () => page.click('[data-testid=view-graph]'), { until: laidOut, arg: GRAPH });
      const node = page.locator(`${GRAPH} [data-node]`).first();
      const name = await node.getAttribute('data-function');
      await node.hover();
      assert.ok(await page.$(`${GRAPH} [data-node].hl`), 'the hovered node is highlighted' + (await pageSummary(page)));
      assert.ok(await page.$(`${GRAPH} [data-edge].hl`), 'its edges are highlighted');
      await node.click();
      assert.equal(await page.locator('[data-testid=graph-selected] code').textContent(), name, 'the click selected it');
      const before = await page.$eval(`${GRAPH} svg > g`, (g) => g.getAttribute('transform'));
      await page.focus(GRAPH);
      await page.keyboard.press('+');
      await page.keyboard.press('ArrowLeft');
      const after = await page.$eval(`${GRAPH} svg > g`, (g) => g.getAttribute('transform'));
      assert.notEqual(after, before, 'keys zoom and pan');
      await page.keyboard.press('0');
      // Context menu: focus on the node's function.
      await node.click({ button: 'right' });
      const item = page.locator('[role=menuitem]', { hasText: 'Focus on' });
      await actAndSettle(page, 'focus on', () => item.click(), { until: laidOut, arg: GRAPH });
      const hash = decodeURIComponent(await page.evaluate(() => location.hash));
      assert.ok(hash.includes('f=^' + name.replace(/[.()*]/g, (c) => '\\' + c)), `focus in the hash: ${hash}`);
    });
  });

  it('renders hostile names as text', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'graph-hostile', async ({ page }) => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'profdrop-graph-')), 'hostile.pb');
      fs.writeFileSync(file, hostileProfile());
      await loadFiles(page, [file]);
      await actAndSettle(page, 'graph view', () => page.click('[data-testid=view-graph]'), { until: laidOut, arg: GRAPH });
      const names = await page.$$eval(`${GRAPH} [data-node]`, (els) => els.map((e) => e.getAttribute('data-function')));
      for (const n of HOSTILE) assert.ok(names.includes(n), `${n} is a node: ${names}`);
      // No element came from a name: only the graph's own tags are in it.
      const tags = await page.$$eval(`${GRAPH} *`, (els) => [...new Set(els.map((e) => e.tagName.toLowerCase()))]);
      for (const t of tags) assert.ok(['p', 'svg', 'g', 'title', 'path', 'polygon', 'text', 'tspan', 'rect'].includes(t), `unexpected element <${t}> in the graph`);
      const titles = await page.$$eval(`${GRAPH} [data-node] title`, (els) => els.map((e) => e.textContent));
      for (const n of HOSTILE) assert.ok(titles.some((t) => t.startsWith(n)), `${n} is shown as text`);
      const shown = await page.$$eval(`${GRAPH} [data-node] tspan`, (els) => els.map((e) => e.textContent).join('\n'));
      assert.ok(shown.includes('<img src=x onerror="window'), 'the markup is visible as text in the box');
      await page.waitForTimeout(300);
      assert.equal(await page.evaluate(() => window.__pwned ?? null), null, 'no script ran');
      await shot(page, 'graph-hostile');
    });
  });
});
