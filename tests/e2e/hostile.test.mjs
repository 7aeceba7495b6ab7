// Hostile input: a truncated gzip, an empty file, a bad file among good ones, and a profile
// whose function names are markup, control characters and a 100 KB string. The page must
// say which file failed and why, keep the good ones, show names as text (never markup), keep
// the tooltip short, recover with the next good file, and make no request to another origin.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  SEL,
  TESTDATA_DIR,
  actAndSettle,
  assertDistBuilt,
  launchBrowser,
  loadFiles,
  openPage,
  pageSummary,
  readTopTable,
  startServer,
} from './helpers.mjs';

const td = (rel) => path.join(TESTDATA_DIR, rel);

// ---------------------------------------------------------------------------------------
// A minimal pprof protobuf, hand-encoded (google/pprof proto/profile.proto):
//   Profile: 1 sample_type, 2 sample, 4 location, 5 function, 6 string_table,
//            9 time_nanos, 11 period_type, 12 period
//   ValueType: 1 type, 2 unit          Sample: 1 location_id (packed), 2 value (packed)
//   Location: 1 id, 3 address, 4 line  Line: 1 function_id, 2 line
//   Function: 1 id, 2 name, 3 system_name, 4 filename, 5 start_line

function uv(n) {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}
const key = (field, wt) => uv((field << 3) | wt);
const fVarint = (field, n) => Buffer.concat([key(field, 0), uv(n)]);
const fBytes = (field, payload) => Buffer.concat([key(field, 2), uv(payload.length), payload]);
const packed = (field, nums) => fBytes(field, Buffer.concat(nums.map(uv)));

/**
 * @param {{name: string, value: number}[]} leaves  each leaf is called by main.main
 * @returns {Buffer} the raw (not gzipped) protobuf
 */
function encodeProfile(leaves) {
  const strings = [''];
  const S = (s) => {
    let i = strings.indexOf(s);
    if (i < 0) i = strings.push(s) - 1;
    return i;
  };
  const parts = [];
  parts.push(fBytes(1, Buffer.concat([fVarint(1, S('samples')), fVarint(2, S('count'))])));
  parts.push(fBytes(1, Buffer.concat([fVarint(1, S('cpu')), fVarint(2, S('nanoseconds'))])));
  parts.push(fVarint(9, 1_700_000_000_000_000_000n));
  parts.push(fBytes(11, Buffer.concat([fVarint(1, S('cpu')), fVarint(2, S('nanoseconds'))])));
  parts.push(fVarint(12, 10_000_000));
  const fileIdx = S('hostile/main.go');
  const funcs = [{ name: 'main.main' }, ...leaves];
  funcs.forEach((f, i) => {
    const id = i + 1;
    const n = S(f.name);
    parts.push(fBytes(5, Buffer.concat([fVarint(1, id), fVarint(2, n), fVarint(3, n), fVarint(4, fileIdx), fVarint(5, 10 + id)])));
    // Location id = function id, one line each.
    parts.push(fBytes(4, Buffer.concat([fVarint(1, id), fVarint(3, 0x1000 + 16 * id), fBytes(4, Buffer.concat([fVarint(1, id), fVarint(2, 20 + id)]))])));
  });
  leaves.forEach((l, i) => {
    const leafLoc = i + 2;
    parts.push(fBytes(2, Buffer.concat([packed(1, [leafLoc, 1]), packed(2, [l.value, l.value * 10_000_000])])));
  });
  for (const s of strings) parts.push(fBytes(6, Buffer.from(s, 'utf8')));
  return Buffer.concat(parts);
}

const IMG = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '</script><script>window.__pwned=2</script>';
const CTRL = 'ctrl\u0001\u0002\u001b[31m\u0007\t\r\nname\u007f\u0085end';
const LONG = 'main.longname_' + 'x'.repeat(100_000);
const HOSTILE_LEAVES = [
  { name: IMG, value: 400 },
  { name: SCRIPT, value: 300 },
  { name: CTRL, value: 200 },
  { name: LONG, value: 150 },
];

// ---------------------------------------------------------------------------------------

/** Move over the flame graph and collect the tooltip texts until each wanted one was seen. */
async function hoverForTooltips(page, wanted) {
  const box = await page.locator(SEL.flamegraph).boundingBox();
  assert.ok(box && box.width > 0 && box.height > 0, `${SEL.flamegraph} has no size: ${JSON.stringify(box)}`);
  const tooltip = page.locator(SEL.flameTooltip).first();
  const found = new Map();
  const seen = new Set();
  const ys = [];
  for (let y = 3; y < Math.min(box.height, 400); y += 6) ys.push(box.y + y);
  outer: for (const y of ys) {
    for (let fx = 0.0125; fx < 1; fx += 0.025) {
      await page.mouse.move(box.x + box.width * fx, y);
      await page.waitForTimeout(15);
      if (!(await tooltip.isVisible().catch(() => false))) continue;
      const text = (await tooltip.textContent()) ?? '';
      seen.add(text.slice(0, 80));
      for (const [k, test] of Object.entries(wanted)) if (!found.has(k) && test(text)) found.set(k, text);
      if (found.size === Object.keys(wanted).length) break outer;
    }
  }
  return { found, seen: [...seen] };
}

