/**
 * Reads by time: a task prints the time once a second; `--since` and `--until` start and
 * stop at whole lines written within one 2 s sample of the time asked for. The native
 * monitor notes the index itself, so output written while no daemon runs is dated too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readNotes, timesPath } from '../../src/logs/time-index.js';
import { cleanupHome, cli, makeHome, waitFor } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(() => cleanupHome(home));

const seconds = (text: string) => text.split('\n').filter(Boolean);

describe('logs by time', () => {
  it('starts --since and stops --until at whole lines of the right second (±2 s)', async () => {
    const id = (await cli(home, ['run', '--', 'while true; do date +%s; sleep 1; done'])).stdout.trim();
    const all = await waitFor(async () => {
      const lines = seconds((await cli(home, ['logs', id, '--stream', 'stdout'])).stdout);
      return lines.length >= 12 ? lines : null;
    }, 'a dozen seconds of output', 30_000, 500);
    const since = Number(all[4]);
    const until = Number(all[8]);
    const iso = (s: number) => new Date(s * 1000).toISOString();

    const from = await cli(home, ['logs', id, '--stream', 'stdout', '--since', iso(since)]);
    expect(from.code).toBe(0);
    const got = seconds(from.stdout);
    for (const line of got) expect(line).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(got[0]) - since)).toBeLessThanOrEqual(2);

    const window = seconds((await cli(home, ['logs', id, '--stream', 'stdout', '--since', iso(since), '--until', iso(until)])).stdout);
    expect(Math.abs(Number(window[0]) - since)).toBeLessThanOrEqual(2);
    expect(Math.abs(Number(window.at(-1)) - until)).toBeLessThanOrEqual(2);
    for (const line of window) expect(line).toMatch(/^\d{10}$/);

    // A duration counts back from now.
    const now = Math.floor(Date.now() / 1000);
    const recent = seconds((await cli(home, ['logs', id, '--stream', 'stdout', '--since', '3s'])).stdout);
    expect(Number(recent[0])).toBeGreaterThanOrEqual(now - 3 - 2);
  }, 60_000);

  it("dates output written while the daemon is down by the monitor's notes, and --since uses them once it is back", async () => {
    const id = (await cli(home, ['run', '--', 'while true; do date +%s; sleep 1; done'])).stdout.trim();
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
    expect(state.tasks[id].process.logTimes).toBe('monitor');
    const dir = join(home, 'logs', id);
    const lines = () => seconds(readFileSync(join(dir, 'stdout.log'), 'latin1'));
    await waitFor(() => lines().length >= 2, 'the first lines');
    await sigkillDaemon(home);
    const down = Date.now();
    const before = lines().length;
    // Only the monitor can note sizes now: nothing here starts a daemon.
    const during = await waitFor(() => {
      const notes = readNotes(timesPath(dir, 'stdout')).filter((n) => n.at > down);
      return notes.length >= 4 && lines().length >= before + 10 ? notes : null;
    }, 'notes written while no daemon runs', 40_000, 200);
    // Notes a sample apart, at least, and each for a log that grew.
    for (let i = 1; i < during.length; i++) {
      expect(during[i]!.at - during[i - 1]!.at).toBeGreaterThanOrEqual(2_000);
      expect(during[i]!.size).toBeGreaterThan(during[i - 1]!.size);
    }
    // A second in the middle of the daemon's absence: without the monitor's notes the read
    // would start at the last note before the kill, many seconds early.
    const since = Number(lines()[before + 6]);
    const from = await cli(home, ['logs', id, '--stream', 'stdout', '--since', new Date(since * 1000).toISOString()]);
    expect(from.code).toBe(0);
    expect(Math.abs(Number(seconds(from.stdout)[0]) - since)).toBeLessThanOrEqual(2);
  }, 60_000);

  it('refuses a time it cannot read, and --since with --offset, in one sentence each', async () => {
    const id = (await cli(home, ['run', '--', 'echo hi'])).stdout.trim();
    const bad = await cli(home, ['logs', id, '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('corral: --since: "yesterday" is not a time: write a duration back from now (10m, 2h) or a date and time (2026-12-01T10:00)\n');
    const both = await cli(home, ['logs', id, '--since', '5m', '--offset', '0']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('corral: --since says where to start, as --offset does: give one\n');
  });
});
