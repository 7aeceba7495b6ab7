#!/usr/bin/env node
// Browser benchmark of the other profilers' text formats (issue 19): a 100 MB folded-stacks
// file and a 100 MB `perf script` file (made by tests/e2e/gen-formats.mjs, cached in
// bench-out/formats/), each set on the file input of a cold page; measured from the input's
// `change` to the top table shown with the page ready (+ the next frame). Reports numbers,
// never asserts on time; it does check that the table's total is the generator's.
//
//   node tests/e2e/formats-bench.mjs [--mb 100] [--runs 1] [--json FILE]

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { start as startServer, REPO_ROOT } from './server.mjs';
import { CHROMIUM_PATH, CHROMIUM_ARGS } from './helpers.mjs';
import { generate } from './gen-formats.mjs';

function parseArgs(argv) {
  const o = { mb: 100, runs: 1, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--mb') o.mb = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--json') o.json = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};

async function once(browser, server, file, total) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__fb = { changeT: null };
    document.addEventListener('change', (e) => {
      if (e.target?.matches?.('input[type=file]')) window.__fb.changeT = performance.now();
    }, true);
  });
  await page.goto(server.url, { waitUntil: 'load' });
  await page.waitForSelector('input[type=file][data-testid=file-input]', { state: 'attached' });
  const shown = page.evaluate(() => new Promise((resolve, reject) => {
    const t0 = performance.now();
    const tick = () => {
      const t = document.querySelector('table[data-testid=top-table]');
      if (document.body.dataset.state === 'ready' && t && t.querySelector('tbody tr')) {
        const at = performance.now();
        requestAnimationFrame(() => resolve({ at, frame: performance.now(), total: t.getAttribute('data-total') }));
      } else if (document.body.dataset.state === 'error') {
        reject(new Error(document.querySelector('[data-testid=error]')?.textContent));
      } else if (performance.now() - t0 > 120000) reject(new Error('timed out'));
      else requestAnimationFrame(tick);
    };
    tick();
  }));
  await page.setInputFiles('input[type=file][data-testid=file-input]', file);
  const s = await shown;
  const changeT = await page.evaluate(() => window.__fb.changeT);
  await context.close();
  if (BigInt(s.total) !== BigInt(total)) throw new Error(`${file}: the page shows total ${s.total}, the generator wrote ${total}`);
  return s.frame - changeT;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const dir = path.join(REPO_ROOT, 'bench-out', 'formats');
  let totals = null;
  try {
    totals = JSON.parse(fs.readFileSync(path.join(dir, 'big.json'), 'utf8'));
    if (Math.abs(totals['big.folded'].bytes / 1048576 - o.mb) > 1) totals = null;
  } catch {}
  if (!totals) {
    console.error(`formats-bench: generating ${o.mb} MB files in ${dir}`);
    totals = generate(dir, o.mb);
  }
  const server = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const res = {};
  try {
    for (const f of ['big.folded', 'big.perf']) {
      const runs = [];
      for (let i = 0; i < o.runs; i++) {
        const ms = await once(browser, server, path.join(dir, f), totals[f].total);
        console.error(`formats-bench: ${f} run ${i + 1}: ${ms.toFixed(0)} ms`);
        runs.push(ms);
      }
      res[f] = { bytes: totals[f].bytes, total: totals[f].total, ms: median(runs), runs };
    }
  } finally {
    await browser.close();
    await server.close();
  }
  let md = `\n### Other profilers' text formats in Chromium (cold page, median of ${o.runs})\n\n| file | size (MB) | file set on the input → top table shown (ms) |\n|---|---:|---:|\n`;
  md += `| folded stacks | ${(res['big.folded'].bytes / 1048576).toFixed(0)} | ${Math.round(res['big.folded'].ms)} |\n`;
  md += `| perf script | ${(res['big.perf'].bytes / 1048576).toFixed(0)} | ${Math.round(res['big.perf'].ms)} |\n`;
  console.log(md);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(res, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
