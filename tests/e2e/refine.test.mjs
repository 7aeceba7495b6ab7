// Refining in the page (../shared/contract.md, "View state in the URL"): pprof's refine
// parameters in the hash, the refine bar's chips, the context menu of table rows and flame
// frames, the label browser. Every expected number comes from `go tool pprof` (the command is
// quoted beside it) or from testdata/golden, never from the page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  SEL,
  TESTDATA_DIR,
  actAndSettle,
  assertDistBuilt,
  compareTopTable,
  loadFiles,
  pageSummary,
  pprofTable,
  readChips,
  readHash,
  readOracleTable,
  readTopTable,
  withPage,
  useBrowser,
} from './helpers.mjs';

const HEAP = path.join(TESTDATA_DIR, 'example/heap.pb.gz');
const GOLDEN_TOP = path.join(TESTDATA_DIR, 'golden', 'top');
// go tool pprof -symbolize=none -trim=false -sample_index=3 -unit=B -top example/heap.pb.gz
const UNREFINED = () => readOracleTable('example__heap.pb.gz.3.inuse_space.tsv', GOLDEN_TOP);

// cd testdata && go tool pprof -symbolize=none -trim=false -sample_index=inuse_space -unit=B -top -nodecount=1000 \
//   -focus='main\.handleRequest' example/heap.pb.gz        (names without pprof's " (inline)" mark)
const FOCUS_HANDLE_REQUEST = pprofTable(594096, [
  ['bytes.growSlice', 409600, 409600],
  ['reflect.mapassign_faststr', 36864, 36864],
  ['strings.(*Builder).WriteString', 24576, 24576],
  ['encoding/json.(*decodeState).literalStore', 24432, 24432],
  ['main.(*Cache).Put', 17816, 17816],
  ['main.decodeJSON', 12288, 92032],
  ['reflect.unsafe_NewArray', 8192, 8192],
  ['reflect.makemap', 6144, 6144],
  ['reflect.cvtBytesString', 4096, 4096],
  ['fmt.glob..func1', 416, 416],
  ['sync.(*Pool).pinSlow', 256, 256],
  ['fmt.(*buffer).write', 128, 128],
  ['sync.(*Map).missLocked', 16, 16],
  ['bytes.(*Buffer).Write', 0, 409600],
  ['bytes.(*Buffer).grow', 0, 409600],
  ['encoding/json.(*decodeState).array', 0, 10240],
  ['encoding/json.(*decodeState).object', 0, 79744],
  ['encoding/json.(*decodeState).unmarshal', 0, 79744],
  ['encoding/json.(*decodeState).value', 0, 79744],
  ['encoding/json.Unmarshal', 0, 79744],
  ['encoding/json.cachedTypeFields', 0, 16],
  ['fmt.(*fmt).fmtQ', 0, 128],
  ['fmt.(*fmt).pad', 0, 128],
  ['fmt.(*pp).doPrintf', 0, 128],
  ['fmt.(*pp).fmtString', 0, 128],
  ['fmt.(*pp).free', 0, 256],
  ['fmt.(*pp).printArg', 0, 128],
  ['fmt.Fprintf', 0, 410400],
  ['fmt.newPrinter', 0, 416],
  ['main.formatLogLine', 0, 24576],
  ['main.handleRequest', 0, 544824],
  ['main.main', 0, 458552],
  ['main.renderResponse', 0, 410400],
  ['main.serveBatch', 0, 458552],
  ['main.worker', 0, 86272],
  ['reflect.MakeMap', 0, 6144],
  ['reflect.MakeMapWithSize', 0, 6144],
  ['reflect.MakeSlice', 0, 8192],
  ['reflect.Value.Convert', 0, 4096],
  ['reflect.Value.SetMapIndex', 0, 36864],
  ['runtime.main', 0, 458552],
  ['sync.(*Map).Load', 0, 16],
  ['sync.(*Pool).Get', 0, 416],
  ['sync.(*Pool).Put', 0, 256],
  ['sync.(*Pool).pin', 0, 256],
]);

