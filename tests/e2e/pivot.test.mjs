// Inverted flame graph, pivot view and peek view (../shared/contract.md: flame graph hooks,
// `p` and `view=peek` in the URL, "Later views": [data-testid=peek] [data-peek] rows).
// Numbers come from `go tool pprof` (testdata/golden/top and testdata/golden/peek, recorded by
// testdata/gen/golden.py and testdata/gen/peek_golden.py), never from the page.
// Screenshots of the three views in both themes go to /tmp/shots-pivot/.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SEL, TESTDATA_DIR, actAndSettle, assertDistBuilt, loadFiles, pageSummary, readOracleTable, withPage, useBrowser } from './helpers.mjs';

const HEAP = path.join(TESTDATA_DIR, 'example/heap.pb.gz');
const GOLDEN_TOP = path.join(TESTDATA_DIR, 'golden', 'top');
const GOLDEN_PEEK = path.join(TESTDATA_DIR, 'golden', 'peek', 'example__heap.pb.gz.3.inuse_space.txt');
const PIVOT = 'main.handleRequest';
const SHOTS = '/tmp/shots-pivot';
const ROW = 18; // px per flame graph row

const hashOf = (page) => page.evaluate(() => decodeURIComponent(location.hash.replace(/^#/, '')));

/** pprof's -peek text → rows {kind, entry, fn, a (flat or weight), cum, inline}. */
function parsePeek(text) {
  const rows = [];
  let block = [];
  let started = false;
  const flush = () => {
    const me = block.findIndex((b) => b.self);
    if (me < 0) return;
    const entry = block[me].name;
    block.forEach((b, i) => {
      if (b.self) rows.push({ kind: 'self', entry, fn: b.name, a: b.tok[0], cum: b.tok[3], inline: false });
      else {
        const inline = b.name.endsWith(' (inline)');
        rows.push({ kind: i < me ? 'caller' : 'callee', entry, fn: inline ? b.name.slice(0, -9) : b.name, a: b.tok[0], cum: null, inline });
      }
    });
    block = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('----------')) { flush(); continue; }
    if (line.trim().startsWith('flat  flat%')) { started = true; continue; }
    if (!started || !line.trim()) continue;
    const bar = line.indexOf('|');
    const tok = line.slice(0, bar).trim().split(/\s+/);
    const right = line.slice(bar + 1);
    const int = (s) => BigInt(s.replace(/[A-Za-z]+$/, '')).toString();
    if (tok.length === 5) block.push({ self: true, tok: [int(tok[0]), 0, 0, int(tok[3])], name: right.slice(1) });
    else block.push({ self: false, tok: [int(tok[0])], name: right.slice(3) });
  }
  flush();
  assert.ok(rows.length > 0, 'the peek golden has rows');
  return rows;
}

/** The page's peek rows under `root`, in document order. */
function readPeek(page, root) {
  return page.$$eval(`${root} [data-testid=peek] [data-peek]`, (els) =>
    els.map((e) => {
      const kind = e.getAttribute('data-peek');
      return {
        kind,
        entry: e.getAttribute('data-entry'),
        fn: e.getAttribute('data-function'),
        a: kind === 'self' ? e.getAttribute('data-flat') : e.getAttribute('data-weight'),
        cum: kind === 'self' ? e.getAttribute('data-cum') : null,
        inline: kind === 'self' ? false : e.getAttribute('data-inline') === '1',
      };
    }),
  );
}

function comparePeek(got, want, what) {
  for (let i = 0; i < Math.min(got.length, want.length); i++) {
    assert.deepEqual(got[i], want[i], `${what}: row ${i} differs from go tool pprof -peek`);
  }
  assert.equal(got.length, want.length, `${what}: ${got.length} rows, pprof -peek has ${want.length}`);
}

/** Names the tooltip shows along one row of a canvas (hovering every `step` px). */
async function namesOnRow(page, selector, rowFromTop, step = 6) {
  const box = await page.locator(selector).boundingBox();
  assert.ok(box && box.width > 0, `${selector} has no size` + (await pageSummary(page)));
  const names = new Set();
  const y = box.y + rowFromTop * ROW + ROW / 2;
  for (let x = box.x + 1; x < box.x + box.width; x += step) {
    await page.mouse.move(x, y);
    const name = await page.evaluate(() => document.querySelector('[data-testid=flame-tooltip] .tip-name')?.textContent ?? null);
    if (name) names.add(name);
  }
  await page.mouse.move(1, 1);
  return [...names];
}

async function shot(page, name, fullPage = true) {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const theme of ['light', 'dark']) {
    const now = await page.evaluate(() => document.documentElement.getAttribute('data-theme'));
    if (now !== theme) await page.keyboard.press('d');
    await page.waitForFunction((t) => document.documentElement.getAttribute('data-theme') === t, theme);
    await page.mouse.move(1, 1);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`), fullPage });
  }
}

async function setHash(page, h, until, arg) {
  await actAndSettle(page, `location.hash = ${h}`, () => page.evaluate((h) => { location.hash = h; }, h), { until, arg });
}

it('dist/ is built', () => assertDistBuilt());

describe('inverted flame graph, pivot and peek', () => {
  const ctx = useBrowser({ before, after });
  const top = readOracleTable('example__heap.pb.gz.3.inuse_space.tsv', GOLDEN_TOP);
  const flat = new Map(top.rows.map((r) => [r.fn, BigInt(r.flat)]));
  const peek = parsePeek(fs.readFileSync(GOLDEN_PEEK, 'utf8'));

  it('the inverted toggle puts the functions samples end in at the root', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'inverted', async ({ page }) => {
      await loadFiles(page, [HEAP]);
      await actAndSettle(page, 'flame view', () => page.click(SEL.viewFlame), { until: (s) => !!document.querySelector(s), arg: SEL.flamegraph });
      // Top-down: row 1 (under the root) holds the outermost callers, which have no flat.
      const down = await namesOnRow(page, SEL.flamegraph, 1);
      assert.ok(down.length > 0, 'frames on row 1 of the top-down graph');
      assert.ok(down.some((n) => flat.get(n) === 0n), `top-down row 1 has a caller without flat value: ${down}`);

      await actAndSettle(page, 'inverted toggle', () => page.click('[data-testid=inverted]'), {
        until: (s) => document.querySelector(s)?.getAttribute('data-inverted') === '1',
        arg: SEL.flamegraph,
      });
      assert.match(await hashOf(page), /(^|&)inv=1(&|$)/, 'the hash says inv=1');
      const up = await namesOnRow(page, SEL.flamegraph, 1);
      assert.ok(up.length > 0, 'frames on row 1 of the inverted graph');
      for (const n of up) assert.ok((flat.get(n) ?? 0n) !== 0n, `inverted row 1: ${n} has no flat value in pprof -top, so no sample ends in it`);
      // The widest leaf is pprof's function with the largest flat.
      const box = await page.locator(SEL.flamegraph).boundingBox();
      assert.ok(up.includes(top.rows[0].fn), `the largest flat (${top.rows[0].fn}) is at the root: ${up}`);
      assert.ok(box.width > 0);
      await shot(page, 'inverted-flame');
      // The same through a link, and off again.
      await setHash(page, 'view=flame&inv=0', (s) => !document.querySelector(s)?.hasAttribute('data-inverted'), SEL.flamegraph);
    });
  });

  it(`#p=^${PIVOT}$ shows its callers and callees with pprof's -peek numbers; a click re-pivots, Esc leaves`, { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'pivot', async ({ page }) => {
      await loadFiles(page, [HEAP]);
      const regex = `^${PIVOT.replace(/\./g, '\\.')}$`;
      await actAndSettle(page, 'pivot link', () => page.evaluate((h) => { location.hash = h; }, `p=${encodeURIComponent(regex)}`), {
        until: () => document.querySelectorAll('[data-testid=pivot] [data-testid=peek] [data-peek]').length > 0,
      });
      const want = peek.filter((r) => r.entry === PIVOT);
      assert.ok(want.some((r) => r.kind === 'caller') && want.some((r) => r.kind === 'callee'), 'the golden has callers and callees');
      comparePeek(await readPeek(page, '[data-testid=pivot]'), want, 'pivot peek table');
      const self = want.find((r) => r.kind === 'self');
      const cum = await page.getAttribute('[data-testid=pivot-cum]', 'data-cum');
      assert.equal(cum, self.cum, "the pivot's value is pprof's cum");
      for (const side of ['pivot-callers', 'pivot-callees']) {
        const frames = Number(await page.getAttribute(`canvas[data-testid=${side}]`, 'data-frames'));
        assert.ok(frames > 1, `${side}: frames drawn (${frames})`);
      }
      // Callers are drawn upwards: the bottom row is the pivot, the row above it its callers,
      // which are pprof's callers; the callee canvas's first row is its callees.
      const callersBox = await page.locator('canvas[data-testid=pivot-callers]').boundingBox();
      const rows = Math.round(callersBox.height / ROW);
      const bottom = await namesOnRow(page, 'canvas[data-testid=pivot-callers]', rows - 1);
      assert.deepEqual(bottom, [PIVOT], 'the bottom row of the callers is the pivot');
      const callers = await namesOnRow(page, 'canvas[data-testid=pivot-callers]', rows - 2);
      assert.deepEqual(callers.sort(), want.filter((r) => r.kind === 'caller').map((r) => r.fn).sort(), 'callers');
      const callees = await namesOnRow(page, 'canvas[data-testid=pivot-callees]', 0, 3);
      const pprofCallees = want.filter((r) => r.kind === 'callee').map((r) => r.fn);
      for (const c of callees) assert.ok(pprofCallees.includes(c), `callee ${c} is one of pprof's: ${pprofCallees}`);
      assert.ok(callees.includes(pprofCallees[0]), `the heaviest callee ${pprofCallees[0]} is drawn`);
      await shot(page, 'pivot');

      // Clicking a caller frame pivots on it.
      const y = callersBox.y + (rows - 2) * ROW + ROW / 2;
      await actAndSettle(page, 'click a caller', () => page.mouse.click(callersBox.x + 3, y), {
        until: (old) => document.querySelector('[data-testid=pivot]')?.getAttribute('data-pivot') !== old,
        arg: regex,
      });
      const now = await page.getAttribute('[data-testid=pivot]', 'data-pivot');
      const name = now.replace(/^\^/, '').replace(/\$$/, '').replace(/\\/g, '');
      assert.ok(want.some((r) => r.kind === 'caller' && r.fn === name), `re-pivoted on a caller: ${now}`);
      assert.equal(new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get('p'), now, 'the hash carries the new pivot');
      comparePeek(await readPeek(page, '[data-testid=pivot]'), peek.filter((r) => r.entry === name), `peek of ${name}`);

      // Esc leaves the pivot view.
      await actAndSettle(page, 'Escape', () => page.keyboard.press('Escape'), { until: (s) => !document.querySelector('[data-testid=pivot]') && !!document.querySelector(s), arg: SEL.flamegraph });
      assert.doesNotMatch(await hashOf(page), /(^|&)p=/, 'no pivot in the hash');
    });
  });

  it("view=peek lists pprof's -peek rows", { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'peek', async ({ page }) => {
      await loadFiles(page, [HEAP]);
      await actAndSettle(page, 'peek view', () => page.click('[data-testid=view-peek]'), {
        until: () => document.querySelectorAll('[data-testid=peek] [data-peek]').length > 0,
      });
      assert.match(await hashOf(page), /(^|&)view=peek(&|$)/);
      // No pivot, focus or search: every function, as pprof -peek '.'.
      comparePeek(await readPeek(page, 'body'), peek, 'view=peek');
      assert.ok((await readPeek(page, 'body')).some((r) => r.inline), 'inlined calls are marked');
      await shot(page, 'peek', false);
    });
  });
});
