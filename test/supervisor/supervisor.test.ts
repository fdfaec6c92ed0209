/**
 * The supervisor in-process, with its effects injected: a launcher that records (or
 * refuses) every start, and xstate's SimulatedClock for backoffs, limits, dependency
 * deadlines and waits, so hour-long policies are tested in milliseconds.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimulatedClock } from 'xstate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../machines/defaults.js';
import { isFinal, type TaskRecord } from '../../machines/task.types.js';
import { normalizeRun } from '../../src/config/normalize.js';
import { shLauncher, type Launch, type Launcher, type SpawnRequest } from '../../src/process/monitor.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { isRunning, makeHome, processesOf, waitFor } from '../helpers.js';
import { rmSync } from 'node:fs';

/** Starts tasks for real (under the sh monitor), and keeps what it was asked. */
class RecordingLauncher implements Launcher {
  readonly name = 'a recording launcher';
  readonly requests: SpawnRequest[] = [];
  launch(req: SpawnRequest): Launch {
    this.requests.push(req);
    return shLauncher.launch(req);
  }
  close(): void {}
}

const refusing: Launcher = {
  name: 'a launcher that starts nothing',
  launch: () => ({ started: Promise.reject(new Error('no-such-program: not found')), ended: new Promise(() => {}) }),
  close() {},
};

let home: string;
let sup: Supervisor | null = null;
let clock: SimulatedClock;
let launcher: RecordingLauncher;

beforeEach(() => {
  home = makeHome();
  clock = new SimulatedClock();
  // The simulated time starts at the real one: the task's own records carry real dates.
  clock.set(Date.now());
  launcher = new RecordingLauncher();
});

afterEach(async () => {
  await sup?.shutdown();
  sup = null;
  // Every task of these tests carries the home in its environment.
  const left = processesOf(home);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  rmSync(home, { recursive: true, force: true });
  expect(left).toEqual([]);
});

async function open(options: { launcher?: Launcher } = {}): Promise<Supervisor> {
  sup = await Supervisor.open({ home, launcher: options.launcher ?? launcher, clock, sampleIntervalMs: 60_000 });
  return sup;
}

const env = () => ({ ...(process.env as Record<string, string>), CORRAL_HOME: home });

describe('the supervisor with an injected launcher', () => {
  it('hands the launcher the command, its folder, its marked environment, log folder and priority', async () => {
    const s = await open();
    const task = await s.run({ command: 'sleep 30', cwd: home, baseEnv: env(), env: { GREETING: 'hi' }, nice: 5 });
    expect(task.status).toBe('running');
    expect(launcher.requests).toHaveLength(1);
    const req = launcher.requests[0]!;
    expect(req.command).toBe('sleep 30');
    expect(req.cwd).toBe(home);
    expect(req.env).toMatchObject({ GREETING: 'hi', CORRAL_TASK: task.id });
    expect(req.env.CORRAL_TASK_TOKEN).toMatch(/^[0-9a-f]{8}\.[0-9a-f]{24}$/);
    expect(req.logDir).toBe(join(home, 'logs', task.id));
    expect(req.priority).toEqual({ nice: 5, ionice: null });
    expect(isRunning(task.pid!)).toBe(true);
  });

  it('stamps a run\'s start with where its output begins, not with what it wrote before the daemon heard of it', async () => {
    // The start is reported only once the command has printed: a stat at that moment would count its output as the output before the start.
    const stdoutSize = (logDir: string) => statSync(join(logDir, 'stdout.log'), { throwIfNoEntry: false })?.size ?? 0;
    const late: Launcher = {
      name: 'a launcher that reports late',
      launch(req) {
        const launch = shLauncher.launch(req);
        return { ...launch, started: launch.started.then(async (started) => (await waitFor(() => stdoutSize(req.logDir) >= 6, 'the output'), started)) };
      },
      close() {},
    };
    const s = await open({ launcher: late });
    const task = await s.run({ command: 'printf second; exec sleep 30', cwd: home, baseEnv: env() });
    expect(task.status).toBe('running');
    const { events } = await s.eventsSince(0, 0);
    const started = events.find((e) => e.type === 'state' && e.id === task.id && e.status === 'running');
    expect(started).toMatchObject({ logSizes: { stdout: 0, stderr: 0 } });
    expect(stdoutSize(join(home, 'logs', task.id))).toBe(6);
  });

  it('a launch that starts nothing fails the task with the reason, and restarts nothing', async () => {
    const s = await open({ launcher: refusing });
    const task = await s.run({ command: 'no-such-program', cwd: home, baseEnv: env() });
    expect(task.status).toBe('failed');
    expect(task.reason).toBe('could not start: no-such-program: not found');
    expect(task.pid).toBeNull();
  });
});

