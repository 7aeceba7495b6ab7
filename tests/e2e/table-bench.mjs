#!/usr/bin/env node
// Browser benchmark of a big table's first paint (issue 14, item 5): the top table when a
// profile's stream ends, and the diff table when the diff view opens. Reports numbers, never
// asserts on time. Several dists can be compared in one batch, run after run alternating, so
// that a busy machine weighs on each alike.
//
//   node tests/e2e/table-bench.mjs [--runs 5] [--json FILE] [--profile F] [--base F] [DIST ...]
//
// DIST: built sites (default: DIST_DIR or <repo>/dist). Profiles: bench-out/M.heap.pb.gz (the
// top table) and bench-out/M2.heap.pb.gz (the diff's target), as `.ci/bench` makes them.
//
// Per run and dist, a cold page (new browser context):
//   top    the file set on data-testid=file-input; from the worker's Preview message (the
//          stream ended with the top table summed) to: the table element in the DOM (the figure
//          `tests/e2e/bench.mjs` reports as "stream end → table shown"), its first 200 rows in
//          the DOM, and the frame that shows them (a task after the next animation frame);
//   diff   both files loaded, data-testid=view-diff clicked in the page; from the click to the
//          diff table's first 200 rows in the DOM, and to the frame that shows them.
// Each is also given as main-thread CPU time (`cpu_*`: the thread time of the page's tasks in
// that span, from a Chromium trace), which a busy machine inflates far less than wall time.
// The worker's messages are recognised in both wire formats (`{kind: 'preview', …}` before
// the typed protocol, `{Preview: {…}}` after it), so older builds can be measured too.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { start as startServer, REPO_ROOT } from './server.mjs';
import { CHROMIUM_PATH, CHROMIUM_ARGS } from './helpers.mjs';

function args(argv) {
  const o = { runs: 5, json: null, dists: [], profile: path.join(REPO_ROOT, 'bench-out/M.heap.pb.gz'), base: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i]);
    else if (argv[i] === '--json') o.json = path.resolve(argv[++i]);
    else if (argv[i] === '--profile') o.profile = path.resolve(argv[++i]);
    else if (argv[i] === '--base') o.base = path.resolve(argv[++i]);
    else if (argv[i].startsWith('--')) throw new Error(`unknown argument ${argv[i]}`);
    else o.dists.push(path.resolve(argv[i]));
  }
  if (!o.dists.length) o.dists.push(process.env.DIST_DIR ? path.resolve(process.env.DIST_DIR) : path.join(REPO_ROOT, 'dist'));
  o.target = o.profile.replace(/M\.heap\.pb\.gz$/, 'M2.heap.pb.gz');
  return o;
}

// Installed before the page's scripts: the Preview message's time, and when the top table and
// its 200th row first appear in the DOM.
function initScript() {
  const B = (window.__tb = { preview: null, table: null, rows: null });
  const W = window.Worker;
  window.Worker = class extends W {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => {
        const d = e.data;
        const kind = d && typeof d === 'object' ? (typeof d.kind === 'string' ? d.kind : Object.keys(d)[0]) : '';
        if (B.preview === null && String(kind).toLowerCase() === 'preview') {
          B.preview = performance.now();
          performance.mark('tb-start');
        }
      });
    }
  };
  new MutationObserver(() => {
    if (B.preview === null) return;
    const t = document.querySelector('table[data-testid=top-table]');
    if (t && B.table === null) {
      B.table = performance.now();
      performance.mark('tb-table');
    }
    if (t && B.rows === null && t.querySelectorAll('tbody tr').length >= 200) {
      B.rows = performance.now();
      performance.mark('tb-rows');
      requestAnimationFrame(() =>
        setTimeout(() => {
          B.frame = performance.now();
          performance.mark('tb-frame');
        }, 0),
      );
    }
  }).observe(document, { childList: true, subtree: true });
}

const TRACE = path.join(os.tmpdir(), `profdrop-table-bench-${process.pid}.json`);
const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'];

/** Main-thread CPU (ms of thread time) from mark `from` to each of `to`, in the trace written. */
function cpu(from, to) {
  const ev = JSON.parse(fs.readFileSync(TRACE, 'utf8')).traceEvents;
  fs.rmSync(TRACE, { force: true });
  const mark = (n) => ev.find((e) => e.name === n);
  const a = mark(from);
  const tasks = ev.filter((e) => e.tid === a.tid && e.name === 'RunTask' && e.ph === 'X');
  const out = {};
  for (const [k, n] of Object.entries(to)) {
    const b = mark(n);
    out[k] = tasks.filter((e) => e.ts + e.dur >= a.ts && e.ts <= b.ts).reduce((s, e) => s + ((e.tdur ?? e.dur) * (Math.min(b.ts, e.ts + e.dur) - Math.max(a.ts, e.ts))) / Math.max(1, e.dur), 0) / 1000;
  }
  return out;
}

