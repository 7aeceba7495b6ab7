// Exports: the menu ([data-testid=export]) in each view; every entry downloads through the
// browser's download mechanism, and what it downloads is checked against the page itself:
// CSV numbers equal the table's data-* integers, the pprof export dropped into a fresh page
// gives the same top table, folded stacks sum to the table's flat values, the SVG opened in
// the browser answers hover (tooltip) and click (zoom), the PNG is a PNG of the canvas's size.
// Hostile names stay text in every format, and the menu works from the keyboard.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import {
  SEL,
  TESTDATA_DIR,
  clickAndSettle,
  loadFiles,
  readDiffTable,
  readLeakTable,
  readTopTable,
  selectSampleTypeFor,
  useBrowser,
  withPage,
} from './helpers.mjs';

const td = (rel) => path.join(TESTDATA_DIR, rel);
const EXPORT = '[data-testid=export]';
let tmp;

/** RFC 4180 CSV into rows of cells. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { /* CRLF */ }
    else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; }
    else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** Opens the export menu, clicks the entry of `format` (the first, or the one whose label matches), saves the download. */
async function exportFile(page, format, { label = null } = {}) {
  const btn = page.locator(EXPORT);
  assert.equal(await btn.count(), 1, `${EXPORT} is not in the page`);
  if ((await btn.getAttribute('aria-expanded')) !== 'true') await btn.click();
  let entry = page.locator(`[role=menu] [data-format=${format}]`);
  if (label) entry = entry.filter({ hasText: label });
  assert.ok((await entry.count()) > 0, `no export entry data-format=${format}${label ? ` (${label})` : ''}`);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), entry.first().click()]);
  const file = path.join(tmp, `${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  return { file, name: download.suggestedFilename(), bytes: fs.readFileSync(file) };
}

/** The formats the menu offers now. */
async function menuFormats(page) {
  const btn = page.locator(EXPORT);
  if ((await btn.getAttribute('aria-expanded')) !== 'true') await btn.click();
  const f = await page.locator('[role=menu] [data-format]').evaluateAll((els) => els.map((e) => e.getAttribute('data-format')));
  await page.keyboard.press('Escape');
  return f;
}

function checkTopCsv(csv, table, what) {
  const rows = parseCsv(csv);
  assert.match(rows[0].join(','), /^function,flat \(.+\),cum \(.+\)$/, `${what}: header ${JSON.stringify(rows[0])}`);
  const body = rows.slice(1);
  assert.ok(body.length >= table.rows.length, `${what}: ${body.length} CSV rows, the table has ${table.rows.length} in the DOM`);
  table.rows.forEach((r, i) => {
    const [fn, flat, cum] = body[i];
    const name = /^[=+\-@]/.test(r.fn) ? `'${r.fn}` : r.fn;
    assert.deepEqual([fn, BigInt(flat), BigInt(cum)], [name, BigInt(r.flat), BigInt(r.cum)], `${what}: CSV row ${i}`);
  });
}

/** Opens an SVG file in the browser and checks that hover shows the tooltip and click zooms. */
async function checkSvgInteractive(browser, file) {
  const page = await browser.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(pathToFileURL(file).href);
    const frames = page.locator('g.f');
    const n = await frames.count();
    assert.ok(n > 2, `the SVG has ${n} frames`);
    // Hover a frame at depth 2 (a function): the tooltip shows its name.
    const target = page.locator('g.f[data-d="2"]').first();
    const name = await target.getAttribute('data-name');
    await target.locator('rect').hover({ force: true });
    await page.waitForFunction(() => document.getElementById('tooltip').getAttribute('visibility') === 'visible', null, { timeout: 5000 });
    const tip = await page.locator('#tooltip text').textContent();
    assert.ok(tip.startsWith(name), `tooltip ${JSON.stringify(tip)} does not name ${JSON.stringify(name)}`);
    // Click zooms: the frame spans the width, frames beside it are hidden.
    await target.locator('rect').click({ force: true });
    assert.equal(await page.locator('svg').getAttribute('data-zoom'), name);
    const w = Number(await target.locator('rect').getAttribute('width'));
    assert.ok(w > 1100, `zoomed frame is ${w} wide`);
    // Search highlights, reset unzooms.
    await page.evaluate((n) => window.profdropSearch(n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), name);
    assert.ok((await page.locator('g.f.match').count()) >= 1, 'search matched nothing');
    assert.match(await page.locator('#matched').textContent(), /Matched: [\d.]+%/);
    await page.locator('#reset').click();
    assert.equal(await page.locator('svg').getAttribute('data-zoom'), null);
    assert.deepEqual(errors, [], 'script errors in the SVG');
    assert.deepEqual(dialogs, [], 'the SVG opened dialogs');
    return page;
  } catch (e) {
    await page.screenshot({ path: '/tmp/profdrop-e2e-fail-export-svg.png' }).catch(() => {});
    throw e;
  } finally {
    await page.close();
  }
}

