// Shared helpers for the end-to-end tests. The page is driven ONLY through the hooks in
// the page contract (shared/contract.md): data-testid / data-state / data-* attributes.

import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { start as startServer, assertDistBuilt, distDir, REPO_ROOT } from './server.mjs';

export { startServer, assertDistBuilt, distDir, REPO_ROOT };

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
/** Public corpus (shared/ sits beside the repo); env CORPUS_DIR overrides. */
export const CORPUS_DIR = process.env.CORPUS_DIR
  ? path.resolve(process.env.CORPUS_DIR)
  : path.resolve(REPO_ROOT, '../shared/corpus/public');
export const ORACLE_DIR = path.join(CORPUS_DIR, 'oracle');

/** Per file-load timeout (ms). */
export const LOAD_TIMEOUT = 30_000;

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

// Selectors from the contract.
export const SEL = {
  fileInput: 'input[type=file][data-testid=file-input]',
  error: '[data-testid=error]',
  profileList: '[data-testid=profile-list]',
  profileEntry: '[data-testid=profile-list] [data-file]',
  sampleType: 'select[data-testid=sample-type]',
  viewTop: '[data-testid=view-top]',
  viewFlame: '[data-testid=view-flame]',
  search: 'input[data-testid=search]',
  topTable: 'table[data-testid=top-table]',
  flamegraph: 'canvas[data-testid=flamegraph]',
  flameTooltip: '[data-testid=flame-tooltip]',
};

// ---------------------------------------------------------------------------------------
// Preconditions

