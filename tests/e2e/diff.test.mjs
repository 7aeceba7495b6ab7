// Diff view: two snapshots loaded at once, diff table equal to `go tool pprof -diff_base`
// (testdata/golden/diff) for every sample type, swap, the differential flame graph, and a
// clear message (no numbers) for two profiles of different kinds.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  SEL,
  TESTDATA_DIR,
  actAndSettle,
  assertDistBuilt,
  canvasStats,
  clickAndSettle,
  compareDiffTable,
  goldenDiffFiles,
  goldenDiffPairs,
  launchBrowser,
  loadFiles,
  pageSummary,
  readDiffTable,
  readGoldenDiff,
  readSampleTypes,
  readSelect,
  selectSampleTypeFor,
  startServer,
  withPage, useBrowser,
} from './helpers.mjs';

const SCREENSHOT = '/tmp/profdrop-diff-flame.png';
const td = (rel) => path.join(TESTDATA_DIR, rel);

/** The pair as pairs.tsv names it: {pair, base, target} with paths under testdata/. */
function pair(name) {
  const p = goldenDiffPairs().find((r) => r.pair === name);
  assert.ok(p, `testdata/golden/diff/pairs.tsv has no pair ${name}`);
  return p;
}

/** Load base + target in one setInputFiles, open the diff view, wait until it is shown. */
async function openDiff(page, basePath, targetPath) {
  await loadFiles(page, [basePath, targetPath]);
  await clickAndSettle(page, SEL.viewDiff, {
    until: (sel) => !!document.querySelector(sel),
    arg: SEL.diffTable,
  });
}

/** Base/target selects show the expected defaults (values are file names). */
async function assertDiffSelects(page, base, target, why) {
  const b = await readSelect(page, SEL.diffBase);
  const t = await readSelect(page, SEL.diffTarget);
  assert.equal(b.selected, base, `${SEL.diffBase}: selected ${JSON.stringify(b.selected)}, want ${JSON.stringify(base)} (${why}); options ${JSON.stringify(b.options)}`);
  assert.equal(t.selected, target, `${SEL.diffTarget}: selected ${JSON.stringify(t.selected)}, want ${JSON.stringify(target)} (${why}); options ${JSON.stringify(t.options)}`);
}

/** For every golden sample type of `pairName`: select it, read the diff table, compare. */
async function checkPairAgainstGolden(t, page, pairName) {
  const p = pair(pairName);
  const baseName = path.basename(p.base);
  const targetName = path.basename(p.target);
  const goldens = goldenDiffFiles(pairName);
  assert.ok(goldens.length > 0, `no golden files testdata/golden/diff/${pairName}.*.tsv`);

  await openDiff(page, td(p.base), td(p.target));
  await assertDiffSelects(page, baseName, targetName, 'defaults: first and last profile in time order');

  const { options } = await readSampleTypes(page);
  assert.deepEqual(
    [...options].sort(),
    goldens.map((g) => g.type).sort(),
    `${SEL.sampleType} options vs the sample types pprof reports for ${pairName}`,
  );

  const failures = [];
  for (const g of goldens) {
    const golden = readGoldenDiff(g.file);
    assert.equal(golden.meta.sample_type, g.type, `${g.file}: header sample_type`);
    await selectSampleTypeFor(page, g.type, SEL.diffTable);
    const table = await readDiffTable(page);
    const problems = [];
    if (table.baseFile !== baseName) problems.push(`data-base-file is ${JSON.stringify(table.baseFile)}, want ${JSON.stringify(baseName)}`);
    if (table.targetFile !== targetName) problems.push(`data-target-file is ${JSON.stringify(table.targetFile)}, want ${JSON.stringify(targetName)}`);
    problems.push(...compareDiffTable(table, golden, g.type));
    t.diagnostic(`${g.file}: page ${table.rows.length} rows, pprof ${golden.rows.length}, base total ${table.baseTotal}/${golden.total}: ${problems.length ? 'DIFFERS' : 'ok'}`);
    if (problems.length) failures.push(`${g.type} (golden ${g.file}):\n  ${problems.join('\n  ')}`);
  }
  if (failures.length) assert.fail(`diff table differs from go tool pprof -diff_base for ${pairName}:\n${failures.join('\n')}`);
}

