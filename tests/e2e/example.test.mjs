// The README's promise: `make serve` offers an example profile one click away, bundled in dist/.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useBrowser, withPage, readTopTable, TESTDATA_DIR } from './helpers.mjs';

function goldenTotal() {
  const head = fs.readFileSync(path.join(TESTDATA_DIR, 'golden/top/example__heap.pb.gz.3.inuse_space.tsv'), 'utf8').split('\n')[0];
  return BigInt(/total=(\d+)/.exec(head)[1]);
}

describe('example profile', () => {
  const ctx = useBrowser({ before, after });

  it('one click on the welcome screen loads the bundled Go heap profile', async () => {
    await withPage(ctx.browser, ctx.server, 'example', async ({ page }) => {
      await page.waitForSelector('body[data-state=idle]');
      await page.click('[data-testid=example]');
      await page.waitForFunction(() => document.body.dataset.state === 'ready'
        && document.querySelectorAll('[data-testid=profile-list] [data-file]').length === 1);
      const files = await page.$$eval('[data-testid=profile-list] [data-file]', (els) => els.map((e) => e.dataset.file));
      assert.deepEqual(files, ['heap.pb.gz']);
      const table = await readTopTable(page);
      assert.equal(table.sampleType, 'inuse_space');
      assert.equal(BigInt(table.total), goldenTotal());
    });
  });
});