/** Throws (test fails) when the shared corpus is missing. Never skip silently. */
export function requireCorpus() {
  const index = path.join(ORACLE_DIR, 'index.tsv');
  if (!fs.existsSync(index)) {
    throw new Error(
      `shared corpus is missing: expected ${index} (the public corpus lives in ` +
        `shared/corpus/public beside the repo; set CORPUS_DIR to point elsewhere)`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// Browser and page

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH} (set CHROMIUM_PATH); browsers are never downloaded`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Collects page errors, Rust panics, console errors and every request the page makes;
 * assertClean() fails the test on uncaught errors, panics or requests to another origin.
 */
export function attachCollector(page, origin) {
  const c = {
    pageErrors: [],
    panics: [],
    consoleErrors: [],
    requests: [],
    foreignRequests: [],
  };
  page.on('pageerror', (err) => c.pageErrors.push(String(err?.stack || err)));
  page.on('crash', () => c.pageErrors.push('page crashed'));
  page.on('console', (msg) => {
    const text = msg.text();
    if (/panicked/i.test(text)) c.panics.push(text);
    if (msg.type() === 'error') c.consoleErrors.push(text);
  });
  page.on('request', (req) => {
    const url = req.url();
    c.requests.push(url);
    if (!isSameOrigin(url, origin)) c.foreignRequests.push(url);
  });
  c.assertClean = () => {
    const problems = [];
    if (c.pageErrors.length) problems.push(`uncaught page errors:\n  ${c.pageErrors.join('\n  ')}`);
    if (c.panics.length) problems.push(`panic messages on the console:\n  ${c.panics.join('\n  ')}`);
    if (c.foreignRequests.length) problems.push(`requests to another origin:\n  ${c.foreignRequests.join('\n  ')}`);
    if (problems.length) {
      const extra = c.consoleErrors.length ? `\nconsole errors:\n  ${c.consoleErrors.join('\n  ')}` : '';
      assert.fail(problems.join('\n') + extra);
    }
  };
  return c;
}

function isSameOrigin(url, origin) {
  if (url.startsWith('data:') || url === 'about:blank') return true;
  const u = url.startsWith('blob:') ? url.slice(5) : url;
  try {
    return new URL(u).origin === origin;
  } catch {
    return false;
  }
}

/**
 * New context + page, navigated to the app and waited until it is booted (file input
 * attached, body[data-state] set, network idle so the wasm has arrived).
 * @returns {Promise<{context, page, collector}>}
 */
export async function openPage(browser, server, { viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
  const page = await context.newPage();
  page.setDefaultTimeout(LOAD_TIMEOUT);
  const collector = attachCollector(page, server.origin);
  await page.goto(server.url, { waitUntil: 'load', timeout: LOAD_TIMEOUT });
  await page.waitForSelector(SEL.fileInput, { state: 'attached', timeout: LOAD_TIMEOUT }).catch(async (e) => {
    throw new Error(`page did not boot: no ${SEL.fileInput} after ${LOAD_TIMEOUT} ms` + (await pageSummary(page, collector)), { cause: e });
  });
  await page.waitForSelector('body[data-state]', { state: 'attached', timeout: LOAD_TIMEOUT });
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
  return { context, page, collector };
}

/**
 * Open a fresh page, run fn({page, collector, context}), assert no uncaught errors/panics/
 * foreign requests, close. On failure a screenshot goes to /tmp/profdrop-e2e-fail-<name>.png.
 */
export async function withPage(browser, server, name, fn, opts) {
  const { context, page, collector } = await openPage(browser, server, opts);
  try {
    await fn({ page, collector, context });
    collector.assertClean();
  } catch (e) {
    const shot = `/tmp/profdrop-e2e-fail-${name.replace(/[^\w.-]+/g, '_')}.png`;
    await page.screenshot({ path: shot, fullPage: true, timeout: 5000 }).catch(() => {});
    // Keep the original error (and its diff) as the cause; add what the page said.
    const msg = e && typeof e.message === 'string' ? e.message : String(e);
    throw new Error(`${msg}\n(screenshot: ${shot})` + collectorSummary(collector), { cause: e });
  } finally {
    await context.close().catch(() => {});
  }
}

function collectorSummary(c) {
  const parts = [];
  if (c.pageErrors.length) parts.push(`page errors: ${c.pageErrors.slice(0, 5).join(' | ')}`);
  if (c.panics.length) parts.push(`panics: ${c.panics.slice(0, 5).join(' | ')}`);
  if (c.foreignRequests.length) parts.push(`requests to another origin: ${c.foreignRequests.slice(0, 5).join(' | ')}`);
  if (c.consoleErrors.length) parts.push(`console errors: ${c.consoleErrors.slice(0, 5).join(' | ')}`);
  return parts.length ? '\n' + parts.join('\n') : '';
}

/** One-line description of the page's contract-visible state, for failure messages. */
export async function pageSummary(page, collector) {
  let s = '';
  try {
    const st = await page.evaluate((SEL) => {
      const err = document.querySelector(SEL.error);
      return {
        state: document.body?.getAttribute('data-state'),
        error: err ? err.textContent.trim().slice(0, 300) : null,
        files: [...document.querySelectorAll(SEL.profileEntry)].map((e) => e.getAttribute('data-file')),
      };
    }, SEL);
    s = `\n  data-state=${st.state} files=${JSON.stringify(st.files)}` + (st.error !== null ? ` error=${JSON.stringify(st.error)}` : '');
  } catch (e) {
    s = `\n  (could not read page state: ${e.message})`;
  }
  return s + (collector ? collectorSummary(collector) : '');
}

// ---------------------------------------------------------------------------------------
// Driving the page

// Records every write of body[data-state] from now on (MutationObserver sees every
// setAttribute, even one that writes the same value), so a wait can require that the page
// reacted to *this* action instead of matching the state left by the previous one.
async function armStateWatch(page) {
  await page.evaluate(() => {
    window.__profdropStateWatch?.disconnect();
    window.__profdropStateWrites = 0;
    const mo = new MutationObserver((recs) => {
      window.__profdropStateWrites += recs.length;
    });
    mo.observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
    window.__profdropStateWatch = mo;
  });
}

/**
 * Load files through the file input and wait until the page has processed them:
 * body[data-state] was written after the files were set, it is now 'ready' or 'error', and
 * (when 'ready' is expected) every file name is in the profile list.
 * @param {string[]|string} paths
 * @param {{expect?: 'ready'|'error'|'any', timeout?: number}} [opts]
 * @returns {Promise<{state: string, error: string|null, files: string[]}>}
 */
export async function loadFiles(page, paths, { expect = 'ready', timeout = LOAD_TIMEOUT } = {}) {
  paths = Array.isArray(paths) ? paths : [paths];
  const names = paths.map((p) => path.basename(p));
  await armStateWatch(page);
  await page.setInputFiles(SEL.fileInput, paths);
  try {
    await page.waitForFunction(
      ({ names, expect, SEL }) => {
        const state = document.body.getAttribute('data-state');
        if (!window.__profdropStateWrites) return false;
        if (state !== 'ready' && state !== 'error') return false;
        if (state === 'error') return expect !== 'ready' || !!document.querySelector(SEL.error);
        const have = new Set([...document.querySelectorAll(SEL.profileEntry)].map((e) => e.getAttribute('data-file')));
        return expect === 'error' || names.every((n) => have.has(n));
      },
      { names, expect, SEL },
      { timeout, polling: 50 },
    );
  } catch (e) {
    const writes = await page.evaluate(() => window.__profdropStateWrites).catch(() => '?');
    throw new Error(
      `loading ${names.join(', ')}: page did not settle within ${timeout} ms ` +
        `(expected data-state=${expect === 'any' ? 'ready|error' : expect}` +
        `${expect === 'ready' ? ' with all files in the profile list' : ''}; data-state writes seen: ${writes})` +
        (await pageSummary(page)),
      { cause: e },
    );
  }
  const res = await page.evaluate((SEL) => {
    const err = document.querySelector(SEL.error);
    return {
      state: document.body.getAttribute('data-state'),
      error: err ? err.textContent.trim() : null,
      files: [...document.querySelectorAll(SEL.profileEntry)].map((e) => e.getAttribute('data-file')),
    };
  }, SEL);
  if (expect !== 'any' && res.state !== expect) {
    assert.fail(
      `loading ${names.join(', ')}: expected data-state=${expect}, got ${res.state}` +
        (res.error !== null ? `; error text: ${JSON.stringify(res.error)}` : '') +
        `; profile list: ${JSON.stringify(res.files)}`,
    );
  }
  return res;
}

/** Options (values) of the sample-type select and the selected one. */
export async function readSampleTypes(page) {
  const el = await page.$(SEL.sampleType);
  if (!el) assert.fail(`${SEL.sampleType} is not present` + (await pageSummary(page)));
  return el.evaluate((s) => ({ options: [...s.options].map((o) => o.value), selected: s.value }));
}

/**
 * Select a sample type and wait until the page has recomputed: data-state is ready again
 * and the top table (when shown) says it shows that sample type.
 */
export async function selectSampleType(page, name, { timeout = LOAD_TIMEOUT } = {}) {
  const { options, selected } = await readSampleTypes(page);
  if (!options.includes(name)) {
    assert.fail(`sample type ${JSON.stringify(name)} is not an option of ${SEL.sampleType}: ${JSON.stringify(options)}`);
  }
  if (selected === name) return;
  await armStateWatch(page);
  await page.selectOption(SEL.sampleType, name);
  try {
    await page.waitForFunction(
      ({ name, SEL }) => {
        const state = document.body.getAttribute('data-state');
        if (state !== 'ready' && state !== 'error') return false;
        const t = document.querySelector(SEL.topTable);
        if (t) return t.getAttribute('data-sample-type') === name;
        return window.__profdropStateWrites > 0;
      },
      { name, SEL },
      { timeout, polling: 50 },
    );
  } catch (e) {
    throw new Error(`selecting sample type ${name}: page did not settle within ${timeout} ms` + (await pageSummary(page)), {
      cause: e,
    });
  }
}

const INT_RE = /^-?\d+$/;
function parseIntAttr(v, what) {
  if (v === null || !INT_RE.test(v)) {
    throw new Error(`${what} is ${v === null ? 'missing' : JSON.stringify(v)}, not a raw integer (contract: data-* values are raw integers)`);
  }
  return BigInt(v);
}

/**
 * Read the top table. Clicks [data-testid=view-top] first if the table is not shown.
 * @returns {Promise<{total: bigint, sampleType: string, rows: {fn: string, flat: bigint, cum: bigint}[]}>}
 */
export async function readTopTable(page) {
  if (!(await page.$(SEL.topTable))) {
    const btn = await page.$(SEL.viewTop);
    if (btn) {
      await btn.click();
      await page.waitForSelector(SEL.topTable, { state: 'attached', timeout: 10_000 }).catch(() => {});
    }
  }
  const raw = await page.evaluate((SEL) => {
    const t = document.querySelector(SEL.topTable);
    if (!t) return null;
    return {
      total: t.getAttribute('data-total'),
      sampleType: t.getAttribute('data-sample-type'),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => [
        tr.getAttribute('data-function'),
        tr.getAttribute('data-flat'),
        tr.getAttribute('data-cum'),
      ]),
    };
  }, SEL);
  if (!raw) assert.fail(`top table not present: no ${SEL.topTable} in the page (view not implemented?)` + (await pageSummary(page)));
  return {
    total: parseIntAttr(raw.total, `${SEL.topTable} data-total`),
    sampleType: raw.sampleType,
    rows: raw.rows.map(([fn, flat, cum], i) => {
      if (fn === null) throw new Error(`top table row ${i}: data-function missing`);
      return {
        fn,
        flat: parseIntAttr(flat, `top table row ${i} (${fn}) data-flat`),
        cum: parseIntAttr(cum, `top table row ${i} (${fn}) data-cum`),
      };
    }),
  };
}

/**
 * Pixel statistics of a canvas: size, number of distinct RGBA colours (capped), fraction of
 * pixels that differ from the most common colour (the background), and how many opaque pixels
 * are reddish (r > g+40 and r > b+40) or bluish (b > r+40 and b > g+20): a diff's colours.
 */
export async function canvasStats(page, selector = SEL.flamegraph) {
  return page.$eval(selector, (c) => {
    const w = c.width,
      h = c.height;
    if (!w || !h) return { width: w, height: h, colours: 0, nonBackground: 0, red: 0, blue: 0, dataUrl: '' };
    const ctx = c.getContext('2d');
    let data;
    if (ctx) {
      data = ctx.getImageData(0, 0, w, h).data;
    } else {
      // WebGL or an already-claimed context: copy through a 2d canvas.
      const tmp = document.createElement('canvas');
      tmp.width = w;
      tmp.height = h;
      const t = tmp.getContext('2d');
      t.drawImage(c, 0, 0);
      data = t.getImageData(0, 0, w, h).data;
    }
    const counts = new Map();
    const u32 = new Uint32Array(data.buffer, data.byteOffset, data.byteLength / 4);
    for (let i = 0; i < u32.length; i++) {
      const k = u32[i];
      counts.set(k, (counts.get(k) || 0) + 1);
      if (counts.size > 4096) break;
    }
    let max = 0;
    for (const v of counts.values()) max = Math.max(max, v);
    let red = 0;
    let blue = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a < 128) continue;
      if (r > g + 40 && r > b + 40) red++;
      if (b > r + 40 && b > g + 20) blue++;
    }
    return { width: w, height: h, colours: counts.size, nonBackground: 1 - max / u32.length, red, blue, dataUrl: c.toDataURL() };
  });
}

// ---------------------------------------------------------------------------------------
// Oracle (go tool pprof) tables

/**
 * Undo the oracle's escaping (`\\`, `\t`, `\n`, `\r`, `\xNN`) to the raw name bytes, then
 * decode them as the page shows names: UTF-8 with each invalid sequence replaced by U+FFFD
 * (TextDecoder uses the same maximal-subpart rule as Rust's String::from_utf8_lossy).
 */
export function unescapeOracleName(s) {
  const bytes = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; ) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      const n = s[i + 1];
      if (n === '\\') { bytes.push(0x5c); i += 2; continue; }
      if (n === 't') { bytes.push(0x09); i += 2; continue; }
      if (n === 'n') { bytes.push(0x0a); i += 2; continue; }
      if (n === 'r') { bytes.push(0x0d); i += 2; continue; }
      if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
        bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      throw new Error(`bad escape in oracle name ${JSON.stringify(s)} at ${i}`);
    }
    const cp = s.codePointAt(i);
    const str = String.fromCodePoint(cp);
    bytes.push(...enc.encode(str));
    i += str.length;
  }
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(Uint8Array.from(bytes));
}

function parseTsv(text) {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.split('\t'));
}

/** Rows of oracle/index.tsv as objects keyed by the header. */
export function readOracleIndex(dir = ORACLE_DIR) {
  const [header, ...rows] = parseTsv(fs.readFileSync(path.join(dir, 'index.tsv'), 'utf8'));
  return rows.map((cols) => Object.fromEntries(header.map((h, i) => [h, cols[i] ?? ''])));
}

/**
 * Protobuf profiles with a usable oracle, grouped per profile, sample types in file order.
 * @returns {{profile: string, format: string, defaultType: string,
 *   types: {index: number, name: string, unit: string, total: bigint, tsv: string}[]}[]}
 */
export function protobufOracleProfiles(dir = ORACLE_DIR) {
  return oracleProfiles((r) => r.format.startsWith('pprof proto') || r.format.startsWith('proto raw'), dir);
}

/**
 * The profiles of the oracle index whose rows `keep(row)` accepts and pprof read (check `ok`),
 * grouped per profile, sample types in file order (the shape of protobufOracleProfiles()).
 */
export function oracleProfiles(keep, dir = ORACLE_DIR) {
  const byProfile = new Map();
  for (const r of readOracleIndex(dir)) {
    if (!r.check.startsWith('ok') || !keep(r)) continue;
    if (!byProfile.has(r.profile)) byProfile.set(r.profile, { profile: r.profile, format: r.format, types: [], marked: null });
    const p = byProfile.get(r.profile);
    const t = { index: Number(r.sample_index), name: r.sample_type, unit: r.unit, total: BigInt(r.total), tsv: r.tsv };
    p.types.push(t);
    if (r.default === 'yes') p.marked = t.name;
  }
  return [...byProfile.values()].map((p) => {
    p.types.sort((a, b) => a.index - b.index);
    // pprof's default when default_sample_type is unset: the last sample type.
    p.defaultType = p.marked ?? p.types.at(-1).name;
    delete p.marked;
    return p;
  });
}

/** Protobuf profiles that pprof itself rejects (check UNREADABLE). */
export function unreadableProtobufProfiles(dir = ORACLE_DIR) {
  return readOracleIndex(dir)
    .filter((r) => (r.format.startsWith('pprof proto') || r.format.startsWith('proto raw')) && r.check.startsWith('UNREADABLE'))
    .map((r) => ({ profile: r.profile, reason: r.check }));
}

/**
 * One oracle table: metadata from line 1, rows with names decoded as the page shows them.
 * @returns {{meta: Record<string,string>, total: bigint, rows: {fn: string, raw: string, flat: bigint, cum: bigint}[]}}
 */
export function readOracleTable(tsv, dir = ORACLE_DIR) {
  const text = fs.readFileSync(path.join(dir, tsv), 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const metaLine = lines.shift();
  assert.ok(metaLine.startsWith('# '), `${tsv}: first line is not metadata`);
  const meta = Object.fromEntries(
    metaLine
      .slice(2)
      .split(' ')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const header = lines.shift();
  assert.equal(header, 'function\tflat\tcum', `${tsv}: unexpected header`);
  const rows = lines.map((l) => {
    const [raw, flat, cum] = l.split('\t');
    return { fn: unescapeOracleName(raw), raw, flat: BigInt(flat), cum: BigInt(cum) };
  });
  return { meta, total: BigInt(meta.total), rows };
}

/** Minimum rows the contract guarantees in the DOM. */
export const MIN_DOM_ROWS = 200;

/**
 * Compare a top table read from the page with an oracle table. Returns a list of problems
 * (empty = equal). Rows are compared in order: the first min(200, n) rows at least, all
 * rows when the page rendered them all.
 */
export function compareTopTable(actual, expected, sampleType) {
  const problems = [];
  if (actual.sampleType !== sampleType) problems.push(`data-sample-type is ${JSON.stringify(actual.sampleType)}, want ${JSON.stringify(sampleType)}`);
  if (actual.total !== expected.total) problems.push(`data-total is ${actual.total}, pprof says ${expected.total}`);
  const n = expected.rows.length;
  const m = actual.rows.length;
  const need = Math.min(MIN_DOM_ROWS, n);
  if (m < need) problems.push(`table has ${m} rows in the DOM, pprof has ${n} nodes (at least ${need} must be in the DOM)`);
  if (m > n) problems.push(`table has ${m} rows but pprof has only ${n} nodes`);
  const k = Math.min(m, n);
  const bad = [];
  for (let i = 0; i < k; i++) {
    const a = actual.rows[i];
    const e = expected.rows[i];
    if (a.fn !== e.fn || a.flat !== e.flat || a.cum !== e.cum) bad.push(i);
  }
  if (bad.length) {
    const fmt = (r) => (r ? `${JSON.stringify(r.fn)} flat=${r.flat} cum=${r.cum}` : '(none)');
    const lines = bad.slice(0, 8).map((i) => `    row ${i}: page ${fmt(actual.rows[i])}\n           pprof ${fmt(expected.rows[i])}`);
    problems.push(`${bad.length} of ${k} compared rows differ (first at row ${bad[0]}):\n${lines.join('\n')}`);
    // Set view, to tell ordering problems from value problems.
    const exp = new Map(expected.rows.map((r) => [r.fn, r]));
    const act = new Map(actual.rows.slice(0, k).map((r) => [r.fn, r]));
    const missing = expected.rows.slice(0, k).filter((r) => !act.has(r.fn)).map((r) => r.fn);
    const unknown = actual.rows.slice(0, k).filter((r) => !exp.has(r.fn)).map((r) => r.fn);
    const wrongValues = actual.rows
      .slice(0, k)
      .filter((r) => exp.has(r.fn) && (exp.get(r.fn).flat !== r.flat || exp.get(r.fn).cum !== r.cum))
      .map((r) => `${JSON.stringify(r.fn)} page ${r.flat}/${r.cum} pprof ${exp.get(r.fn).flat}/${exp.get(r.fn).cum}`);
    if (unknown.length) problems.push(`functions pprof does not have (${unknown.length}): ${unknown.slice(0, 10).map((s) => JSON.stringify(s)).join(', ')}`);
    if (missing.length) problems.push(`pprof's functions missing from the compared rows (${missing.length}): ${missing.slice(0, 10).map((s) => JSON.stringify(s)).join(', ')}`);
    if (wrongValues.length) problems.push(`functions with wrong flat/cum (${wrongValues.length}): ${wrongValues.slice(0, 10).join('; ')}`);
    if (!unknown.length && !missing.length && !wrongValues.length) problems.push('same rows and values, different order (sort: |flat| desc, then name asc)');
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Diff, leak and goroutine views (used by diff/leaks/hostile tests)

export { armStateWatch };

// More contract selectors (added here so the object above stays as it was).
Object.assign(SEL, {
  viewDiff: '[data-testid=view-diff]',
  viewLeaks: '[data-testid=view-leaks]',
  diffBase: 'select[data-testid=diff-base]',
  diffTarget: 'select[data-testid=diff-target]',
  diffTable: 'table[data-testid=diff-table]',
  diffError: '[data-testid=diff-error]',
  swap: '[data-testid=swap]',
  leakTable: 'table[data-testid=leak-table]',
  seriesPicker: 'select[data-testid=series-picker]',
  timeline: '[data-testid=timeline]',
  seriesWarning: '[data-testid=series-warning]',
  folderInput: 'input[type=file][data-testid=folder-input]',
  goroutineGroups: '[data-testid=goroutine-groups]',
});

/** Golden tables of the project's own fixtures (testdata/golden). */
export const TESTDATA_DIR = path.join(REPO_ROOT, 'testdata');
export const GOLDEN_DIFF_DIR = path.join(TESTDATA_DIR, 'golden', 'diff');

/**
 * Run `action` (async), then wait until the page has reacted: body[data-state] was written
 * after the action and is now one of `states`; then, when given, until `until(arg)` (a
 * function run in the page) is true. `what` names the action in failure messages.
 */
export async function actAndSettle(page, what, action, { states = ['ready'], until = null, arg = null, timeout = LOAD_TIMEOUT } = {}) {
  await armStateWatch(page);
  await action();
  try {
    await page.waitForFunction(
      (states) => window.__profdropStateWrites > 0 && states.includes(document.body.getAttribute('data-state')),
      states,
      { timeout, polling: 50 },
    );
  } catch (e) {
    const writes = await page.evaluate(() => window.__profdropStateWrites).catch(() => '?');
    throw new Error(
      `${what}: data-state did not become ${states.join('|')} within ${timeout} ms (data-state writes seen: ${writes})` + (await pageSummary(page)),
      { cause: e },
    );
  }
  if (until) {
    try {
      await page.waitForFunction(until, arg, { timeout, polling: 50 });
    } catch (e) {
      throw new Error(`${what}: the page settled (data-state ready) but never showed what was expected: ${until.toString().slice(0, 300)}` + (await pageSummary(page)), {
        cause: e,
      });
    }
  }
}

/** Click a contract hook and wait for the page to settle (see actAndSettle). */
export async function clickAndSettle(page, selector, opts = {}) {
  const el = await page.$(selector);
  if (!el) assert.fail(`${selector} is not present` + (await pageSummary(page)));
  await actAndSettle(page, `clicking ${selector}`, () => el.click(), opts);
}

/**
 * Select a sample type and wait until `tableSel` says it shows it (data-sample-type) and
 * the page is ready. For views other than the top table (diff, leaks).
 */
export async function selectSampleTypeFor(page, name, tableSel, { timeout = LOAD_TIMEOUT } = {}) {
  const { options, selected } = await readSampleTypes(page);
  if (!options.includes(name)) {
    assert.fail(`sample type ${JSON.stringify(name)} is not an option of ${SEL.sampleType}: ${JSON.stringify(options)}`);
  }
  const until = ({ name, tableSel }) => document.querySelector(tableSel)?.getAttribute('data-sample-type') === name;
  if (selected === name) {
    await page.waitForFunction(
      ({ name, tableSel }) => document.body.getAttribute('data-state') === 'ready' && document.querySelector(tableSel)?.getAttribute('data-sample-type') === name,
      { name, tableSel },
      { timeout, polling: 50 },
    ).catch(async (e) => {
      throw new Error(`sample type ${name} is selected but ${tableSel} does not show it (or the page is not ready)` + (await pageSummary(page)), { cause: e });
    });
    return;
  }
  await actAndSettle(page, `selecting sample type ${name}`, () => page.selectOption(SEL.sampleType, name), {
    until,
    arg: { name, tableSel },
    timeout,
  });
}

const INT_RE2 = /^-?\d+$/;
function bigAttr(v, what) {
  if (v === null || !INT_RE2.test(v)) {
    throw new Error(`${what} is ${v === null ? 'missing' : JSON.stringify(v)}, not a raw integer (contract: data-* values are raw integers)`);
  }
  return BigInt(v);
}

/**
 * Read the diff table (must be present).
 * @returns {Promise<{sampleType: string, baseFile: string, targetFile: string, baseTotal: bigint,
 *   rows: {fn: string, base: bigint, target: bigint, delta: bigint, baseCum: bigint, targetCum: bigint}[]}>}
 */
export async function readDiffTable(page) {
  const raw = await page.evaluate((sel) => {
    const t = document.querySelector(sel);
    if (!t) return null;
    const a = (n) => t.getAttribute(n);
    return {
      sampleType: a('data-sample-type'),
      baseFile: a('data-base-file'),
      targetFile: a('data-target-file'),
      baseTotal: a('data-base-total'),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) =>
        ['data-function', 'data-base', 'data-target', 'data-delta', 'data-base-cum', 'data-target-cum'].map((n) => tr.getAttribute(n)),
      ),
    };
  }, SEL.diffTable);
  if (!raw) assert.fail(`diff table not present: no ${SEL.diffTable} in the page (view not implemented?)` + (await pageSummary(page)));
  return {
    sampleType: raw.sampleType,
    baseFile: raw.baseFile,
    targetFile: raw.targetFile,
    baseTotal: bigAttr(raw.baseTotal, `${SEL.diffTable} data-base-total`),
    rows: raw.rows.map(([fn, base, target, delta, baseCum, targetCum], i) => {
      if (fn === null) throw new Error(`diff table row ${i}: data-function missing`);
      const w = (n) => `diff table row ${i} (${fn}) ${n}`;
      return {
        fn,
        base: bigAttr(base, w('data-base')),
        target: bigAttr(target, w('data-target')),
        delta: bigAttr(delta, w('data-delta')),
        baseCum: bigAttr(baseCum, w('data-base-cum')),
        targetCum: bigAttr(targetCum, w('data-target-cum')),
      };
    }),
  };
}