// cd testdata && go tool pprof -symbolize=none -trim=false -sample_index=inuse_space -unit=B -top -nodecount=1000 \
//   -focus='^main\.decodeJSON$' example/heap.pb.gz        (the context menu's regex for main.decodeJSON)
const FOCUS_DECODE_JSON = pprofTable(594096, [
  ['reflect.mapassign_faststr', 36864, 36864],
  ['encoding/json.(*decodeState).literalStore', 24432, 24432],
  ['main.decodeJSON', 12288, 92032],
  ['reflect.unsafe_NewArray', 8192, 8192],
  ['reflect.makemap', 6144, 6144],
  ['reflect.cvtBytesString', 4096, 4096],
  ['sync.(*Map).missLocked', 16, 16],
  ['encoding/json.(*decodeState).array', 0, 10240],
  ['encoding/json.(*decodeState).object', 0, 79744],
  ['encoding/json.(*decodeState).unmarshal', 0, 79744],
  ['encoding/json.(*decodeState).value', 0, 79744],
  ['encoding/json.Unmarshal', 0, 79744],
  ['encoding/json.cachedTypeFields', 0, 16],
  ['main.handleRequest', 0, 92032],
  ['main.main', 0, 71520],
  ['main.serveBatch', 0, 71520],
  ['main.worker', 0, 20512],
  ['reflect.MakeMap', 0, 6144],
  ['reflect.MakeMapWithSize', 0, 6144],
  ['reflect.MakeSlice', 0, 8192],
  ['reflect.Value.Convert', 0, 4096],
  ['reflect.Value.SetMapIndex', 0, 36864],
  ['runtime.main', 0, 71520],
  ['sync.(*Map).Load', 0, 16],
]);

// cd testdata && go tool pprof -symbolize=none -trim=false -sample_index=inuse_space -unit=B -top -nodecount=1000 \
//   -tagfocus=bytes=2048bytes:4095bytes example/heap.pb.gz    (the label browser's 2 kB – 4 kB bucket)
const TAGFOCUS_2K = pprofTable(594096, [
  ['bytes.growSlice', 409600, 409600],
  ['bytes.(*Buffer).Write', 0, 409600],
  ['bytes.(*Buffer).grow', 0, 409600],
  ['fmt.Fprintf', 0, 409600],
  ['main.handleRequest', 0, 409600],
  ['main.main', 0, 348160],
  ['main.renderResponse', 0, 409600],
  ['main.serveBatch', 0, 348160],
  ['main.worker', 0, 61440],
  ['runtime.main', 0, 348160],
]);

async function assertTable(page, expected, what) {
  const problems = compareTopTable(await readTopTable(page), expected, 'inuse_space');
  assert.deepEqual(problems, [], `${what}: the top table must be pprof's:\n  ${problems.join('\n  ')}`);
}

/** Waits (after `action`) for the page to settle with these chip keys in the bar. */
async function settleWithChips(page, what, action, keys) {
  await actAndSettle(page, what, action, {
    until: ({ sel, keys }) => JSON.stringify([...document.querySelectorAll(sel)].map((c) => c.getAttribute('data-key'))) === JSON.stringify(keys),
    arg: { sel: SEL.chip, keys },
  });
}

const setHash = (page, h) => () => page.evaluate((h) => { location.hash = h; }, h);

// The refine helper's goldens: `go tool pprof -top` with refinement options on the project's
// fixtures (testdata/golden/refine, written by testdata/gen/golden_refine.py; the options are in
// each file's `args=`). Until they are merged the test that reads them is a todo.
const GOLDEN_REFINE = path.join(TESTDATA_DIR, 'golden', 'refine');
const HAVE_GOLDEN_REFINE = fs.existsSync(GOLDEN_REFINE);
// pprof's flags → the hash's keys (../shared/contract.md).
const FLAG_KEYS = {
  focus: 'f', ignore: 'i', hide: 'h', show: 's', show_from: 'sf', prune_from: 'prunefrom',
  tagfocus: 'tf', tagignore: 'ti', tagshow: 'ts', taghide: 'th',
};
const GRANULARITIES = ['functions', 'filefunctions', 'files', 'lines', 'addresses'];
// The order the page writes its chips in (the hash's order).
const CHIP_ORDER = ['f', 'i', 'h', 's', 'sf', 'prunefrom', 'tf', 'ti', 'ts', 'th', 'g', 'noinlines', 'mean', 'mine', 'rec'];

/** pprof's flags (`-focus=x -lines -noinlines`) as hash parameters, or null for one the page has no key for. */
function hashParams(args) {
  const out = [];
  for (const a of args.split(' ').filter(Boolean)) {
    const m = /^-([a-z_]+)(?:=(.*))?$/.exec(a);
    if (!m) return null;
    const [, flag, value] = m;
    if (FLAG_KEYS[flag] && value !== undefined) out.push([FLAG_KEYS[flag], value]);
    else if (GRANULARITIES.includes(flag)) { if (flag !== 'functions') out.push(['g', flag]); }
    else if (flag === 'noinlines' || flag === 'mean') out.push([flag, '1']);
    else return null;
  }
  return out;
}