async function top(browser, url, file) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(initScript);
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(300);
    await browser.startTracing(page, { path: TRACE, categories: CATEGORIES });
    await page.setInputFiles('input[type=file][data-testid=file-input]', file);
    await page.waitForFunction(() => window.__tb.frame !== undefined, null, { timeout: 120_000 });
    await browser.stopTracing();
    const B = await page.evaluate(() => window.__tb);
    const c = cpu('tb-start', { cpu_table_ms: 'tb-table', cpu_frame_ms: 'tb-frame' });
    return { table_ms: B.table - B.preview, rows_ms: B.rows - B.preview, frame_ms: B.frame - B.preview, ...c };
  } finally {
    await context.close();
  }
}

async function diff(browser, url, base, target) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.setInputFiles('input[type=file][data-testid=file-input]', [base, target]);
    await page.waitForFunction(() => document.body.getAttribute('data-state') === 'ready' && document.querySelectorAll('[data-testid=profile-list] [data-file]').length === 2, null, { timeout: 120_000 });
    await page.waitForTimeout(300);
    await browser.startTracing(page, { path: TRACE, categories: CATEGORIES });
    const r = await page.evaluate(
      () =>
        new Promise((resolve) => {
          performance.mark('tb-start');
          const t0 = performance.now();
          let rows = null;
          const check = () => {
            const t = document.querySelector('table[data-testid=diff-table]');
            if (rows === null && t && t.querySelectorAll('tbody tr').length >= 200) {
              rows = performance.now();
              performance.mark('tb-rows');
              mo.disconnect();
              requestAnimationFrame(() =>
                setTimeout(() => {
                  performance.mark('tb-frame');
                  resolve({ rows_ms: rows - t0, frame_ms: performance.now() - t0 });
                }, 0),
              );
            }
          };
          const mo = new MutationObserver(check);
          mo.observe(document, { childList: true, subtree: true });
          document.querySelector('[data-testid=view-diff]').click();
          check();
        }),
    );
    await browser.stopTracing();
    return { ...r, ...cpu('tb-start', { cpu_rows_ms: 'tb-rows', cpu_frame_ms: 'tb-frame' }) };
  } finally {
    await context.close();
  }
}

const median = (v) => {
  const s = v.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};

async function main() {
  const o = args(process.argv.slice(2));
  const base = o.base ?? o.profile;
  for (const f of [o.profile, o.target]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run BENCH_SIZES=M bash .ci/bench (or profgen) first`);
  const servers = [];
  for (const d of o.dists) {
    process.env.DIST_DIR = d;
    servers.push(await startServer());
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const res = o.dists.map(() => []);
  try {
    for (let i = 0; i < o.runs; i++) {
      for (let k = 0; k < o.dists.length; k++) {
        const t = await top(browser, servers[k].url, o.profile);
        const d = await diff(browser, servers[k].url, base, o.target);
        const r = { ...Object.fromEntries(Object.entries(t).map(([a, v]) => ['top_' + a, v])), ...Object.fromEntries(Object.entries(d).map(([a, v]) => ['diff_' + a, v])) };
        res[k].push(r);
        console.error(`table-bench: run ${i + 1} ${o.dists[k]}: ${Object.entries(r).map(([a, v]) => `${a} ${v.toFixed(1)}`).join(', ')}`);
      }
    }
  } finally {
    await browser.close();
    for (const s of servers) await s.close();
  }
  const keys = ['top_table_ms', 'top_rows_ms', 'top_frame_ms', 'top_cpu_table_ms', 'top_cpu_frame_ms', 'diff_rows_ms', 'diff_frame_ms', 'diff_cpu_rows_ms', 'diff_cpu_frame_ms'];
  const label = {
    top_table_ms: 'top: stream end (Preview) → table element in the DOM (bench.mjs "stream end → table shown")',
    top_rows_ms: 'top: stream end → 200 rows in the DOM',
    top_frame_ms: 'top: stream end → 200 rows shown (next frame)',
    top_cpu_table_ms: 'top: main-thread CPU, stream end → table in the DOM',
    top_cpu_frame_ms: 'top: main-thread CPU, stream end → 200 rows shown',
    diff_cpu_rows_ms: 'diff: main-thread CPU, tab clicked → 200 rows in the DOM',
    diff_cpu_frame_ms: 'diff: main-thread CPU, tab clicked → 200 rows shown',
    diff_rows_ms: 'diff: tab clicked → 200 rows in the DOM',
    diff_frame_ms: 'diff: tab clicked → 200 rows shown (next frame)',
  };
  let md = `\n### Table first paint in Chromium (${path.basename(o.profile)}; diff ${path.basename(base)} → ${path.basename(o.target)}; median of ${o.runs} cold pages, dists alternating)\n\n`;
  md += `| metric (ms) | ${o.dists.map((d) => path.relative(process.cwd(), d) || d).join(' | ')} |\n|---|${o.dists.map(() => '---:').join('|')}|\n`;
  for (const k of keys) md += `| ${label[k]} | ${res.map((r) => median(r.map((x) => x[k]))?.toFixed(1) ?? '–').join(' | ')} |\n`;
  console.log(md);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ dists: o.dists, runs: res }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
