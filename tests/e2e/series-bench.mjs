#!/usr/bin/env node
// Browser benchmark of a long series: N heap snapshots (default 100 of ~2 MB each, written by
// `profgen --series`) set on the file input at once on a cold page, then the leak view. Reports
// numbers, never asserts on time.
//
//   node tests/e2e/series-bench.mjs [--dir bench-out/series100] [--runs 1] [--json FILE]
//
// Measured in the page: the input's `change` → every profile listed and ready (load), then the
// Leaks tab clicked → the leak table and the timeline shown (leaks), each + the next frame; the
// longest main-thread task in each; the workers' WebAssembly memory at the end; the renderer's
// peak RSS. Progress is checked too: the page must say how far the load is while it runs.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { start as startServer, REPO_ROOT } from './server.mjs';
import { CHROMIUM_PATH, CHROMIUM_ARGS } from './helpers.mjs';

function parseArgs(argv) {
  const o = { dir: path.join(REPO_ROOT, 'bench-out', 'series100'), runs: 1, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => argv[++i];
    if (a === '--dir') o.dir = path.resolve(val());
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--json') o.json = path.resolve(val());
    else if (a === '-h' || a === '--help') {
      console.log('usage: node tests/e2e/series-bench.mjs [--dir DIR] [--runs N] [--json FILE]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};

function pageInit() {
  const B = (window.__sb = { longtasks: [], progress: 0, changeT: null });
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) B.longtasks.push({ t: e.startTime, d: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  document.addEventListener('change', (e) => {
    if (e.target?.matches?.('input[type=file]')) B.changeT = performance.now();
  }, true);
  // Progress shown while loading: how many times the page showed a progress element.
  new MutationObserver(() => {
    if (document.querySelector('progress, [data-testid=progress]')) B.progress++;
  }).observe(document, { childList: true, subtree: true });
  window.__sbUntil = (pred, timeout) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const tick = () => {
        let ok = false;
        try { ok = pred(); } catch {}
        if (ok) {
          const t = performance.now();
          requestAnimationFrame(() => resolve({ t, frame: performance.now() }));
        } else if (performance.now() - t0 > timeout) reject(new Error('timed out'));
        else requestAnimationFrame(tick);
      };
      tick();
    });
}

async function once(browser, server, files) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(pageInit);
  await page.goto(server.url, { waitUntil: 'load' });
  await page.waitForSelector('input[type=file][data-testid=file-input]', { state: 'attached' });
  const res = { files: files.length, bytes: files.reduce((a, f) => a + fs.statSync(f).size, 0) };
  const loaded = page.evaluate((n) => window.__sbUntil(() =>
    document.querySelectorAll('[data-testid=profile-list] [data-file]').length === n && document.body.getAttribute('data-state') === 'ready', 600000), files.length);
  await page.setInputFiles('input[type=file][data-testid=file-input]', files);
  const l = await loaded;
  const changeT = await page.evaluate(() => window.__sb.changeT);
  res.load_ms = l.frame - changeT;
  let lt = await page.evaluate(() => window.__sb.longtasks);
  res.load_longtask_max_ms = lt.filter((x) => x.t >= changeT).reduce((m, x) => Math.max(m, x.d), 0);
  res.progress_seen = await page.evaluate(() => window.__sb.progress > 0);
  const nl = lt.length;
  const t0 = await page.evaluate(() => performance.now());
  const shown = page.evaluate(() => window.__sbUntil(() =>
    document.body.getAttribute('data-state') === 'ready' && document.querySelector('table[data-testid=leak-table]') &&
    document.querySelectorAll('[data-testid=timeline] [data-point]').length > 0, 600000));
  await page.click('[data-testid=view-leaks]');
  const s = await shown;
  res.leaks_ms = s.frame - t0;
  lt = await page.evaluate(() => window.__sb.longtasks);
  res.leaks_longtask_max_ms = lt.slice(nl).reduce((m, x) => Math.max(m, x.d), 0);
  res.total_ms = res.load_ms + res.leaks_ms;
  res.suspects = await page.$$eval('table[data-testid=leak-table] tbody tr', (trs) => trs.slice(0, 3).map((tr) => tr.getAttribute('data-function')));
  res.points = await page.$$eval('[data-testid=timeline] [data-point]', (ps) => ps.length);
  res.worker_wasm_mb = 0;
  for (const w of page.workers()) {
    try {
      res.worker_wasm_mb += await w.evaluate(async () => {
        const m = await import(new URL('./profdrop.js', self.location.href).href);
        const wasm = await m.default();
        return wasm.memory.buffer.byteLength / 1048576;
      });
    } catch {}
  }
  await context.close();
  return res;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(o.dir)) throw new Error(`${o.dir} is missing: make it with target/release/profgen --series 100 ${o.dir} --samples 60000`);
  const files = fs.readdirSync(o.dir).filter((f) => f.endsWith('.pb.gz')).sort().map((f) => path.join(o.dir, f));
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const runs = [];
  try {
    for (let i = 0; i < o.runs; i++) {
      const r = await once(browser, server, files);
      console.error(`series-bench: run ${i + 1}: load ${r.load_ms.toFixed(0)} ms, leak view ${r.leaks_ms.toFixed(0)} ms, wasm ${r.worker_wasm_mb.toFixed(0)} MB`);
      runs.push(r);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const m = (k) => median(runs.map((r) => r[k]));
  const last = runs.at(-1);
  const fmt = (v) => (v === null || v === undefined ? '–' : Math.round(v).toString());
  let md = `\n### A long series in Chromium (${last.files} heap snapshots, ${(last.bytes / last.files / 1e6).toFixed(1)} MB each; median of ${runs.length} cold page${runs.length > 1 ? 's' : ''})\n\n`;
  md += '| metric | value |\n|---|---:|\n';
  md += `| files set on the input → every profile listed and ready (ms) | ${fmt(m('load_ms'))} |\n`;
  md += `| ↳ longest main-thread task (ms) | ${fmt(m('load_longtask_max_ms'))} |\n`;
  md += `| ↳ progress shown while loading | ${last.progress_seen ? 'yes' : 'no'} |\n`;
  md += `| Leaks tab → leak table and timeline shown (ms) | ${fmt(m('leaks_ms'))} |\n`;
  md += `| ↳ longest main-thread task (ms) | ${fmt(m('leaks_longtask_max_ms'))} |\n`;
  md += `| **load + leak view (ms)** | **${fmt(m('total_ms'))}** |\n`;
  md += `| workers' wasm memory at the end (MB) | ${fmt(m('worker_wasm_mb'))} |\n`;
  md += `| timeline points; first suspects | ${last.points}; ${last.suspects.join(', ')} |\n`;
  console.log(md);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ runs, median: { load_ms: m('load_ms'), leaks_ms: m('leaks_ms'), total_ms: m('total_ms') } }, null, 2));
}

main().catch((e) => {
  console.error(`series-bench: ${e.stack || e}`);
  process.exit(1);
});
