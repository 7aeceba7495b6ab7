// The view state in the URL hash (../shared/contract.md, "View state in the URL"): a link
// opened before its files are dropped applies once they load; assigning location.hash applies
// at once; every change in the page writes the hash, and back steps through the changes; a
// parameter the page cannot apply is named while the rest applies. Numbers come from the
// golden tables recorded from `go tool pprof` (testdata/golden), never from the page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
  readTopTable,
  withPage,
  useBrowser,
} from './helpers.mjs';

const EARLY = path.join(TESTDATA_DIR, 'leaks/cache/01.heap.pb.gz');
const LATE = path.join(TESTDATA_DIR, 'leaks/cache/06.heap.pb.gz');
const GOLDEN_TOP = path.join(TESTDATA_DIR, 'golden', 'top');
// pprof -diff_base=01 06, inuse_space.
const GOLDEN_DIFF = 'leaks_cache_heap.3.inuse_space.tsv';
// The diff the other way round (base 06, target 01): not the page's default (oldest → newest).
const REVERSED = 'view=diff&si=inuse_space&base=06.heap.pb.gz&target=01.heap.pb.gz';

const hashOf = (page) => page.evaluate(() => decodeURIComponent(location.hash.replace(/^#/, '')));
const params = (h) => Object.fromEntries(h.split('&').filter(Boolean).map((p) => p.split('=')));

/** pprof's diff of 01 → 06, negated: what base 06, target 01 must show. */
function reversedGolden() {
  const g = readGoldenDiff(GOLDEN_DIFF);
  const late = readOracleTable('leaks__cache__06.heap.pb.gz.3.inuse_space.tsv', GOLDEN_TOP);
  return { total: late.total, rows: g.rows.map((r) => ({ fn: r.fn, flat: -r.flat, cum: -r.cum })) };
}

async function assertReversedDiff(page, what) {
  const table = await readDiffTable(page);
  assert.equal(table.baseFile, '06.heap.pb.gz', `${what}: data-base-file`);
  assert.equal(table.targetFile, '01.heap.pb.gz', `${what}: data-target-file`);
  const problems = compareDiffTable(table, reversedGolden(), 'inuse_space');
  assert.deepEqual(problems, [], `${what}: the diff must be pprof's 06 → 01:\n  ${problems.join('\n  ')}`);
}

it('dist/ is built', () => assertDistBuilt());

describe('view state in the URL hash', () => {
  const ctx = useBrowser({ before, after });

  it('a link opened before its files applies once they load', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'hash-link', async ({ page }) => {
      await page.goto(`${ctx.server.url}#${REVERSED}`);
      await page.reload();
      await loadFiles(page, [LATE, EARLY]);
      await page
        .waitForFunction((sel) => document.body.dataset.state === 'ready' && !!document.querySelector(sel)?.getAttribute('data-target-file'), SEL.diffTable, { timeout: 30_000, polling: 50 })
        .catch(async () => assert.fail('the link did not open the diff view' + (await pageSummary(page))));
      await assertReversedDiff(page, 'link opened before the drop');
      assert.deepEqual(params(await hashOf(page)), params(REVERSED), 'the page keeps the link it applied');
    });
  });

  it('a hash change applies, the page writes its changes, back steps through them', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'hash-change', async ({ page }) => {
      await loadFiles(page, [EARLY, LATE]);
      // Written by the page after the load: the default view and sample type.
      await page.waitForFunction(() => location.hash.includes('view=top'), null, { timeout: 10_000 }).catch(async () => assert.fail(`no hash written after a load: ${await hashOf(page)}`));
      const first = params(await hashOf(page));
      assert.equal(first.si, 'inuse_space', 'si: pprof default sample type');

      await actAndSettle(page, 'assigning the hash', () => page.evaluate((h) => { location.hash = h; }, REVERSED), {
        until: (sel) => document.querySelector(sel)?.getAttribute('data-base-file') === '06.heap.pb.gz',
        arg: SEL.diffTable,
      });
      await assertReversedDiff(page, 'after location.hash =');

      await clickAndSettle(page, SEL.viewTop, { until: (sel) => !!document.querySelector(sel), arg: SEL.topTable });
      assert.equal(params(await hashOf(page)).view, 'top', 'a view change in the page writes the hash');
      await actAndSettle(page, 'going back', () => page.goBack(), { until: (sel) => !!document.querySelector(sel), arg: SEL.diffTable });
      await assertReversedDiff(page, 'after back');
      assert.equal(params(await hashOf(page)).view, 'diff');
    });
  });

  it('a parameter it cannot apply is named and the rest applies', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'hash-bad', async ({ page }) => {
      await loadFiles(page, [LATE]);
      await actAndSettle(page, 'assigning a hash with unknown parameters', () => page.evaluate(() => { location.hash = 'view=top&zz=1&si=alloc_space&target=nope.pb.gz'; }), {
        until: (sel) => document.querySelector(sel)?.getAttribute('data-sample-type') === 'alloc_space',
        arg: SEL.topTable,
      });
      const notes = await page.$eval('[data-testid=link-notes]', (e) => e.textContent).catch(() => '');
      assert.match(notes, /`zz`/, `the notice names zz: ${JSON.stringify(notes)}`);
      assert.match(notes, /nope\.pb\.gz/, `the notice names the missing profile: ${JSON.stringify(notes)}`);
      const top = await readTopTable(page);
      const golden = readOracleTable('leaks__cache__06.heap.pb.gz.1.alloc_space.tsv', GOLDEN_TOP);
      const problems = compareTopTable(top, golden, 'alloc_space');
      assert.deepEqual(problems, [], `si=alloc_space applied:\n  ${problems.join('\n  ')}`);
    });
  });
});