async function errorText(page) {
  return page.evaluate((sel) => document.querySelector(sel)?.textContent.trim() ?? null, SEL.error);
}

/** Load files expected to fail (state error); the error must name `mustName`. */
async function loadExpectingError(page, files, mustName) {
  await loadFiles(page, files, { expect: 'error' });
  // The error element is rendered with the state; wait for this batch's message.
  await page
    .waitForFunction(({ sel, name }) => document.querySelector(sel)?.textContent.includes(name), { sel: SEL.error, name: mustName }, { timeout: 10_000, polling: 50 })
    .catch(async () => assert.fail(`after loading ${mustName}: ${SEL.error} does not name it` + (await pageSummary(page))));
  return errorText(page);
}

it('dist/ is built', () => assertDistBuilt());

describe('hostile input', () => {
  let browser;
  let server;
  let tmp;

  before(async () => {
    assertDistBuilt();
    server = await startServer();
    browser = await launchBrowser();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'profdrop-hostile-'));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('bad files are named, good ones kept, names are text, the page recovers, nothing leaves the origin', { timeout: 180_000 }, async (t) => {
    // Hostile files.
    const heap = fs.readFileSync(td('example/heap.pb.gz'));
    const truncated = path.join(tmp, 'truncated-heap.pb.gz');
    fs.writeFileSync(truncated, heap.subarray(0, Math.floor(heap.length / 2)));
    const empty = path.join(tmp, 'empty.pb.gz');
    fs.writeFileSync(empty, Buffer.alloc(0));
    const bad = path.join(tmp, 'bad-bytes.pb.gz');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('definitely not deflate data, nor a profile\n'.repeat(20))]));
    const injection = path.join(tmp, 'injection.pb.gz');
    fs.writeFileSync(injection, zlib.gzipSync(encodeProfile(HOSTILE_LEAVES)));

    const { context, page, collector } = await openPage(browser, server);
    const bootRequests = collector.requests.length;
    const serverBoot = server.requests.length;
    const failures = [];
    // Each step is a subtest: a failing step is reported (with a screenshot) and the next
    // steps still run on the same page.
    const step = (name, fn) =>
      t.test(name, async (st) => {
        try {
          await fn(st);
        } catch (e) {
          const shot = `/tmp/profdrop-e2e-fail-hostile-${name.replace(/[^\w.-]+/g, '_').slice(0, 60)}.png`;
          await page.screenshot({ path: shot, fullPage: true, timeout: 5000 }).catch(() => {});
          failures.push(name);
          throw new Error(`${e.message}\n(screenshot: ${shot})`, { cause: e });
        }
      });

    try {
      await step('(a) truncated gzip: error names the file and says "truncated"', async (st) => {
        const res = await loadExpectingError(page, [truncated], path.basename(truncated));
        st.diagnostic(`error: ${JSON.stringify(res)}`);
        assert.equal(await page.getAttribute('body', 'data-state'), 'error');
        assert.match(res, /truncated/i, `error text should say the file is truncated: ${JSON.stringify(res)}`);
      });

      await step('(b) zero-length file: error names it', async (st) => {
        const res = await loadExpectingError(page, [empty], path.basename(empty));
        st.diagnostic(`error: ${JSON.stringify(res)}`);
        assert.equal(await page.getAttribute('body', 'data-state'), 'error');
        assert.ok(!res.includes(path.basename(truncated)), `the previous batch's error is still shown: ${JSON.stringify(res)}`);
        assert.match(res, /empty|0 bytes|zero|no data/i, `error text should say the file is empty: ${JSON.stringify(res)}`);
      });

      await step('(c) one bad file among two good ones: only the bad one is named; the good ones load', async (st) => {
        const good = [td('example/heap.pb.gz'), td('example/cpu.pb.gz')];
        await loadFiles(page, [good[0], bad, good[1]], { expect: 'error' });
        const res = await errorText(page);
        const files = await page.$$eval(SEL.profileEntry, (els) => els.map((e) => e.getAttribute('data-file')));
        const state = await page.getAttribute('body', 'data-state');
        st.diagnostic(`data-state=${state} error=${JSON.stringify(res)} files=${JSON.stringify(files)}`);
        assert.ok(res !== null, `no ${SEL.error} for ${path.basename(bad)}`);
        assert.ok(res.includes(path.basename(bad)), `error does not name ${path.basename(bad)}: ${JSON.stringify(res)}`);
        for (const g of good) {
          assert.ok(!res.includes(path.basename(g)), `error names the good file ${path.basename(g)}: ${JSON.stringify(res)}`);
          assert.ok(files.includes(path.basename(g)), `good file ${path.basename(g)} is not in the profile list: ${JSON.stringify(files)}`);
        }
        assert.ok(!files.includes(path.basename(bad)), `the bad file is in the profile list: ${JSON.stringify(files)}`);
      });

      await step('(d) markup, control characters and a 100 KB name are shown as text', async (st) => {
        await loadFiles(page, [injection], { expect: 'ready' });
        const top = await readTopTable(page);
        const names = top.rows.map((r) => r.fn);
        st.diagnostic(`top table: ${names.map((n) => JSON.stringify(n.length > 60 ? n.slice(0, 60) + `…(${n.length})` : n)).join(', ')}`);
        for (const [label, want] of [['<img> markup', IMG], ['</script> markup', SCRIPT], ['control characters', CTRL], ['100 KB name', LONG]]) {
          assert.ok(names.includes(want), `top table has no row whose data-function is exactly the ${label} name ${JSON.stringify(want.slice(0, 80))}`);
        }
        const dom = await page.evaluate(() => ({
          pwned: window.__pwned,
          imgs: [...document.querySelectorAll('img')].filter((i) => i.getAttribute('src') === 'x').length,
          scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__pwned')).length,
        }));
        assert.equal(dom.pwned, undefined, 'window.__pwned is set: a function name was executed as markup');
        assert.equal(dom.imgs, 0, 'an <img src=x> element exists: a function name was inserted as markup');
        assert.equal(dom.scripts, 0, 'a <script> with __pwned exists: a function name was inserted as markup');

        // Flame graph tooltip: the markup literally, and the long name cut short.
        const flameBtn = await page.$(SEL.viewFlame);
        assert.ok(flameBtn, `${SEL.viewFlame} is not present`);
        await actAndSettle(page, `clicking ${SEL.viewFlame}`, () => flameBtn.click(), {
          until: (sel) => Number(document.querySelector(sel)?.getAttribute('data-frames')) > 0,
          arg: SEL.flamegraph,
        });
        const { found, seen } = await hoverForTooltips(page, {
          img: (s) => s.includes(IMG),
          script: (s) => s.includes(SCRIPT),
          long: (s) => s.includes('main.longname_xxxxxxxx'),
        });
        st.diagnostic(`tooltips seen: ${seen.map((s) => JSON.stringify(s)).join(', ')}`);
        const longTip = found.get('long');
        if (longTip) st.diagnostic(`long-name tooltip: ${longTip.length} chars: ${JSON.stringify(longTip.slice(0, 60))}…${JSON.stringify(longTip.slice(-60))}`);
        await page.screenshot({ path: '/tmp/profdrop-hostile-flame.png' });
        assert.ok(found.has('img'), `no tooltip showed the <img> markup literally; seen: ${JSON.stringify(seen)}`);
        assert.ok(found.has('script'), `no tooltip showed the </script> markup literally; seen: ${JSON.stringify(seen)}`);
        assert.ok(longTip, `no tooltip for the 100 KB name; seen: ${JSON.stringify(seen)}`);
        assert.ok(longTip.length <= 600, `tooltip for the 100 KB name is ${longTip.length} characters, want at most ~600 (truncated with an ellipsis)`);
        assert.ok(/…|\.\.\./.test(longTip), 'tooltip for the 100 KB name is not marked as truncated (no ellipsis)');
        const after = await page.evaluate(() => ({
          pwned: window.__pwned,
          imgs: [...document.querySelectorAll('img')].filter((i) => i.getAttribute('src') === 'x').length,
        }));
        assert.equal(after.pwned, undefined, 'window.__pwned is set after hovering');
        assert.equal(after.imgs, 0, 'an <img src=x> element exists after hovering');
        const xReq = server.requests.slice(serverBoot).filter((r) => /\/x(\?|$)/.test(r.path));
        assert.deepEqual(xReq.map((r) => r.path), [], 'the server saw a request for "x" (an <img src=x> was created)');
      });

      await step('(e) a good file afterwards: data-state returns to ready, no error shown', async (st) => {
        await page.click(SEL.viewTop).catch(() => {});
        const res = await loadFiles(page, [td('example/goroutine.pb.gz')], { expect: 'ready' });
        st.diagnostic(`files: ${JSON.stringify(res.files)}`);
        assert.equal(res.error, null, `${SEL.error} still shown after a good load: ${JSON.stringify(res.error)}`);
        const top = await readTopTable(page);
        assert.ok(top.rows.length > 0, 'top table empty for example/goroutine.pb.gz');
      });

      await step('no request left the origin; after start-up only same-origin .js/.wasm', async (st) => {
        const after = collector.requests.slice(bootRequests);
        st.diagnostic(`requests after start-up: ${after.length ? after.join(', ') : 'none'}`);
        assert.deepEqual(collector.foreignRequests, [], 'requests to another origin');
        const other = after.filter((u) => {
          if (u.startsWith('blob:') || u.startsWith('data:')) return false;
          try {
            const url = new URL(u);
            return url.origin !== server.origin || !/\.(js|mjs|wasm)$/.test(url.pathname);
          } catch {
            return true;
          }
        });
        assert.deepEqual(other, [], 'requests made after start-up that are not same-origin .js/.wasm (dropping a file makes no other request)');
        assert.deepEqual(collector.pageErrors, [], 'uncaught page errors');
        assert.deepEqual(collector.panics, [], 'panics on the console');
      });
    } finally {
      await context.close().catch(() => {});
    }
    if (failures.length) t.diagnostic(`failed steps: ${failures.join('; ')}`);
  });
});
