/**
 * Schedules in-process on xstate's SimulatedClock, with real processes: an hourly cron
 * waits for its hour and runs then, a 30-day `every` runs again 30 days on, and ticks
 * during a long run are skipped, each one once, until a kill ends the schedule for good.
 * Time moves only when the test moves it, so the order of runs and skips is exact.
 */
import { rmSync } from 'node:fs';
import { SimulatedClock } from 'xstate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskDetails } from '../../src/api.js';
import { shLauncher, type Launch, type Launcher, type SpawnRequest } from '../../src/process/monitor.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { makeHome, processesOf, waitFor } from '../helpers.js';

/** Starts tasks for real (under the sh monitor), and counts them. */
class CountingLauncher implements Launcher {
  readonly name = 'a counting launcher';
  starts = 0;
  launch(req: SpawnRequest): Launch {
    this.starts++;
    return shLauncher.launch(req);
  }
  close(): void {}
}

let home: string;
let sup: Supervisor;
let clock: SimulatedClock;
let launcher: CountingLauncher;

beforeEach(async () => {
  home = makeHome();
  clock = new SimulatedClock();
  clock.set(Date.now());
  launcher = new CountingLauncher();
  sup = await Supervisor.open({ home, launcher, clock, sampleIntervalMs: 60_000 });
});

afterEach(async () => {
  await sup.shutdown();
  const left = processesOf(home);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  rmSync(home, { recursive: true, force: true });
  expect(left).toEqual([]);
});

const details = (id: string): Promise<TaskDetails> => sup.describe(id);
const runs = async (id: string) => (await details(id)).schedule!.history.filter((e) => e.kind === 'run');
const waitingAgain = (id: string, count: number) =>
  waitFor(async () => {
    const d = await details(id);
    return d.status === 'waiting' && (await runs(id)).length === count ? d : null;
  }, `run ${count} to end`);

describe('a schedule on the simulated clock', () => {
  it('waits for the hour of an hourly cron, runs then, and waits for the next hour', async () => {
    const task = await sup.run({ command: 'exit 0', cwd: home, baseEnv: { PATH: process.env.PATH!, CORRAL_HOME: home }, schedule: '@hourly' });
    const hour = new Date(clock.now());
    hour.setMinutes(60, 0, 0);
    expect(task).toMatchObject({ status: 'waiting', nextRunAt: hour.toISOString(), reason: `next run at ${hour.toTimeString().slice(0, 8)}` });
    expect(launcher.starts).toBe(0);

    clock.increment(hour.getTime() - clock.now() - 1);
    expect(launcher.starts).toBe(0);
    clock.increment(1);
    const after = await waitingAgain(task.id, 1);
    expect(launcher.starts).toBe(1);
    expect(after.nextRunAt).toBe(new Date(hour.getTime() + 3_600_000).toISOString());
  });

  it('runs a 30-day every at once, and again 30 days on', async () => {
    const start = clock.now();
    const task = await sup.run({ command: 'exit 4', cwd: home, baseEnv: { PATH: process.env.PATH!, CORRAL_HOME: home }, every: '30d' });
    const first = await waitingAgain(task.id, 1);
    expect((await runs(task.id))[0]).toMatchObject({ exitCode: 4 });
    const due = Date.parse(first.nextRunAt!);
    expect(due).toBe(start + 30 * 86_400_000);
    clock.increment(due - clock.now() - 1);
    expect(launcher.starts).toBe(1);
    clock.increment(1);
    await waitingAgain(task.id, 2);
    expect(launcher.starts).toBe(2);
  });

  it('skips each tick while a run goes on, and a kill ends the schedule: no tick starts another run', async () => {
    const task = await sup.run({ command: 'sleep 300', cwd: home, baseEnv: { PATH: process.env.PATH!, CORRAL_HOME: home }, every: '10s' });
    expect(task.status).toBe('running');
    clock.increment(10_000);
    clock.increment(10_000);
    const history = (await details(task.id)).schedule!.history;
    expect(history.map((e) => e.kind)).toEqual(['skip', 'skip']);
    expect(launcher.starts).toBe(1);
    const events = sup.events.read(0, (e) => e.type === 'skip').events;
    expect(events).toHaveLength(2);

    const [killed] = await sup.kill({ refs: [task.id] });
    expect(killed).toMatchObject({ status: 'killed', nextRunAt: null });
    clock.increment(60_000);
    expect(launcher.starts).toBe(1);
    expect((await details(task.id)).status).toBe('killed');
  });
});
