// A big gzip profile (500,000 samples, ~30 MB gzip, made by the project's own generator):
// it streams through the two workers with a progress bar that names the stage, its numbers
// are exact, its top table shows (exactly) before the flame graph's model is built, the page
// answers clicks and runs no task over 100 ms while it loads, and Cancel stops a load in
// flight (streaming, or building after its table showed) and leaves a working page. A file that would inflate past the
// 512 MB cap is refused.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { REPO_ROOT, SEL, TESTDATA_DIR, loadFiles, pageSummary, useBrowser, withPage } from './helpers.mjs';

const SAMPLES = 500_000;

/** Makes the profile with target/release/profgen (built by `cargo test --release`, or here). */
function generate(dir) {
  const bin = path.join(REPO_ROOT, 'target/release/profgen');
  if (!fs.existsSync(bin)) {
    execFileSync('cargo', ['build', '--release', '--features', 'reference', '--bin', 'profgen'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  const file = path.join(dir, 'big.heap.pb.gz');
  execFileSync(bin, [file, '--size', 'M', '--samples', String(SAMPLES), '--seed', '7']);
  return file;
}

/** Sum of each sample type's values, read straight from the protobuf (an independent check). */
function totals(gz) {
  const b = zlib.gunzipSync(gz);
  const varint = (buf, at) => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const c = buf[at.p++];
      v |= BigInt(c & 0x7f) << shift;
      if (c < 0x80) return v;
      shift += 7n;
    }
  };
  const sums = [];
  const at = { p: 0 };
  while (at.p < b.length) {
    const key = Number(varint(b, at));
    const wt = key & 7;
    const field = key >> 3;
    if (wt === 0) {
      varint(b, at);
      continue;
    }
    if (wt !== 2) throw new Error(`unexpected wire type ${wt} at ${at.p}`);
    const len = Number(varint(b, at));
    const end = at.p + len;
    if (field === 2) {
      const s = { p: at.p };
      while (s.p < end) {
        const k = Number(varint(b, s));
        if (k >> 3 === 2 && (k & 7) === 2) {
          const l = Number(varint(b, s));
          const e = s.p + l;
          for (let i = 0; s.p < e; i++) sums[i] = (sums[i] ?? 0n) + BigInt.asIntN(64, varint(b, s));
        } else if ((k & 7) === 2) {
          const l = Number(varint(b, s)); // (not `s.p += varint(…)`: that adds to the old s.p)
          s.p += l;
        } else {
          varint(b, s);
        }
      }
    }
    at.p = end;
  }
  return sums;
}

/** Records every stage label the progress bar shows from now on. */
async function watchStages(page) {
  await page.evaluate(() => {
    window.__stages = [];
    const seen = () => {
      for (const el of document.querySelectorAll('[data-testid=progress] .stage')) {
        const t = el.textContent.trim();
        if (window.__stages.at(-1) !== t) window.__stages.push(t);
      }
    };
    new MutationObserver(seen).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}

/** The top table as shown: total, sample type and every row's name, flat and cum. */
function readTable() {
  const t = document.querySelector('table[data-testid=top-table]');
  if (!t) return null;
  return {
    total: t.getAttribute('data-total'),
    type: t.getAttribute('data-sample-type'),
    rows: [...t.querySelectorAll('tbody tr')].map((r) => [r.dataset.function, r.dataset.flat, r.dataset.cum].join(' ')),
  };
}

const tableNow = (page) => page.evaluate(`(${readTable})()`);

/** Records the top table the first time one with rows is shown from now on, with the page's
 * state, the progress bar's stage and the selected file at that moment. With `cancel`, clicks
 * Cancel in that same moment (the early table of a file whose stacks repeat the one before is
 * up only briefly: a click from the test process could come after the load has finished). */
async function watchFirstTable(page, { cancel = false } = {}) {
  await page.evaluate(`(() => {
    const cancel = ${cancel};
    const readTable = ${readTable};
    window.__firstTable = null;
    const before = document.querySelector('[data-selected]')?.getAttribute('data-file') ?? null;
    const look = () => {
      if (window.__firstTable) return;
      const selected = document.querySelector('[data-selected]')?.getAttribute('data-file') ?? null;
      const table = readTable();
      if (!table || table.rows.length === 0 || selected === before) return;
      window.__firstTable = {
        table,
        selected,
        state: document.body.getAttribute('data-state'),
        stage: document.querySelector('[data-testid=progress] .stage')?.textContent.trim() ?? null,
        cancelled: false,
      };
      const button = document.querySelector('[data-testid=cancel]');
      if (cancel && button) {
        button.click();
        window.__firstTable.cancelled = true;
      }
    };
    window.__tableWatch?.disconnect();
    window.__tableWatch = new MutationObserver(look);
    window.__tableWatch.observe(document.body, { childList: true, subtree: true, attributes: true });
  })()`);
}

describe('a big profile', () => {
  const ctx = useBrowser({ before, after });

  it('streams with named stages, exact totals, a responsive page, and a working Cancel', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profdrop-big-'));
    try {
      const file = generate(dir);
      const bytes = fs.readFileSync(file);
      const sums = totals(bytes);
      await withPage(ctx.browser, ctx.server, 'big', async ({ page }) => {
        // ---- a load, start to end
        await watchStages(page);
        await watchFirstTable(page);
        await page.evaluate(() => {
          // Main-thread tasks over 50 ms while the profile loads (the issue: none over 100 ms).
          window.__long = [];
          new PerformanceObserver((l) => window.__long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
          window.__clicks = [];
          const b = document.createElement('button');
          b.id = 'probe';
          b.textContent = 'probe';
          b.style.cssText = 'position:fixed;right:0;bottom:0;z-index:99';
          b.onclick = (e) => window.__clicks.push(performance.now() - e.timeStamp);
          document.body.appendChild(b);
        });
        const loading = loadFiles(page, [file], { timeout: 60_000 });
        let clicks = 0;
        while ((await page.getAttribute('body', 'data-state')) !== 'ready' && clicks < 200) {
          await page.click('#probe');
          clicks++;
        }
        await loading;
        const stages = await page.evaluate(() => window.__stages);
        assert.ok(stages.includes('inflating + decoding'), `the progress bar never said "inflating + decoding": ${JSON.stringify(stages)}`);
        assert.ok(stages.includes('building views'), `the progress bar never said "building views": ${JSON.stringify(stages)}`);
        assert.ok(stages.indexOf('inflating + decoding') < stages.lastIndexOf('building views'), `stages out of order: ${JSON.stringify(stages)}`);
        const long = await page.evaluate(() => window.__long);
        t.diagnostic(`main-thread tasks over 50 ms during the load: ${long.map((d) => d.toFixed(0)).join(', ') || 'none'}`);
        assert.ok(long.every((d) => d < 100), `main-thread tasks over 100 ms during the load: ${long.map((d) => d.toFixed(0)).join(', ')} ms`);
        const lat = await page.evaluate(() => window.__clicks);
        assert.ok(lat.length >= 3, `only ${lat.length} probe clicks were answered during the load`);
        assert.ok(Math.max(...lat) < 250, `a click during the load waited ${Math.max(...lat).toFixed(0)} ms: ${lat.map((x) => x.toFixed(0)).join(' ')}`);
        // The top table's total is the sum over all samples of the selected type.
        const sel = await page.$eval(SEL.sampleType, (s) => ({ i: s.selectedIndex, n: s.options.length }));
        assert.equal(sel.n, sums.length, 'one sample type per value column');
        const total = await page.$eval(SEL.topTable, (t) => t.getAttribute('data-total'));
        assert.equal(BigInt(total), sums[sel.i], `top table total for sample type #${sel.i}`);
        const text = await page.textContent('body');
        assert.match(text, /500,000 samples/, 'the summary counts every sample');
        // The table came first: shown while the flame graph's model was still being built
        // (the page still loading, the progress bar up), and just as it is once all is done.
        const first = await page.evaluate(() => window.__firstTable);
        assert.ok(first, 'the top table never appeared');
        assert.equal(first.state, 'loading', 'the table appeared only once everything was ready');
        assert.equal(first.stage, 'building views', 'the progress bar was not up when the table appeared');
        assert.deepEqual(first.table, await tableNow(page), 'the table shown early differs from the final one');

        // ---- Cancel while the model is built, with the early table on screen
        const late = path.join(dir, 'cancel-late.heap.pb.gz');
        fs.copyFileSync(file, late);
        await watchFirstTable(page, { cancel: true });
        await page.setInputFiles(SEL.fileInput, [late]);
        await page
          .waitForFunction(() => window.__firstTable?.selected === 'cancel-late.heap.pb.gz', null, { timeout: 20_000, polling: 5 })
          .catch(async (e) => {
            throw new Error('the early table of the second load never showed' + (await pageSummary(page)), { cause: e });
          });
        const early = await page.evaluate(() => window.__firstTable);
        assert.equal(early.state, 'loading', 'the second load had finished when its early table showed');
        assert.ok(early.cancelled, 'Cancel was not on the page while the early table of the second load showed');
        await page.waitForFunction(() => document.body.getAttribute('data-state') === 'ready', null, { timeout: 60_000 });
        assert.deepEqual(
          await page.$$eval(SEL.profileEntry, (els) => els.map((e) => e.getAttribute('data-file'))),
          [path.basename(file)],
          'a load cancelled after its early table leaves only the first profile',
        );
        assert.deepEqual(await tableNow(page), first.table, 'the first profile shows its table again');

        // ---- Cancel a second load while it streams
        const copy = path.join(dir, 'cancel-me.heap.pb.gz');
        fs.copyFileSync(file, copy);
        await watchStages(page);
        await page.setInputFiles(SEL.fileInput, [copy]);
        await page
          .waitForFunction(() => window.__stages.includes('inflating + decoding'), null, { timeout: 20_000, polling: 10 })
          .catch(async (e) => {
            throw new Error('the second load never showed "inflating + decoding"' + (await pageSummary(page)), { cause: e });
          });
        await page.click('[data-testid=cancel]');
        await page.waitForFunction(() => !document.querySelector('[data-testid=progress]'), null, { timeout: 10_000 });
        await page.waitForFunction(() => document.body.getAttribute('data-state') === 'ready', null, { timeout: 60_000 });
        const files = await page.$$eval(SEL.profileEntry, (els) => els.map((e) => e.getAttribute('data-file')));
        assert.deepEqual(files, [path.basename(file)], 'after Cancel only the first profile is loaded');
        assert.equal(BigInt(await page.$eval(SEL.topTable, (t) => t.getAttribute('data-total'))), sums[sel.i], 'the first profile still shows its total');

        // ---- the page still loads files (both workers were replaced)
        const small = path.join(TESTDATA_DIR, 'example', 'heap.pb.gz');
        const res = await loadFiles(page, [small]);
        assert.ok(res.files.includes('heap.pb.gz'), `the example did not load after Cancel: ${JSON.stringify(res.files)}`);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that inflates past 1 GB with a clear message, and keeps working', async () => {
    // 1.1 MB of gzip that inflates to 1100 MiB of zeros (testdata/hostile/gen.py).
    const bomb = path.join(TESTDATA_DIR, 'hostile', 'bomb-1g.gz');
    await withPage(ctx.browser, ctx.server, 'bomb', async ({ page }) => {
      const res = await loadFiles(page, [bomb], { expect: 'error', timeout: 60_000 });
      assert.match(res.error ?? '', /bomb-1g\.gz/, `the error names the file: ${JSON.stringify(res.error)}`);
      assert.match(res.error ?? '', /expands beyond 512 MB/, `the error says why: ${JSON.stringify(res.error)}`);
      const small = path.join(TESTDATA_DIR, 'example', 'heap.pb.gz');
      const ok = await loadFiles(page, [small]);
      assert.ok(ok.files.includes('heap.pb.gz'), `the example did not load after the refusal: ${JSON.stringify(ok.files)}`);
    });
  });
});
