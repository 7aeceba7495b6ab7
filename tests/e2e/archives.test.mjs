// Archives of snapshots (#18): a .zip and a .tar.gz of a leak series load in one step through
// the ordinary file input, each member a profile named after it; a bad member is named in the
// error while the others load, and the leak view reads the series.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { SEL, TESTDATA_DIR, actAndSettle, loadFiles, readLeakTable, withPage, useBrowser } from './helpers.mjs';

const SERIES = path.join(TESTDATA_DIR, 'leaks', 'tickers');
const SNAPS = fs.readdirSync(SERIES).filter((f) => f.endsWith('.heap.pb.gz')).sort();
const BAD = 'broken.heap.pb.gz';

/** Writes `<dir>/<name>` as a zip or tar.gz (python3's zipfile/tarfile) of the series' snapshots
 * under `snaps/`, plus a bad member that is no profile. Names of the archives say nothing of
 * their kind: the page must sniff the bytes. */
function makeArchive(dir, name, kind) {
  const out = path.join(dir, name);
  const script = `
import sys, zipfile, tarfile, io, os
out, kind, src, bad = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
names = sorted(n for n in os.listdir(src) if n.endswith('.heap.pb.gz'))
junk = b'this is not a profile\\n' * 20
if kind == 'zip':
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.write(os.path.join(src, n), 'snaps/' + n)
        z.writestr('snaps/' + bad, junk)
else:
    with tarfile.open(out, 'w:gz') as t:
        for n in names:
            t.add(os.path.join(src, n), 'snaps/' + n)
        info = tarfile.TarInfo('snaps/' + bad)
        info.size = len(junk)
        t.addfile(info, io.BytesIO(junk))
`;
  execFileSync('python3', ['-c', script, out, kind, SERIES, BAD]);
  return out;
}

describe('archives of snapshots', () => {
  const ctx = useBrowser({ before, after });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profdrop-archives-'));

  for (const [kind, name] of [
    ['zip', 'series-one.bin'],
    ['tgz', 'series-two.data'],
  ]) {
    it(`a ${kind} of ${SNAPS.length} snapshots and a bad member loads in one step`, { timeout: 90_000 }, async (t) => {
      const archive = makeArchive(dir, name, kind);
      await withPage(ctx.browser, ctx.server, `archive-${kind}`, async ({ page }) => {
        const res = await loadFiles(page, [archive], { expect: 'error', timeout: 60_000 });
        t.diagnostic(`state ${res.state}; profiles ${JSON.stringify(res.files)}; error ${JSON.stringify(res.error)}`);
        assert.deepEqual(res.files, SNAPS, 'every snapshot of the archive, named after its member, in time order');
        assert.equal(res.state, 'error', 'the batch had a bad member');
        assert.ok(res.error && res.error.includes(BAD), `the error names the bad member: ${JSON.stringify(res.error)}`);
        assert.ok(!SNAPS.some((s) => res.error.includes(s)), 'only the bad member is named');
        // (The page stays in data-state=error until the error is dismissed: the batch had a bad member.)
        await actAndSettle(page, 'opening the leak view', () => page.click(SEL.viewLeaks), {
          states: ['ready', 'error'],
          until: (sel) => document.querySelectorAll(`${sel} tbody tr`).length > 0,
          arg: SEL.leakTable,
        });
        const table = await readLeakTable(page);
        assert.equal(table.rows[0]?.fn, 'main.pollUpstream', 'rank 1 of the archive\'s series');
        assert.equal(table.rows[0]?.series.length, SNAPS.length, 'the series has every snapshot');
      });
    });
  }
});
