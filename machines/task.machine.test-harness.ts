/**
 * Drives the task machine through fake actors, for the task machine's tests.
 *
 * Each run of the task gets a fake process actor (a `fromCallback`) that records the
 * commands the machine sends it (SIGNAL, STOP_COMMAND, WATCH_TREE) and exposes its
 * `sendBack`, through which a test plays the reports of a real process (SPAWNED,
 * SPAWN_FAILED, EXITED, TREE_EMPTY). A SimulatedClock drives the grace period and the
 * restart backoff. Not a test file itself, and kept out of the build (see tsconfig.json).
 */
import { expect } from 'vitest';
import { createActor, fromCallback, SimulatedClock, type AnyEventObject } from 'xstate';
import { defaultRestartPolicy } from './policies/restart.js';
import type { ProcessActorInput, ProcessCommand, ProcessReport, TaskEvent, TaskInput } from './task.contracts.js';
import { taskMachine } from './task.machine.js';
import { statusOf } from './task.status.js';
import type { ProcessInfo, RestartPolicy, TaskSpec } from './task.types.js';

const NO_LIMITS = { memoryBytes: null, timeoutMs: null, idleMs: null, idleAction: 'alert' as const };

export function spec(overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    command: 'node server.js',
    cwd: '/srv/app',
    env: { PATH: '/usr/bin' },
    stopSignal: 'SIGTERM',
    graceMs: 5_000,
    stopCommand: null,
    restart: defaultRestartPolicy(),
    health: null,
    output: 'separate',
    nice: null,
    ionice: null,
    limits: NO_LIMITS,
    alertOn: null,
    ...overrides,
  };
}

export const withPolicy = (policy: Partial<RestartPolicy>, overrides: Partial<TaskSpec> = {}) =>
  spec({ restart: defaultRestartPolicy(policy), ...overrides });

export const proc = (pid: number): ProcessInfo => ({
  pid,
  pidStart: 1_000 + pid,
  monitorPid: pid - 1,
  monitorStart: 999 + pid,
  bootId: 'boot-1',
  token: `tok-${pid}`,
  logStart: { stdout: 10, stderr: 20 },
});

/** One process actor the machine invoked: one run of the task. */
export interface FakeProcess {
  input: ProcessActorInput;
  commands: ProcessCommand[];
  sendBack: (event: AnyEventObject) => void;
  stopped: boolean;
}

export function harness(input: Partial<TaskInput> = {}) {
  const runs: FakeProcess[] = [];
  const clock = new SimulatedClock();
  const machine = taskMachine.provide({
    actors: {
      process: fromCallback<ProcessCommand, ProcessActorInput>(({ input: actorInput, sendBack, receive }) => {
        const run: FakeProcess = { input: actorInput, commands: [], sendBack, stopped: false };
        runs.push(run);
        receive((command) => run.commands.push(command));
        return () => {
          run.stopped = true;
        };
      }),
    },
  });
  const actor = createActor(machine, { input: { id: 'task_1', spec: spec(), ...input }, clock });
  actor.start();

  const current = (): FakeProcess => {
    const run = runs.at(-1);
    if (!run) throw new Error('no process actor was started');
    return run;
  };
  /** A report from the current process actor, as the real one would send it. */
  const report = (event: ProcessReport) => current().sendBack(event);
  return {
    actor,
    clock,
    runs,
    current,
    report,
    /** What the supervisor sends. */
    send: (event: TaskEvent) => actor.send(event),
    snapshot: () => actor.getSnapshot(),
    status: () => statusOf(actor.getSnapshot()),
    value: () => actor.getSnapshot().value,
    ctx: () => actor.getSnapshot().context,
    spawned: (pid = 42, at = 1_000) => report({ type: 'SPAWNED', process: proc(pid), at }),
    exited: (exitCode: number | null, signal: string | null = null, at = 2_000, random = 0.5) =>
      report({ type: 'EXITED', exitCode, signal, at, random }),
    treeEmpty: (at = 3_000, random = 0.5) => report({ type: 'TREE_EMPTY', at, random }),
    stop: (extra: Partial<Extract<TaskEvent, { type: 'STOP' }>> = {}) => actor.send({ type: 'STOP', at: 1_500, ...extra }),
  };
}

export type Harness = ReturnType<typeof harness>;

/** Running, then asked to stop: the state most stop tests start from. */
export function stopping(input: Partial<TaskInput> = {}, stop: Partial<Extract<TaskEvent, { type: 'STOP' }>> = {}): Harness {
  const h = harness(input);
  h.spawned();
  h.stop(stop);
  expect(h.status()).toBe('stopping');
  return h;
}
