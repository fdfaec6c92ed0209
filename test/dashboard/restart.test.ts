/**
 * The dashboard outlives its daemon: the next daemon of the home serves it again on the
 * same port, with the same token, as it starts; when that port is taken by then, it says so
 * in its log, and `corral dashboard` serves it on another.
 */
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';
import { hasChromium, launchBrowser, openDashboard } from './browser.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

/** The status of GET `path` on the dashboard's port, with the token's cookie. */
function status(port: number, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Cookie: `corral_token=${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(): Promise<{ port: number; token: string }> {
  const served = await cliJson<{ url: string; port: number }>(home, ['dashboard']);
  return { port: served.port, token: new URL(served.url).searchParams.get('token')! };
}

async function stopDaemon(): Promise<void> {
  expect((await cli(home, ['daemon', 'stop'])).code).toBe(0);
}

it('is served again on the same port, with the same token, by the next daemon', async () => {
  const { port, token } = await serve();
  expect(await status(port, '/api/tasks', token)).toBe(200);
  expect(JSON.parse(readFileSync(join(home, 'dashboard.json'), 'utf8'))).toEqual({ port });
  expect(statSync(join(home, 'dashboard.json')).mode & 0o777).toBe(0o600);

  await stopDaemon();
  await expect(status(port, '/api/tasks', token)).rejects.toThrow(/ECONNREFUSED/);
  // Any command starts the next daemon, which serves the page's URL again: the cookie the page holds still opens it.
  expect((await cli(home, ['ls'])).code).toBe(0);
  expect(await status(port, '/api/tasks', token)).toBe(200);
  expect(await status(port, '/api/tasks', 'not-the-token')).toBe(401);
  expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toContain(`serving the dashboard again on 127.0.0.1:${port}`);
  // And `corral dashboard` answers with that same address.
  expect(await serve()).toEqual({ port, token });
});

it('says so in the daemon log when its port is taken by then, and corral dashboard serves it on another', async () => {
  const { port, token } = await serve();
  await stopDaemon();
  const holder = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.listen(port, '127.0.0.1', resolve);
    });
    expect((await cli(home, ['ls'])).code).toBe(0);
    const log = await waitFor(() => {
      const text = readFileSync(join(home, 'daemon.log'), 'utf8');
      return text.includes('could not serve the dashboard again') ? text : null;
    }, 'the line in the daemon log');
    expect(log).toContain(`could not serve the dashboard again on 127.0.0.1:${port} (127.0.0.1:${port} is in use`);
    const again = await serve();
    expect(again.port).not.toBe(port);
    expect(again.token).toBe(token);
    expect(await status(again.port, '/api/tasks', token)).toBe(200);
    // The new port is the one remembered now.
    expect(JSON.parse(readFileSync(join(home, 'dashboard.json'), 'utf8'))).toEqual({ port: again.port });
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

it('is not served by a daemon of a home where it never was', async () => {
  expect((await cli(home, ['ls'])).code).toBe(0);
  await stopDaemon();
  expect((await cli(home, ['ls'])).code).toBe(0);
  expect(readFileSync(join(home, 'daemon.log'), 'utf8')).not.toContain('dashboard');
  expect(() => statSync(join(home, 'dashboard.json'))).toThrow(/ENOENT/);
});

it.skipIf(!hasChromium)('keeps an open page: it reconnects by itself to the next daemon and shows what happens there', async () => {
  const served = await cliJson<{ url: string }>(home, ['dashboard']);
  const tb = await launchBrowser();
  try {
    const context = await tb.browser.newContext();
    const { page, errors } = await openDashboard(context, served.url);
    const live = () => page.evaluate(() => document.getElementById('live')!.classList.contains('on'));
    await page.waitForFunction(() => document.getElementById('live')!.classList.contains('on'), undefined, { timeout: 30_000 });
    await stopDaemon();
    await waitFor(async () => !(await live()), 'the page to see its server go', 30_000);
    // Not reloaded: the same document, whose EventSource tries again every 2 s.
    await page.evaluate(() => ((window as unknown as { kept: boolean }).kept = true));
    const id = (await cli(home, ['run', '--name', 'after', '--', 'sleep 300'])).stdout.trim();
    await page.waitForSelector(`tr[data-id="${id}"] .status-running`, { timeout: 30_000 });
    expect(await live()).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { kept?: boolean }).kept)).toBe(true);
    // The console's errors are the refused reconnections while no daemon was there; no error of the page's own.
    expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
    await context.close();
  } finally {
    await tb.close();
  }
}, 120_000);
