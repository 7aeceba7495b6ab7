// Source view (#16): pprof's -list on the project's source fixture (testdata/source, made
// from testdata/gen/source, whose files are in the repository). With the sources given
// through data-testid=source-input, every row [data-line] equals `go tool pprof -list REGEX
// -source_path DIR` (testdata/golden/source); without them, the sampled lines are a table
// with the same numbers. Screenshots in both themes.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { SEL, TESTDATA_DIR, REPO_ROOT, actAndSettle, loadFiles, withPage, useBrowser } from './helpers.mjs';

const PROFILE = path.join(TESTDATA_DIR, 'source', 'source-cpu.pb.gz');
const SOURCES = [path.join(TESTDATA_DIR, 'gen', 'source', 'main.go'), path.join(TESTDATA_DIR, 'gen', 'source', 'store', 'store.go')];
const SHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
const S = { source: '[data-testid=source]', rows: '[data-testid=source] [data-line]', input: 'input[type=file][data-testid=source-input]', view: '[data-testid=view-source]' };

/** A golden listing: routines [{name, file, lines: [[line, flat, cum]]}] (see golden_source.py). */
function golden(name) {
  const text = fs.readFileSync(path.join(TESTDATA_DIR, 'golden', 'source', name), 'utf8');
  const out = [];
  for (const l of text.split('\n').slice(1).filter(Boolean)) {
    const f = l.split('\t');
    if (f[0] === 'routine') out.push({ name: f[1], file: f[2], lines: [] });
    else if (f[0] === 'line') out.at(-1).lines.push([f[1], f[2], f[3]]);
  }
  return out;
}

async function readRows(page) {
  return page.$$eval(S.rows, (rs) => rs.map((r) => [r.getAttribute('data-file'), r.getAttribute('data-line'), r.getAttribute('data-flat'), r.getAttribute('data-cum')]));
}

async function openSource(page, hash) {
  await loadFiles(page, [PROFILE]);
  await actAndSettle(page, 'opening the source view', () => page.evaluate((h) => { location.hash = h; }, hash), {
    until: (sel) => document.querySelectorAll(sel).length > 0,
    arg: S.rows,
  });
  assert.ok(await page.$(S.view), `${S.view} is missing`);
}

