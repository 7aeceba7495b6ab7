#!/usr/bin/env node
// Browser benchmark of the built page (dist/), in headless Chromium. Reports numbers, never
// asserts on time.
//
//   node tests/e2e/bench.mjs                   # M and L heap profiles from bench-out/
//   node tests/e2e/bench.mjs --sizes M --runs 3 --json bench-out/browser.json
//
// Env: DIST_DIR (default <repo>/dist), CHROMIUM_PATH (default /usr/bin/chromium),
//      BENCH_OUT (default <repo>/bench-out), BENCH_SIZES, BENCH_BROWSER_RUNS.
//
// Per profile and run, a cold page (new browser context) is opened and:
//   load      file set on input[type=file][data-testid=file-input] → body[data-state=ready]
//             with the file in the profile list and the top table present; timed in the
//             page from the input's `change` event (file transfer by the driver excluded)
//             to the state write, plus the next animation frame. Worker messages are
//             timestamped on the main thread (a wrapper around `Worker`), which splits the
//             load into read / inflate + decode (streamed) / build / summary→ready.
//   clicks    during the load, real mouse clicks (CDP input) every 50 ms on a probe button
//             the bench injects; latency = handler's performance.now() − event.timeStamp.
//   longtask  PerformanceObserver('longtask') on the page's main thread during the load.
//   flame     click [data-testid=view-flame] → ready again and canvas data-frames > 0,
//             + next animation frame.
//   hover     mouse onto a frame → [data-testid=flame-tooltip] shown, + next frame.
//   zoom      click a frame on row 1 → canvas data-root changes and ready, + next frame;
//             zoom out: click the view root (row 0).
//   memory    performance.memory (page JS heap; Chromium only), the worker's WebAssembly
//             memory (body[data-worker-memory] if the page sets it, else asked from the
//             worker), peak RSS of the renderer process (page + worker) from /proc.
// Prints one markdown table (metrics × profiles) and optionally writes JSON.

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { start as startServer, REPO_ROOT } from './server.mjs';
import { CHROMIUM_PATH, CHROMIUM_ARGS as HARNESS_CHROMIUM_ARGS } from './helpers.mjs';

// The harness's flags, plus precise performance.memory values (coarse buckets without it; no
// effect on timing).
const CHROMIUM_ARGS = [...HARNESS_CHROMIUM_ARGS, '--enable-precise-memory-info'];
const SEL = {
  fileInput: 'input[type=file][data-testid=file-input]',
  profileEntry: '[data-testid=profile-list] [data-file]',
  topTable: 'table[data-testid=top-table]',
  viewFlame: '[data-testid=view-flame]',
  flamegraph: 'canvas[data-testid=flamegraph]',
  tooltip: '[data-testid=flame-tooltip]',
  error: '[data-testid=error]',
};
const ROW = 18; // flame graph row height in CSS px (src/ui/flame.rs)
const LOAD_TIMEOUT = 600_000;
const STEP_TIMEOUT = 180_000;

/** Wait between the page's load and the drop (`--settle`). */
let SETTLE_MS = 300;

// ------------------------------------------------------------------------------- args

