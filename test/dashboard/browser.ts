/**
 * A headless Debian chromium driven by playwright-core (no browser download), and the
 * example environment under a real daemon with its dashboard served. Each browser is
 * started with a marker in its environment, which every chromium process inherits, so a
 * test can check in /proc that closing it left none behind.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { cli, cliJson, freePort, liveProcesses, makeHome, ROOT, waitFor } from '../helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export interface TestBrowser {
  browser: Browser;
  marker: string;
  /** Closes the browser and waits until no process of it is left. */
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const marker = `CORRAL_TEST_BROWSER=${randomUUID()}`;
  const [key, value] = marker.split('=') as [string, string];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container: chromium's sandbox needs user namespaces it may not have.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    env: { ...process.env, [key]: value },
  });
  const left = () => liveProcesses((env) => env.includes(`${marker}\0`));
  return {
    browser,
    marker,
    async close() {
      await browser.close().catch(() => {});
      await waitFor(() => left().length === 0, 'no chromium process left', 10_000).catch(() => {
        for (const pid of left()) process.kill(pid, 'SIGKILL');
        throw new Error(`chromium processes left behind: ${left().join(', ')}`);
      });
    },
  };
}

export interface ExampleEnv {
  home: string;
  url: string;
  ids: Record<string, string>;
}

/** A home with the example environment up and healthy, and the dashboard's URL. */
export async function exampleEnv(): Promise<ExampleEnv> {
  const home = makeHome();
  const [kv, api, web] = [await freePort(), await freePort(), await freePort()];
  const env = { KV_PORT: String(kv), API_PORT: String(api), WEB_PORT: String(web) };
  const up = await cli(home, ['orchestrate', '-f', join(ROOT, 'examples/dev-env.yaml'), '--wait-healthy', '--json'], { env });
  if (up.code !== 0) throw new Error(`the example environment did not come up: ${up.stdout}${up.stderr}`);
  const ids = Object.fromEntries(JSON.parse(up.stdout).tasks.map((t: { name: string; id: string }) => [t.name, t.id]));
  const { url } = await cliJson<{ url: string }>(home, ['dashboard']);
  return { home, url, ids };
}

/** A page of the dashboard, logged in through the URL's token, that fails the test on a page error. */
export async function openDashboard(context: BrowserContext, url: string, hash = '#/'): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url + hash);
  return { page, errors };
}

/**
 * Page-side timing: records performance.now() when `selector` first matches with text that
 * matches `pattern` (a MutationObserver, so no polling interval is added to the figure).
 */
export async function watchFor(page: Page, name: string, selector: string, pattern: string): Promise<void> {
  await page.evaluate(
    ([name, selector, pattern]) => {
      const w = window as unknown as { seen: Record<string, number> };
      w.seen ??= {};
      delete w.seen[name!];
      const re = new RegExp(pattern!);
      const check = () => {
        if (w.seen[name!] !== undefined) return;
        if ([...document.querySelectorAll(selector!)].some((el) => re.test(el.textContent ?? ''))) {
          w.seen[name!] = performance.now();
          observer.disconnect();
        }
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      check();
    },
    [name, selector, pattern],
  );
}

export async function seenAt(page: Page, name: string, timeoutMs = 10_000): Promise<number> {
  await page.waitForFunction((n) => (window as unknown as { seen?: Record<string, number> }).seen?.[n] !== undefined, name, { timeout: timeoutMs });
  return page.evaluate((n) => (window as unknown as { seen: Record<string, number> }).seen[n]!, name);
}

/**
 * When the page got the daemon's answer to the newest request whose URL contains `part`
 * (Resource Timing, the page's clock): what a latency figure owes to the daemon rather than
 * to the page. Clear the buffer (clearTimings) before the action: it holds 250 entries.
 */
export async function answeredAt(page: Page, part: string): Promise<number | null> {
  return page.evaluate((p) => {
    const entries = performance.getEntriesByType('resource').filter((e) => e.name.includes(p)) as PerformanceResourceTiming[];
    return entries.length ? entries[entries.length - 1]!.responseEnd : null;
  }, part);
}

export const clearTimings = (page: Page): Promise<void> => page.evaluate(() => performance.clearResourceTimings());
