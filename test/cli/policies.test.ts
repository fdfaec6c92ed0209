/**
 * The policy options of `run` that the README lists, through the CLI as a user types them:
 * success codes, backoff ceiling, restart window, I/O priority; and `wait --until`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

const status = (ref: string) => cliJson(home, ['status', ref]);
const until = (ref: string, pass: (t: any) => boolean, what: string, ms = 10_000) =>
  waitFor(async () => {
    const t = await status(ref);
    return pass(t) ? t : null;
  }, what, ms, 30);
const restartDelays = () => [...readFileSync(join(home, 'daemon.log'), 'utf8').matchAll(/restarting in (\d+)ms/g)].map((m) => Number(m[1]));

describe('restart options of run', () => {
  it('--success-exit-codes: a listed code completes the task and is not restarted', async () => {
    const policy = ['--restart', 'on-failure', '--backoff', '100ms', '--success-exit-codes', '0,3'];
    await cli(home, ['run', '--name', 'three', ...policy, '--', 'exit 3']);
    await cli(home, ['run', '--name', 'four', ...policy, '--max-restarts', '1', '--', 'exit 4']);
    const four = await until('four', (t) => t.status === 'failed', 'four to fail for good');
    expect(four).toMatchObject({ restarts: 1, reason: 'restart limit reached (1 in 60s) after exit 4' });
    expect(await status('three')).toMatchObject({ status: 'completed', exitCode: 3, restarts: 0 });
  });

  it('--max-backoff caps the doubling delay', async () => {
    await cli(home, ['run', '--restart', 'on-failure', '--backoff', '100ms', '--max-backoff', '150ms', '--max-restarts', '4', '--', 'exit 1']);
    await until('bash_1', (t) => t.status === 'failed', 'the restart limit');
    const delays = restartDelays();
    expect(delays).toHaveLength(4);
    // 100, then 200 capped to 150, and 150 from then on (±10 % jitter).
    [100, 150, 150, 150].forEach((base, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(base * 0.9);
      expect(delays[i]).toBeLessThanOrEqual(base * 1.1);
    });
  });

  it('--restart-window counts only the restarts within it', async () => {
    // Each run and its restart delay take longer than the window: the limit of 2 is never met.
    const spaced = ['--restart', 'on-failure', '--backoff', '100ms', '--max-backoff', '100ms', '--max-restarts', '2', '--', 'sleep 0.3; exit 1'];
    await cli(home, ['run', '--name', 'spaced', '--restart-window', '300ms', ...spaced]);
    await cli(home, ['run', '--name', 'counted', '--restart-window', '2500ms', ...spaced]);
    const counted = await until('counted', (t) => t.status === 'failed', 'the limit within 2.5s');
    expect(counted).toMatchObject({ restarts: 2, reason: 'restart limit reached (2 in 2.5s) after exit 1' });
    const spacedOut = await until('spaced', (t) => t.restarts >= 4 || t.status === 'failed', 'four restarts', 15_000);
    expect(spacedOut.status).not.toBe('failed');
    await cli(home, ['kill', 'spaced']);
  });
});

describe('priorities', () => {
  it('--ionice sets the I/O class of the task and of its children', async () => {
    await cli(home, ['run', '--name', 'idle', '--ionice', 'idle', '--', 'sh -c "sleep 30 & wait"']);
    await cli(home, ['run', '--name', 'be', '--ionice', 'best-effort:6', '--', 'sleep 30']);
    const idle = await until('idle', (t) => t.status === 'running', 'running');
    const be = await until('be', (t) => t.status === 'running', 'running');
    const ionice = (pid: number) => execFileSync('ionice', ['-p', String(pid)], { encoding: 'utf8' }).trim();
    expect(ionice(idle.pid)).toBe('idle');
    const child = await waitFor(() => {
      try {
        return Number(readFileSync(`/proc/${idle.pid}/task/${idle.pid}/children`, 'latin1').trim().split(' ')[0]) || null;
      } catch {
        return null;
      }
    }, 'a child');
    expect(ionice(child)).toBe('idle');
    expect(ionice(be.pid)).toBe('best-effort: prio 6');
  });
});

describe('wait --until', () => {
  it('running returns once the task runs; healthy waits for its check, and times out with 1 before', async () => {
    const sock = join(home, 'svc.sock');
    const go = join(home, 'go');
    // A plain file where the socket will be, until the test says go: a socket check must not pass on it.
    const server = `require('net').createServer().listen(process.argv[1])`;
    await cli(home, ['run', '--name', 'svc', '--health', `socket:${sock}`, '--', `touch ${sock}; while [ ! -e ${go} ]; do sleep 0.05; done; rm ${sock}; exec node -e "${server}" ${sock}`]);
    const running = await cli(home, ['wait', 'svc', '--until', 'running', '--timeout', '10s']);
    expect(running.code, running.stderr).toBe(0);
    expect(running.stdout).toMatch(/^bash_1 \(svc\) running/);

    const early = await cli(home, ['wait', 'svc', '--until', 'healthy', '--timeout', '1500ms']);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/timed out waiting for bash_1/);
    writeFileSync(go, '');
    const healthy = await cliJson(home, ['wait', 'svc', '--until', 'healthy', '--timeout', '10s']);
    expect(healthy).toMatchObject({ reached: true, timedOut: false, task: { status: 'running', health: 'healthy' } });
    rmSync(sock, { force: true });
  });

  it('running and healthy give 1 at once for a task that ended instead', async () => {
    await cli(home, ['run', '--', 'exit 2']);
    await until('bash_1', (t) => t.status === 'failed', 'the failure');
    for (const what of ['running', 'healthy']) {
      const r = await cli(home, ['wait', 'bash_1', '--until', what, '--timeout', '20s']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/bash_1 failed: exit 2/);
    }
  });
});
