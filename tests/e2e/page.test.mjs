// Page behaviour: sub-path serving, flame graph, tooltip, search, error handling, and no
// network traffic once the page has started.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CORPUS_DIR,
  SEL,
  assertDistBuilt,
  canvasStats,
  launchBrowser,
  loadFiles,
  pageSummary,
  readSampleTypes,
  readTopTable,
  requireCorpus,
  selectSampleType,
  startServer,
  withPage,
} from './helpers.mjs';

const SMALL = 'gpprof_sample.cpu'; // small gzipped protobuf CPU profile (main.busyLoop, runtime.mapiternext)
const OTHER = 'apquery_mutex.pb.gz'; // another small protobuf (contentions/delay)
const PAIR = ['parca_many_1644509272337470000.pb.gz', 'parca_many_1644509299337903000.pb.gz'];
const SCREENSHOT = '/tmp/profdrop-flame.png';

const corpus = (name) => path.join(CORPUS_DIR, name);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function writeJunkFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profdrop-e2e-'));
  const name = `not-a-profile-${crypto.randomBytes(4).toString('hex')}.txt`;
  const words = [];
  for (let i = 0; i < 400; i++) words.push(crypto.randomBytes(1 + (i % 9)).toString('base64url'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, 'this is not a profile\n' + words.join(' ') + '\n');
  return { file, name, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function fileEntries(page) {
  return page.$$eval(SEL.profileEntry, (els) =>
    els.map((e) => ({ file: e.getAttribute('data-file'), selected: e.hasAttribute('data-selected') && e.getAttribute('data-selected') !== 'false' })),
  );
}

async function waitState(page, states, timeout = 30_000) {
  await page
    .waitForFunction((states) => states.includes(document.body.getAttribute('data-state')), states, { timeout, polling: 50 })
    .catch(async (e) => {
      throw new Error(`data-state did not become ${states.join('|')} within ${timeout} ms` + (await pageSummary(page)), { cause: e });
    });
}

async function showFlame(page) {
  const btn = await page.$(SEL.viewFlame);
  assert.ok(btn, `${SEL.viewFlame} is not present` + (await pageSummary(page)));
  await btn.click();
  await page.waitForSelector(SEL.flamegraph, { state: 'visible', timeout: 30_000 }).catch(async (e) => {
    throw new Error(`no visible ${SEL.flamegraph} after clicking ${SEL.viewFlame}` + (await pageSummary(page)), { cause: e });
  });
  await waitState(page, ['ready']);
  await page
    .waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-frames')) > 0, SEL.flamegraph, { timeout: 30_000, polling: 50 })
    .catch(async (e) => {
      const frames = await page.$eval(SEL.flamegraph, (c) => c.getAttribute('data-frames')).catch(() => null);
      throw new Error(`${SEL.flamegraph} data-frames is ${JSON.stringify(frames)}, want > 0`, { cause: e });
    });
}

/** Move the mouse over the canvas until the tooltip shows; the middle first, then a scan. */
async function hoverUntilTooltip(page) {
  const box = await page.locator(SEL.flamegraph).boundingBox();
  assert.ok(box && box.width > 0 && box.height > 0, `${SEL.flamegraph} has no size: ${JSON.stringify(box)}`);
  const cx = box.x + box.width / 2;
  const points = [[cx, box.y + box.height / 2]];
  for (let y = box.y + 4; y < box.y + box.height; y += 10) points.push([cx, y]);
  for (let y = box.y + 4; y < box.y + box.height; y += 10) points.push([box.x + box.width / 4, y]);
  const tooltip = page.locator(SEL.flameTooltip);
  for (const [i, [x, y]] of points.entries()) {
    await page.mouse.move(x, y);
    try {
      await tooltip.first().waitFor({ state: 'visible', timeout: i === 0 ? 1000 : 150 });
      return { x, y, middle: i === 0 };
    } catch {}
  }
  assert.fail(`${SEL.flameTooltip} never became visible while hovering ${points.length} points of the flame graph`);
}

// Fails first, with a clear message, when the page has not been built.
it('dist/ is built', () => assertDistBuilt());

describe('page', () => {
  let browser;
  let server;

  before(async () => {
    requireCorpus();
    assertDistBuilt();
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('boots idle under the /tools/profdrop/ sub-path; every start-up request is under it and found', async (t) => {
    const from = server.requests.length;
    await withPage(browser, server, 'boot', async ({ page }) => {
      const state = await page.getAttribute('body', 'data-state');
      assert.equal(state, 'idle', `body[data-state] is ${state} before any file`);
      const multiple = await page.$eval(SEL.fileInput, (i) => i.multiple);
      assert.ok(multiple, `${SEL.fileInput} must accept several files (multiple)`);
      const reqs = server.requests.slice(from).filter((r) => r.path !== '/favicon.ico');
      t.diagnostic(`start-up requests: ${reqs.map((r) => `${r.path} ${r.status}`).join(', ')}`);
      assert.ok(reqs.length > 0, 'the server saw no request');
      const outside = reqs.filter((r) => !r.path.startsWith(server.base));
      assert.deepEqual(outside.map((r) => r.path), [], `requests outside ${server.base} (absolute asset paths break sub-path hosting)`);
      const failed = reqs.filter((r) => r.status >= 400);
      assert.deepEqual(failed.map((r) => `${r.path} ${r.status}`), [], 'start-up requests that failed');
    });
  });

  it('flame graph: drawn, tooltip on hover, search highlights', { timeout: 90_000 }, async (t) => {
    await withPage(browser, server, 'flame', async ({ page }) => {
      await loadFiles(page, [corpus(SMALL)]);
      await showFlame(page);

      const frames = Number(await page.getAttribute(SEL.flamegraph, 'data-frames'));
      const root = await page.getAttribute(SEL.flamegraph, 'data-root');
      const stats = await canvasStats(page);
      t.diagnostic(`frames=${frames} root=${JSON.stringify(root)} canvas ${stats.width}x${stats.height} colours=${stats.colours} non-background=${(stats.nonBackground * 100).toFixed(1)}%`);
      assert.ok(stats.width > 0 && stats.height > 0, `canvas has no pixels: ${stats.width}x${stats.height}`);
      assert.ok(stats.colours >= 2, 'the flame graph canvas is a single colour (nothing drawn)');
      assert.ok(stats.nonBackground > 0.005, `only ${(stats.nonBackground * 100).toFixed(2)}% of the canvas differs from the background`);

      const at = await hoverUntilTooltip(page);
      const tip = (await page.locator(SEL.flameTooltip).first().textContent())?.trim() ?? '';
      t.diagnostic(`tooltip at ${at.middle ? 'the middle' : `(${Math.round(at.x)}, ${Math.round(at.y)})`}: ${JSON.stringify(tip)}`);
      assert.ok(tip.length > 0, 'tooltip is empty');
      assert.match(tip, /%/, 'tooltip should show a percentage (contract: name, value, percentage)');
      await page.screenshot({ path: SCREENSHOT });
      t.diagnostic(`screenshot: ${SCREENSHOT}`);

      // Leaving the canvas hides the tooltip.
      await page.mouse.move(1, 1);
      await page
        .locator(SEL.flameTooltip)
        .first()
        .waitFor({ state: 'hidden', timeout: 3000 })
        .catch(() => assert.fail(`${SEL.flameTooltip} still visible after the mouse left the flame graph`));

      // Search: typing a function name highlights it, i.e. the drawing changes.
      const before = (await canvasStats(page)).dataUrl;
      const search = await page.$(SEL.search);
      assert.ok(search, `${SEL.search} is not present`);
      await page.locator(SEL.search).pressSequentially('mapiternext', { delay: 20 });
      assert.equal(await page.inputValue(SEL.search), 'mapiternext');
      await waitState(page, ['ready']);
      let changed = false;
      for (let i = 0; i < 50 && !changed; i++) {
        changed = (await canvasStats(page)).dataUrl !== before;
        if (!changed) await sleep(100);
      }
      assert.ok(changed, 'the flame graph did not change after searching for "mapiternext" (contract: search highlights matches)');
      assert.ok(Number(await page.getAttribute(SEL.flamegraph, 'data-frames')) > 0, 'flame graph lost its frames after searching');

      // An invalid regex must not break the page (no panic, no uncaught error).
      await page.fill(SEL.search, '');
      await page.locator(SEL.search).pressSequentially('main.(', { delay: 20 });
      await sleep(300);
      await waitState(page, ['ready', 'error']);
      await page.fill(SEL.search, '');
      await waitState(page, ['ready']);
    });
  });

  it('a file that is not a profile gives an error naming it; a good file afterwards is ready and keeps the earlier profile', { timeout: 90_000 }, async (t) => {
    const junk = writeJunkFile();
    try {
      await withPage(browser, server, 'error', async ({ page }) => {
        await loadFiles(page, [corpus(SMALL)]);

        const bad = await loadFiles(page, [junk.file], { expect: 'error' });
        t.diagnostic(`error text: ${JSON.stringify(bad.error)}`);
        assert.ok(bad.error !== null, `data-state=error but no ${SEL.error}`);
        assert.ok(bad.error.includes(junk.name), `${SEL.error} text should name the file ${junk.name}: ${JSON.stringify(bad.error)}`);
        assert.ok(bad.files.includes(SMALL), `the earlier profile ${SMALL} left the profile list after a failed load: ${JSON.stringify(bad.files)}`);
        assert.ok(!bad.files.includes(junk.name), `the unreadable file is in the profile list: ${JSON.stringify(bad.files)}`);

        const good = await loadFiles(page, [corpus(OTHER)], { expect: 'ready' });
        assert.ok(good.files.includes(SMALL), `${SMALL} should still be loaded: ${JSON.stringify(good.files)}`);
        assert.ok(good.files.includes(OTHER), `${OTHER} should be loaded: ${JSON.stringify(good.files)}`);
        const selected = (await fileEntries(page)).filter((e) => e.selected).map((e) => e.file);
        assert.deepEqual(selected, [OTHER], 'after a load the newest file is the selected one (data-selected)');
        const table = await readTopTable(page);
        const { options } = await readSampleTypes(page);
        assert.ok(options.includes(table.sampleType), `top table shows ${table.sampleType}, not a sample type of ${OTHER} (${options})`);
      });
    } finally {
      junk.cleanup();
    }
  });

  it('makes no request once started, whatever is loaded or clicked (only same-origin .js/.wasm allowed, per contract)', { timeout: 120_000 }, async (t) => {
    const junk = writeJunkFile();
    try {
      await withPage(browser, server, 'network', async ({ page, collector }) => {
        const from = server.requests.length;
        const fromPage = collector.requests.length;

        await loadFiles(page, [corpus(SMALL)]);
        await readTopTable(page);
        await showFlame(page);
        await page.locator(SEL.search).pressSequentially('busy', { delay: 10 });
        await waitState(page, ['ready']);
        await loadFiles(page, [junk.file], { expect: 'error' });
        await loadFiles(page, PAIR.map(corpus)); // several files at once
        const { options } = await readSampleTypes(page);
        for (const st of options) await selectSampleType(page, st);
        await readTopTable(page);
        await sleep(500);

        const after = server.requests.slice(from).filter((r) => r.path !== '/favicon.ico');
        const pageReqs = collector.requests.slice(fromPage).filter((u) => !u.startsWith('data:'));
        t.diagnostic(`requests after start-up: server ${after.length}, page ${pageReqs.length}`);
        const allowed = (r) => r.path.startsWith(server.base) && /\.(m?js|wasm)(\?.*)?$/.test(r.path) && r.status === 200;
        const lazy = after.filter(allowed);
        if (lazy.length) t.diagnostic(`lazily loaded (allowed by contract): ${lazy.map((r) => r.path).join(', ')}`);
        assert.deepEqual(
          after.filter((r) => !allowed(r)).map((r) => `${r.method} ${r.path} ${r.status}`),
          [],
          'requests made after start-up (contract: dropping a file makes no other request)',
        );
        // foreign-origin requests are checked by the collector (withPage → assertClean)
      });
    } finally {
      junk.cleanup();
    }
  });
});
