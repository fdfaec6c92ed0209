/**
 * Durations past what one Node timer holds (24.8 days) wait as long as they say, through
 * the daemon: a run-time limit, a grace, a restart backoff, a dependency's deadline, a
 * wait, a health interval. Each runs beside the same thing with a short duration, which
 * shows the daemon acting on time while the long one still waits.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, startCli, waitFor } from './helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

const status = (ref: string) => cliJson(home, ['status', ref]);
const until = (ref: string, statuses: string[], what: string) =>
  waitFor(async () => {
    const t = await status(ref);
    return statuses.includes(t.status) ? t : null;
  }, what, 10_000, 30);
/** At least `ms` since `t0`: a long timer that overflowed fires within a millisecond, so a second shows it. */
const atLeastSince = (t0: number, ms: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + ms - Date.now())));

describe('durations over 24.8 days', () => {
  it('run --timeout 30d leaves the task running, and status shows the limit as every duration is shown', async () => {
    const t0 = Date.now();
    expect((await cli(home, ['run', '--name', 'long', '--timeout', '30d', '--idle', '10m', '--', 'sleep 30'])).code).toBe(0);
    expect((await cli(home, ['run', '--name', 'short', '--timeout', '300ms', '--', 'sleep 30'])).code).toBe(0);
    expect((await until('short', ['killed'], 'the short timeout')).reason).toBe('timeout 300ms reached (SIGTERM)');
    await atLeastSince(t0, 1_000);
    expect(await status('long')).toMatchObject({ status: 'running', reason: null, limits: { timeoutMs: 30 * 86_400_000 } });
    const shown = await cli(home, ['status', 'long']);
    expect(shown.stdout).toMatch(/^limits\s+timeout 30d00h, idle 10m00s \(alert\)$/m);
  });

  it('kill --grace 30d does not SIGKILL: the task that ignores SIGTERM stays stopping', async () => {
    const ignoresTerm = 'trap "" TERM; echo ready; sleep 30';
    for (const name of ['long', 'short']) expect((await cli(home, ['run', '--name', name, '--', ignoresTerm])).code).toBe(0);
    for (const name of ['long', 'short']) await waitFor(async () => (await cli(home, ['logs', name])).stdout.includes('ready'), `${name} ready`);
    const t0 = Date.now();
    const long = startCli(home, ['kill', 'long', '--grace', '30d']);
    const short = await cli(home, ['kill', 'short', '--grace', '300ms']);
    expect(short.stdout).toMatch(/\(short\) killed: SIGKILL after 300ms grace/);
    await atLeastSince(t0, 1_000);
    const stopping = await status('long');
    expect(stopping.status).toBe('stopping');
    expect(stopping.signal).toBeNull();
    // A second stop that asks for SIGKILL ends it at once, and the first kill returns with it.
    expect((await cli(home, ['kill', 'long', '--signal', 'SIGKILL'])).code).toBe(0);
    const first = await long.done;
    expect(first.code).toBe(0);
    expect(await status('long')).toMatchObject({ status: 'killed', signal: 'SIGKILL' });
  });

  it('status shows a run --grace of 30d as every duration is shown', async () => {
    expect((await cli(home, ['run', '--name', 'long', '--grace', '30d', '--', 'sleep 30'])).code).toBe(0);
    expect((await cli(home, ['status', 'long'])).stdout).toMatch(/SIGKILL after 30d00h/);
  });

  it('--backoff 30d waits before the restart', async () => {
    const t0 = Date.now();
    for (const [name, backoff] of [['long', '30d'], ['short', '100ms']] as const) {
      expect((await cli(home, ['run', '--name', name, '--restart', 'on-failure', '--backoff', backoff, '--max-restarts', '1', '--', 'exit 3'])).code).toBe(0);
    }
    expect((await until('short', ['failed'], 'the short backoff and its restart')).restarts).toBe(1);
    await atLeastSince(t0, 1_000);
    const long = await status('long');
    expect(long).toMatchObject({ status: 'restarting', restarts: 1 });
    // 30 days give or take the jitter.
    expect(Date.parse(long.restartAt) - Date.now()).toBeGreaterThan(25 * 86_400_000);
    expect((await cli(home, ['ls'])).stdout).toMatch(/exit 3 +\(in \d\dd\d\dh, 1\)$/m);
  });

  it("a dependency's 30-day timeout does not fail its dependent", async () => {
    const file = join(home, 'corral.yaml');
    writeFileSync(
      file,
      `name: deps
tasks:
  db: { command: sleep 30, health: { exec: "false", interval: 50ms } }
  long: { command: sleep 30, depends_on: { db: { condition: healthy, timeout: 30d } } }
  short: { command: sleep 30, depends_on: { db: { condition: healthy, timeout: 300ms } } }
`,
    );
    const t0 = Date.now();
    expect((await cli(home, ['orchestrate', '-f', file])).code).toBe(0);
    expect((await until('short', ['failed'], 'the short deadline')).reason).toBe('dependency db not healthy after 300ms');
    await atLeastSince(t0, 1_000);
    expect(await status('long')).toMatchObject({ status: 'waiting', reason: null });
  });

  it('wait --timeout 30d waits', async () => {
    expect((await cli(home, ['run', '--name', 'task', '--', 'sleep 30'])).code).toBe(0);
    const t0 = Date.now();
    const waiting = startCli(home, ['wait', 'task', '--timeout', '30d']);
    let ended = false;
    void waiting.done.then(() => (ended = true));
    const short = await cli(home, ['wait', 'task', '--timeout', '300ms']);
    expect(short.code).toBe(1);
    await atLeastSince(t0, 1_000);
    expect(ended).toBe(false);
    expect((await cli(home, ['kill', 'task'])).code).toBe(0);
    expect((await waiting.done).code).toBe(1);
  });

  it('a health interval of 30 days checks once ready, then not again', async () => {
    const ran = (name: string) => (existsSync(join(home, name)) ? readFileSync(join(home, name), 'utf8').split('\n').length - 1 : 0);
    const check = (name: string, interval: string) => `{ exec: "echo x >> ${join(home, name)}", interval: ${interval} }`;
    const file = join(home, 'corral.yaml');
    writeFileSync(
      file,
      `name: checks
tasks:
  long: { command: sleep 30, health: ${check('long', '30d')} }
  short: { command: sleep 30, health: ${check('short', '100ms')} }
`,
    );
    expect((await cli(home, ['orchestrate', '-f', file, '--wait-healthy'])).code).toBe(0);
    const t0 = Date.now();
    await waitFor(() => ran('short') >= 5, 'the short check to run again and again');
    await atLeastSince(t0, 1_000);
    expect(ran('long')).toBe(1);
  });
});