function parseArgs(argv) {
  const o = {
    sizes: (process.env.BENCH_SIZES || 'M,L').split(',').map((s) => s.trim()).filter(Boolean),
    runs: Number(process.env.BENCH_BROWSER_RUNS || 0) || 0,
    json: null,
    out: process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(REPO_ROOT, 'bench-out'),
    settle: 300,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--sizes') o.sizes = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--json') o.json = path.resolve(val());
    else if (a === '--out') o.out = path.resolve(val());
    else if (a === '--settle') o.settle = Number(val());
    else if (a === '-h' || a === '--help') {
      console.log('usage: node tests/e2e/bench.mjs [--sizes M,L] [--runs N] [--json FILE] [--out DIR] [--settle MS]');
      console.log('  --settle MS  wait after the page loaded before dropping the file (default 300: the');
      console.log('               workers have booted; 0: drop as soon as the file input shows)');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

// ------------------------------------------------------------------------------- profiles

function ensureProfile(dir, size) {
  const file = path.join(dir, `${size}.heap.pb.gz`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  console.error(`bench: generating ${file} with profgen ...`);
  const r = spawnSync('cargo', ['run', '--quiet', '--release', '--features', 'reference', '--bin', 'profgen', '--', file, '--size', size, '--seed', '1'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0 || !fs.existsSync(file)) throw new Error(`profgen failed for ${size} (exit ${r.status})`);
  return file;
}

// ------------------------------------------------------------------------------- in-page probes

// Installed before any page script (addInitScript). Everything is timestamped with the
// page's performance.now().
function initScript() {
  const w = window;
  w.__bench = { longtasks: [], states: [], worker: [], clicks: [], changeT: null, clickT: [], moveT: [] };
  const B = w.__bench;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.longtasks.push({ t: e.startTime, d: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    B.noLongtask = true;
  }
  // Worker messages as the main thread sees them (kind, stage, response type). A message is
  // `{Kind: {…fields}}` (protocol::wire); answers carry their JSON text in `resp.json`, itself
  // externally tagged ({"Top": {…}}).
  const W = w.Worker;
  if (W) {
    const kindOf = (m) => (m && typeof m === 'object' ? Object.keys(m)[0] : undefined);
    w.Worker = class extends W {
      constructor(...a) {
        super(...a);
        this.addEventListener('message', (e) => {
          const kind = kindOf(e.data);
          const d = (kind && e.data[kind]) || {};
          const json = d.resp && typeof d.resp.json === 'string' ? d.resp.json : null;
          const resp = json !== null ? (/^\{"(\w+)"/.exec(json) || [])[1] : undefined;
          B.worker.push({ t: performance.now(), kind, stage: d.stage, f: d.fraction, resp });
        });
      }
      postMessage(m, ...rest) {
        const kind = kindOf(m);
        B.worker.push({ t: performance.now(), kind: 'to-worker:' + kind, req: kind === 'Req' ? m.Req.req.req : undefined });
        return super.postMessage(m, ...rest);
      }
    };
  }
  // When the top table first shows (it comes before the flame graph).
  new MutationObserver(() => {
    if (B.changeT !== null && B.tableT == null && document.querySelector('table[data-testid=top-table]')) B.tableT = performance.now();
  }).observe(document, { childList: true, subtree: true });
  document.addEventListener('change', (e) => {
    if (e.target && e.target.matches && e.target.matches('input[type=file]')) B.changeT = performance.now();
  }, true);
  document.addEventListener('click', (e) => {
    if (e.isTrusted && e.target && e.target.id !== '__bench_probe') B.clickT.push(e.timeStamp);
  }, true);
  document.addEventListener('mousemove', (e) => {
    if (e.target && e.target.matches && e.target.matches('canvas')) B.moveT.push(e.timeStamp);
  }, true);
  const install = () => {
    new MutationObserver((recs) => {
      for (const r of recs) B.states.push({ t: performance.now(), s: document.body.getAttribute('data-state') });
    }).observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
    // The click probe: fixed in the bottom-right corner, outside the app's layout.
    const b = document.createElement('button');
    b.id = '__bench_probe';
    b.setAttribute('aria-hidden', 'true');
    b.tabIndex = -1;
    b.style.cssText = 'position:fixed;right:0;bottom:0;width:14px;height:14px;z-index:2147483647;opacity:0.01;padding:0;border:0;margin:0';
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      e.preventDefault();
      B.clicks.push({ t: e.timeStamp, lat: performance.now() - e.timeStamp });
    });
    document.documentElement.appendChild(b);
  };
  if (document.body) install();
  else document.addEventListener('DOMContentLoaded', install, { once: true });

  // Resolves when pred() holds (checked on every DOM mutation and every frame): t = when
  // it first held, frame = the next animation frame callback after that.
  w.__benchUntil = (pred, timeoutMs) =>
    new Promise((resolve, reject) => {
      let done = false;
      let raf = 0;
      const finish = () => {
        if (done) return;
        done = true;
        mo.disconnect();
        cancelAnimationFrame(raf);
        clearTimeout(timer);
        const t = performance.now();
        requestAnimationFrame(() => resolve({ t, frame: performance.now() }));
      };
      const check = () => {
        if (done) return;
        let ok = false;
        try {
          ok = pred();
        } catch {}
        if (ok) finish();
      };
      const mo = new MutationObserver(check);
      mo.observe(document.documentElement, { attributes: true, childList: true, subtree: true, characterData: true });
      const poll = () => {
        check();
        if (!done) raf = requestAnimationFrame(poll);
      };
      poll();
      const timer = setTimeout(() => {
        if (!done) {
          done = true;
          mo.disconnect();
          cancelAnimationFrame(raf);
          reject(new Error(`timed out after ${timeoutMs} ms; data-state=${document.body.getAttribute('data-state')}`));
        }
      }, timeoutMs);
    });
}

// ------------------------------------------------------------------------------- process memory

function rendererPids() {
  const pids = new Set();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes('--type=renderer') && !cmd.includes('--extension-process')) pids.add(Number(d));
    } catch {}
  }
  return pids;
}

function statusMB(pid, field) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = s.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const pct = (xs, p) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  return v[Math.min(v.length - 1, Math.floor(p * v.length))];
};