describe('the supervisor on an injected clock', () => {
  it('restarts after the backoff of the clock, not of the wall', async () => {
    const s = await open();
    const task = await s.run({ command: 'true', cwd: home, baseEnv: env(), restart: 'always', backoff: '10m', maxBackoff: '10m' });
    await waitFor(async () => (await s.get(task.id)).status === 'restarting', 'the first restart to be scheduled');
    expect(launcher.requests).toHaveLength(1);
    // Ten minutes (plus the jitter of at most 10 %) pass on the clock, in no time.
    clock.increment(11 * 60_000);
    await waitFor(() => launcher.requests.length >= 2, 'the second start');
    expect((await s.get(task.id)).restarts).toBeGreaterThanOrEqual(1);
    await s.kill({ refs: [task.id] });
  });

  it('stops a task at its run-time limit when the clock reaches it', async () => {
    const s = await open();
    const task = await s.run({ command: 'sleep 30', cwd: home, baseEnv: env(), timeout: '2h' });
    expect(task.status).toBe('running');
    clock.increment(2 * 3_600_000 - 1_000);
    expect((await s.get(task.id)).status).toBe('running');
    clock.increment(2_000);
    const ended = await waitFor(async () => {
      const view = await s.get(task.id);
      return view.status === 'killed' ? view : null;
    }, 'the limit to stop the task');
    expect(ended.reason).toMatch(/^timeout 2h00m reached/);
    expect(isRunning(task.pid!)).toBe(false);
  });

  it('a wait times out on the clock', async () => {
    const s = await open();
    const task = await s.run({ command: 'sleep 30', cwd: home, baseEnv: env() });
    const waiting = s.wait(task.id, 'exit', '1h');
    clock.increment(3_600_000);
    const result = await waiting;
    expect(result).toMatchObject({ reached: false, timedOut: true });
    expect(result.task.status).toBe('running');
  });

  it('a wait ends as soon as its caller goes away (the daemon aborts it when the connection closes)', async () => {
    const s = await open();
    const task = await s.run({ command: 'sleep 30', cwd: home, baseEnv: env() });
    for (const until of ['exit', 'log:never']) {
      const gone = new AbortController();
      const waiting = s.wait(task.id, until, '1h', { signal: gone.signal });
      // The clock does not move: only the abort can end these waits.
      setTimeout(() => gone.abort(), 50);
      expect(await waiting, until).toMatchObject({ reached: false, timedOut: true, until });
    }
  });

  it("fails a dependent when its dependency's deadline passes on the clock", async () => {
    const file = join(home, 'corral.yaml');
    writeFileSync(
      file,
      ['name: slow', 'tasks:', '  db:', '    command: sleep 30', '    health: { exec: "false", interval: 1h }', '  api:', '    command: sleep 30', '    depends_on: { db: { condition: healthy, timeout: 1h } }', ''].join('\n'),
    );
    const s = await open();
    await s.orchestrate({ file, callerEnv: env() });
    await waitFor(async () => (await s.list({ env: 'slow' })).find((t) => t.name === 'db')?.status === 'running', 'db running');
    expect((await s.list({ env: 'slow' })).find((t) => t.name === 'api')?.status).toBe('waiting');
    clock.increment(3_600_000);
    const api = await waitFor(async () => {
      const view = (await s.list({ env: 'slow' })).find((t) => t.name === 'api');
      return view?.status === 'failed' ? view : null;
    }, 'api to fail');
    expect(api.reason).toBe('dependency db not healthy after 1h00m');
    const report = await s.waitEnv('slow', '1s');
    expect(report.ready).toBe(false);
    // The task at fault is the one that never got healthy; what became of its dependent comes after.
    expect(report.culprit).toMatchObject({ name: 'db', reason: expect.stringMatching(/^health unknown.*; api failed: dependency db not healthy after 1h00m$/) });
    expect(launcher.requests.map((r) => r.command)).toEqual(['sleep 30']);
  });
});

