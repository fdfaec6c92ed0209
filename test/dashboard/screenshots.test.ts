/**
 * Takes the README's pictures of the dashboard: the task list, the graph and a task page
 * at 1280×800, and the list at a phone's width, from the example environment under a real
 * daemon. They go to a temporary folder, unless CORRAL_SCREENSHOTS=1 asks for docs/ (the
 * README's pictures; CORRAL_SCREENSHOTS=dark takes them dark).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, ROOT, waitFor } from '../helpers.js';
import { exampleEnv, launchBrowser, type ExampleEnv, type TestBrowser } from './browser.js';

const wanted = process.env.CORRAL_SCREENSHOTS;
const scratch = wanted || process.env.CORRAL_SCREENSHOTS_DIR ? null : mkdtempSync(join(tmpdir(), 'corral-shots-'));
const dir = process.env.CORRAL_SCREENSHOTS_DIR ?? scratch ?? join(ROOT, 'docs');

describe('dashboard screenshots', () => {
  let env: ExampleEnv;
  let tb: TestBrowser;

  beforeAll(async () => {
    env = await exampleEnv();
    tb = await launchBrowser();
  }, 90_000);
  afterAll(async () => {
    await tb?.close();
    if (env) await cleanupHome(env.home);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('writes dashboard-*.png of the list, the graph, a task page and the phone width', async () => {
    const colorScheme = wanted === 'dark' ? 'dark' : 'light';
    const context = await tb.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
    const page = await context.newPage();
    await page.goto(env.url);
    await page.waitForSelector(`tr[data-id="${env.ids.web}"] .health-healthy`);
    await page.waitForFunction((id) => /\d/.test(document.querySelector(`tr[data-id="${id}"] td.mono`)?.textContent ?? ''), env.ids.api);
    await page.keyboard.press('j');
    await page.screenshot({ path: join(dir, 'dashboard-list.png') });

    await page.goto(new URL(env.url).origin + '/#/graph/dev-env');
    await page.waitForSelector('svg.graph .node[data-name="web"]');
    await page.screenshot({ path: join(dir, 'dashboard-graph.png') });

    // Enough samples for the charts to show a line.
    const origin = new URL(env.url).origin;
    await waitFor(async () => ((await (await page.request.get(`${origin}/api/tasks/${env.ids.api}`)).json()).samples?.length ?? 0) >= 8, 'samples of the api', 30_000, 500);
    // A few requests, for lines in its log.
    const apiPort = (await (await page.request.get(`${origin}/api/tasks/${env.ids.api}`)).json()).ports[0];
    for (const path of ['/', '/items', '/items/1']) await fetch(`http://127.0.0.1:${apiPort}${path}`).catch(() => {});
    await page.goto(`${origin}/#/task/${env.ids.api}`);
    await page.waitForSelector('.chart canvas');
    await page.waitForSelector('.log .line');
    await page.screenshot({ path: join(dir, 'dashboard-task.png') });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin}/#/`);
    await page.waitForSelector(`tr[data-id="${env.ids.web}"]`);
    await page.screenshot({ path: join(dir, 'dashboard-phone.png') });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await context.close();
  }, 120_000);
});
