// Graph view timing on the biggest public corpus CPU profile (gpprof_large.cpu) and any other
// files named: cold page, file loaded, then the graph view opened by its tab; reports the time
// from the click to the graph drawn (+ next frame) with straight edges, and then with
// Graphviz's curved edges in their place, Graphviz's own layout time in
// its worker, when the engine's answer came and when the layout did (the page's performance
// marks profdrop:graph-answer and profdrop:graph-laid-out), and the longest main-thread task
// meanwhile. Numbers, never pass/fail.
//
//   node tests/e2e/graph-bench.mjs [FILE ...]   (needs make dist; default: the corpus file)
//   GRAPH_WAIT=2000 node tests/e2e/graph-bench.mjs FILE   (the tab clicked 2 s after the load,
//   not at once)
//   GRAPH_OPTS='n=300&nf=0&ef=0' node tests/e2e/graph-bench.mjs   (pprof's options, as the link
//   writes them: the view is then opened by assigning the hash instead of clicking the tab)

import path from 'node:path';
import { CORPUS_DIR, launchBrowser, loadFiles, openPage, startServer } from './helpers.mjs';

const files = process.argv.slice(2);
if (!files.length) files.push(path.join(CORPUS_DIR, 'gpprof_large.cpu'));
const server = await startServer();
const browser = await launchBrowser();
try {
  for (const file of files) {
    for (let run = 0; run < Number(process.env.GRAPH_RUNS || 3); run++) {
      const { context, page } = await openPage(browser, server);
      await page.evaluate(() => {
        window.__lt = [];
        new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__lt.push({ t: e.startTime, d: e.duration }))).observe({ type: 'longtask', buffered: false });
      });
      await loadFiles(page, [file], { timeout: 120_000 });
      // GRAPH_WAIT=ms: the user looks at the table a while first (the engine's idle work runs).
      if (process.env.GRAPH_WAIT) await page.waitForTimeout(Number(process.env.GRAPH_WAIT));
      const t0 = await page.evaluate(() => performance.now());
      const opts = process.env.GRAPH_OPTS;
      if (opts) await page.evaluate((o) => { location.hash = location.hash.replace(/^#/, '').split('&').filter((kv) => !/^(view|n|nf|ef)=/.test(kv)).concat(['view=graph', o]).join('&'); }, opts);
      else await page.click('[data-testid=view-graph]');
      // Drawn first with straight edges (`lines`), then with Graphviz's curves (`done`); each
      // time with every label in (`data-drawn=all`).
      const shown = (want) =>
        page.waitForFunction(
          (want) =>
            document.body.getAttribute('data-state') === 'ready' &&
            want.includes(document.querySelector('[data-testid=graph]')?.getAttribute('data-layout')) &&
            !!document.querySelector('[data-testid=graph] [data-drawn=all]'),
          want,
          { timeout: 120_000, polling: 'raf' },
        );
      await shown(['lines', 'done']);
      const drawnAt = await page.evaluate(async (t0) => {
        await new Promise((res) => requestAnimationFrame(res));
        return performance.now() - t0;
      }, t0);
      await shown(['done']);
      const r = await page.evaluate(async (t0) => {
        await new Promise((res) => requestAnimationFrame(res));
        const el = document.querySelector('[data-testid=graph]');
        const mark = (name) => performance.getEntriesByName(name, 'mark').filter((m) => m.startTime >= t0).map((m) => m.startTime - t0)[0] ?? NaN;
        return {
          answer: mark('profdrop:graph-answer'),
          straight: mark('profdrop:graph-drawn'),
          laidOut: mark('profdrop:graph-laid-out'),
          ms: performance.now() - t0,
          layout: Number(el.getAttribute('data-layout-ms')),
          nodes: Number(el.getAttribute('data-nodes')),
          edges: Number(el.getAttribute('data-edges')),
          longtask: window.__lt.filter((l) => l.t >= t0).reduce((m, l) => Math.max(m, l.d), 0),
        };
      }, t0);
      console.log(
        `${path.basename(file)}${opts ? ' ' + opts : ''} run ${run + 1}: click → graph drawn ${drawnAt.toFixed(0)} ms, curves drawn ${r.ms.toFixed(0)} ms ` +
          `(engine answer at ${r.answer.toFixed(0)} ms, straight layout at ${r.straight.toFixed(0)} ms, curves at ${r.laidOut.toFixed(0)} ms: Graphviz layout with curves ${r.layout} ms in its worker; ` +
          `${r.nodes} nodes, ${r.edges} edges); longest main-thread task ${r.longtask.toFixed(0)} ms`,
      );
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