it('dist/ is built', () => assertDistBuilt());

describe('diff view', () => {
  const ctx = useBrowser({ before, after });

  it('heap 01 vs 06 (cache leak): diff table equals pprof -diff_base for every sample type', { timeout: 120_000 }, async (t) => {
    await withPage(ctx.browser, ctx.server, 'diff-heap-golden', async ({ page }) => {
      await checkPairAgainstGolden(t, page, 'leaks_cache_heap');
    });
  });

  it('goroutine 01 vs 06 (goroutine leak): diff table equals pprof -diff_base', { timeout: 120_000 }, async (t) => {
    await withPage(ctx.browser, ctx.server, 'diff-goroutine-golden', async ({ page }) => {
      await checkPairAgainstGolden(t, page, 'leaks_goroutines_goroutine');
    });
  });

  it('swap exchanges base and target and negates every delta', { timeout: 90_000 }, async (t) => {
    await withPage(ctx.browser, ctx.server, 'diff-swap', async ({ page }) => {
      const p = pair('leaks_cache_heap');
      const baseName = path.basename(p.base);
      const targetName = path.basename(p.target);
      await openDiff(page, td(p.base), td(p.target));
      await selectSampleTypeFor(page, 'inuse_space', SEL.diffTable);
      const before = await readDiffTable(page);
      assert.ok(before.rows.length > 0, 'the diff table has no rows before the swap');

      await clickAndSettle(page, SEL.swap, {
        until: ({ sel, base }) => document.querySelector(sel)?.getAttribute('data-base-file') === base,
        arg: { sel: SEL.diffTable, base: targetName },
      });
      await assertDiffSelects(page, targetName, baseName, 'after swap');
      const after = await readDiffTable(page);
      t.diagnostic(`before: ${before.rows.length} rows, base total ${before.baseTotal}; after: ${after.rows.length} rows, base total ${after.baseTotal}`);
      assert.equal(after.baseFile, targetName, 'data-base-file after swap');
      assert.equal(after.targetFile, baseName, 'data-target-file after swap');
      assert.equal(after.sampleType, 'inuse_space', 'data-sample-type after swap');
      assert.equal(after.rows.length, before.rows.length, 'row count changed with swap');

      const problems = [];
      const byFn = new Map(after.rows.map((r) => [r.fn, r]));
      for (const [i, b] of before.rows.entries()) {
        const a = after.rows[i];
        const same = byFn.get(b.fn);
        if (!same) {
          problems.push(`${JSON.stringify(b.fn)} is missing after swap`);
          continue;
        }
        if (same.delta !== -b.delta) problems.push(`${JSON.stringify(b.fn)}: delta ${b.delta} became ${same.delta}, want ${-b.delta}`);
        if (same.base !== b.target || same.target !== b.base) problems.push(`${JSON.stringify(b.fn)}: base/target ${b.base}/${b.target} became ${same.base}/${same.target}`);
        if (same.baseCum !== b.targetCum || same.targetCum !== b.baseCum)
          problems.push(`${JSON.stringify(b.fn)}: cum ${b.baseCum}/${b.targetCum} became ${same.baseCum}/${same.targetCum}`);
        if (a && a.fn !== b.fn) problems.push(`row ${i}: ${JSON.stringify(b.fn)} before, ${JSON.stringify(a.fn)} after (order by |delta| then name must not change)`);
      }
      if (problems.length) assert.fail(`swap: ${problems.length} problems:\n  ${problems.slice(0, 12).join('\n  ')}`);
      // Flat deltas sum to target total - base total, so (every row shown) the new base
      // total, the old target's, is the old base total plus the sum of the old deltas.
      if (before.rows.length < 200) {
        const sum = before.rows.reduce((s, r) => s + r.delta, 0n);
        assert.equal(after.baseTotal, before.baseTotal + sum, 'new base total = old target total = old base total + sum of deltas');
      }
    });
  });

  it('differential flame graph: drawn, the grown stack in red', { timeout: 90_000 }, async (t) => {
    await withPage(ctx.browser, ctx.server, 'diff-flame', async ({ page }) => {
      const p = pair('leaks_cache_heap');
      await openDiff(page, td(p.base), td(p.target));
      await selectSampleTypeFor(page, 'inuse_space', SEL.diffTable);

      const button = page.locator('section.diff').getByRole('button', { name: 'Flame graph', exact: true });
      const n = await button.count();
      assert.equal(n, 1, `want exactly one button "Flame graph" inside section.diff, found ${n}` + (await pageSummary(page)));
      await actAndSettle(page, 'clicking the diff view\'s "Flame graph" mode', () => button.click(), {
        until: (sel) => Number(document.querySelector(sel)?.getAttribute('data-frames')) > 0,
        arg: SEL.flamegraph,
      });
      await page.waitForSelector(SEL.flamegraph, { state: 'visible' });
      const frames = Number(await page.getAttribute(SEL.flamegraph, 'data-frames'));
      const root = await page.getAttribute(SEL.flamegraph, 'data-root');
      const px = await canvasStats(page);
      await page.screenshot({ path: SCREENSHOT });
      t.diagnostic(`frames=${frames} root=${JSON.stringify(root)} canvas ${px.width}x${px.height}: reddish ${px.red} px, bluish ${px.blue} px; screenshot ${SCREENSHOT}`);
      assert.ok(frames > 0, `data-frames is ${frames}`);
      assert.ok(px.red >= 50, `only ${px.red} reddish pixels (r > g+40 and r > b+40) in the differential flame graph: main.cacheResponse grew by ~870 KB and must be drawn in red (screenshot ${SCREENSHOT})`);
    });
  });

  it('heap vs CPU profile: a clear message instead of numbers', { timeout: 60_000 }, async (t) => {
    await withPage(ctx.browser, ctx.server, 'diff-kinds', async ({ page }) => {
      await loadFiles(page, [td('example/heap.pb.gz'), td('example/cpu.pb.gz')]);
      await clickAndSettle(page, SEL.viewDiff, {
        states: ['ready', 'error'],
        until: (sel) => !!document.querySelector(sel),
        arg: SEL.diffTable,
      });
      const st = await readSampleTypes(page);
      const b = await readSelect(page, SEL.diffBase);
      const tg = await readSelect(page, SEL.diffTarget);
      const err = await page.$(SEL.diffError);
      const errText = err ? ((await err.textContent()) ?? '').trim() : null;
      t.diagnostic(`sample type ${st.selected} of ${JSON.stringify(st.options)}; base ${b.selected}, target ${tg.selected}; diff-error: ${JSON.stringify(errText)}`);
      assert.ok(err, `no ${SEL.diffError} when diffing a heap profile against a CPU profile` + (await pageSummary(page)));
      assert.ok(await err.isVisible(), `${SEL.diffError} is not visible`);
      assert.ok(errText.length >= 15, `${SEL.diffError} text is too short to explain anything: ${JSON.stringify(errText)}`);
      const table = await readDiffTable(page);
      assert.equal(table.rows.length, 0, `diff table has ${table.rows.length} rows for two profiles of different kinds (want an empty tbody): ${table.rows.slice(0, 3).map((r) => r.fn).join(', ')}`);
      // Also for each of the other sample types of the selected profile.
      for (const name of st.options) {
        if (name === st.selected) continue;
        await selectSampleTypeFor(page, name, SEL.diffTable);
        const tb = await readDiffTable(page);
        const e2 = await page.$(SEL.diffError);
        assert.ok(e2, `sample type ${name}: no ${SEL.diffError}`);
        assert.equal(tb.rows.length, 0, `sample type ${name}: diff table has ${tb.rows.length} rows, want none`);
      }
    });
  });
});
