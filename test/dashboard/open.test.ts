/**
 * `corral dashboard --open`: the URL, token and all, goes to xdg-open (a stand-in on PATH
 * that notes its arguments); without xdg-open the URL is still printed, with a line saying
 * no browser could be opened, and the command succeeds.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';

let home: string;
let url: string;

beforeAll(async () => {
  home = makeHome();
  // The daemon is started with the ordinary PATH: only the CLI's own PATH changes below.
  url = (await cliJson<{ url: string }>(home, ['dashboard'])).url;
});
afterAll(async () => {
  await cleanupHome(home);
});

it('hands the URL with its token to xdg-open', async () => {
  const bin = join(home, 'fake-bin');
  const noted = join(home, 'xdg-open.args');
  mkdirSync(bin);
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$#" "$@" > "${noted}.tmp" && mv "${noted}.tmp" "${noted}"\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  const r = await cli(home, ['dashboard', '--open'], { env: { PATH: `${bin}:${process.env.PATH}` } });
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`${url}\n`);
  expect(r.stderr).toBe('');
  expect(new URL(url).searchParams.get('token')).toMatch(/^[0-9a-f]{64}$/);
  // One argument: the URL, token included.
  const args = await waitFor(() => (existsSync(noted) ? readFileSync(noted, 'utf8') : null), 'xdg-open to be run');
  expect(args).toBe(`1\n${url}\n`);
});

it('prints the URL and says it could not open a browser when xdg-open is not installed', async () => {
  const empty = join(home, 'empty-bin');
  mkdirSync(empty);
  const r = await cli(home, ['dashboard', '--open'], { env: { PATH: empty } });
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`${url}\n`);
  expect(r.stderr).toBe('corral: could not open a browser (xdg-open is not installed): open the URL above\n');
});
