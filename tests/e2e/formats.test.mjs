// The other profilers' formats (issue 19), dropped on the page: each fixture of
// testdata/formats loads and its top table shows the totals testdata/formats/expected.tsv
// holds (the producing tool's own counts, or the generator's reading of the file); a folded
// file's counts can be given a unit; a file in no format is told what profdrop reads.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useBrowser, withPage, loadFiles, readTopTable, selectSampleType, TESTDATA_DIR, LOAD_TIMEOUT } from './helpers.mjs';

const DIR = path.join(TESTDATA_DIR, 'formats');

function expected() {
  const rows = fs.readFileSync(path.join(DIR, 'expected.tsv'), 'utf8').split('\n').slice(1).filter((l) => l.trim());
  return rows.map((l) => {
    const [file, type, what, value, source] = l.split('\t');
    return { file, type, what, value: BigInt(value), source };
  });
}

describe('other profilers\' formats', () => {
  const ctx = useBrowser({ before, after });
  const rows = expected();
  const files = [...new Set(rows.map((r) => r.file))];

  for (const file of files) {
    it(`${file}: the top table shows the producing tool's numbers`, async () => {
      await withPage(ctx.browser, ctx.server, `formats-${file}`, async ({ page }) => {
        await loadFiles(page, path.join(DIR, file));
        for (const r of rows.filter((x) => x.file === file)) {
          await selectSampleType(page, r.type);
          const t = await readTopTable(page);
          assert.equal(t.sampleType, r.type);
          if (r.what === 'total') {
            assert.equal(t.total, r.value, `${file} ${r.type} total (${r.source})`);
          } else {
            const [, kind, name] = /^(flat|cum)\((.*)\)$/.exec(r.what);
            const row = t.rows.find((x) => x.fn === name);
            assert.ok(row, `${file}: no row ${name} in the top table`);
            assert.equal(row[kind], r.value, `${file} ${r.what} (${r.source})`);
          }
        }
      });
    });
  }

  it('a folded file\'s counts get the unit the user picks', async () => {
    await withPage(ctx.browser, ctx.server, 'formats-unit', async ({ page }) => {
      await loadFiles(page, path.join(DIR, 'async.folded'));
      let t = await readTopTable(page);
      assert.equal(t.total, 57n);
      assert.equal(await page.$eval('[data-testid=unit-picker]', (s) => s.value), 'count');
      await page.selectOption('[data-testid=unit-picker]', 'milliseconds');
      // 57 counts of a millisecond: the table's total reads 57 ms.
      await page.waitForFunction(() => document.body.dataset.state === 'ready'
        && [...document.querySelectorAll('p.total')].some((p) => /total 57(\.0)?\s*ms/.test(p.textContent)),
      null, { timeout: LOAD_TIMEOUT });
      t = await readTopTable(page);
      assert.equal(t.total, 57n, 'the numbers stay, the unit changes');
    });
  });

  it('a file in no format is told what profdrop reads', async () => {
    await withPage(ctx.browser, ctx.server, 'formats-none', async ({ page }) => {
      const tmp = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'profdrop-')), 'notes.txt');
      fs.writeFileSync(tmp, 'these are my notes, not a profile\n');
      const res = await loadFiles(page, tmp, { expect: 'error' });
      for (const name of ['folded stacks', 'perf script', 'speedscope', '.cpuprofile']) {
        assert.ok(res.error.includes(name), `${JSON.stringify(res.error)} should name ${name}`);
      }
    });
  });
});
