// Screenshots of the refine bar, the context menu and the label browser in light and dark
// theme (for people to look at; not a test): node tests/e2e/refine-shots.mjs [OUT_DIR]
import path from 'node:path';
import { startServer, launchBrowser, openPage, loadFiles, TESTDATA_DIR } from './helpers.mjs';

const out = process.argv[2] || '/tmp/shots-ui';
const server = await startServer();
const browser = await launchBrowser();
try {
  for (const theme of ['light', 'dark']) {
    const { page, context } = await openPage(browser, server, { viewport: { width: 1280, height: 860 } });
    await page.evaluate((t) => localStorage.setItem('profdrop-theme', t), theme);
    await page.reload();
    await page.waitForSelector('[data-testid=file-input]', { state: 'attached' });
    await loadFiles(page, [path.join(TESTDATA_DIR, 'example/heap.pb.gz')]);
    await page.evaluate(() => { location.hash = location.hash + '&f=main&h=runtime&g=lines&mine=1&tf=bytes=1kb:'; });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${out}/refine-bar-${theme}.png` });
    const row = await page.$('table[data-testid=top-table] tbody tr');
    if (row) {
      await row.click({ button: 'right' });
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${out}/context-menu-${theme}.png` });
      await page.keyboard.press('Escape');
    }
    const labels = await page.$('[data-testid=labels]');
    if (labels) {
      await labels.click();
      await page.waitForTimeout(1000);
      await page.screenshot({ path: `${out}/labels-${theme}.png` });
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
