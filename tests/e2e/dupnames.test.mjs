// Two different files with the same name: the page tells them apart by display name
// (`heap.pb.gz`, then `heap.pb.gz (2)`) in the profile list, the diff selectors and the diff
// table's data-*-file, and each name shows its own profile's numbers. Expected numbers come
// from the golden tables recorded from `go tool pprof` (testdata/golden), never from the page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  SEL,
  TESTDATA_DIR,
  actAndSettle,
  assertDistBuilt,
  clickAndSettle,
  compareDiffTable,
  compareTopTable,
  loadFiles,
  pageSummary,
  readDiffTable,
  readGoldenDiff,
  readOracleTable,
  readSelect,
  readTopTable,
  selectSampleTypeFor,
  withPage,
  useBrowser,
} from './helpers.mjs';

const NAME = 'heap.pb.gz';
const NAME2 = 'heap.pb.gz (2)';
const SAMPLE_TYPE = 'inuse_space';
const GOLDEN_TOP = path.join(TESTDATA_DIR, 'golden', 'top');
// Two snapshots of one program: 01 (earlier, smaller) and 06 (later, larger).
const EARLY = { src: 'leaks/cache/01.heap.pb.gz', top: 'leaks__cache__01.heap.pb.gz.3.inuse_space.tsv' };
const LATE = { src: 'leaks/cache/06.heap.pb.gz', top: 'leaks__cache__06.heap.pb.gz.3.inuse_space.tsv' };
// pprof -diff_base=01 06, inuse_space.
const GOLDEN_DIFF = 'leaks_cache_heap.3.inuse_space.tsv';

/** Copies a fixture into a fresh temporary directory under the name heap.pb.gz. */
function sameNamed(rel) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profdrop-dupnames-'));
  const file = path.join(dir, NAME);
  fs.copyFileSync(path.join(TESTDATA_DIR, rel), file);
  return { dir, file };
}

/** Picks a profile in the list by display name and waits for its top table. */
async function pickProfile(page, label) {
  const sel = `${SEL.profileList} li[data-file="${label.replace(/"/g, '\\"')}"] button.pick`;
  const el = await page.$(sel);
  if (!el) assert.fail(`no profile entry ${JSON.stringify(label)} (${sel})` + (await pageSummary(page)));
  await actAndSettle(page, `picking ${label}`, () => el.click(), {
    until: ({ label, tableSel }) =>
      document.querySelector(`[data-selected]`)?.getAttribute('data-file') === label && !!document.querySelector(tableSel),
    arg: { label, tableSel: SEL.topTable },
  });
}

/** Chooses a display name in a diff selector and waits until the table names it. */
async function choose(page, selector, label, attr) {
  const { options } = await readSelect(page, selector);
  assert.ok(options.includes(label), `${selector} has no option ${JSON.stringify(label)}: ${JSON.stringify(options)}`);
  await actAndSettle(page, `choosing ${label} in ${selector}`, () => page.selectOption(selector, label), {
    until: ({ sel, attr, label }) => document.querySelector(sel)?.getAttribute(attr) === label,
    arg: { sel: SEL.diffTable, attr, label },
  });
}

it('dist/ is built', () => assertDistBuilt());

