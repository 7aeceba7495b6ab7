// Sharing and keeping: profiles by URL in a link (`#url=`, same origin only), Copy link, embed
// mode in a docs page's iframe, dropped profiles kept across reloads (IndexedDB) and Forget
// all, named views. Expected tables are go tool pprof's (testdata/golden/top).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertDistBuilt, startServer, launchBrowser, withPage, attachCollector, loadFiles, readTopTable, readOracleTable, compareTopTable,
  actAndSettle, pageSummary, readHash, readChips, SEL, TESTDATA_DIR, E2E_DIR,
} from './helpers.mjs';

const GOLDEN_TOP = path.join(TESTDATA_DIR, 'golden', 'top');
const HEAP = path.join(TESTDATA_DIR, 'example', 'heap.pb.gz');
const CPU = path.join(TESTDATA_DIR, 'example', 'cpu.pb.gz');
const heapGolden = (si) => readOracleTable(`example__heap.pb.gz.${['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'].indexOf(si)}.${si}.tsv`, GOLDEN_TOP);

/** The test's own routes beside dist/: a docs page, a runbook's profile, a slow and a stalled download. */
function extra({ pathname, res, send }) {
  if (pathname === '/docs/incident-42.html') {
    send(200, { 'Content-Type': 'text/html; charset=utf-8' }, fs.readFileSync(path.join(E2E_DIR, 'fixtures', 'docs-embed.html')));
    return true;
  }
  if (pathname === '/tools/runbooks/incident-42/heap.pb.gz') {
    send(200, { 'Content-Type': 'application/octet-stream' }, fs.readFileSync(HEAP));
    return true;
  }
  const slow = /^\/tools\/runbooks\/(slow|stalled)\/heap\.pb\.gz$/.exec(pathname);
  if (slow) {
    const body = fs.readFileSync(HEAP);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length), 'Cache-Control': 'no-store' });
    const pieces = 8;
    const size = Math.ceil(body.length / pieces);
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (slow[1] === 'stalled' && i === pieces / 2) return; // half, then nothing more
      res.write(body.subarray(i * size, (i + 1) * size));
      i++;
      if (i < pieces) setTimeout(next, 300);
      else res.end();
    };
    next();
    return true;
  }
  return false;
}

it('dist/ is built', () => assertDistBuilt());

