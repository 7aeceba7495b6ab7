// Screenshots of the export menu in light and dark theme, and of an exported SVG opened in
// the browser (for people to look at; not a test): node tests/e2e/export-shots.mjs [OUT_DIR]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServer, launchBrowser, openPage, loadFiles, TESTDATA_DIR } from './helpers.mjs';

const out = process.argv[2] || '/tmp/shots-export';
fs.mkdirSync(out, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'profdrop-shots-'));
const server = await startServer();
const browser = await launchBrowser();
try {
  for (const theme of ['light', 'dark']) {
    const { page, context } = await openPage(browser, server, { viewport: { width: 1280, height: 720 } });
    await page.evaluate((t) => localStorage.setItem('profdrop-theme', t), theme);
    await page.reload();
    await page.waitForSelector('[data-testid=file-input]', { state: 'attached' });
    await loadFiles(page, [path.join(TESTDATA_DIR, 'example/heap.pb.gz')]);
    await page.locator('[data-testid=export]').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${out}/export-menu-${theme}.png` });
    if (theme === 'light') {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[role=menu] [data-format=svg]').click()]);
      const file = path.join(tmp, 'flame.svg');
      await dl.saveAs(file);
      const p = await browser.newPage({ viewport: { width: 1220, height: 560 } });
      await p.goto(pathToFileURL(file).href);
      const g = p.locator('g.f[data-d="3"]').first();
      await g.locator('rect').hover({ force: true });
      await p.waitForTimeout(200);
      await p.screenshot({ path: `${out}/export-svg.png` });
      await p.close();
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