describe('two files with the same name', () => {
  const ctx = useBrowser({ before, after });
  const tmp = [];
  after(() => tmp.forEach((t) => fs.rmSync(t.dir, { recursive: true, force: true })));

  it('are listed, picked and diffed apart, each with its own numbers', { timeout: 120_000 }, async (t) => {
    const late = sameNamed(LATE.src);
    const early = sameNamed(EARLY.src);
    tmp.push(late, early);
    const earlyTop = readOracleTable(EARLY.top, GOLDEN_TOP);
    const lateTop = readOracleTable(LATE.top, GOLDEN_TOP);
    assert.notEqual(earlyTop.total, lateTop.total, 'the two fixtures must differ for this test to mean anything');

    await withPage(ctx.browser, ctx.server, 'dupnames', async ({ page }) => {
      // The later snapshot is dropped first: it keeps the plain name; the second drop of a
      // file called heap.pb.gz becomes "heap.pb.gz (2)" whatever its profile's time.
      await loadFiles(page, [late.file]);
      await loadFiles(page, [early.file]);
      const files = await page.$$eval(SEL.profileEntry, (els) => els.map((e) => e.getAttribute('data-file')));
      t.diagnostic(`profile list: ${JSON.stringify(files)}`);
      // Time order: 01 (the second drop) was recorded before 06.
      assert.deepEqual(files, [NAME2, NAME], 'profile list data-file values, in time order');
      const selected = await page.$eval('[data-selected]', (e) => e.getAttribute('data-file'));
      assert.equal(selected, NAME2, 'the newest file loaded is shown');

      // Each entry shows its own profile: the top table equals pprof's for that file.
      for (const [label, golden, what] of [[NAME, lateTop, LATE.src], [NAME2, earlyTop, EARLY.src]]) {
        await pickProfile(page, label);
        const top = await readTopTable(page);
        const problems = compareTopTable(top, golden, SAMPLE_TYPE);
        t.diagnostic(`${label}: top table total ${top.total} (${what}: ${golden.total}), ${top.rows.length} rows`);
        assert.deepEqual(problems, [], `${label} must show ${what}:\n  ${problems.join('\n  ')}`);
      }

      await clickAndSettle(page, SEL.viewDiff, { until: (sel) => !!document.querySelector(sel), arg: SEL.diffTable });
      await selectSampleTypeFor(page, SAMPLE_TYPE, SEL.diffTable);
      for (const s of [SEL.diffBase, SEL.diffTarget]) {
        const { options } = await readSelect(page, s);
        assert.deepEqual(options, [NAME2, NAME], `${s} option values (display names, time order)`);
      }
      const golden = readGoldenDiff(GOLDEN_DIFF);
      assert.equal(golden.total, earlyTop.total, `${GOLDEN_DIFF}: the base total is 01's`);

      // Target "heap.pb.gz (2)" (01) against base "heap.pb.gz" (06): pprof's diff negated.
      await choose(page, SEL.diffBase, NAME, 'data-base-file');
      await choose(page, SEL.diffTarget, NAME2, 'data-target-file');
      let table = await readDiffTable(page);
      let targetTotal = await page.getAttribute(SEL.diffTable, 'data-target-total');
      t.diagnostic(`base ${table.baseFile} (total ${table.baseTotal}), target ${table.targetFile} (total ${targetTotal}), ${table.rows.length} rows`);
      assert.equal(table.baseFile, NAME);
      assert.equal(table.targetFile, NAME2);
      assert.equal((await readSelect(page, SEL.diffTarget)).selected, NAME2, `${SEL.diffTarget} shows the chosen profile`);
      assert.equal(targetTotal, String(earlyTop.total), `data-target-total: the target is ${EARLY.src}`);
      const negated = { total: lateTop.total, rows: golden.rows.map((r) => ({ fn: r.fn, flat: -r.flat, cum: -r.cum })) };
      let problems = compareDiffTable(table, negated, SAMPLE_TYPE);
      assert.deepEqual(problems, [], `diff of ${NAME2} against ${NAME} must be pprof's diff of 06 → 01:\n  ${problems.join('\n  ')}`);

      // And the other way round: target "heap.pb.gz" (06) against base "heap.pb.gz (2)" (01).
      await choose(page, SEL.diffBase, NAME2, 'data-base-file');
      await choose(page, SEL.diffTarget, NAME, 'data-target-file');
      table = await readDiffTable(page);
      targetTotal = await page.getAttribute(SEL.diffTable, 'data-target-total');
      assert.equal(table.baseFile, NAME2);
      assert.equal(table.targetFile, NAME);
      assert.equal(targetTotal, String(lateTop.total), `data-target-total: the target is ${LATE.src}`);
      problems = compareDiffTable(table, golden, SAMPLE_TYPE);
      assert.deepEqual(problems, [], `diff of ${NAME} against ${NAME2} must be pprof's diff of 01 → 06:\n  ${problems.join('\n  ')}`);

      // Removing the first "heap.pb.gz" renames nothing: the other keeps "(2)".
      await actAndSettle(page, 'removing heap.pb.gz', () => page.click(`${SEL.profileList} li[data-file="${NAME}"] button.remove`), {
        until: (sel) => document.querySelectorAll(sel).length === 1,
        arg: SEL.profileEntry,
      });
      const left = await page.$$eval(SEL.profileEntry, (els) => els.map((e) => e.getAttribute('data-file')));
      assert.deepEqual(left, [NAME2], 'after removing heap.pb.gz');
    });
  });
});