async function state(page) {
  return page.evaluate(() => ({
    state: document.body.getAttribute('data-state'),
    error: document.querySelector('[data-testid=error]')?.textContent?.trim().slice(0, 300) ?? null,
  }));
}

/** Arms a watch in the page (by name, so the predicate needs no eval under the page's CSP). */
async function arm(page, what, arg, timeoutMs) {
  await page.evaluate(
    ({ what, arg, SEL, timeout }) => {
      const B = window.__bench;
      const writes0 = B.states.length;
      const ready = () => document.body.getAttribute('data-state') === 'ready' && B.states.length > writes0;
      const preds = {
        load: () =>
          ready() &&
          [...document.querySelectorAll(SEL.profileEntry)].some((e) => e.getAttribute('data-file') === arg) &&
          !!document.querySelector(SEL.topTable)?.hasAttribute('data-total') &&
          document.querySelectorAll(SEL.topTable + ' tbody tr').length > 0,
        flame: () => ready() && Number(document.querySelector(SEL.flamegraph)?.getAttribute('data-frames')) > 0,
        root: () =>
          ready() &&
          document.querySelector(SEL.flamegraph)?.getAttribute('data-root') !== arg &&
          Number(document.querySelector(SEL.flamegraph)?.getAttribute('data-frames')) > 0,
        tooltip: () => !!document.querySelector(SEL.tooltip),
        // A refinement set through the URL hash: the view's answer (`arg.resp`) came after
        // `arg.t0`, the page is ready again, and what it draws is there.
        answered: () =>
          document.body.getAttribute('data-state') === 'ready' &&
          B.worker.some((m) => m.kind === 'Resp' && m.resp === arg.resp && m.t >= arg.t0) &&
          (arg.resp === 'Flame'
            ? Number(document.querySelector(SEL.flamegraph)?.getAttribute('data-frames')) > 0
            : !!document.querySelector(SEL.topTable)),
        notooltip: () => !document.querySelector(SEL.tooltip),
        // The graph view: its answer laid out (Graphviz in its worker) and drawn.
        // (First with straight edges, `lines`; `curved`: Graphviz's curves in their place.)
        graph: () =>
          ready() &&
          ['lines', 'done'].includes(document.querySelector('[data-testid=graph]')?.getAttribute('data-layout')) &&
          !!document.querySelector('[data-testid=graph] [data-drawn=all]'),
        curved: () => document.querySelector('[data-testid=graph]')?.getAttribute('data-layout') === 'done' && !!document.querySelector('[data-testid=graph] [data-drawn=all]'),
      };
      const errored = () => document.body.getAttribute('data-state') === 'error' && B.states.length > writes0;
      const pred = preds[what];
      window.__benchWatch = window.__benchUntil(() => {
        if (errored()) throw new Error('page error');
        return pred();
      }, timeout).then(
        (r) => ({ ...r, error: errored() ? document.querySelector(SEL.error)?.textContent?.trim() : null }),
        (e) => ({ timeout: String(e.message || e) }),
      );
    },
    { what, arg, SEL, timeout: timeoutMs ?? (what === 'load' ? LOAD_TIMEOUT : STEP_TIMEOUT) },
  );
}

async function waitArmed(page, label) {
  const r = await page.evaluate(() => window.__benchWatch);
  if (r.timeout) throw new Error(`${label}: ${r.timeout}`);
  const st = await state(page);
  if (st.state === 'error') throw new Error(`${label}: page shows an error: ${st.error}`);
  return r;
}

// ------------------------------------------------------------------------------- one run