function checkPng(bytes, what) {
  assert.ok(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${what}: not a PNG`);
  const w = bytes.readUInt32BE(16);
  const h = bytes.readUInt32BE(20);
  assert.ok(w > 100 && h > 10, `${what}: PNG is ${w}x${h}`);
}

function checkFoldedAgainstTable(text, table, what) {
  const flat = new Map();
  for (const line of text.split('\n').filter(Boolean)) {
    const m = /^(.*) (-?\d+)$/.exec(line);
    assert.ok(m, `${what}: bad folded line ${JSON.stringify(line.slice(0, 200))}`);
    const frames = m[1].split(';');
    const leaf = frames[frames.length - 1];
    flat.set(leaf, (flat.get(leaf) ?? 0) + Number(m[2]));
  }
  for (const r of table.rows.slice(0, 50)) {
    if (r.fn.includes(';') || /[\u0000-\u001f]/.test(r.fn)) continue;
    assert.equal(BigInt(flat.get(r.fn) ?? 0), BigInt(r.flat), `${what}: folded flat of ${r.fn}`);
  }
}

describe('exports', () => {
  const ctx = useBrowser({ before, after });
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'profdrop-export-')); });
  after(() => { if (tmp && !process.env.KEEP_EXPORTS) fs.rmSync(tmp, { recursive: true, force: true }); });

  it('top view: CSV, pprof (re-dropped gives the same table), folded, SVG, PNG', { timeout: 180_000 }, async () => {
    let table;
    let pb;
    await withPage(ctx.browser, ctx.server, 'export-top', async ({ page }) => {
      await loadFiles(page, [td('refine/refine-heap.pb.gz')]);
      table = await readTopTable(page);
      assert.deepEqual((await menuFormats(page)).sort(), ['csv', 'folded', 'png', 'pprof', 'svg']);
      const csv = await exportFile(page, 'csv');
      assert.match(csv.name, /\.csv$/);
      checkTopCsv(csv.bytes.toString('utf8'), table, 'top CSV');
      pb = await exportFile(page, 'pprof');
      assert.match(pb.name, /\.pb\.gz$/);
      assert.ok(pb.bytes[0] === 0x1f && pb.bytes[1] === 0x8b, 'pprof export is not gzip');
      const folded = await exportFile(page, 'folded');
      checkFoldedAgainstTable(folded.bytes.toString('utf8'), table, 'folded');
      const svg = await exportFile(page, 'svg');
      assert.match(svg.name, /\.svg$/);
      await checkSvgInteractive(ctx.browser, svg.file);
      const png = await exportFile(page, 'png');
      checkPng(png.bytes, 'PNG');
    });
    await withPage(ctx.browser, ctx.server, 'export-top-redrop', async ({ page }) => {
      await loadFiles(page, [pb.file]);
      const again = await readTopTable(page);
      assert.equal(again.sampleType, table.sampleType);
      assert.equal(again.total, table.total);
      assert.deepEqual(again.rows, table.rows, 'the re-dropped export shows another table');
    });
  });

  it('a refined profile exports as refined; re-dropped it gives the refined table', { timeout: 120_000 }, async () => {
    let table;
    let pb;
    await withPage(ctx.browser, ctx.server, 'export-refined', async ({ page }) => {
      await loadFiles(page, [td('refine/refine-heap.pb.gz')]);
      const first = await readTopTable(page);
      const f = first.rows[3].fn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      await page.evaluate((f) => { location.hash = `view=top&f=${encodeURIComponent(`^${f}$`)}`; }, f);
      await page.waitForFunction((n) => document.querySelectorAll('table[data-testid=top-table] tbody tr').length < n && document.body.dataset.state === 'ready', first.rows.length, { timeout: 30_000 });
      table = await readTopTable(page);
      const csv = await exportFile(page, 'csv');
      assert.match(csv.name, /refined/);
      checkTopCsv(csv.bytes.toString('utf8'), table, 'refined CSV');
      pb = await exportFile(page, 'pprof');
    });
    await withPage(ctx.browser, ctx.server, 'export-refined-redrop', async ({ page }) => {
      await loadFiles(page, [pb.file]);
      const again = await readTopTable(page);
      assert.deepEqual(again.rows, table.rows, 'the re-dropped refined export shows another table');
    });
  });

  it('flame and peek views have the menu; the flame SVG and PNG download', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'export-flame', async ({ page }) => {
      await loadFiles(page, [td('example/cpu.pb.gz')]);
      await clickAndSettle(page, SEL.viewFlame);
      assert.deepEqual((await menuFormats(page)).sort(), ['csv', 'folded', 'png', 'pprof', 'svg']);
      const svg = await exportFile(page, 'svg');
      await checkSvgInteractive(ctx.browser, svg.file);
      checkPng((await exportFile(page, 'png')).bytes, 'flame PNG');
      await clickAndSettle(page, '[data-testid=view-peek]');
      const formats = await menuFormats(page);
      for (const f of ['csv', 'pprof', 'folded', 'svg']) assert.ok(formats.includes(f), `peek menu lacks ${f}: ${formats}`);
    });
  });

  it('diff view: CSV equals the diff table; pprof, folded, SVG download', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'export-diff', async ({ page }) => {
      await loadFiles(page, [td('leaks/cache/01.heap.pb.gz'), td('leaks/cache/06.heap.pb.gz')]);
      await clickAndSettle(page, '[data-testid=view-diff]', { until: () => !!document.querySelector('table[data-testid=diff-table]') });
      await selectSampleTypeFor(page, 'inuse_space', 'table[data-testid=diff-table]');
      const table = await readDiffTable(page);
      const csv = parseCsv((await exportFile(page, 'csv')).bytes.toString('utf8'));
      assert.deepEqual(csv[0], ['function', 'base flat (bytes)', 'target flat (bytes)', 'delta flat (bytes)', 'base cum (bytes)', 'target cum (bytes)', 'delta cum (bytes)']);
      assert.ok(csv.length - 1 >= table.rows.length, `${csv.length - 1} CSV rows, ${table.rows.length} in the table`);
      table.rows.forEach((r, i) => {
        const c = csv[i + 1];
        const name = /^[=+\-@]/.test(r.fn) ? `'${r.fn}` : r.fn;
        assert.deepEqual([c[0], BigInt(c[1]), BigInt(c[2]), BigInt(c[3]), BigInt(c[4]), BigInt(c[5])], [name, r.base, r.target, r.delta, r.baseCum, r.targetCum].map((x, j) => (j === 0 ? x : BigInt(x))), `diff CSV row ${i}`);
      });
      const pb = await exportFile(page, 'pprof');
      assert.ok(pb.bytes[0] === 0x1f && pb.bytes[1] === 0x8b);
      const folded = (await exportFile(page, 'folded')).bytes.toString('utf8');
      assert.ok(folded.split('\n').filter(Boolean).every((l) => /^.+ -?\d+ -?\d+$/.test(l)), 'diff folded lines are not "stack base target"');
      const svg = await exportFile(page, 'svg');
      await checkSvgInteractive(ctx.browser, svg.file);
    });
  });

  it('leak view: CSV equals the leak table', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'export-leaks', async ({ page }) => {
      const files = fs.readdirSync(td('leaks/cache')).filter((f) => f.endsWith('.pb.gz')).sort().map((f) => td(`leaks/cache/${f}`));
      await loadFiles(page, files);
      await clickAndSettle(page, '[data-testid=view-leaks]', { until: () => !!document.querySelector('table[data-testid=leak-table]') });
      const table = await readLeakTable(page);
      assert.ok(table.rows.length > 0, 'no suspects');
      const csv = parseCsv((await exportFile(page, 'csv')).bytes.toString('utf8'));
      assert.deepEqual(csv[0].slice(0, 3), ['rank', 'function', 'pattern']);
      table.rows.forEach((r, i) => {
        const c = csv[i + 1];
        assert.equal(Number(c[0]), r.rank);
        assert.equal(c[1], /^[=+\-@]/.test(r.fn) ? `'${r.fn}` : r.fn);
        assert.equal(c[2], r.pattern);
        assert.equal(BigInt(c[3]), r.growth);
        assert.deepEqual(c.slice(7).map(BigInt), r.series, `leak CSV row ${i} series`);
      });
      const formats = await menuFormats(page);
      for (const f of ['pprof', 'folded', 'svg']) assert.ok(formats.includes(f), `leak menu lacks ${f}: ${formats}`);
    });
  });

  it('hostile names stay text in CSV, folded and SVG; the menu works from the keyboard', { timeout: 120_000 }, async () => {
    // A profile whose function names are markup, formulas, CSV and folded separators.
    const names = ['<img src=x onerror="window.__pwned=1">', '=HYPERLINK("http://x","y")', 'a,b"c', 'semi;colon', 'new\nline', '@SUM(A1)'];
    const strings = [''];
    const S = (s) => { let i = strings.indexOf(s); if (i < 0) i = strings.push(s) - 1; return i; };
    const uv = (n) => { let v = BigInt(n); const o = []; while (v >= 0x80n) { o.push(Number((v & 0x7fn) | 0x80n)); v >>= 7n; } o.push(Number(v)); return Buffer.from(o); };
    const k = (f, w) => uv((f << 3) | w);
    const fv = (f, n) => Buffer.concat([k(f, 0), uv(n)]);
    const fb = (f, p) => Buffer.concat([k(f, 2), uv(p.length), p]);
    const parts = [fb(1, Buffer.concat([fv(1, S('samples')), fv(2, S('count'))]))];
    ['main.main', ...names].forEach((n, i) => {
      parts.push(fb(5, Buffer.concat([fv(1, i + 1), fv(2, S(n))])));
      parts.push(fb(4, Buffer.concat([fv(1, i + 1), fb(4, fv(1, i + 1))])));
    });
    names.forEach((_, i) => parts.push(fb(2, Buffer.concat([fb(1, Buffer.concat([uv(i + 2), uv(1)])), fb(2, uv(100 * (i + 1)))]))));
    for (const s of strings) parts.push(fb(6, Buffer.from(s)));
    const file = path.join(tmp, 'hostile-names.pb.gz');
    fs.writeFileSync(file, zlib.gzipSync(Buffer.concat(parts)));
    await withPage(ctx.browser, ctx.server, 'export-hostile', async ({ page }) => {
      await loadFiles(page, [file]);
      const table = await readTopTable(page);
      // Keyboard: focus the button, Enter opens with the first entry (CSV) focused, Enter runs it.
      await page.locator(EXPORT).focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('[role=menu] [data-format]');
      const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-format'));
      assert.equal(focused, 'csv', 'the first entry does not take the focus');
      const [dl] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      const csvFile = path.join(tmp, 'kbd.csv');
      await dl.saveAs(csvFile);
      const csv = parseCsv(fs.readFileSync(csvFile, 'utf8'));
      const got = new Map(csv.slice(1).map((r) => [r[0], Number(r[1])]));
      for (const r of table.rows) {
        const want = /^[=+\-@]/.test(r.fn) ? `'${r.fn}` : r.fn;
        assert.equal(got.get(want), Number(r.flat), `CSV row of ${JSON.stringify(r.fn)}`);
      }
      assert.ok(csv.slice(1).every((r) => r.length === 3 && !/^[=+\-@]/.test(r[0])), 'a CSV cell starts a formula or rows split');
      // Escape closes the menu and gives the focus back.
      await page.keyboard.press('Enter').catch(() => {});
      await page.locator(EXPORT).focus();
      await page.keyboard.press('ArrowDown').catch(() => {});
      await page.locator(EXPORT).click();
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('[role=menu]').count(), 0, 'Escape does not close the menu');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'export');
      const folded = (await exportFile(page, 'folded')).bytes.toString('utf8');
      const lines = folded.split('\n').filter(Boolean);
      assert.equal(lines.length, names.length, `folded has ${lines.length} lines for ${names.length} stacks:\n${folded}`);
      assert.ok(lines.every((l) => /^main\.main;[^;]+ \d+$/.test(l)), `a name broke a folded line:\n${folded}`);
      const svg = await exportFile(page, 'svg');
      const text = svg.bytes.toString('utf8');
      assert.ok(!text.includes('<img'), 'markup from a name in the SVG');
      const p2 = await ctx.browser.newPage();
      await p2.goto(pathToFileURL(svg.file).href);
      assert.equal(await p2.locator('img').count(), 0);
      assert.equal(await p2.evaluate(() => window.__pwned), undefined);
      assert.equal(await p2.locator('g.f').count(), names.length + 2);
      await p2.close();
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
    });
  });
});