it('dist/ is built', () => assertDistBuilt());

describe('refining', () => {
  const ctx = useBrowser({ before, after });

  it('a link with pprof focus shows pprof -focus table; removing the chip restores it; back returns', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'refine-link', async ({ page }) => {
      await loadFiles(page, [HEAP]);
      await settleWithChips(page, 'a link with f=', setHash(page, 'view=top&si=inuse_space&f=main%5C.handleRequest'), ['f']);
      assert.deepEqual(await readChips(page), [{ key: 'f', value: 'main\\.handleRequest' }]);
      await assertTable(page, FOCUS_HANDLE_REQUEST, 'f=main\\.handleRequest');

      await settleWithChips(page, 'removing the chip', () => page.click(`${SEL.chip}[data-key=f] button`), []);
      await assertTable(page, UNREFINED(), 'after the chip was removed');
      assert.equal((await readHash(page)).f, undefined, 'the hash has no focus any more');

      await settleWithChips(page, 'going back', () => page.goBack(), ['f']);
      await assertTable(page, FOCUS_HANDLE_REQUEST, 'after back');
      assert.equal((await readHash(page)).f, 'main\\.handleRequest');
    });
  });

  it('a malformed link value is named and the rest applies', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'refine-bad-link', async ({ page }) => {
      await loadFiles(page, [HEAP]);
      await settleWithChips(page, 'a link with bad values', setHash(page, 'si=inuse_space&g=bytes&noinlines=maybe&f=main%5C.handleRequest&i=main('), ['f']);
      const notes = await page.$eval(SEL.linkNotes, (e) => e.textContent).catch(() => '');
      for (const k of ['`g`', '`noinlines`', '`i`']) assert.ok(notes.includes(k), `the notice names ${k}: ${JSON.stringify(notes)}`);
      assert.match(notes, /bytes/, 'names the unknown granularity');
      assert.match(notes, /maybe/);
      await assertTable(page, FOCUS_HANDLE_REQUEST, 'the valid focus still applies');

      // A focus that matches nothing: pprof's empty table (go tool pprof ... -focus=zzzNothing:
      // "Showing nodes accounting for 0, 0% of 594096B total"), and the engine's note by the bar.
      await settleWithChips(page, 'a focus that matches nothing', setHash(page, 'si=inuse_space&f=zzzNothing'), ['f']);
      await assertTable(page, pprofTable(594096, []), 'f=zzzNothing');
      const said = await page.$eval(SEL.refineNotes, (e) => e.textContent).catch(() => '');
      assert.match(said, /zzzNothing/, `the note names the filter: ${JSON.stringify(said)}`);
    });
  });

  it('the context menu Focus on adds a chip, writes f= and back returns', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'refine-menu', async ({ page }) => {
      await loadFiles(page, [HEAP]);
      const row = `${SEL.topTable} tbody tr[data-function="main.decodeJSON"]`;
      await page.click(row, { button: 'right' });
      await page.waitForSelector(SEL.contextMenu, { timeout: 5000 }).catch(async () => assert.fail('no context menu on a right click' + (await pageSummary(page))));
      assert.equal(await page.$eval(SEL.contextMenu, (m) => m.getAttribute('data-function')), 'main.decodeJSON');
      // The first entry has the focus (keyboard use).
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'f');
      await settleWithChips(page, 'Focus on', () => page.click(`${SEL.contextMenu} [data-action=f]`), ['f']);
      assert.equal(await page.$(SEL.contextMenu), null, 'the menu closed');
      assert.equal((await readHash(page)).f, '^main\\.decodeJSON$', 'anchored, metacharacters quoted');
      await assertTable(page, FOCUS_DECODE_JSON, 'Focus on main.decodeJSON');

      await settleWithChips(page, 'going back', () => page.goBack(), []);
      await assertTable(page, UNREFINED(), 'after back');

      // Pivot: the same exact regex as pprof's flame graph `p` (the pivot view draws it).
      await page.click(row, { button: 'right' });
      await page.waitForSelector(SEL.contextMenu, { timeout: 5000 });
      await actAndSettle(page, 'Pivot', () => page.click(`${SEL.contextMenu} [data-action=p]`), {
        until: () => decodeURIComponent(location.hash).includes('p=^main\\.decodeJSON$'),
      });
      await page.goBack();
      await page.waitForFunction(() => !/(^|&)p=/.test(location.hash.slice(1)), null, { timeout: 10_000 });
      await page.click(SEL.viewTop);
      await page.waitForSelector(`${SEL.topTable} tbody tr[data-function="main.buildIndex"]`, { timeout: 10_000 });

      // The keyboard way: Shift+F10 on a row's ⋯ button; Escape closes and gives the focus back.
      const button = `${SEL.topTable} tbody tr[data-function="main.buildIndex"] .row-menu`;
      await page.focus(button);
      await page.keyboard.press('Shift+F10');
      await page.waitForSelector(SEL.contextMenu, { timeout: 5000 }).catch(async () => assert.fail('no context menu on Shift+F10' + (await pageSummary(page))));
      assert.equal(await page.$eval(SEL.contextMenu, (m) => m.getAttribute('data-function')), 'main.buildIndex');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'i', 'arrow keys move through the entries');
      await page.keyboard.press('Escape');
      await page.waitForSelector(SEL.contextMenu, { state: 'detached', timeout: 5000 });
      assert.ok(await page.evaluate((b) => document.activeElement === document.querySelector(b), button), 'the focus is back on the ⋯ button');

      // A flame-graph frame: right click on the second row (a function under the root).
      // (Scrolled to the middle of the window: the sticky header must not cover it.)
      await page.$eval(SEL.flamegraph, (c) => {
        c.parentElement.scrollTop = 0;
        c.parentElement.scrollIntoView({ block: 'center' });
      });
      const box = await (await page.$(SEL.flamegraph)).boundingBox();
      await page.mouse.click(box.x + 20, box.y + 18 + 9, { button: 'right' });
      await page.waitForSelector(SEL.contextMenu, { timeout: 5000 }).catch(async () => assert.fail('no context menu on a flame frame' + (await pageSummary(page))));
      const fn = await page.$eval(SEL.contextMenu, (m) => m.getAttribute('data-function'));
      assert.ok(fn && fn !== 'root', `the menu names the frame's function: ${fn}`);
      await page.keyboard.press('Escape');
      await page.waitForSelector(SEL.contextMenu, { state: 'detached', timeout: 5000 });

      // The flame graph by keyboard: the first arrow selects the root, Down its widest callee
      // (shown in the tooltip), Shift+F10 opens that frame's menu.
      await page.focus(SEL.flamegraph);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      const tip = await page.$eval(SEL.flameTooltip, (t) => t.textContent).catch(() => '');
      await page.keyboard.press('Shift+F10');
      await page.waitForSelector(SEL.contextMenu, { timeout: 5000 }).catch(async () => assert.fail('no context menu on Shift+F10 on the flame graph' + (await pageSummary(page))));
      const kfn = await page.$eval(SEL.contextMenu, (m) => m.getAttribute('data-function'));
      assert.ok(kfn && kfn !== 'root' && tip.startsWith(kfn), `the menu is for the frame the arrows chose (${JSON.stringify(kfn)}, tooltip ${JSON.stringify(tip)})`);
      await page.keyboard.press('Escape');
    });
  });

  it('the refine bar adds a filter with Enter, a focused chip goes with Delete, a bad regex keeps the view', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'refine-bar', async ({ page }) => {
      await loadFiles(page, [HEAP]);
      await page.selectOption(SEL.refineKind, 'f');
      await page.fill(SEL.refineInput, '^main\\.decodeJSON$');
      await settleWithChips(page, 'Enter in the refine input', () => page.press(SEL.refineInput, 'Enter'), ['f']);
      await assertTable(page, FOCUS_DECODE_JSON, 'focus added in the bar');

      await page.focus(`${SEL.chip}[data-key=f]`);
      await settleWithChips(page, 'Delete on the focused chip', () => page.keyboard.press('Delete'), []);
      await assertTable(page, UNREFINED(), 'chip removed with the keyboard');

      // An invalid regex: the engine refuses it, the bar says why, the table stays.
      await page.fill(SEL.refineInput, 'main(');
      await page.press(SEL.refineInput, 'Enter');
      await page.waitForSelector(SEL.refineError, { timeout: 10_000 }).catch(async () => assert.fail('no message for an invalid regex' + (await pageSummary(page))));
      assert.match(await page.$eval(SEL.refineError, (e) => e.textContent), /main\(/);
      await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 10_000 });
      assert.deepEqual(await readChips(page), [], 'the refused filter is not kept');
      await assertTable(page, UNREFINED(), 'the previous view stays');
    });
  });

  it('the label browser lists a numeric label in buckets and adds a tag filter', { timeout: 120_000 }, async () => {
    await withPage(ctx.browser, ctx.server, 'refine-labels', async ({ page }) => {
      await loadFiles(page, [HEAP]);
      await page.click(SEL.labels);
      const bucket = `${SEL.labelValue}[data-key=bytes][data-value="2048bytes:4095bytes"]`;
      await page.waitForSelector(bucket, { timeout: 10_000 }).catch(async () => assert.fail('no 2 kB bucket of the bytes label' + (await pageSummary(page))));
      // go tool pprof -tags example/heap.pb.gz: "400.0kB (68.95%): 2kB" — exactly 409600, the
      // total of pprof's -tagfocus table above.
      assert.equal(await page.$eval(bucket, (b) => b.getAttribute('data-total')), '409600');
      assert.match(await page.$eval(bucket, (b) => b.textContent), /2 kB – 4 kB/, 'the bucket in human units');
      await settleWithChips(page, 'clicking the bucket', () => page.click(bucket), ['tf']);
      assert.equal((await readHash(page)).tf, 'bytes=2048bytes:4095bytes');
    });
  });

  it('a tag filter gives pprof -tagfocus table', { timeout: 120_000, todo: !HAVE_GOLDEN_REFINE && 'needs the exact tag filters of analysis::refine (the refine helper)' }, async () => {
    await withPage(ctx.browser, ctx.server, 'refine-tagfocus', async ({ page }) => {
      await loadFiles(page, [HEAP]);
      await settleWithChips(page, 'a link with tf=', setHash(page, 'view=top&si=inuse_space&tf=bytes%3D2048bytes:4095bytes'), ['tf']);
      await assertTable(page, TAGFOCUS_2K, 'tf=bytes=2048bytes:4095bytes');
    });
  });

  it('every refine golden through the hash equals pprof -top', { timeout: 600_000, todo: !HAVE_GOLDEN_REFINE && 'testdata/golden/refine (the refine helper) is not merged yet' }, async () => {
    assert.ok(HAVE_GOLDEN_REFINE, `no ${GOLDEN_REFINE}`);
    const cases = fs.readdirSync(GOLDEN_REFINE).filter((f) => f.endsWith('.tsv')).sort().map((file) => {
      const t = readOracleTable(file, GOLDEN_REFINE);
      return { file, t, params: hashParams(decodeURIComponent(t.meta.args ?? '')) };
    });
    const unmapped = cases.filter((c) => !c.params).map((c) => `${c.file}: ${c.t.meta.args}`);
    assert.deepEqual(unmapped, [], 'every golden\'s pprof options have hash keys');
    const byProfile = new Map();
    for (const c of cases) {
      if (!byProfile.has(c.t.meta.profile)) byProfile.set(c.t.meta.profile, []);
      byProfile.get(c.t.meta.profile).push(c);
    }
    const failures = [];
    let checked = 0;
    for (const [profile, list] of byProfile) {
      await withPage(ctx.browser, ctx.server, `refine-golden-${profile}`, async ({ page }) => {
        await loadFiles(page, [path.join(TESTDATA_DIR, profile)]);
        for (const { file, t, params } of list) {
          const st = t.meta.sample_type;
          const want = new URLSearchParams([['view', 'top'], ['si', st], ...params]).toString();
          const keys = params.map(([k]) => k).sort((a, b) => CHIP_ORDER.indexOf(a) - CHIP_ORDER.indexOf(b));
          const same = await page.evaluate((w) => {
            const norm = (h) => [...new URLSearchParams(h.replace(/^#/, ''))].map(([k, v]) => `${k}=${v}`).sort().join('&');
            return norm(location.hash) === norm(w);
          }, want);
          if (!same) {
            await actAndSettle(page, `${file}: #${want}`, setHash(page, want), {
              until: ({ sel, keys, table, st }) =>
                JSON.stringify([...document.querySelectorAll(sel)].map((c) => c.getAttribute('data-key'))) === JSON.stringify(keys) &&
                document.querySelector(table)?.getAttribute('data-sample-type') === st,
              arg: { sel: SEL.chip, keys, table: SEL.topTable, st },
            });
          }
          const problems = compareTopTable(await readTopTable(page), t, st);
          checked++;
          if (problems.length) failures.push(`${file} (#${want}):\n    ${problems.join('\n    ')}`);
        }
      });
    }
    assert.ok(checked > 0, 'no golden was checked');
    assert.deepEqual(failures, [], `${failures.length} of ${checked} refine goldens differ from the page`);
  });
});
