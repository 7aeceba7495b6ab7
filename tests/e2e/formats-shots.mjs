// Screenshots of the formats list on the welcome page and of a folded profile with its unit
// picker, in light and dark theme (for people to look at; not a test):
//   node tests/e2e/formats-shots.mjs [OUT_DIR]
import path from 'node:path';
import { startServer, launchBrowser, openPage, loadFiles, TESTDATA_DIR } from './helpers.mjs';

const out = process.argv[2] || '/tmp/shots-formats';
const server = await startServer();
const browser = await launchBrowser();
try {
  for (const theme of ['light', 'dark']) {
    const { page, context } = await openPage(browser, server, { viewport: { width: 1280, height: 860 } });
    await page.evaluate((t) => localStorage.setItem('profdrop-theme', t), theme);
    await page.reload();
    await page.waitForSelector('[data-testid=file-input]', { state: 'attached' });
    await page.click('[data-testid=formats] summary');
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${out}/welcome-formats-${theme}.png` });
    await loadFiles(page, [path.join(TESTDATA_DIR, 'formats/pyspy.folded')]);
    await page.selectOption('[data-testid=unit-picker]', 'milliseconds');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${out}/folded-unit-${theme}.png` });
    await loadFiles(page, [path.join(TESTDATA_DIR, 'formats/node.cpuprofile')]);
    await page.waitForTimeout(1000);
    await page.screenshot({ path: `${out}/cpuprofile-${theme}.png` });
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
