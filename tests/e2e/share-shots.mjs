// Screenshots of the share panel (light, dark) and of a docs page embedding a view, for the
// README's readers and reviewers: node tests/e2e/share-shots.mjs (after make dist). Writes docs/share/.
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, startServer, TESTDATA_DIR, E2E_DIR, REPO_ROOT } from './helpers.mjs';

const out = path.join(REPO_ROOT, 'docs', 'share');
fs.mkdirSync(out, { recursive: true });
const server = await startServer({
  extra: ({ pathname, send }) => {
    if (pathname === '/docs/incident-42.html') return send(200, { 'Content-Type': 'text/html' }, fs.readFileSync(path.join(E2E_DIR, 'fixtures', 'docs-embed.html'))), true;
    if (pathname === '/tools/runbooks/incident-42/heap.pb.gz') return send(200, { 'Content-Type': 'application/octet-stream' }, fs.readFileSync(path.join(TESTDATA_DIR, 'example', 'heap.pb.gz'))), true;
    return false;
  },
});
const browser = await launchBrowser();
try {
  for (const theme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 640 }, colorScheme: theme });
    const page = await context.newPage();
    await page.goto(server.url + '#url=examples/heap.pb.gz&view=flame');
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    await page.setInputFiles('input[data-testid=file-input]', path.join(TESTDATA_DIR, 'example', 'cpu.pb.gz'));
    await page.waitForFunction(() => document.body.dataset.state === 'ready' && document.querySelector('[data-testid=kept-usage]')?.dataset.kept === '1');
    await page.fill('[data-testid=view-name]', 'allocations, flame');
    await page.click('[data-testid=save-view]');
    await page.click('[data-testid=copy-link]');
    await page.waitForSelector('[data-testid=share-note]');
    await page.screenshot({ path: path.join(out, `panel-${theme}.png`), clip: { x: 0, y: 0, width: 760, height: 640 } });
    await context.close();
  }
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
  const page = await context.newPage();
  await page.goto(`${server.origin}/docs/incident-42.html`);
  const frame = await (await page.waitForSelector('iframe#profdrop')).contentFrame();
  await frame.waitForFunction(() => document.body.dataset.state === 'ready');
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(out, 'embed.png') });
  await context.close();
} finally {
  await browser.close();
  await server.close();
}
console.log(`screenshots in ${out}`);