describe('source view', () => {
  const ctx = useBrowser({ before, after });

  for (const [regex, file] of [
    ['main\\.crunch', 'source__source-cpu.pb.gz.1.crunch.tsv'],
    ['main\\.', 'source__source-cpu.pb.gz.1.main.tsv'],
    ['store\\.', 'source__source-cpu.pb.gz.1.store.tsv'],
  ]) {
    it(`with the sources given: every line of -list ${regex} equals pprof`, { timeout: 90_000 }, async (t) => {
      const want = golden(file);
      await withPage(ctx.browser, ctx.server, `source-${file}`, async ({ page }) => {
        await openSource(page, `view=source&si=cpu&f=${encodeURIComponent(regex)}`);
        const n = want.reduce((a, r) => a + r.lines.length, 0);
        // The folder (webkitdirectory): its files come with their relative paths (source/main.go, …).
        await page.setInputFiles(S.input, path.join(TESTDATA_DIR, 'gen', 'source'));
        await page.waitForFunction(({ sel, n }) => document.querySelectorAll(sel).length === n && !document.querySelector('[data-testid=source-unmatched]'), { sel: S.rows, n }, { timeout: 30_000 }).catch(async () => {
          assert.fail(`expected ${n} rows; page has ${(await readRows(page)).length}: ${await page.textContent(S.source)}`);
        });
        const rows = await readRows(page);
        const expect = want.flatMap((r) => r.lines.map(([l, f, c]) => [r.file, l, f, c]));
        t.diagnostic(`${rows.length} rows in ${want.length} routines`);
        assert.deepEqual(rows, expect, 'rows (data-file, data-line, data-flat, data-cum) equal pprof -list');
        // The text is the file's own line.
        const src = fs.readFileSync(SOURCES[regex.startsWith('store') ? 1 : 0], 'utf8').split('\n');
        const shown = await page.$eval(`${S.rows}[data-line="${expect[0][1]}"] .code`, (e) => e.textContent);
        assert.equal(shown, src[Number(expect[0][1]) - 1]);
        if (regex === 'main\\.crunch') {
          for (const theme of ['light', 'dark']) {
            const dark = await page.evaluate(() => document.documentElement.getAttribute('data-theme') === 'dark');
            if ((theme === 'dark') !== dark) await page.keyboard.press('d');
            await page.screenshot({ path: path.join(SHOTS, `source-${theme}.png`), fullPage: false });
          }
          // n jumps to the first hot line.
          await page.focus(S.source);
          await page.keyboard.press('n');
          const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-line'));
          const hot = expect.filter((r) => r[2] !== '0' || r[3] !== '0');
          assert.ok(hot.some((r) => r[1] === focused), `n focuses a hot line (focused ${focused})`);
        }
      });
    });
  }

  it('without sources: the sampled lines with pprof\'s numbers, and the unmatched file named', { timeout: 90_000 }, async (t) => {
    const want = golden('source__source-cpu.pb.gz.1.crunch.tsv')[0];
    await withPage(ctx.browser, ctx.server, 'source-nosrc', async ({ page }) => {
      await openSource(page, `view=source&si=cpu&f=${encodeURIComponent('main\\.crunch')}`);
      const rows = await readRows(page);
      const sampled = want.lines.filter(([, f, c]) => f !== '0' || c !== '0').map(([l, f, c]) => [want.file, l, f, c]);
      const key = (r) => r.join(' ');
      assert.deepEqual(rows.map(key).sort(), sampled.map(key).sort(), 'the sampled lines of -list, as a table');
      const unmatched = await page.textContent('[data-testid=source-unmatched]');
      assert.ok(unmatched.includes(want.file), `the page names the file it has no source for: ${unmatched}`);
      assert.ok((await page.textContent(S.source)).includes(`${want.file}:${sampled[0][1]}`), 'file:line to copy');
    });
  });

  it('a module\'s .zip dropped on the view: matched by path suffix, numbers equal pprof', { timeout: 90_000 }, async (t) => {
    const want = golden('source__source-cpu.pb.gz.1.store.tsv');
    // A module zip as the Go proxy serves one: module@version/ paths, other files beside.
    const zip = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'profdrop-src-')), 'module.zip');
    execFileSync('python3', ['-c', `
import sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    z.write(src + '/main.go', 'example.com/fixture@v1.0.0/main.go')
    z.write(src + '/store/store.go', 'example.com/fixture@v1.0.0/store/store.go')
    z.writestr('example.com/fixture@v1.0.0/go.mod', 'module example.com/fixture\\n')
`, path.join(TESTDATA_DIR, 'gen', 'source'), zip]);
    await withPage(ctx.browser, ctx.server, 'source-zip', async ({ page }) => {
      await openSource(page, `view=source&si=cpu&f=${encodeURIComponent('store\\.')}`);
      const n = want.reduce((a, r) => a + r.lines.length, 0);
      await page.evaluate(({ b64, sel }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'module.zip'));
        document.querySelector(sel).dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, { b64: fs.readFileSync(zip).toString('base64'), sel: S.source });
      await page.waitForFunction(({ sel, n }) => document.querySelectorAll(sel).length === n && !document.querySelector('[data-testid=source-unmatched]'), { sel: S.rows, n }, { timeout: 30_000 });
      const rows = await readRows(page);
      assert.deepEqual(rows, want.flatMap((r) => r.lines.map(([l, f, c]) => [r.file, l, f, c])));
      const profiles = await page.$$eval(SEL.profileEntry, (es) => es.length);
      assert.equal(profiles, 1, 'a zip dropped on the source view is sources, not profiles');
    });
  });

  it('the context menu\'s Show source on a top-table row opens that function\'s listing', { timeout: 90_000 }, async () => {
    const want = golden('source__source-cpu.pb.gz.1.crunch.tsv')[0];
    await withPage(ctx.browser, ctx.server, 'source-menu', async ({ page }) => {
      await loadFiles(page, [PROFILE]);
      await page.click(`${SEL.topTable} tbody tr[data-function="main.crunch"]`, { button: 'right' });
      await actAndSettle(page, 'Show source', () => page.click('[data-testid=context-menu] [data-action=source]'), {
        until: (sel) => document.querySelectorAll(sel).length > 0,
        arg: S.rows,
      });
      const rows = await readRows(page);
      const sampled = want.lines.filter(([, f, c]) => f !== '0' || c !== '0').map(([l, f, c]) => [want.file, l, f, c]);
      const key = (r) => r.join(' ');
      assert.deepEqual(rows.map(key).sort(), sampled.map(key).sort());
      const hash = await page.evaluate(() => decodeURIComponent(location.hash));
      assert.ok(hash.includes('view=source') && hash.includes('f=^main\\.crunch$'), hash);
    });
  });
});