/**
 * A golden diff table (testdata/golden/diff/*.tsv, written by testdata/gen/golden.py from
 * `go tool pprof -diff_base B -top T`). Names are written raw (no escaping).
 * @returns {{meta: Record<string,string>, total: bigint, rows: {fn: string, flat: bigint, cum: bigint}[]}}
 */
export function readGoldenDiff(file, dir = GOLDEN_DIFF_DIR) {
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const metaLine = lines.shift();
  assert.ok(metaLine?.startsWith('# '), `${file}: first line is not metadata`);
  const meta = Object.fromEntries(
    metaLine
      .slice(2)
      .split(' ')
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  assert.equal(lines.shift(), 'function\tflat\tcum', `${file}: unexpected header`);
  const rows = lines.map((l) => {
    const i = l.lastIndexOf('\t');
    const j = l.lastIndexOf('\t', i - 1);
    return { fn: l.slice(0, j), flat: BigInt(l.slice(j + 1, i)), cum: BigInt(l.slice(i + 1)) };
  });
  return { meta, total: BigInt(meta.total), rows };
}

/** Golden diff files of one pair (`leaks_cache_heap`), sample types in index order. */
export function goldenDiffFiles(pair, dir = GOLDEN_DIFF_DIR) {
  const re = new RegExp(`^${pair.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.([^.]+)\\.tsv$`);
  return fs
    .readdirSync(dir)
    .map((f) => [f, re.exec(f)])
    .filter(([, m]) => m)
    .map(([file, m]) => ({ file, index: Number(m[1]), type: m[2] }))
    .sort((a, b) => a.index - b.index);
}

/** Pairs of testdata/golden/diff/pairs.tsv: {pair, base, target} (paths relative to testdata/). */
export function goldenDiffPairs(dir = GOLDEN_DIFF_DIR) {
  const [header, ...rows] = fs.readFileSync(path.join(dir, 'pairs.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
  return rows.map((c) => Object.fromEntries(header.map((h, i) => [h, c[i]])));
}

/**
 * Compare a diff table read from the page with a golden diff table: data-base-total equals
 * the golden total; row i has the golden's function, data-delta = golden flat and
 * data-target-cum − data-base-cum = golden cum, for the first min(200, n) rows (all rows the
 * page rendered, up to n); data-delta = data-target − data-base on every row.
 */
export function compareDiffTable(actual, expected, sampleType) {
  const problems = [];
  if (actual.sampleType !== sampleType) problems.push(`data-sample-type is ${JSON.stringify(actual.sampleType)}, want ${JSON.stringify(sampleType)}`);
  if (actual.baseTotal !== expected.total) problems.push(`data-base-total is ${actual.baseTotal}, pprof says ${expected.total}`);
  const inconsistent = actual.rows.filter((r) => r.delta !== r.target - r.base);
  if (inconsistent.length) {
    problems.push(
      `${inconsistent.length} rows have data-delta != data-target - data-base: ` +
        inconsistent.slice(0, 5).map((r) => `${JSON.stringify(r.fn)} base=${r.base} target=${r.target} delta=${r.delta}`).join('; '),
    );
  }
  const n = expected.rows.length;
  const m = actual.rows.length;
  const need = Math.min(MIN_DOM_ROWS, n);
  if (m < need) problems.push(`table has ${m} rows in the DOM, pprof's diff has ${n} rows (at least ${need} must be in the DOM)`);
  if (m > n) problems.push(`table has ${m} rows but pprof's diff has only ${n}`);
  const k = Math.min(m, n);
  const cumD = (r) => r.targetCum - r.baseCum;
  const bad = [];
  for (let i = 0; i < k; i++) {
    const a = actual.rows[i];
    const e = expected.rows[i];
    if (a.fn !== e.fn || a.delta !== e.flat || cumD(a) !== e.cum) bad.push(i);
  }
  if (bad.length) {
    const fa = (r) => (r ? `${JSON.stringify(r.fn)} delta=${r.delta} cumdelta=${cumD(r)} (base ${r.base}/${r.baseCum} target ${r.target}/${r.targetCum})` : '(none)');
    const fe = (r) => (r ? `${JSON.stringify(r.fn)} delta=${r.flat} cumdelta=${r.cum}` : '(none)');
    const lines = bad.slice(0, 8).map((i) => `    row ${i}: page  ${fa(actual.rows[i])}\n           pprof ${fe(expected.rows[i])}`);
    problems.push(`${bad.length} of ${k} compared rows differ (first at row ${bad[0]}):\n${lines.join('\n')}`);
    const exp = new Map(expected.rows.map((r) => [r.fn, r]));
    const act = new Map(actual.rows.slice(0, k).map((r) => [r.fn, r]));
    const missing = expected.rows.slice(0, k).filter((r) => !act.has(r.fn)).map((r) => r.fn);
    const unknown = actual.rows.slice(0, k).filter((r) => !exp.has(r.fn)).map((r) => r.fn);
    const wrong = actual.rows
      .slice(0, k)
      .filter((r) => exp.has(r.fn) && (exp.get(r.fn).flat !== r.delta || exp.get(r.fn).cum !== cumD(r)))
      .map((r) => `${JSON.stringify(r.fn)} page ${r.delta}/${cumD(r)} pprof ${exp.get(r.fn).flat}/${exp.get(r.fn).cum}`);
    if (unknown.length) problems.push(`functions pprof's diff does not have (${unknown.length}): ${unknown.slice(0, 10).map((s) => JSON.stringify(s)).join(', ')}`);
    if (missing.length) problems.push(`pprof's functions missing from the compared rows (${missing.length}): ${missing.slice(0, 10).map((s) => JSON.stringify(s)).join(', ')}`);
    if (wrong.length) problems.push(`functions with wrong delta/cum delta (${wrong.length}): ${wrong.slice(0, 10).join('; ')}`);
    if (!unknown.length && !missing.length && !wrong.length) problems.push('same rows and values, different order (sort: |delta| desc, then name asc)');
  }
  return problems;
}

/**
 * Read the leak table (must be present).
 * @returns {Promise<{sampleType: string, rows: {fn: string, rank: number, growth: bigint, series: bigint[], rawSeries: string}[]}>}
 */
export async function readLeakTable(page) {
  const raw = await page.evaluate((sel) => {
    const t = document.querySelector(sel);
    if (!t) return null;
    return {
      sampleType: t.getAttribute('data-sample-type'),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => ['data-function', 'data-rank', 'data-growth', 'data-series', 'data-pattern'].map((n) => tr.getAttribute(n))),
    };
  }, SEL.leakTable);
  if (!raw) assert.fail(`leak table not present: no ${SEL.leakTable} in the page (view not implemented?)` + (await pageSummary(page)));
  return {
    sampleType: raw.sampleType,
    rows: raw.rows.map(([fn, rank, growth, series, pattern], i) => {
      if (fn === null) throw new Error(`leak table row ${i}: data-function missing`);
      if (series === null) throw new Error(`leak table row ${i} (${fn}): data-series missing`);
      return {
        fn,
        rank: Number(bigAttr(rank, `leak table row ${i} (${fn}) data-rank`)),
        growth: bigAttr(growth, `leak table row ${i} (${fn}) data-growth`),
        series: series === '' ? [] : series.split(',').map((v, j) => bigAttr(v.trim(), `leak table row ${i} (${fn}) data-series[${j}]`)),
        rawSeries: series,
        pattern,
      };
    }),
  };
}

/** Values (option value) and the selected value of a <select>. */
export async function readSelect(page, selector) {
  const el = await page.$(selector);
  if (!el) assert.fail(`${selector} is not present` + (await pageSummary(page)));
  return el.evaluate((s) => ({ options: [...s.options].map((o) => o.value), selected: s.value }));
}

/**
 * Registers before/after hooks in the current describe() that start the static server and one
 * browser; returns an object whose `browser` and `server` are set once the hooks ran.
 */
export function useBrowser(hooks) {
  const ctx = { browser: null, server: null };
  hooks.before(async () => {
    assertDistBuilt();
    ctx.server = await startServer();
    ctx.browser = await launchBrowser();
  });
  hooks.after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}

// ---------------------------------------------------------------------------------------
// Refining (the refine bar, its chips, the context menu, the label browser)

Object.assign(SEL, {
  refineBar: '[data-testid=refine-bar]',
  chip: '[data-testid=chip]',
  refineKind: 'select[data-testid=refine-kind]',
  refineInput: 'input[data-testid=refine-input]',
  refineError: '[data-testid=refine-error]',
  refineNotes: '[data-testid=refine-notes]',
  granularity: 'select[data-testid=granularity]',
  contextMenu: '[data-testid=context-menu]',
  labels: '[data-testid=labels]',
  labelPanel: '[data-testid=label-panel]',
  labelValue: '[data-testid=label-value]',
  linkNotes: '[data-testid=link-notes]',
});

/** The page's hash, decoded, as key → value (the last of a repeated key). */
export async function readHash(page) {
  const h = await page.evaluate(() => location.hash.replace(/^#/, ''));
  return Object.fromEntries(
    h
      .split('&')
      .filter(Boolean)
      .map((p) => {
        const i = p.indexOf('=');
        const dec = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
        return i < 0 ? [dec(p), ''] : [dec(p.slice(0, i)), dec(p.slice(i + 1))];
      }),
  );
}

/** The refine bar's chips: [{key, value}] in order. */
export async function readChips(page) {
  return page.$$eval(SEL.chip, (cs) => cs.map((c) => ({ key: c.getAttribute('data-key'), value: c.getAttribute('data-value') })));
}

/**
 * An expected top table written inline as [name, flat, cum] rows (numbers from a
 * `go tool pprof` command quoted beside them) in compareTopTable's shape.
 */
export function pprofTable(total, rows) {
  return { total: BigInt(total), rows: rows.map(([fn, flat, cum]) => ({ fn, flat: BigInt(flat), cum: BigInt(cum) })) };
}
