/**
 * `corral events`: the journal read with a cursor across a daemon SIGKILL (an exit that
 * happened while no daemon ran included), followed as it grows, and filtered.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, CLI, cliJson, isRunning, makeHome, ROOT, waitFor } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

const lines = (text: string) => text.split('\n').filter(Boolean);
const seqsOf = (events: { seq: number }[]) => events.map((e) => e.seq);
const state = () => JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));

/** `events --new --as agent --json`: what is new for that cursor. */
async function readNew(): Promise<any[]> {
  const r = await cli(home, ['events', '--new', '--as', 'agent', '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return lines(r.stdout).map((l) => JSON.parse(l));
}

describe('corral events', () => {
  it('with --new, gives every event once and in order across a daemon SIGKILL, an exit while no daemon ran included', { timeout: 60_000 }, async () => {
    const go = join(home, 'go');
    await cli(home, ['run', '--name', 'late', '--', `while [ ! -e ${go} ]; do sleep 0.02; done; exit 3`]);
    await cli(home, ['run', '--name', 'quick', '--', 'exit 0']);
    await waitFor(async () => (await cliJson(home, ['status', 'quick'])).status === 'completed', 'quick to end');
    const seen = await readNew();
    expect(seen.map((e) => `${e.name} ${e.kind} ${e.status}`)).toEqual(['late state running', 'quick state running', 'quick exit completed']);

    // The daemon dies; the task ends while none runs (its monitor writes the exit file and goes).
    await sigkillDaemon(home);
    const { pid, monitorPid } = state().tasks.bash_1.process;
    writeFileSync(go, '');
    await waitFor(() => !isRunning(pid) && !isRunning(monitorPid), 'late to end');
    const restartedAt = Date.now();

    // The next daemon adopts it, reads how it ended, and journals it then, with the time it ended.
    await waitFor(async () => {
      seen.push(...(await readNew()));
      return seen.some((e) => e.name === 'late' && e.kind === 'exit');
    }, 'the exit of late');
    const exit = seen.find((e) => e.name === 'late' && e.kind === 'exit');
    expect(exit).toMatchObject({ id: 'bash_1', status: 'failed', exitCode: 3, reason: 'exit 3' });
    expect(Date.parse(exit.endedAt)).toBeLessThanOrEqual(restartedAt);
    expect(Date.parse(exit.time)).toBeGreaterThanOrEqual(restartedAt);
    // Every seq once, in order, none missing: the reads took the whole journal, unfiltered.
    const seqs = seqsOf(seen);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    expect(await readNew()).toEqual([]);
    // And the journal says the same from its start.
    const all = lines((await cli(home, ['events', '--json'])).stdout).map((l) => JSON.parse(l));
    expect(all).toEqual(seen);
  });

  it('with --follow --json, prints an exit within 100 ms of it, each time', async () => {
    const follower = spawn(process.execPath, [CLI, 'events', '--follow', '--json', '--since', '0'], {
      cwd: ROOT,
      env: { ...process.env, CORRAL_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Each line with the moment it arrived.
    const arrived: { event: any; at: number }[] = [];
    let carry = '';
    follower.stdout.on('data', (chunk: Buffer) => {
      const at = Date.now();
      const parts = (carry + chunk.toString()).split('\n');
      carry = parts.pop()!;
      for (const line of parts.filter(Boolean)) arrived.push({ event: JSON.parse(line), at });
    });
    const ended = new Promise<number | null>((resolve) => follower.on('close', resolve));
    try {
      const latencies: number[] = [];
      for (let i = 1; i <= 3; i++) {
        const go = join(home, `go-${i}`);
        const id = (await cli(home, ['run', '--', `while [ ! -e ${go} ]; do sleep 0.01; done; exit 0`])).stdout.trim();
        await waitFor(() => arrived.some(({ event }) => event.id === id && event.status === 'running'), `${id} running, followed`);
        writeFileSync(go, '');
        const exit = await waitFor(() => arrived.find(({ event }) => event.id === id && event.kind === 'exit'), `the exit of ${id}`);
        latencies.push(exit.at - Date.parse(exit.event.endedAt));
      }
      for (const ms of latencies) expect(ms).toBeLessThan(100);
    } finally {
      follower.kill('SIGINT');
    }
    expect(await ended).toBe(0);
  });

  it('filters by environment and by line, journals health changes, and refuses bad flags with one sentence', { timeout: 60_000 }, async () => {
    const env = join(home, 'corral.yaml');
    writeFileSync(env, 'name: shop\ntasks:\n  api:\n    command: exit 0\n');
    await cli(home, ['run', '--name', 'solo', '--', 'exit 4']);
    await cli(home, ['orchestrate', '-f', env, '--wait-healthy']);
    await waitFor(async () => (await cliJson(home, ['ls'])).every((t: any) => ['completed', 'failed'].includes(t.status)), 'both to end');

    const shop = lines((await cli(home, ['events', '--env', 'shop'])).stdout);
    expect(shop.length).toBeGreaterThan(0);
    expect(shop.every((l) => / bash_2 shop\/api /.test(l))).toBe(true);
    const failed = await cli(home, ['events', '--filter', 'FAILED']);
    expect(lines(failed.stdout)).toEqual([expect.stringMatching(/^\d+ \d\d:\d\d:\d\d bash_1 solo\s+FAILED failed: exit 4$/)]);
    expect(lines((await cli(home, ['events', '--session', 'nobody'])).stdout)).toEqual([]);

    // A change of health is an event of its own.
    const ready = join(home, 'ready');
    await cli(home, ['run', '--name', 'web', '--health', `file:${ready}`, '--', 'sleep 30']);
    writeFileSync(ready, '');
    const health = await waitFor(async () => {
      const all = lines((await cli(home, ['events', '--json'])).stdout).map((l) => JSON.parse(l));
      return all.find((e) => e.kind === 'health');
    }, 'the health event');
    expect(health).toMatchObject({ id: 'bash_3', name: 'web', health: 'healthy', reason: 'healthy' });

    for (const [args, message] of [
      [['--since', 'x'], '--since: "x" is not a whole number'],
      [['--since', '3', '--new'], '--since and --new both say where to start: give one'],
      [['--as', 'me'], '--as names the cursor of --new: use them together'],
      [['--filter', '('], '--filter: "(" is not a valid regular expression (Unterminated group)'],
    ] as const) {
      const r = await cli(home, ['events', ...args]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: `corral: ${message}\n` });
    }
  });
});