describe('a dependency cycle that got into the state file', () => {
  /** Waiting tasks of environment `env`, each depending on the next and the last on the first (one alone depends on itself). */
  function cycle(envName: string, names: string[], firstId: number): TaskRecord[] {
    const { spec } = normalizeRun({ command: 'sleep 30', cwd: home, baseEnv: env() });
    return names.map((name, i) => ({
      id: `bash_${firstId + i}`,
      name,
      env: envName,
      envRun: 1,
      spec,
      dependsOn: [{ on: names[(i + 1) % names.length]!, condition: 'started', timeoutMs: DEFAULTS.dependencyTimeoutMs }],
      background: true,
      status: 'waiting',
      reason: null,
      process: null,
      exitCode: null,
      signal: null,
      restarts: 0,
      health: null,
      createdAt: new Date(clock.now()).toISOString(),
      startedAt: null,
      endedAt: null,
      restartAt: null,
    }));
  }

  function writeState(records: TaskRecord[]): void {
    const tasks = Object.fromEntries(records.map((r) => [r.id, r]));
    writeFileSync(join(home, 'state.json'), JSON.stringify({ version: 1, tasks, nextId: records.length + 1, cursors: {} }));
  }

  it('leaves every task stoppable: by ids, by environment, and all at once', async () => {
    writeState([...cycle('ids', ['a', 'b'], 1), ...cycle('env', ['a', 'b', 'c'], 3), ...cycle('all', ['a'], 6), ...cycle('rest', ['a', 'b'], 7)]);
    const s = await open();
    expect((await s.list()).map((t) => t.status)).toEqual(Array(8).fill('waiting'));
    // The search for the culprit follows the waits around the cycle once, and names the last task it reached.
    const report = s.waitEnv('env', '1s');
    clock.increment(1_000);
    expect((await report).culprit).toMatchObject({ name: 'c', reason: 'waiting for a (started); a waits for it' });

    const byIds = await s.kill({ refs: ['ids/a', 'ids/b'] });
    expect(byIds.map((t) => t.status)).toEqual(['killed', 'failed']);
    expect(byIds[1]!.reason).toBe('dependency a killed: stopped before it started');
    expect((await s.down('env')).every((t) => isFinal(t.status))).toBe(true);
    const all = await s.kill({ all: true });
    expect(all.map((t) => `${t.env}/${t.name}`).sort()).toEqual(['all/a', 'rest/a', 'rest/b']);
    expect((await s.list()).every((t) => isFinal(t.status))).toBe(true);
    expect(launcher.requests).toEqual([]);
  });

  it('stops the tasks of a cycle at shutdown', async () => {
    writeState(cycle('loop', ['a', 'b', 'c'], 1));
    const s = await open();
    const views = await s.shutdown();
    expect(views.map((t) => t.status).every(isFinal)).toBe(true);
    sup = null;
  });

  it('fails the tasks of a cycle at their dependency deadline, like any wait never met', async () => {
    writeState(cycle('loop', ['a', 'b'], 1));
    const s = await open();
    clock.increment(DEFAULTS.dependencyTimeoutMs);
    const failed = await waitFor(async () => {
      const tasks = await s.list();
      return tasks.every((t) => t.status === 'failed') ? tasks : null;
    }, 'both to fail');
    expect(failed.map((t) => t.reason)).toEqual([expect.stringMatching(/^dependency b not started after 5m|^dependency b failed/), expect.stringMatching(/^dependency a (not started after 5m|failed)/)]);
  });
});