async function benchOnce(browser, server, file) {
  const name = path.basename(file);
  const before = rendererPids();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  await context.addInitScript(initScript);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (/panicked/i.test(m.text())) pageErrors.push(m.text());
  });
  const res = { file: name, bytes: fs.statSync(file).size };
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector(SEL.fileInput, { state: 'attached' });
    await page.waitForSelector('body[data-state]', { state: 'attached' });
    if (SETTLE_MS > 0) {
      await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
      // Let the workers boot, so the load does not also time their start.
      await sleep(SETTLE_MS);
    }
    const renderers = [...rendererPids()].filter((p) => !before.has(p));

    // ---- load, with clicks every 50 ms on the probe
    const vp = page.viewportSize();
    const probe = { x: vp.width - 7, y: vp.height - 7 };
    await arm(page, 'load', name);
    let clicking = true;
    let sent = 0;
    const pending = [];
    const clicker = (async () => {
      while (clicking) {
        sent++;
        pending.push(page.mouse.click(probe.x, probe.y).catch(() => {}));
        await sleep(50);
      }
    })();
    const tNode0 = performance.now();
    await page.setInputFiles(SEL.fileInput, file);
    const tSet = performance.now();
    const load = await waitArmed(page, `loading ${name}`);
    const tNode1 = performance.now();
    clicking = false;
    await clicker;
    await Promise.race([Promise.allSettled(pending), sleep(30_000)]);
    const B = await page.evaluate(() => {
      const B = window.__bench;
      return { changeT: B.changeT, tableT: B.tableT ?? null, longtasks: B.longtasks, worker: B.worker, clicks: B.clicks, states: B.states, noLongtask: !!B.noLongtask };
    });
    const t0 = B.changeT;
    if (t0 === null) throw new Error('no change event on the file input');
    res.load_ms = load.t - t0;
    res.load_frame_ms = load.frame - t0;
    res.load_wall_ms = tNode1 - tNode0;
    res.set_input_ms = tSet - tNode0;
    // Stage split from worker messages (first message of each stage, main-thread receive time).
    const first = (pred) => B.worker.find((m) => m.t >= t0 && pred(m))?.t ?? null;
    const tSend = first((m) => m.kind === 'to-worker:Load');
    const tRead = first((m) => m.kind === 'Progress' && m.stage === 'Reading');
    const tInfl = first((m) => m.kind === 'Progress' && m.stage === 'Inflating');
    const tDec = first((m) => m.kind === 'Progress' && m.stage === 'Decoding');
    const tStream = first((m) => m.kind === 'Progress' && m.stage === 'Streaming');
    const tBuild = first((m) => m.kind === 'Progress' && m.stage === 'Building');
    const tPreview = first((m) => m.kind === 'Preview');
    const tLoaded = first((m) => m.kind === 'Loaded');
    const tTopResp = first((m) => m.kind === 'Resp' && m.resp === 'Top');
    const tFlameResp = first((m) => m.kind === 'Resp' && m.resp === 'Flame');
    res.table_ms = B.tableT !== null ? B.tableT - t0 : null;
    const d = (a, b) => (a !== null && b !== null ? b - a : null);
    res.split = {
      to_worker: d(t0, tSend),
      read: d(tRead ?? tSend, tInfl ?? tStream ?? tDec),
      inflate: d(tInfl, tDec),
      parse: d(tDec, tBuild),
      // A gzip file streams: inflate (one worker) and wire parse (the other) at once.
      // The stream ends with the top table summed while it came (a preview), if it could be.
      stream: d(tStream, tPreview ?? tBuild),
      preview_to_table: d(tPreview, B.tableT ?? null),
      build: d(tBuild, tLoaded),
      summary_to_top: d(tLoaded, tTopResp),
      top_to_flame: d(tTopResp !== null && tTopResp > (tLoaded ?? 0) ? tTopResp : tLoaded, tFlameResp),
      flame_to_ready: d(tFlameResp, load.t),
    };
    const inLoad = (t) => t >= t0 && t <= load.frame;
    const lts = B.longtasks.filter((l) => inLoad(l.t));
    res.longtask_count = B.noLongtask ? null : lts.length;
    res.longtask_max_ms = B.noLongtask ? null : lts.reduce((m, l) => Math.max(m, l.d), 0);
    res.longtask_total_ms = B.noLongtask ? null : lts.reduce((s, l) => s + l.d, 0);
    // When they happened (ms after the change event) and how long they took, to find them.
    res.longtasks_at = lts.map((l) => [Math.round(l.t - t0), Math.round(l.d)]);
    const lat = B.clicks.filter((c) => inLoad(c.t)).map((c) => c.lat);
    res.clicks_sent = sent;
    res.clicks_seen = lat.length;
    res.click_p50_ms = median(lat);
    res.click_p95_ms = pct(lat, 0.95);
    res.click_max_ms = lat.length ? Math.max(...lat) : null;
    res.top = await page.evaluate((SEL) => {
      const t = document.querySelector(SEL.topTable);
      return { total: t?.getAttribute('data-total'), sampleType: t?.getAttribute('data-sample-type'), rows: t?.querySelectorAll('tbody tr').length };
    }, SEL);
    res.js_heap_mb = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null));

    // ---- flame graph
    const nLong = (await page.evaluate(() => window.__bench.longtasks.length));
    await arm(page, 'flame');
    await page.evaluate(() => (window.__bench.clickT = []));
    await page.click(SEL.viewFlame);
    const fl = await waitArmed(page, 'flame graph');
    const clickT = await page.evaluate(() => window.__bench.clickT[0]);
    res.flame_ms = fl.t - clickT;
    res.flame_frame_ms = fl.frame - clickT;
    const fLong = (await page.evaluate((n) => window.__bench.longtasks.slice(n), nLong)).filter((l) => l.t >= clickT);
    res.flame_longtask_max_ms = fLong.reduce((m, l) => Math.max(m, l.d), 0);
    res.flame_frames = await page.$eval(SEL.flamegraph, (c) => Number(c.getAttribute('data-frames')));

    // ---- hover: tooltip latency over frames of row 1
    const box = await page.locator(SEL.flamegraph).boundingBox();
    const hover = [];
    let hit = null;
    const y1 = box.y + ROW * 1.5;
    const xs = [];
    for (let i = 1; i < 20; i++) xs.push(box.x + (box.width * i) / 20);
    for (const x of xs) {
      if (hover.length >= 5) break;
      await page.mouse.move(box.x + box.width / 2, Math.max(0, box.y - 40)); // off the canvas
      await arm(page, 'notooltip', null, 3000);
      await waitArmed(page, 'tooltip hidden').catch(() => {});
      await page.evaluate(() => (window.__bench.moveT = []));
      await arm(page, 'tooltip', null, 2000);
      await page.mouse.move(x, y1);
      const r = await page.evaluate(() => window.__benchWatch);
      if (r.timeout) continue; // no frame under this point
      const mt = await page.evaluate(() => window.__bench.moveT.at(-1));
      if (mt === undefined) continue;
      hover.push(r.frame - mt);
      hit = hit ?? { x, y: y1 };
    }
    res.hover_ms = median(hover);
    res.hover_n = hover.length;

    // ---- zoom in (click a frame on row 1) and out (click the view root, row 0)
    const zin = [];
    const zout = [];
    // The canvas's own redraw time (layout + paint, `data-draw-ms`) for the first draw and
    // every zoom: what "a redraw takes under 16 ms" is about; the zoom rows above add the
    // worker round trip for the new view.
    const redraw = [await page.$eval(SEL.flamegraph, (c) => Number(c.getAttribute('data-draw-ms')))];
    if (hit) {
      for (let i = 0; i < 3; i++) {
        for (const [dir, y, arr] of [['in', hit.y, zin], ['out', box.y + ROW * 0.5, zout]]) {
          const root = await page.$eval(SEL.flamegraph, (c) => c.getAttribute('data-root'));
          await arm(page, 'root', root);
          await page.evaluate(() => (window.__bench.clickT = []));
          await page.mouse.click(hit.x, y);
          const r = await waitArmed(page, `zoom ${dir}`);
          const ct = await page.evaluate(() => window.__bench.clickT.at(-1));
          arr.push(r.frame - ct);
          redraw.push(await page.$eval(SEL.flamegraph, (c) => Number(c.getAttribute('data-draw-ms'))));
          // Did the redraw wait for the worker's Flame answer (it should: zoom is a request)?
          const viaWorker = await page.evaluate(
            ({ ct, t }) => window.__bench.worker.some((m) => m.kind === 'Resp' && m.resp === 'Flame' && m.t >= ct && m.t <= t),
            { ct, t: r.t },
          );
          if (!viaWorker) res.zoom_note = 'redrawn without a worker round trip';
        }
      }
    }
    res.zoom_in_ms = median(zin);
    res.zoom_out_ms = median(zout);
    res.redraw_ms = median(redraw.filter((x) => Number.isFinite(x)));
    res.redraw_max_ms = Math.max(...redraw.filter((x) => Number.isFinite(x)));
    res.redraw_n = redraw.filter((x) => Number.isFinite(x)).length;

    // ---- refine through the URL hash (pprof's parameters): a focus on the 4th function of the
    // table, then the lines granularity, in the top view; then the focus in the flame view.
    // Each step: hash assigned → the view's answer → ready + next frame, and the longest
    // main-thread task meanwhile.
    const refineStep = async (hash, resp, key) => {
      const nl = await page.evaluate(() => window.__bench.longtasks.length);
      const t0 = await page.evaluate(() => performance.now());
      await arm(page, 'answered', { t0, resp });
      await page.evaluate((h) => (location.hash = h), hash);
      const r = await waitArmed(page, `refine ${key}`);
      res[`${key}_ms`] = r.frame - t0;
      const lt = (await page.evaluate((n) => window.__bench.longtasks.slice(n), nl)).filter((l) => l.t >= t0);
      res[`${key}_longtask_max_ms`] = lt.reduce((m, l) => Math.max(m, l.d), 0);
    };
    const base = await page.evaluate(() => location.hash.replace(/^#/, ''));
    const strip = (h) => h.split('&').filter((kv) => !/^(view|f|g)=/.test(kv)).join('&');
    await page.evaluate((h) => (location.hash = h), `${strip(base)}&view=top`);
    await page.waitForFunction(() => document.body.getAttribute('data-state') === 'ready' && document.querySelector('table[data-testid=top-table] tbody tr'));
    const fname = await page.$eval(SEL.topTable + ' tbody tr:nth-child(4)', (tr) => tr.getAttribute('data-function'));
    const focus = `f=${encodeURIComponent('^' + fname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$')}`;
    try {
      await refineStep(`${strip(base)}&view=top&${focus}`, 'Top', 'refine_focus_table');
      await refineStep(`${strip(base)}&view=top&${focus}&g=lines`, 'Top', 'refine_lines_table');
      await page.evaluate((h) => (location.hash = h), `${strip(base)}&view=flame`);
      await page.waitForFunction(() => document.body.getAttribute('data-state') === 'ready' && Number(document.querySelector('canvas[data-testid=flamegraph]')?.getAttribute('data-frames')) > 0);
      await refineStep(`${strip(base)}&view=flame&${focus}`, 'Flame', 'refine_focus_flame');
      res.refine_links = await page.evaluate(() => document.querySelector('[data-testid=link-notes]')?.textContent?.trim() ?? null);
    } catch (e) {
      res.refine_note = String(e.message || e).slice(0, 200);
    }

    // ---- graph view (pprof's call graph, view=graph through the hash as a link opens it):
    // hash assigned → graph computed, laid out off the main thread, drawn + next frame; the
    // longest main-thread task meanwhile, and clicks sent every 50 ms answered.
    try {
      const nl = await page.evaluate(() => window.__bench.longtasks.length);
      const t0 = await page.evaluate(() => performance.now());
      await arm(page, 'graph', null, 60_000);
      await page.evaluate((h) => (location.hash = h), `${strip(base)}&view=graph`);
      const r = await waitArmed(page, 'graph view');
      res.graph_ms = r.frame - t0;
      await arm(page, 'curved', null, 60_000);
      const c = await waitArmed(page, 'graph curves');
      res.graph_curved_ms = c.frame - t0;
      const g = await page.$eval('[data-testid=graph]', (el) => ({ nodes: Number(el.getAttribute('data-nodes')), edges: Number(el.getAttribute('data-edges')), layout: Number(el.getAttribute('data-layout-ms')) }));
      res.graph_nodes = g.nodes;
      res.graph_edges = g.edges;
      res.graph_layout_ms = g.layout;
      const lt = (await page.evaluate((n) => window.__bench.longtasks.slice(n), nl)).filter((l) => l.t >= t0);
      res.graph_longtask_max_ms = lt.reduce((m, l) => Math.max(m, l.d), 0);
    } catch (e) {
      res.graph_note = String(e.message || e).slice(0, 200);
    }

    // ---- memory
    res.js_heap_after_flame_mb = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null));
    const wm = await page.evaluate(() => document.body.getAttribute('data-worker-memory'));
    res.worker_wasm_at_load_mb = wm ? Number(wm) / 1048576 : null;
    // Every worker's WebAssembly memory, summed (the engine worker and the inflate worker
    // it starts).
    res.worker_wasm_mb = null;
    for (const w of page.workers()) {
      try {
        res.worker_wasm_mb = (res.worker_wasm_mb ?? 0) + await w.evaluate(async () => {
          const m = await import(new URL('./profdrop.js', self.location.href).href);
          const wasm = await m.default();
          return wasm.memory.buffer.byteLength / 1048576;
        });
      } catch {}
    }
    const rss = renderers.map((p) => statusMB(p, 'VmHWM')).filter((x) => x !== null);
    res.renderer_peak_rss_mb = rss.length ? Math.max(...rss) : null;
    if (pageErrors.length) res.page_errors = pageErrors.slice(0, 5);
  } finally {
    await context.close().catch(() => {});
  }
  return res;
}

