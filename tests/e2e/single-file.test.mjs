// `make single-file`: dist/profdrop.html, one file that works opened from file:// with no
// server: drop a profile, read pprof's table; the examples inside it load by URL; nothing is
// requested from anywhere (its Content-Security-Policy says connect-src 'none', and a request
// tried anyway reaches no server).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  launchBrowser, startServer, loadFiles, readTopTable, readOracleTable, compareTopTable, actAndSettle, pageSummary, distDir, SEL, TESTDATA_DIR, LOAD_TIMEOUT,
} from './helpers.mjs';

const GOLDEN_TOP = path.join(TESTDATA_DIR, 'golden', 'top');
const single = () => path.join(distDir(), 'profdrop.html');

it('dist/profdrop.html is built', () => {
  assert.ok(fs.existsSync(single()), `no ${single()}: run make single-file`);
});

describe('single-file page from file://', () => {
  const ctx = { browser: null, server: null };
  before(async () => {
    ctx.browser = await launchBrowser();
    // Only to prove that nothing reaches a server.
    ctx.server = await startServer();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });

  it('drop a profile, read the table; an example inside loads by URL; no request anywhere', { timeout: 120_000 }, async () => {
    const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(LOAD_TIMEOUT);
    const url = pathToFileURL(single()).href;
    const requests = [];
    const errors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => /panicked/i.test(m.text()) && errors.push(m.text()));
    try {
      await page.goto(url);
      await page.waitForSelector(SEL.fileInput, { state: 'attached' }).catch(async () => assert.fail('the single file did not boot' + (await pageSummary(page)) + ' ' + errors.join(' | ')));
      const csp = await page.$eval('meta[http-equiv=Content-Security-Policy]', (m) => m.content);
      assert.match(csp, /connect-src 'none'/, csp);
      assert.match(csp, /default-src 'none'/, csp);

      await loadFiles(page, [path.join(TESTDATA_DIR, 'example', 'heap.pb.gz')]);
      let problems = compareTopTable(await readTopTable(page), readOracleTable('example__heap.pb.gz.3.inuse_space.tsv', GOLDEN_TOP), 'inuse_space');
      assert.deepEqual(problems, [], `the dropped profile's table:\n  ${problems.join('\n  ')}`);

      // An example, by URL: from inside the file.
      await actAndSettle(page, 'an example by URL', () => page.evaluate(() => { location.hash = 'url=examples/cpu.pb.gz'; }), {
        until: () => document.querySelectorAll('[data-testid=profile-list] [data-file]').length === 2,
      });
      problems = compareTopTable(await readTopTable(page), readOracleTable('example__cpu.pb.gz.1.cpu.tsv', GOLDEN_TOP), 'cpu');
      assert.deepEqual(problems, [], `the example's table:\n  ${problems.join('\n  ')}`);

      // Everything the page used came from the file itself.
      const outside = requests.filter((r) => r !== url && !r.startsWith('blob:') && !r.startsWith('data:'));
      assert.deepEqual(outside, [], 'the page requested nothing but itself');

      // A request tried anyway (past the page's own fetch) is refused by the policy.
      const before = ctx.server.requests.length;
      const xhr = await page.evaluate((u) => new Promise((done) => {
        const x = new XMLHttpRequest();
        x.onload = () => done('loaded');
        x.onerror = () => done('refused');
        try { x.open('GET', u); x.send(); } catch (e) { done('refused: ' + e.name); }
      }), ctx.server.url + 'examples/heap.pb.gz');
      assert.match(xhr, /^refused/);
      const fetched = await page.evaluate((u) => fetch(u).then(() => 'fetched', (e) => String(e)), ctx.server.url + 'examples/heap.pb.gz');
      assert.match(fetched, /not inside this single-file page/);
      await page.waitForTimeout(200);
      assert.equal(ctx.server.requests.length, before, 'no request reached the server');
      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      await context.close();
    }
  });
});
