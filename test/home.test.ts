/**
 * Which home a command uses: `--home` > CORRAL_HOME > $XDG_STATE_HOME/corral >
 * ~/.local/state/corral, with HOME and XDG_STATE_HOME pointed at temporary folders.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readExitFile } from '../src/process/monitor.js';
import { cleanupHome, cli, isRunning, makeHome, waitFor } from './helpers.js';

let base: string;
beforeEach(() => {
  base = makeHome();
});
afterEach(async () => {
  await cleanupHome(base);
});

/** The home a command resolves, as `daemon status` reports it (without starting a daemon). */
async function homeOf(env: Record<string, string>, args: string[] = []): Promise<string> {
  const r = await cli(base, ['daemon', 'status', '--json', ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).home;
}

describe('home resolution', () => {
  it('takes --home over CORRAL_HOME, CORRAL_HOME over XDG_STATE_HOME, and that over ~/.local/state', async () => {
    const env = { HOME: join(base, 'user'), XDG_STATE_HOME: join(base, 'xdg'), CORRAL_HOME: join(base, 'env') };
    expect(await homeOf(env, ['--home', join(base, 'flag')])).toBe(join(base, 'flag'));
    expect(await homeOf(env)).toBe(join(base, 'env'));
    expect(await homeOf({ ...env, CORRAL_HOME: '' })).toBe(join(base, 'xdg', 'corral'));
    expect(await homeOf({ ...env, CORRAL_HOME: '', XDG_STATE_HOME: '' })).toBe(join(base, 'user', '.local', 'state', 'corral'));
  });

  it('keeps the state, socket and logs in the home it resolved', async () => {
    const env = { HOME: join(base, 'user'), XDG_STATE_HOME: '', CORRAL_HOME: '' };
    const home = join(base, 'user', '.local', 'state', 'corral');
    try {
      const run = await cli(base, ['run', '--', 'echo here'], { env });
      expect(run.code, run.stderr).toBe(0);
      await waitFor(() => readExitFile(join(home, 'run', 'bash_1.exit')), 'the task to end');
      expect(readFileSync(join(home, 'logs', 'bash_1', 'stdout.log'), 'utf8')).toBe('here\n');
      expect(existsSync(join(home, 'state.json'))).toBe(true);
      expect(existsSync(join(home, 'corral.sock'))).toBe(true);
      expect(existsSync(join(base, 'state.json'))).toBe(false);
    } finally {
      // Its daemon does not carry this test's CORRAL_HOME: it is stopped here, by its own home.
      const status = await cli(base, ['daemon', 'status', '--json'], { env });
      const pid = JSON.parse(status.stdout).pid as number | null;
      await cli(base, ['daemon', 'stop'], { env });
      if (pid !== null) await waitFor(() => !isRunning(pid), 'its daemon to exit');
    }
  });
});