// ------------------------------------------------------------------------------- report

const fmt = (v, digits = 0) => (v === null || v === undefined || Number.isNaN(v) ? '–' : typeof v === 'number' ? v.toFixed(digits) : String(v));

function aggregate(runs) {
  // Median of every numeric field across runs; non-numeric fields from the last run.
  const out = { ...runs.at(-1), runs: runs.length };
  const keys = new Set(runs.flatMap((r) => Object.keys(r)));
  for (const k of keys) {
    if (runs.every((r) => typeof r[k] === 'number' || r[k] === null || r[k] === undefined) && runs.some((r) => typeof r[k] === 'number')) {
      out[k] = median(runs.map((r) => r[k]));
    }
  }
  out.split = {};
  for (const k of Object.keys(runs.at(-1).split || {})) out.split[k] = median(runs.map((r) => r.split?.[k]));
  return out;
}

function table(results) {
  const cols = results.map((r) => r.size);
  const rows = [
    ['file (gz MB)', (r) => fmt(r.bytes / 1e6, 1)],
    ['runs (cold page each)', (r) => fmt(r.runs)],
    ['**load → ready: table + flame graph drawn** (ms)', (r) => `**${fmt(r.load_ms)}**`],
    ['**load → top table visible** (ms)', (r) => `**${fmt(r.table_ms)}**`],
    ['↳ + next frame (ms)', (r) => fmt(r.load_frame_ms)],
    ['↳ change → load posted to worker', (r) => fmt(r.split.to_worker)],
    ['↳ read file in worker', (r) => fmt(r.split.read)],
    ['↳ inflate + wire parse, streamed (two workers at once)', (r) => fmt(r.split.stream)],
    ['↳ inflate', (r) => fmt(r.split.inflate)],
    ['↳ wire parse', (r) => fmt(r.split.parse)],
    ['↳ stream end (top table summed meanwhile) → table shown', (r) => fmt(r.split.preview_to_table)],
    ['↳ build model (the table is on screen meanwhile)', (r) => fmt(r.split.build)],
    ['↳ summary → Top response (no early table)', (r) => fmt(r.split.summary_to_top)],
    ['↳ model (and table) → Flame response', (r) => fmt(r.split.top_to_flame)],
    ['↳ Flame response → ready (drawn)', (r) => fmt(r.split.flame_to_ready)],
    ['driver wall time, setInputFiles → ready (ms)', (r) => fmt(r.load_wall_ms)],
    ['long tasks during load: count / max / total ms', (r) => `${fmt(r.longtask_count)} / ${fmt(r.longtask_max_ms)} / ${fmt(r.longtask_total_ms)}`],
    ['clicks every 50 ms during load: seen / sent', (r) => `${fmt(r.clicks_seen)} / ${fmt(r.clicks_sent)}`],
    ['click latency p50 / p95 / max (ms)', (r) => `${fmt(r.click_p50_ms, 1)} / ${fmt(r.click_p95_ms, 1)} / ${fmt(r.click_max_ms, 1)}`],
    ['**flame view: click → drawn** (ms)', (r) => `**${fmt(r.flame_ms)}**`],
    ['↳ + next frame (ms); frames drawn', (r) => `${fmt(r.flame_frame_ms)}; ${fmt(r.flame_frames)}`],
    ['↳ longest main-thread task (ms)', (r) => fmt(r.flame_longtask_max_ms)],
    ['hover → tooltip + frame (ms, median)', (r) => `${fmt(r.hover_ms, 1)} (n=${fmt(r.hover_n)})`],
    ['**canvas redraw: layout + paint (ms, median / max)**', (r) => `**${fmt(r.redraw_ms, 1)}** / ${fmt(r.redraw_max_ms, 1)} (n=${fmt(r.redraw_n)})`],
    ['zoom in: click → redrawn + frame (ms)', (r) => fmt(r.zoom_in_ms)],
    ['zoom out: click → redrawn + frame (ms)', (r) => fmt(r.zoom_out_ms)],
    ['**refine: focus (hash f=) → top table + frame (ms)**', (r) => `**${fmt(r.refine_focus_table_ms)}**`],
    ['↳ then granularity lines (g=lines) → top table + frame (ms)', (r) => fmt(r.refine_lines_table_ms)],
    ['**refine: focus in the flame view → flame drawn + frame (ms)**', (r) => `**${fmt(r.refine_focus_flame_ms)}**`],
    ['↳ longest main-thread task during the three (ms)', (r) => fmt(Math.max(r.refine_focus_table_longtask_max_ms ?? 0, r.refine_lines_table_longtask_max_ms ?? 0, r.refine_focus_flame_longtask_max_ms ?? 0))],
    ['**graph view: link (view=graph) → graph drawn** (straight edges; ms)', (r) => `**${fmt(r.graph_ms)}**` + (r.graph_note ? ` (${r.graph_note})` : '')],
    ['↳ curved edges in place (ms)', (r) => fmt(r.graph_curved_ms)],
    ['↳ Graphviz layout with curves in its worker (ms); nodes / edges', (r) => `${fmt(r.graph_layout_ms)}; ${fmt(r.graph_nodes)} / ${fmt(r.graph_edges)}`],
    ['↳ longest main-thread task (ms)', (r) => fmt(r.graph_longtask_max_ms)],
    ['page JS heap after load / after flame (MB)', (r) => `${fmt(r.js_heap_mb)} / ${fmt(r.js_heap_after_flame_mb)}`],
    ['worker wasm memory after load / at end (MB)', (r) => `${fmt(r.worker_wasm_at_load_mb)} / ${fmt(r.worker_wasm_mb)}`],
    ['renderer peak RSS (page + worker, MB)', (r) => fmt(r.renderer_peak_rss_mb)],
    ['top table data-total (sample type)', (r) => `${r.top?.total ?? '–'} (${r.top?.sampleType ?? '–'})`],
  ];
  let md = `\n### profdrop in Chromium (headless, ${cols.length} profile${cols.length > 1 ? 's' : ''}; medians over runs)\n\n`;
  md += `| metric | ${cols.join(' | ')} |\n|---|${cols.map(() => '---:').join('|')}|\n`;
  for (const [label, f] of rows) md += `| ${label} | ${results.map(f).join(' | ')} |\n`;
  return md;
}

