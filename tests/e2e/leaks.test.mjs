// Leak finder: every scenario of testdata/leaks/expected.tsv ranks the expected function
// first (or nothing for the healthy ones); goroutine debug=2 dumps work too and show the
// goroutine grouping; clicking a suspect opens the differential flame graph focused on it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  SEL,
  TESTDATA_DIR,
  actAndSettle,
  assertDistBuilt,
  clickAndSettle,
  launchBrowser,
  loadFiles,
  pageSummary,
  readLeakTable,
  readSampleTypes,
  readSelect,
  selectSampleTypeFor,
  startServer,
  withPage, useBrowser,
} from './helpers.mjs';

const LEAKS_DIR = path.join(TESTDATA_DIR, 'leaks');
const SCREENSHOT = '/tmp/profdrop-leak-suspect.png';

function readExpected() {
  const lines = fs.readFileSync(path.join(LEAKS_DIR, 'expected.tsv'), 'utf8').split('\n').filter(Boolean);
  const header = lines.shift().split('\t');
  assert.deepEqual(header, ['scenario', 'kind', 'sample_type', 'expected_rank1_function'], 'testdata/leaks/expected.tsv header');
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i) => [header[i], v])));
}

/** The pattern each program reproduces (testdata/leaks/patterns.tsv): "scenario/kind" → pattern. */
function readPatterns() {
  const lines = fs.readFileSync(path.join(LEAKS_DIR, 'patterns.tsv'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  lines.shift();
  return new Map(lines.map((l) => l.split('\t')).map(([sc, kind, , fn, pattern]) => [`${sc}/${kind}`, { fn, pattern }]));
}

/** Snapshot files of a scenario: NN.<suffix>, in numeric order. */
function snapshots(scenario, suffix) {
  const dir = path.join(LEAKS_DIR, scenario);
  const re = new RegExp(`^\\d+\\.${suffix.replace(/\./g, '\\.')}$`);
  const files = fs.readdirSync(dir).filter((f) => re.test(f)).sort();
  assert.ok(files.length >= 2, `testdata/leaks/${scenario}: fewer than 2 files NN.${suffix}: ${JSON.stringify(files)}`);
  return files.map((f) => path.join(dir, f));
}

/** Load the files, open the leaks view, select the sample type, return the leak table. */
async function openLeaks(page, files, sampleType) {
  await loadFiles(page, files);
  await clickAndSettle(page, SEL.viewLeaks, { until: (sel) => !!document.querySelector(sel), arg: SEL.leakTable });
  await selectSampleTypeFor(page, sampleType, SEL.leakTable);
  return readLeakTable(page);
}

/** Series/growth consistency of every row; rows in rank order starting at 1. */
function checkLeakRows(table, nSnapshots) {
  const problems = [];
  table.rows.forEach((r, i) => {
    if (r.rank !== i + 1) problems.push(`row ${i} (${r.fn}): data-rank ${r.rank}, want ${i + 1} (rows best first, rank 1 = strongest)`);
    if (r.series.length !== nSnapshots) problems.push(`${r.fn}: data-series ${JSON.stringify(r.rawSeries)} has ${r.series.length} values, want one per snapshot (${nSnapshots})`);
    else if (r.growth !== r.series.at(-1) - r.series[0])
      problems.push(`${r.fn}: data-growth ${r.growth} != last - first of data-series ${JSON.stringify(r.rawSeries)} (${r.series.at(-1) - r.series[0]})`);
  });
  return problems;
}

/** t.diagnostic, one call per line (TAP escapes newlines inside one diagnostic). */
const diag = (t, text) => text.split('\n').forEach((l) => t.diagnostic(l));

const fmtRows = (rows) =>
  rows
    .slice(0, 6)
    .map((r) => `#${r.rank} ${r.fn} growth=${r.growth} series=${r.rawSeries}`)
    .join('\n    ');

it('dist/ is built', () => assertDistBuilt());

describe('leak finder', () => {
  const ctx = useBrowser({ before, after });

  for (const exp of readExpected()) {
    const suffix = exp.kind === 'heap' ? 'heap.pb.gz' : exp.kind === 'goroutine' ? 'goroutine.pb.gz' : null;
    const label = `${exp.scenario}/${exp.kind} (${exp.sample_type}): rank 1 is ${exp.expected_rank1_function === '-' ? 'nothing (healthy)' : exp.expected_rank1_function}`;
    it(label, { timeout: 90_000 }, async (t) => {
      assert.ok(suffix, `expected.tsv: unknown kind ${exp.kind}`);
      const files = snapshots(exp.scenario, suffix);
      await withPage(ctx.browser, ctx.server, `leaks-${exp.scenario}-${exp.kind}`, async ({ page }) => {
        const table = await openLeaks(page, files, exp.sample_type);
        diag(t, `${files.length} snapshots, ${table.rows.length} suspects:\n    ${fmtRows(table.rows) || '(none)'}`);
        assert.equal(table.sampleType, exp.sample_type, `${SEL.leakTable} data-sample-type`);
        if (exp.expected_rank1_function === '-') {
          assert.equal(table.rows.length, 0, `a healthy series must have no suspects (empty tbody), got ${table.rows.length}:\n    ${fmtRows(table.rows)}`);
          return;
        }
        assert.ok(table.rows.length > 0, `no suspects; want ${exp.expected_rank1_function} at rank 1` + (await pageSummary(page)));
        const problems = checkLeakRows(table, files.length);
        const first = table.rows[0];
        if (first.fn !== exp.expected_rank1_function) {
          const at = table.rows.findIndex((r) => r.fn === exp.expected_rank1_function);
          problems.unshift(`rank 1 is ${JSON.stringify(first.fn)}, want ${JSON.stringify(exp.expected_rank1_function)} (${at < 0 ? 'not in the table' : `it is row ${at}`})`);
        }
        if (first.growth <= 0n) problems.push(`rank 1 ${first.fn} has growth ${first.growth}, a leak grows`);
        const want = readPatterns().get(`${exp.scenario}/${exp.kind}`);
        if (want && first.fn === want.fn && first.pattern !== want.pattern)
          problems.push(`rank 1 ${first.fn}: data-pattern ${JSON.stringify(first.pattern)}, want ${JSON.stringify(want.pattern)} (testdata/leaks/patterns.tsv)`);
        if (!['cache', 'reslice', 'goroutine', 'defer-loop', 'ticker', 'unknown'].includes(first.pattern)) problems.push(`rank 1 ${first.fn}: data-pattern ${JSON.stringify(first.pattern)} is not one of contract.md's`);
        if (problems.length) assert.fail(`${label}:\n  ${problems.join('\n  ')}\n  table:\n    ${fmtRows(table.rows)}`);
      });
    });
  }

  it('the bundled example, loaded first, stays out of a service\'s series; the series picker offers both', { timeout: 90_000 }, async (t) => {
    const exp = readExpected().find((e) => e.scenario === 'cache' && e.kind === 'heap');
    const files = snapshots('cache', 'heap.pb.gz');
    await withPage(ctx.browser, ctx.server, 'leaks-mixed', async ({ page }) => {
      // The example heap profile is another program, and its collection time is later than
      // the snapshots': mixed in, it would be the series' last point.
      await loadFiles(page, [path.join(TESTDATA_DIR, 'example', 'heap.pb.gz')]);
      const table = await openLeaks(page, files, exp.sample_type);
      diag(t, `${table.rows.length} suspects:\n    ${fmtRows(table.rows) || '(none)'}`);
      assert.ok(table.rows.length > 0, 'no suspects with the example loaded beside the series' + (await pageSummary(page)));
      assert.equal(table.rows[0].fn, exp.expected_rank1_function, 'rank 1 with the example loaded too');
      assert.deepEqual(checkLeakRows(table, files.length), [], 'one value per snapshot of the series, not of every loaded profile');
      const options = await page.$$eval(`${SEL.seriesPicker} option`, (os) => os.map((o) => ({ series: o.getAttribute('data-series'), selected: o.selected })));
      diag(t, `series picker: ${JSON.stringify(options)}`);
      const want = files.map((f) => path.basename(f)).join(',');
      assert.deepEqual(options.filter((o) => o.selected).map((o) => o.series), [want], 'the series read: the snapshots, in time order');
      assert.ok(options.some((o) => o.series === 'heap.pb.gz'), 'the example is a series of its own');
      assert.equal(await page.$(SEL.seriesWarning), null, 'no warning while the series is one program');

      // Forcing the example in: it is read as the series' last point (its time is the latest),
      // and the page warns that it looks like another program.
      await page.locator('details.members summary').click();
      await actAndSettle(page, 'adding the example to the series', () => page.locator('input[data-member="heap.pb.gz"]').check(), {
        until: (sel) => !!document.querySelector(sel),
        arg: SEL.seriesWarning,
      });
      const warning = await page.$eval(SEL.seriesWarning, (e) => e.textContent);
      diag(t, `warning: ${warning}`);
      assert.match(warning, /heap\.pb\.gz looks like another program: \d+% of its functions appear in the others/);
      // Taking a snapshot out: every suspect's series has one value per profile read.
      await actAndSettle(page, 'taking 03 out', () => page.locator('input[data-member="03.heap.pb.gz"]').uncheck(), {
        until: (sel) => [...document.querySelectorAll(sel + ' tbody tr')].every((tr) => tr.getAttribute('data-series').split(',').length === 6),
        arg: SEL.leakTable,
      });
    });
  });

  it('the timeline: one point per snapshot with pprof\'s total; a click opens its flame graph, shift-clicks on two open their diff', { timeout: 90_000 }, async (t) => {
    const files = snapshots('cache', 'heap.pb.gz');
    // pprof's inuse_space total of each snapshot, from the recorded `go tool pprof -top` goldens.
    const goldenTotal = (f) => {
      const g = path.join(TESTDATA_DIR, 'golden', 'top', `leaks__cache__${path.basename(f)}.3.inuse_space.tsv`);
      return /total=(-?\d+)/.exec(fs.readFileSync(g, 'utf8').split('\n')[0])[1];
    };
    await withPage(ctx.browser, ctx.server, 'leaks-timeline', async ({ page }) => {
      await openLeaks(page, files, 'inuse_space');
      const points = await page.$$eval(`${SEL.timeline} [data-point]`, (ps) => ps.map((p) => [p.getAttribute('data-file'), p.getAttribute('data-total')]));
      t.diagnostic(`timeline points: ${JSON.stringify(points)}`);
      assert.deepEqual(points, files.map((f) => [path.basename(f), goldenTotal(f)]), 'one point per snapshot, in time order, with pprof\'s total');
      await page.screenshot({ path: '/tmp/profdrop-timeline.png' });
      const point = (i) => page.locator(`${SEL.timeline} [data-point]`).nth(i);
      await actAndSettle(page, 'clicking the third snapshot', () => point(2).click(), {
        until: (sel) => Number(document.querySelector(sel)?.getAttribute('data-frames')) > 0,
        arg: SEL.flamegraph,
      });
      const selected = await page.$eval(`${SEL.profileList} [data-selected]`, (e) => e.getAttribute('data-file'));
      assert.equal(selected, path.basename(files[2]), 'the clicked snapshot is the one shown');
      await clickAndSettle(page, SEL.viewLeaks, { until: (sel) => !!document.querySelector(sel), arg: SEL.timeline });
      await point(4).click({ modifiers: ['Shift'] });
      await actAndSettle(page, 'shift-clicking the second snapshot', () => point(1).click({ modifiers: ['Shift'] }), {
        until: (sel) => !!document.querySelector(sel),
        arg: SEL.diffBase,
      });
      assert.equal((await readSelect(page, SEL.diffBase)).selected, path.basename(files[1]), 'diff base = the earlier of the two');
      assert.equal((await readSelect(page, SEL.diffTarget)).selected, path.basename(files[4]), 'diff target = the later of the two');
    });
  });

  it('a folder of snapshots opens in one step (the folder button), in path order, and the leak view reads it', { timeout: 90_000 }, async (t) => {
    const dir = path.join(LEAKS_DIR, 'tickers');
    const want = fs.readdirSync(dir).filter((f) => !f.startsWith('.')).sort();
    await withPage(ctx.browser, ctx.server, 'leaks-folder', async ({ page }) => {
      await actAndSettle(page, 'choosing the folder', () => page.setInputFiles(SEL.folderInput, dir), {
        until: ({ sel, n }) => document.querySelectorAll(sel).length === n && document.body.getAttribute('data-state') === 'ready',
        arg: { sel: `${SEL.profileList} [data-file]`, n: want.length },
      });
      const listed = await page.$$eval(`${SEL.profileList} [data-file]`, (es) => es.map((e) => e.getAttribute('data-file')));
      t.diagnostic(`profiles: ${listed.join(', ')}`);
      assert.deepEqual(listed, want, 'every file of the folder, in order');
      await clickAndSettle(page, SEL.viewLeaks, { until: (sel) => !!document.querySelector(sel), arg: SEL.leakTable });
      const table = await readLeakTable(page);
      assert.equal(table.rows[0]?.fn, 'main.pollUpstream', 'rank 1 of the folder\'s series');
      assert.equal(table.rows[0]?.pattern, 'ticker');
    });
  });

  it('goroutine debug=2 text dumps: main.waitForever ranks first; goroutine groups show where they wait', { timeout: 90_000 }, async (t) => {
    const files = snapshots('goroutines', 'goroutine.debug2.txt');
    // Independent count: goroutines whose first frame is main.waitForever, per dump.
    const counts = files.map((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split(/\n\s*\n/)
        .filter((block) => /^goroutine \d+ \[/.test(block.trim()) && block.trim().split('\n')[1]?.startsWith('main.waitForever(')).length,
    );
    await withPage(ctx.browser, ctx.server, 'leaks-debug2', async ({ page }) => {
      await loadFiles(page, files);
      const st = await readSampleTypes(page);
      t.diagnostic(`sample types of the dumps: ${JSON.stringify(st.options)} (selected ${st.selected})`);
      await clickAndSettle(page, SEL.viewLeaks, { until: (sel) => !!document.querySelector(sel), arg: SEL.leakTable });
      if (st.options.includes('goroutine')) await selectSampleTypeFor(page, 'goroutine', SEL.leakTable);
      const table = await readLeakTable(page);
      diag(t, `${table.rows.length} suspects:\n    ${fmtRows(table.rows) || '(none)'}\n  main.waitForever goroutines per dump (from the text): ${counts.join(',')}`);
      assert.ok(table.rows.length > 0, 'no suspects for the goroutine debug=2 dumps' + (await pageSummary(page)));
      const problems = checkLeakRows(table, files.length);
      if (table.rows[0].fn !== 'main.waitForever') problems.unshift(`rank 1 is ${JSON.stringify(table.rows[0].fn)}, want "main.waitForever"`);
      const wf = table.rows.find((r) => r.fn === 'main.waitForever');
      if (wf && wf.series.join(',') !== counts.join(','))
        problems.push(`main.waitForever data-series ${wf.rawSeries}, but the dumps hold ${counts.join(',')} goroutines blocked in it`);
      if (problems.length) assert.fail(`debug=2 dumps:\n  ${problems.join('\n  ')}`);

      const groups = await page.$(SEL.goroutineGroups);
      assert.ok(groups, `no ${SEL.goroutineGroups} (goroutine grouping table) for goroutine dumps` + (await pageSummary(page)));
      const text = (await groups.textContent()) ?? '';
      const rows = await groups.$$eval('tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.replace(/\s+/g, ' ').trim()).join(' | ')));
      diag(t, `goroutine groups:\n    ${rows.slice(0, 8).join('\n    ')}`);
      assert.ok(text.includes('chan receive'), `${SEL.goroutineGroups} does not mention "chan receive"`);
      assert.ok(text.includes('main.startWorker'), `${SEL.goroutineGroups} does not mention "main.startWorker" (created by)`);
      assert.ok(
        rows.some((r) => r.includes('main.waitForever') && r.includes('chan receive') && r.includes('main.startWorker')),
        `no row of ${SEL.goroutineGroups} groups main.waitForever / chan receive / created by main.startWorker:\n    ${rows.join('\n    ')}`,
      );
    });
  });

  it('clicking the rank-1 suspect opens the diff view with the flame graph focused on it', { timeout: 90_000 }, async (t) => {
    const files = snapshots('cache', 'heap.pb.gz');
    await withPage(ctx.browser, ctx.server, 'leaks-open-suspect', async ({ page }) => {
      const table = await openLeaks(page, files, 'inuse_space');
      assert.ok(table.rows.length > 0, 'no suspects for the cache scenario');
      const fn = table.rows[0].fn;
      const row = page.locator(`${SEL.leakTable} tbody tr`).first();
      // Click the first cell (the rank), away from the expandable evidence in the last one.
      await actAndSettle(page, `clicking the rank-1 row (${fn})`, () => row.locator('td').first().click(), {
        until: ({ sel, fn }) => {
          const c = document.querySelector(sel);
          return !!c && c.getAttribute('data-root') === fn && Number(c.getAttribute('data-frames')) > 0;
        },
        arg: { sel: SEL.flamegraph, fn },
      });
      await page.waitForSelector(SEL.flamegraph, { state: 'visible' });
      const root = await page.getAttribute(SEL.flamegraph, 'data-root');
      const frames = await page.getAttribute(SEL.flamegraph, 'data-frames');
      await page.screenshot({ path: SCREENSHOT });
      t.diagnostic(`flame graph data-root=${JSON.stringify(root)} data-frames=${frames}; screenshot ${SCREENSHOT}`);
      assert.equal(root, fn, 'data-root of the flame graph after clicking the suspect');
      assert.ok(await page.$(SEL.diffBase), `not in the diff view: no ${SEL.diffBase}`);
      const b = await readSelect(page, SEL.diffBase);
      const tg = await readSelect(page, SEL.diffTarget);
      assert.equal(b.selected, path.basename(files[0]), 'diff base = first snapshot');
      assert.equal(tg.selected, path.basename(files.at(-1)), 'diff target = last snapshot');
    });
  });
});