describe('sharing and keeping', () => {
  const ctx = { browser: null, server: null, other: null };
  before(async () => {
    assertDistBuilt();
    ctx.server = await startServer({ extra });
    // Another origin (another port), to prove a link to it requests nothing there.
    ctx.other = await startServer();
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
    await ctx.other?.close();
  });

  const waitReady = (page, what, files = 1) =>
    page
      .waitForFunction((n) => document.body.dataset.state === 'ready' && document.querySelectorAll('[data-testid=profile-list] [data-file]').length === n, files, { timeout: 30_000, polling: 50 })
      .catch(async () => assert.fail(`${what}: the page did not show ${files} profile(s) ready` + (await pageSummary(page))));

  it('a link with url= loads a profile of the same origin and shows the view it names', { timeout: 90_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'share-url', async ({ page }) => {
      const link = '#url=../runbooks/incident-42/heap.pb.gz&view=top&si=alloc_space';
      await page.goto(ctx.server.url + link);
      await page.reload();
      await waitReady(page, 'the link');
      const files = await page.$$eval(SEL.profileEntry, (els) => els.map((e) => e.dataset.file));
      assert.deepEqual(files, ['heap.pb.gz']);
      const problems = compareTopTable(await readTopTable(page), heapGolden('alloc_space'), 'alloc_space');
      assert.deepEqual(problems, [], `the link's view:\n  ${problems.join('\n  ')}`);
      const h = await readHash(page);
      assert.equal(h.url, '../runbooks/incident-42/heap.pb.gz', 'the page keeps the profile in its own link');
      assert.ok(ctx.server.requests.some((r) => r.path === '/tools/runbooks/incident-42/heap.pb.gz' && r.status === 200), 'the profile was fetched from the page\'s origin');
    });
  });

  it('another origin, a 404 and a web page each get a message; the other origin gets no request', { timeout: 90_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'share-url-bad', async ({ page }) => {
      const foreign = `${ctx.other.url}examples/heap.pb.gz`;
      const before = ctx.other.requests.length;
      await actAndSettle(page, 'a link to three bad URLs', () => page.evaluate((h) => { location.hash = h; }, `url=${encodeURIComponent(foreign)},nothing-here.pb.gz,index.html`), { states: ['error'] });
      const text = await page.$eval(SEL.error, (e) => e.textContent);
      assert.match(text, /heap\.pb\.gz: `http:\/\/127\.0\.0\.1:\d+\/tools\/profdrop\/examples\/heap\.pb\.gz` is not on this page's own site .*nothing was requested/, text);
      assert.match(text, /nothing-here\.pb\.gz: could not download `nothing-here\.pb\.gz`: the server answered 404/, text);
      assert.match(text, /index\.html: .*web page \(text\/html\), not a profile/, text);
      assert.equal(ctx.other.requests.length, before, 'no request reached the other origin');
      assert.equal(await page.$$eval(SEL.profileEntry, (els) => els.length), 0);
    });
  });

  it('a slow download shows its progress and can be cancelled; a good one then loads', { timeout: 90_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'share-url-slow', async ({ page }) => {
      await page.evaluate(() => { location.hash = 'url=../runbooks/slow/heap.pb.gz'; });
      // Progress while it arrives: the file, the stage, a fraction between 0 and 1.
      const seen = await page
        .waitForFunction(() => {
          const p = document.querySelector('[data-testid=progress]');
          const bar = p?.querySelector('progress');
          const v = bar ? Number(bar.value) : 0;
          return p && /heap\.pb\.gz/.test(p.textContent) && /downloading/.test(p.textContent) && v > 0 && v < 1 ? v : false;
        }, null, { timeout: 10_000, polling: 20 })
        .then((h) => h.jsonValue())
        .catch(async () => assert.fail('no download progress shown' + (await pageSummary(page))));
      assert.ok(seen > 0 && seen < 1);
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'loading');
      await waitReady(page, 'the slow download');
      const problems = compareTopTable(await readTopTable(page), heapGolden('inuse_space'), 'inuse_space');
      assert.deepEqual(problems, [], problems.join('\n'));

      // A download that stalls: Cancel stops it, the loaded profile stays.
      await page.evaluate(() => { location.hash = 'url=../runbooks/slow/heap.pb.gz,../runbooks/stalled/heap.pb.gz'; });
      await page.waitForSelector('[data-testid=progress] [data-testid=cancel]', { timeout: 10_000 });
      await actAndSettle(page, 'Cancel', () => page.click('[data-testid=cancel]'), { states: ['ready', 'error'] });
      const err = await page.$eval(SEL.error, (e) => e.textContent).catch(() => '');
      assert.match(err, /heap\.pb\.gz \(2\): loading cancelled/, err);
      assert.deepEqual(await page.$$eval(SEL.profileEntry, (els) => els.map((e) => e.dataset.file)), ['heap.pb.gz']);
    });
  });

  it('Copy link: a reader opening it sees the same view; dropped files are named as needed', { timeout: 120_000 }, async () => {
    let link;
    let table;
    await withPage(ctx.browser, ctx.server, 'share-copy', async ({ page, context }) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.server.origin });
      await loadFiles(page, [CPU]);
      await page.waitForSelector('[data-testid=copy-link]:not([disabled])');
      // The example, by URL (the welcome screen's path), beside the dropped file.
      await actAndSettle(page, 'an example by URL', () => page.evaluate(() => { location.hash = 'url=examples/heap.pb.gz&view=top&si=alloc_space&f=main'; }), {
        until: () => document.querySelectorAll('[data-testid=profile-list] [data-file]').length === 2 && document.querySelector('table[data-testid=top-table]')?.dataset.sampleType === 'alloc_space',
      });
      table = await readTopTable(page);
      await page.click('[data-testid=copy-link]');
      link = await page.$eval('[data-testid=share-link]', (e) => e.value);
      const clip = await page.evaluate(() => navigator.clipboard.readText());
      assert.equal(clip, link, 'the clipboard holds the link');
      const note = await page.$eval('[data-testid=share-note]', (e) => e.textContent);
      assert.match(note, /cpu\.pb\.gz/, note);
      assert.match(note, /must drop the same files/, note);
    });
    const u = new URL(link);
    assert.equal(u.origin + u.pathname, ctx.server.url);
    const params = new URLSearchParams(u.hash.slice(1));
    assert.deepEqual(params.getAll('url'), ['examples/heap.pb.gz']);
    assert.equal(params.get('f'), 'main');
    // A reader (a new browser context: nothing kept) opens the link.
    await withPage(ctx.browser, ctx.server, 'share-copy-reader', async ({ page }) => {
      await page.goto(link);
      await page.reload();
      await waitReady(page, 'the copied link');
      const theirs = await readTopTable(page);
      assert.equal(theirs.sampleType, 'alloc_space');
      assert.equal(theirs.total, table.total);
      assert.deepEqual(theirs.rows, table.rows, 'the reader sees the author\'s table');
      assert.deepEqual(await readChips(page), [{ key: 'f', value: 'main' }]);
    });
  });

  it('embed mode in a docs page\'s iframe: only the view, an open-in-profdrop link, sized to the frame', { timeout: 90_000 }, async () => {
    const context = await ctx.browser.newContext({ viewport: { width: 1100, height: 800 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    const collector = attachCollector(page, ctx.server.origin);
    try {
      await page.goto(`${ctx.server.origin}/docs/incident-42.html`);
      const handle = await page.waitForSelector('iframe#profdrop');
      const frame = await handle.contentFrame();
      await frame
        .waitForFunction(() => document.body.dataset.state === 'ready' && !!document.querySelector('table[data-testid=top-table] tbody tr'), null, { timeout: 30_000, polling: 50 })
        .catch(async () => assert.fail('the embedded view did not render' + (await pageSummary(frame))));
      const problems = compareTopTable(await readTopTable(frame), heapGolden('alloc_space'), 'alloc_space');
      assert.deepEqual(problems, [], `the embedded table:\n  ${problems.join('\n  ')}`);
      assert.equal(await frame.$(SEL.fileInput), null, 'no toolbar in embed mode');
      assert.equal(await frame.$('[data-testid=profile-list]'), null, 'no side panel in embed mode');
      const open = await frame.$eval('a[data-testid=open-in-profdrop]', (a) => ({ href: a.href, target: a.target, visible: a.getBoundingClientRect().width > 0 }));
      assert.ok(open.visible);
      assert.equal(open.target, '_blank');
      const q = new URLSearchParams(new URL(open.href).hash.slice(1));
      assert.equal(q.get('embed'), null, 'the link opens profdrop without embed');
      assert.equal(q.get('url'), '../runbooks/incident-42/heap.pb.gz');
      assert.equal(q.get('si'), 'alloc_space');
      // Fits the frame, and follows its size.
      const fit = () => frame.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth, canvas: document.querySelector('canvas[data-testid=flamegraph]')?.clientWidth ?? 0 }));
      const small = await fit();
      assert.ok(small.scroll <= small.inner, `no horizontal scrolling at 520 px: ${JSON.stringify(small)}`);
      assert.ok(small.canvas > 400 && small.canvas <= small.inner, `the flame graph fills the frame: ${JSON.stringify(small)}`);
      await handle.evaluate((f) => { f.style.width = '900px'; });
      await frame.waitForFunction((w) => (document.querySelector('canvas[data-testid=flamegraph]')?.clientWidth ?? 0) > w + 300, small.canvas, { timeout: 10_000 })
        .catch(async () => assert.fail(`the flame graph did not follow the frame's width: ${JSON.stringify(await fit())}`));
      collector.assertClean();
    } finally {
      await context.close();
    }
  });

  it('dropped profiles come back after a reload; Forget all empties the page and the storage', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'share-keep', async ({ page }) => {
      await page.waitForSelector('[data-testid=kept-usage][data-restored]');
      await loadFiles(page, [HEAP, CPU]);
      const heapTable = async () => {
        await page.click('[data-testid=profile-list] [data-file="heap.pb.gz"] .pick');
        await page.waitForFunction(() => document.querySelector('[data-testid=profile-list] [data-file="heap.pb.gz"]')?.dataset.selected && document.body.dataset.state === 'ready');
        await page.selectOption(SEL.sampleType, 'alloc_space');
        await page.waitForFunction(() => document.querySelector('table[data-testid=top-table]')?.dataset.sampleType === 'alloc_space' && document.body.dataset.state === 'ready');
        return readTopTable(page);
      };
      const before = await heapTable();
      const files = await page.$$eval(SEL.profileEntry, (els) => els.map((e) => e.dataset.file));
      const usage = await page
        .waitForFunction(() => document.querySelector('[data-testid=kept-usage]')?.dataset.kept === '2' && document.querySelector('[data-testid=kept-usage]').textContent, null, { timeout: 10_000 })
        .then((h) => h.jsonValue())
        .catch(async () => assert.fail('the two files were not kept' + (await pageSummary(page))));
      assert.match(usage, /^2 files kept, \S+ \S+ of \S+ MB/, `usage is shown against the limit: ${usage}`);

      await page.reload();
      await waitReady(page, 'after a reload', 2);
      assert.deepEqual(await page.$$eval(SEL.profileEntry, (els) => els.map((e) => e.dataset.file)), files, 'the same profiles');
      await page.waitForFunction(() => document.querySelector('table[data-testid=top-table]')?.dataset.sampleType === 'alloc_space' && document.body.dataset.state === 'ready')
        .catch(async () => assert.fail('the view from the hash (alloc_space) did not apply after the reload' + (await pageSummary(page))));
      assert.equal(await page.$eval('[data-testid=profile-list] [data-selected]', (e) => e.dataset.file), 'heap.pb.gz', 'the profile shown comes back (sel=)');
      const after = await heapTable();
      assert.deepEqual(after, before, 'the same table after the reload');
      const problems = compareTopTable(after, heapGolden('alloc_space'), 'alloc_space');
      assert.deepEqual(problems, [], problems.join('\n'));

      await actAndSettle(page, 'Forget all', () => page.click('[data-testid=forget-all]'), { states: ['idle'] });
      assert.equal(await page.$$eval(SEL.profileEntry, (els) => els.length), 0);
      await page.waitForFunction(() => document.querySelector('[data-testid=kept-usage]')?.dataset.kept === '0');
      await page.reload();
      await page.waitForSelector('[data-testid=kept-usage][data-restored]');
      await page.waitForTimeout(300);
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'idle', 'nothing comes back after Forget all');
      assert.equal(await page.$$eval(SEL.profileEntry, (els) => els.length), 0);
    });
  });

  it('named views: save the view and refinement, open it later, delete it', { timeout: 90_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'share-views', async ({ page }) => {
      await loadFiles(page, [HEAP]);
      await actAndSettle(page, 'a refined view', () => page.evaluate(() => { location.hash = 'view=top&si=alloc_space&f=main%5C.&g=files'; }), {
        until: () => document.querySelector('table[data-testid=top-table]')?.dataset.sampleType === 'alloc_space',
      });
      await page.fill('[data-testid=view-name]', 'main, by file');
      await page.click('[data-testid=save-view]');
      await page.waitForSelector('select[data-testid=saved-views] option[value="main, by file"]', { state: 'attached' });
      await actAndSettle(page, 'another view', () => page.evaluate(() => { location.hash = 'view=flame&si=inuse_space'; }));
      assert.deepEqual(await readChips(page), []);
      await page.reload();
      await waitReady(page, 'after a reload');
      await actAndSettle(page, 'opening the named view', () => page.selectOption('select[data-testid=saved-views]', 'main, by file'), {
        until: () => document.querySelector('table[data-testid=top-table]')?.dataset.sampleType === 'alloc_space',
      });
      const h = await readHash(page);
      assert.equal(h.view, 'top');
      assert.equal(h.f, 'main\\.');
      assert.equal(h.g, 'files');
      assert.deepEqual((await readChips(page)).map((c) => c.key).sort(), ['f', 'g']);
      await page.click('[data-testid=delete-view]');
      assert.equal(await page.$('select[data-testid=saved-views] option[value="main, by file"]'), null, 'deleted');
      await page.reload();
      await waitReady(page, 'after a second reload');
      assert.equal(await page.$('select[data-testid=saved-views] option[value="main, by file"]'), null, 'still deleted after a reload');
    });
  });
});
