/**
 * Scheduled steps, the real thing: `run --every` and an env file's `every:`/`schedule:`
 * run their command tick after tick, never two runs at once (a tick during a run is
 * skipped and said so), wait with their next run in between, end on kill and down, go on
 * after a daemon that was killed, and a bad schedule is refused at its place in the file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, liveProcesses, makeHome, waitFor } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

type Entry = { kind: 'run'; exitCode: number | null; startedAt: string; endedAt: string } | { kind: 'skip'; at: string; reason: string };
const historyOf = async (id: string): Promise<Entry[]> => (await cliJson(home, ['status', id])).schedule.history;
const runsOf = async (id: string) => (await historyOf(id)).filter((e) => e.kind === 'run');
const lines = (file: string) => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

describe('run --every', () => {
  it('runs three times with their exits in the history, waits with its next run between runs, and a kill ends it', async () => {
    const marks = join(home, 'marks');
    const started = await cli(home, ['run', '--name', 'tick', '--every', '2s', '--', `echo run >> ${marks}; exit 3`]);
    expect(started.code, started.stderr).toBe(0);
    const id = started.stdout.trim();

    const runs = await waitFor(async () => {
      const r = await runsOf(id);
      return r.length >= 3 ? r : null;
    }, 'three runs', 30_000, 200);
    expect(runs.slice(0, 3).map((r) => r.kind === 'run' && r.exitCode)).toEqual([3, 3, 3]);
    expect(lines(marks)).toBeGreaterThanOrEqual(3);

    const waiting = await waitFor(async () => {
      const t = await cliJson(home, ['status', id]);
      return t.status === 'waiting' ? t : null;
    }, 'the task to wait for its next run', 10_000, 100);
    expect(waiting.reason).toMatch(/^next run at \d\d:\d\d:\d\d$/);
    expect(Date.parse(waiting.nextRunAt)).toBeGreaterThan(Date.parse(waiting.endedAt));
    const listed = (await cliJson<any[]>(home, ['ls'])).find((t) => t.id === id);
    // A tick may have come between the two looks: never an earlier one.
    expect(Date.parse(listed.nextRunAt)).toBeGreaterThanOrEqual(Date.parse(waiting.nextRunAt));

    const killed = await cli(home, ['kill', id]);
    expect(killed.code, killed.stderr).toBe(0);
    const after = await cliJson(home, ['status', id]);
    expect(after.status).toBe('killed');
    expect(after.nextRunAt).toBeNull();
    const count = lines(marks);
    // Past the tick that would have come (and one more): no run came, and nothing of it runs.
    const wouldRun = Date.parse(waiting.nextRunAt) + 2_500;
    await waitFor(() => Date.now() > wouldRun, 'the cancelled tick to pass', 15_000, 100);
    expect(lines(marks)).toBe(count);
    expect((await cliJson(home, ['status', id])).status).toBe('killed');
    expect(liveProcesses((env) => env.includes(`CORRAL_HOME=${home}\0`) && env.includes(`\0CORRAL_TASK=${id}\0`))).toEqual([]);
  });

  it('skips a tick while a slow run still goes on, says so in the history and the events, and ends with the daemon', async () => {
    const id = (await cli(home, ['run', '--every', '2s', '--', 'sleep 3'])).stdout.trim();
    const history = await waitFor(async () => {
      const h = await historyOf(id);
      const skip = h.findIndex((e) => e.kind === 'skip');
      return skip >= 0 && h.slice(skip).some((e) => e.kind === 'run') ? h : null;
    }, 'a skipped tick, then the end of the run it waited for', 30_000, 200);
    const skip = history.find((e) => e.kind === 'skip')!;
    expect(skip.kind === 'skip' && skip.reason).toMatch(/^skipped the run due at \d\d:\d\d:\d\d: the last run \(started at \d\d:\d\d:\d\d\) still goes on$/);
    // Runs never overlap: each starts after the one before it ended.
    const runs = history.filter((e): e is Extract<Entry, { kind: 'run' }> => e.kind === 'run');
    for (let i = 1; i < runs.length; i++) expect(Date.parse(runs[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(runs[i - 1]!.endedAt));
    const events = (await cli(home, ['events', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.some((e) => e.kind === 'skip' && e.id === id && /still goes on/.test(e.reason))).toBe(true);

    // daemon stop ends the schedule: the next daemon finds it killed, and takes nothing up.
    expect((await cli(home, ['daemon', 'stop'])).code).toBe(0);
    expect(await cliJson(home, ['status', id])).toMatchObject({ status: 'killed', nextRunAt: null });
  });

  it('refuses a bad schedule, a schedule with every, and a restart policy that never ends, with exit 2', async () => {
    const bad = await cli(home, ['run', '--schedule', '61 * * * *', '--', 'true']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--schedule: "61 \* \* \* \*" is not a cron expression/);
    const both = await cli(home, ['run', '--schedule', '* * * * *', '--every', '5s', '--', 'true']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/not both/);
    const always = await cli(home, ['run', '--every', '5s', '--restart', 'always', '--', 'true']);
    expect(always.code).toBe(2);
    expect(always.stderr).toMatch(/restart always never lets it end/);
    const tooOften = await cli(home, ['run', '--every', '500ms', '--', 'true']);
    expect(tooOften.code).toBe(2);
    expect(tooOften.stderr).toMatch(/at least 1s/);
  });
});

describe('schedule and every in an env file', () => {
  it('refuses a bad cron expression at its file:line:col, and a schedule on a task that restarts always', async () => {
    const file = join(home, 'corral.yaml');
    writeFileSync(file, ['name: sched', 'tasks:', '  backup:', '    command: "true"', '    schedule: "*/5 * * *"', ''].join('\n'));
    const bad = await cli(home, ['orchestrate', '-f', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}:5:15`);
    expect(bad.stderr).toMatch(/is not a cron expression/);

    writeFileSync(file, ['name: sched', 'tasks:', '  backup:', '    command: "true"', '    restart: always', '    every: 10m', ''].join('\n'));
    const always = await cli(home, ['orchestrate', '-f', file]);
    expect(always.code).toBe(2);
    expect(always.stderr).toContain(`${file}:6:5`);
    expect(always.stderr).toMatch(/restart always never lets it end/);
    expect(await cliJson<unknown[]>(home, ['ls'])).toEqual([]);
  });

  it('runs a cron step on its schedule, goes on after the daemon was killed, and down ends it', async () => {
    const file = join(home, 'corral.yaml');
    const marks = join(home, 'marks');
    // Six fields: every second second.
    writeFileSync(file, ['name: sched', 'tasks:', '  stamp:', `    command: echo run >> ${marks}`, '    schedule: "*/2 * * * * *"', ''].join('\n'));
    const up = await cli(home, ['orchestrate', '-f', file, '--wait-healthy', '--timeout', '20s']);
    expect(up.code, up.stderr).toBe(0);
    await waitFor(async () => (await runsOf('sched/stamp')).length >= 1, 'a first run', 20_000, 200);

    await sigkillDaemon(home);
    // Whatever the next call finds (the daemon starts again), the schedule goes on from the history it kept.
    const before = (await runsOf('sched/stamp')).length;
    await waitFor(async () => (await runsOf('sched/stamp')).length >= before + 2, 'two more runs under the new daemon', 30_000, 200);

    const down = await cli(home, ['down', 'sched']);
    expect(down.code, down.stderr).toBe(0);
    expect((await cliJson(home, ['status', 'sched/stamp'])).status).toBe('killed');
  });
});
