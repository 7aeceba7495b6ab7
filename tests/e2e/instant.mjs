#!/usr/bin/env node
// A new user's first load, timed: a cold browser (a fresh profile directory, so no cached
// compiled code), the page opened, and the file set on the file input the moment the input
// exists. No clicks, no settling. Reports file → top table and file → ready (every view of the
// selection drawn: in the default view the top table and the flame graph), per build, in
// alternating order so that a drifting machine hits every build alike. Numbers, never asserts.
//
//   node tests/e2e/instant.mjs --files M.pb.gz,L.pb.gz --runs 3 [--dist DIR]... [--json OUT]
//
// Several --dist (a build each, for A/B) are run in turn: run 1 of A, run 1 of B, run 2 of A…
// The time starts at the input's `change` event in the page (the driver's file transfer is
// not counted) and ends when body[data-state=ready] is written with the file in the profile
// list (MutationObserver), plus the next animation frame.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { start as startServer, DEFAULT_DIST_DIR } from './server.mjs';
import { CHROMIUM_PATH, CHROMIUM_ARGS } from './helpers.mjs';

const args = process.argv.slice(2);
const opt = { files: [], runs: 3, dists: [], json: null };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const val = () => args[++i];
  if (a === '--files') opt.files = val().split(',').filter(Boolean);
  else if (a === '--runs') opt.runs = Number(val());
  else if (a === '--dist') opt.dists.push(path.resolve(val()));
  else if (a === '--json') opt.json = path.resolve(val());
  else {
    console.error('usage: node tests/e2e/instant.mjs --files A.pb.gz[,B.pb.gz] [--runs N] [--dist DIR]... [--json OUT]');
    process.exit(2);
  }
}
if (!opt.files.length) {
  console.error('instant.mjs: --files is required');
  process.exit(2);
}
if (!opt.dists.length) opt.dists.push(DEFAULT_DIST_DIR);

// Installed before any page script: stamps the input's change and the ready state.
const PROBE = () => {
  window.__instant = { change: null, table: null, ready: null };
  document.addEventListener('change', (e) => {
    if (e.target?.matches?.('input[type=file][data-testid=file-input]')) window.__instant.change = performance.now();
  }, true);
  new MutationObserver(() => {
    const t = window.__instant;
    if (t.change == null) return;
    if (t.table == null && document.querySelector('table[data-testid=top-table] tbody tr')) t.table = performance.now();
    const entry = document.querySelector('[data-testid=profile-list] [data-file]');
    if (t.ready == null && document.body?.dataset.state === 'ready' && entry) {
      const at = performance.now();
      requestAnimationFrame(() => { t.ready = at; t.readyFrame = performance.now(); });
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
};

async function once(dist, file) {
  const srv = await startServer({ dir: dist });
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'profdrop-instant-'));
  const ctx = await chromium.launchPersistentContext(userDir, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.addInitScript(PROBE);
    await page.goto(srv.url);
    const input = await page.waitForSelector('input[type=file][data-testid=file-input]', { state: 'attached' });
    await input.setInputFiles(file);
    await page.waitForFunction(() => window.__instant.readyFrame != null || document.body.dataset.state === 'error', null, { timeout: 120_000, polling: 50 });
    const t = await page.evaluate(() => ({ ...window.__instant, state: document.body.dataset.state }));
    if (t.state === 'error') throw new Error(`${path.basename(file)} failed to load in ${dist}`);
    return { table: t.table - t.change, ready: t.readyFrame - t.change };
  } finally {
    await ctx.close();
    await srv.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = {};
for (const file of opt.files) {
  for (let r = 0; r < opt.runs; r++) {
    for (const dist of opt.dists) {
      const m = await once(dist, file);
      const k = `${dist}\t${path.basename(file)}`;
      (results[k] ??= []).push(m);
      console.error(`${path.basename(file)} run ${r + 1} ${dist}: table ${m.table.toFixed(0)} ms, ready ${m.ready.toFixed(0)} ms`);
    }
  }
}
console.log('| build | file | runs | file → table (median) | file → ready (median) | ready, each run |');
console.log('|---|---|---:|---:|---:|---|');
for (const [k, ms] of Object.entries(results)) {
  const [dist, file] = k.split('\t');
  const ready = ms.map((m) => m.ready);
  console.log(`| ${dist} | ${file} | ${ms.length} | ${(median(ms.map((m) => m.table)) / 1000).toFixed(2)} s | **${(median(ready) / 1000).toFixed(2)} s** | ${ready.map((x) => (x / 1000).toFixed(2)).join(' / ')} |`);
}
if (opt.json) fs.writeFileSync(opt.json, JSON.stringify(results, null, 2));