// ------------------------------------------------------------------------------- main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  SETTLE_MS = o.settle;
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
  const server = await startServer(); // throws a clear error when dist/ is not built
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const chromiumVersion = browser.version();
  const results = [];
  try {
    for (const size of o.sizes) {
      const file = ensureProfile(o.out, size);
      const n = o.runs || (size === 'L' || size === 'XL' ? 1 : 3);
      const runs = [];
      for (let i = 0; i < n; i++) {
        console.error(`bench: ${size} run ${i + 1}/${n} (${path.basename(file)}) ...`);
        const r = await benchOnce(browser, server, file);
        console.error(
          `bench:   load ${fmt(r.load_ms)} ms, flame ${fmt(r.flame_ms)} ms, zoom ${fmt(r.zoom_in_ms)}/${fmt(r.zoom_out_ms)} ms, ` +
            `longtask max ${fmt(r.longtask_max_ms)} ms, click p95 ${fmt(r.click_p95_ms, 1)} ms` +
            (r.page_errors ? `; page errors: ${r.page_errors.join(' | ')}` : ''),
        );
        runs.push(r);
      }
      results.push({ size, ...aggregate(runs), all_runs: runs });
    }
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
  console.log(table(results));
  if (o.json) {
    fs.mkdirSync(path.dirname(o.json), { recursive: true });
    fs.writeFileSync(o.json, JSON.stringify({ chromium: chromiumVersion, results }, null, 2));
    console.error(`bench: wrote ${o.json}`);
  }
}

main().catch((e) => {
  console.error(`bench: FAILED: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
