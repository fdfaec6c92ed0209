/**
 * The task machine driven through its process actor.
 *
 * Each run of the task gets a fake process actor (a `fromCallback`) that records the
 * commands the machine sends it (SIGNAL, STOP_COMMAND, WATCH_TREE) and exposes its
 * `sendBack`, through which the test plays the reports of a real process (SPAWNED,
 * SPAWN_FAILED, EXITED, TREE_EMPTY). A SimulatedClock drives the grace period and the
 * restart backoff. At the end, a walk of the machine's state graph (xstate/graph)
 * checks which states lead to which final state.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock, type AnyEventObject } from 'xstate';
import { getAdjacencyMap, getShortestPaths, getSimplePaths, type StatePath } from 'xstate/graph';
import { defaultRestartPolicy } from './policies/restart.js';
import type { ProcessActorInput, ProcessCommand, ProcessReport, TaskEvent, TaskInput } from './task.contracts.js';
import { taskMachine } from './task.machine.js';
import { describeExit } from './task.reasons.js';
import { statusOf, type TaskSnapshot } from './task.status.js';
import type { ProcessInfo, RestartPolicy, TaskSpec, TaskStatus } from './task.types.js';

const NO_LIMITS = { memoryBytes: null, timeoutMs: null, idleMs: null, idleAction: 'alert' as const };

function spec(overrides: Partial<TaskSpec> = {}): TaskSpec {
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

const withPolicy = (policy: Partial<RestartPolicy>, overrides: Partial<TaskSpec> = {}) =>
  spec({ restart: defaultRestartPolicy(policy), ...overrides });

const proc = (pid: number): ProcessInfo => ({
  pid,
  pidStart: 1_000 + pid,
  monitorPid: pid - 1,
  monitorStart: 999 + pid,
  bootId: 'boot-1',
  token: `tok-${pid}`,
  logStart: { stdout: 10, stderr: 20 },
});

/** One process actor the machine invoked: one run of the task. */
interface FakeProcess {
  input: ProcessActorInput;
  commands: ProcessCommand[];
  sendBack: (event: AnyEventObject) => void;
  stopped: boolean;
}

function harness(input: Partial<TaskInput> = {}) {
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

type Harness = ReturnType<typeof harness>;

/** Running, then asked to stop: the state most stop tests start from. */
function stopping(input: Partial<TaskInput> = {}, stop: Partial<Extract<TaskEvent, { type: 'STOP' }>> = {}): Harness {
  const h = harness(input);
  h.spawned();
  h.stop(stop);
  expect(h.status()).toBe('stopping');
  return h;
}

describe('describeExit', () => {
  it.each<[Parameters<typeof describeExit>[0], string]>([
    [{ exitCode: 0, signal: null }, 'exit 0'],
    [{ exitCode: 3, signal: null }, 'exit 3'],
    [{ exitCode: null, signal: 'SIGSEGV' }, 'SIGSEGV'],
    [{ exitCode: 1, signal: 'SIGKILL' }, 'SIGKILL'],
    [{ exitCode: null, signal: null, note: 'monitor vanished without an exit file' }, 'monitor vanished without an exit file'],
    [{ exitCode: null, signal: null }, 'exit status unknown'],
    [{ exitCode: 2, signal: null, note: 'ignored when the code is known' }, 'exit 2'],
  ])('%j → %s', (exit, text) => {
    expect(describeExit(exit)).toBe(text);
  });
});

describe('task machine: one run', () => {
  it('starts one process actor with the task id, the spec and no adoption', () => {
    const s = spec();
    const h = harness({ spec: s });
    expect(h.value()).toEqual({ alive: 'starting' });
    expect(h.status()).toBe('starting');
    expect(h.runs).toHaveLength(1);
    expect(h.current().input).toEqual({ taskId: 'task_1', spec: s, adopt: null });
    expect(h.current().commands).toEqual([]);
    expect(h.ctx()).toMatchObject({ process: null, startedAt: null, restarts: 0, reason: null, stop: null });
  });

  it('is running with the pid and start time of SPAWNED', () => {
    const h = harness();
    h.spawned(4242, 1_234);
    expect(h.value()).toEqual({ alive: 'running' });
    expect(h.status()).toBe('running');
    expect(h.ctx().process).toEqual(proc(4242));
    expect(h.ctx().startedAt).toBe(1_234);
    expect(h.ctx().health).toBeNull(); // no health check configured
  });

  it('completes on exit 0 with reason "exit 0" and stops its process actor', () => {
    const h = harness();
    h.spawned(42, 1_000);
    h.exited(0, null, 2_500);
    expect(h.status()).toBe('completed');
    expect(h.ctx()).toMatchObject({ exitCode: 0, signal: null, reason: 'exit 0', endedAt: 2_500, restarts: 0 });
    expect(h.snapshot().status).toBe('done');
    expect(h.current().stopped).toBe(true);
  });

  it('fails on exit 3 with reason "exit 3"', () => {
    const h = harness();
    h.spawned();
    h.exited(3, null, 2_000);
    expect(h.status()).toBe('failed');
    expect(h.ctx()).toMatchObject({ exitCode: 3, signal: null, reason: 'exit 3', endedAt: 2_000 });
    expect(h.snapshot().status).toBe('done');
  });

  it('fails on a signal with the signal as the reason', () => {
    const h = harness();
    h.spawned();
    h.exited(null, 'SIGSEGV', 2_000);
    expect(h.status()).toBe('failed');
    expect(h.ctx()).toMatchObject({ exitCode: null, signal: 'SIGSEGV', reason: 'SIGSEGV' });
  });

  it('fails with the note of the process actor when the exit status is unknown', () => {
    const h = harness();
    h.spawned();
    h.report({ type: 'EXITED', exitCode: null, signal: null, at: 2_000, random: 0.5, note: 'exit status lost after reboot' });
    expect([h.status(), h.ctx().reason]).toEqual(['failed', 'exit status lost after reboot']);
  });

  it('fails with "could not start: ..." on SPAWN_FAILED', () => {
    const h = harness();
    h.report({ type: 'SPAWN_FAILED', message: 'spawn /bin/sh ENOENT', at: 5 });
    expect(h.status()).toBe('failed');
    expect(h.ctx()).toMatchObject({ reason: 'could not start: spawn /bin/sh ENOENT', endedAt: 5, process: null });
    expect(h.current().stopped).toBe(true);
  });

  it('does not restart a spawn failure even under always', () => {
    const h = harness({ spec: withPolicy({ policy: 'always' }) });
    h.report({ type: 'SPAWN_FAILED', message: 'cwd /nope does not exist', at: 5 });
    expect([h.status(), h.ctx().reason]).toEqual(['failed', 'could not start: cwd /nope does not exist']);
    h.clock.increment(60_000);
    expect(h.runs).toHaveLength(1);
  });

  it('leaves a restart that cannot start to the restart policy, as a failed run', () => {
    const h = harness({ spec: withPolicy({ policy: 'always', maxRestarts: 1 }) });
    h.spawned(100, 0);
    h.exited(1, null, 1_000);
    expect(h.status()).toBe('restarting');
    h.clock.increment(h.ctx().restartDelayMs);
    h.report({ type: 'SPAWN_FAILED', message: 'app: Text file busy', at: 2_500, random: 0.5 });
    expect([h.status(), h.ctx().reason]).toEqual(['failed', 'restart limit reached (1 in 60s) after could not start: app: Text file busy']);
  });

  it('honours successExitCodes: a listed code completes, 0 left out of the list fails', () => {
    const listed = harness({ spec: withPolicy({ successExitCodes: [0, 3] }) });
    listed.spawned();
    listed.exited(3);
    expect([listed.status(), listed.ctx().reason]).toEqual(['completed', 'exit 3']);

    const onFailure = harness({ spec: withPolicy({ policy: 'on-failure', successExitCodes: [0, 3] }) });
    onFailure.spawned();
    onFailure.exited(3);
    expect(onFailure.status()).toBe('completed');

    const without0 = harness({ spec: withPolicy({ successExitCodes: [2] }) });
    without0.spawned();
    without0.exited(0);
    expect([without0.status(), without0.ctx().reason]).toEqual(['failed', 'exit 0']);
  });

  it('ignores reports that make no sense in the current state', () => {
    const h = harness();
    h.treeEmpty(10); // no stop was asked
    expect(h.status()).toBe('starting');
    h.send({ type: 'DEQUEUE' });
    h.send({ type: 'DEPENDENCIES_READY' });
    expect(h.status()).toBe('starting');
    h.spawned();
    h.report({ type: 'SPAWN_FAILED', message: 'late', at: 9 });
    expect(h.status()).toBe('running');
    expect(h.ctx().reason).toBeNull();
  });

  it('ignores everything once final', () => {
    const h = harness();
    h.spawned();
    h.exited(0, null, 2_000);
    h.send({ type: 'STOP', at: 3_000 });
    h.send({ type: 'UPDATE_SPEC', spec: withPolicy({ policy: 'always' }) });
    h.actor.send({ type: 'EXITED', exitCode: 1, signal: null, at: 4_000, random: 0.5 });
    expect(h.status()).toBe('completed');
    expect(h.ctx()).toMatchObject({ reason: 'exit 0', endedAt: 2_000 });
    expect(h.current().commands).toEqual([]);
  });

  it('records readiness from the health actor while running', () => {
    const health = { probes: [{ kind: 'listen' as const }], intervalMs: 1_000, timeoutMs: 2_000, retries: 3, startPeriodMs: 0 };
    const h = harness({ spec: spec({ health }) });
    expect(h.ctx().health).toBeNull();
    h.send({ type: 'HEALTH', health: { status: 'healthy', failures: 0, lastError: null }, at: 1 });
    expect(h.ctx().health).toBeNull(); // not running yet
    h.spawned();
    expect(h.ctx().health).toEqual({ status: 'unknown', failures: 0, lastError: null });
    h.send({ type: 'HEALTH', health: { status: 'unhealthy', failures: 2, lastError: 'refused' }, at: 5 });
    expect(h.ctx().health).toEqual({ status: 'unhealthy', failures: 2, lastError: 'refused' });
  });
});

describe('task machine: stopping', () => {
  it('sends the stop signal and WATCH_TREE, and remembers the stop', () => {
    const h = stopping();
    expect(h.value()).toEqual({ alive: 'stopping' });
    expect(h.current().commands).toEqual([{ type: 'SIGNAL', signal: 'SIGTERM' }, { type: 'WATCH_TREE' }]);
    expect(h.ctx().stop).toEqual({ signal: 'SIGTERM', graceMs: 5_000, escalated: false, reason: null, restart: false });
    expect(h.current().stopped).toBe(false); // the process actor watches the tree until it is empty
  });

  it('waits for the whole tree: EXITED alone does not end the stop', () => {
    const h = stopping();
    h.exited(null, 'SIGTERM', 1_600);
    expect(h.status()).toBe('stopping');
    expect(h.ctx()).toMatchObject({ signal: 'SIGTERM', exitCode: null, endedAt: 1_600 });
    h.treeEmpty(1_700);
    expect(h.status()).toBe('killed');
    expect(h.ctx().reason).toBe('SIGTERM');
    expect(h.ctx().endedAt).toBe(1_600); // when the command ended, not when the tree was empty
    expect(h.current().stopped).toBe(true);
  });

  it('says "exit 0 after SIGTERM" when the task exited on its own terms', () => {
    const h = stopping();
    h.exited(0, null, 1_600);
    h.treeEmpty(1_700);
    expect([h.status(), h.ctx().reason]).toEqual(['killed', 'exit 0 after SIGTERM']);
    expect(h.ctx().exitCode).toBe(0);
  });

  it('says which other signal ended it', () => {
    const h = stopping();
    h.exited(null, 'SIGABRT', 1_600);
    h.treeEmpty(1_700);
    expect(h.ctx().reason).toBe('SIGABRT after SIGTERM');
  });

  it('is killed with the stop signal when the tree empties without an exit report', () => {
    const h = stopping();
    h.treeEmpty(1_900);
    expect([h.status(), h.ctx().reason, h.ctx().endedAt]).toEqual(['killed', 'SIGTERM', 1_900]);
  });

  it('escalates to SIGKILL after exactly the grace, once', () => {
    const h = stopping();
    h.clock.increment(4_999);
    expect(h.current().commands).toHaveLength(2);
    expect(h.ctx().stop?.escalated).toBe(false);
    h.clock.increment(1);
    expect(h.current().commands).toEqual([
      { type: 'SIGNAL', signal: 'SIGTERM' },
      { type: 'WATCH_TREE' },
      { type: 'SIGNAL', signal: 'SIGKILL' },
    ]);
    expect(h.ctx().stop?.escalated).toBe(true);
    expect(h.status()).toBe('stopping');
    h.clock.increment(60_000);
    expect(h.current().commands).toHaveLength(3);
    h.exited(null, 'SIGKILL', 6_600);
    h.treeEmpty(6_700);
    expect([h.status(), h.ctx().reason]).toEqual(['killed', 'SIGKILL after 5s grace']);
  });

  it('says SIGKILL after the grace even when the command itself went on SIGTERM', () => {
    const h = stopping();
    h.exited(null, 'SIGTERM', 1_600); // a child that ignores SIGTERM is left
    h.clock.increment(5_000);
    h.treeEmpty(6_600);
    expect(h.ctx().reason).toBe('SIGKILL after 5s grace');
  });

  it('does not escalate when the tree empties within the grace', () => {
    const h = stopping();
    h.clock.increment(1_000);
    h.treeEmpty(2_500);
    h.clock.increment(10_000);
    expect(h.current().commands).toEqual([{ type: 'SIGNAL', signal: 'SIGTERM' }, { type: 'WATCH_TREE' }]);
    expect(h.ctx().reason).toBe('SIGTERM');
  });

  it('ignores a second STOP: no new signal, and the grace is not restarted', () => {
    const h = stopping();
    h.clock.increment(3_000);
    h.stop({ signal: 'SIGINT', graceMs: 60_000, at: 4_500 });
    expect(h.current().commands).toEqual([{ type: 'SIGNAL', signal: 'SIGTERM' }, { type: 'WATCH_TREE' }]);
    expect(h.ctx().stop).toMatchObject({ signal: 'SIGTERM', graceMs: 5_000 });
    h.clock.increment(2_000);
    expect(h.current().commands.at(-1)).toEqual({ type: 'SIGNAL', signal: 'SIGKILL' });
    expect(h.current().commands).toHaveLength(3);
  });

  it.each([
    ['SIGKILL', { signal: 'SIGKILL' }],
    ['no grace', { graceMs: 0 }],
  ])('kills at once on a second STOP that asks for it (%s), without waiting out the grace', (_what, second) => {
    const h = stopping({}, { graceMs: 30_000 });
    h.clock.increment(1_000);
    h.stop({ ...second, at: 2_500 });
    expect(h.current().commands).toEqual([{ type: 'SIGNAL', signal: 'SIGTERM' }, { type: 'WATCH_TREE' }, { type: 'SIGNAL', signal: 'SIGKILL' }]);
    h.exited(null, 'SIGKILL', 2_510);
    h.treeEmpty(2_520);
    expect([h.status(), h.ctx().reason]).toEqual(['killed', 'SIGKILL']);
  });

  it("keeps a task down when a user's STOP comes while a limit's stop waits out its grace", () => {
    const h = stopping({ spec: withPolicy({ policy: 'always' }) }, { reason: 'memory 600 MB over limit 500 MB', restart: true, at: 1_500 });
    h.stop({ at: 2_000 });
    h.exited(null, 'SIGTERM', 2_100);
    h.treeEmpty(2_200);
    expect([h.status(), h.ctx().reason]).toEqual(['killed', 'memory 600 MB over limit 500 MB (SIGTERM)']);
    expect(h.runs).toHaveLength(1);
  });

  it('uses the signal and grace of the STOP event', () => {
    const h = stopping({}, { signal: 'SIGINT', graceMs: 200 });
    expect(h.current().commands).toEqual([{ type: 'SIGNAL', signal: 'SIGINT' }, { type: 'WATCH_TREE' }]);
    h.clock.increment(199);
    expect(h.current().commands).toHaveLength(2);
    h.clock.increment(1);
    expect(h.current().commands[2]).toEqual({ type: 'SIGNAL', signal: 'SIGKILL' });
    h.treeEmpty(2_000);
    expect(h.ctx().reason).toBe('SIGKILL after 200ms grace');
  });

  it('names the custom signal in the reason', () => {
    const a = stopping({}, { signal: 'SIGINT' });
    a.exited(null, 'SIGINT');
    a.treeEmpty();
    expect(a.ctx().reason).toBe('SIGINT');
    const b = stopping({}, { signal: 'SIGINT' });
    b.exited(130);
    b.treeEmpty();
    expect(b.ctx().reason).toBe('exit 130 after SIGINT');
  });

  it('takes the stop signal and grace of the spec by default', () => {
    const h = stopping({ spec: spec({ stopSignal: 'SIGQUIT', graceMs: 2_000 }) });
    expect(h.current().commands[0]).toEqual({ type: 'SIGNAL', signal: 'SIGQUIT' });
    h.clock.increment(1_999);
    expect(h.current().commands).toHaveLength(2);
    h.clock.increment(1);
    h.treeEmpty();
    expect(h.ctx().reason).toBe('SIGKILL after 2s grace');
  });

  it('runs the stop command instead of the signal, and still escalates', () => {
    const h = stopping({ spec: spec({ stopCommand: 'redis-cli shutdown' }) });
    expect(h.current().commands).toEqual([{ type: 'STOP_COMMAND', command: 'redis-cli shutdown' }, { type: 'WATCH_TREE' }]);
    h.clock.increment(5_000);
    expect(h.current().commands[2]).toEqual({ type: 'SIGNAL', signal: 'SIGKILL' });
  });

  it('can stop a task that has not reported SPAWNED yet', () => {
    const h = harness();
    h.stop();
    expect(h.value()).toEqual({ alive: 'stopping' });
    expect(h.current().commands).toEqual([{ type: 'SIGNAL', signal: 'SIGTERM' }, { type: 'WATCH_TREE' }]);
    h.treeEmpty();
    expect([h.status(), h.ctx().reason]).toEqual(['killed', 'SIGTERM']);
  });

  it('never restarts after a user stop, whatever the policy', () => {
    for (const policy of ['on-failure', 'always', 'unless-stopped'] as const) {
      const h = stopping({ spec: withPolicy({ policy }) });
      h.exited(null, 'SIGTERM', 1_600);
      h.treeEmpty(1_700);
      expect([policy, h.status(), h.ctx().reason]).toEqual([policy, 'killed', 'SIGTERM']);
      h.clock.increment(120_000);
      expect(h.runs).toHaveLength(1);
      expect(h.ctx().restarts).toBe(0);
    }
  });

  it('stops for a limit: the reason leads, and it is killed when the policy does not restart', () => {
    const h = stopping({}, { reason: 'timeout 2h reached', restart: true });
    h.exited(null, 'SIGTERM');
    h.treeEmpty();
    expect([h.status(), h.ctx().reason]).toEqual(['killed', 'timeout 2h reached (SIGTERM)']);
  });

  it('stops for a limit and restarts when the policy restarts failures, as one restart', () => {
    const h = stopping(
      { spec: withPolicy({ policy: 'on-failure' }) },
      { reason: 'memory 612 MB over limit 500 MB', restart: true, at: 1_500 },
    );
    h.exited(null, 'SIGTERM', 1_600);
    h.treeEmpty(1_700);
    expect(h.status()).toBe('restarting');
    expect(h.ctx()).toMatchObject({
      reason: 'memory 612 MB over limit 500 MB; restarting in 1s (restart 1/5)',
      restarts: 1,
      restartDelayMs: 1_000,
      restartAt: 2_700,
      endedAt: 1_600,
      signal: 'SIGTERM',
    });
    h.clock.increment(1_000);
    expect(h.value()).toEqual({ alive: 'starting' });
    expect(h.runs).toHaveLength(2);
    expect(h.ctx().stop).toBeNull();
  });

  it('counts limit stops towards the restart limit, with the window count in the reason', () => {
    const h = harness({ spec: withPolicy({ policy: 'on-failure', maxRestarts: 2 }), restarts: 9 });
    const reasons: string[] = [];
    let at = 0;
    for (let run = 1; run <= 3; run++) {
      h.spawned(100 + run, at);
      h.stop({ reason: 'memory 600 MB over limit 500 MB', restart: true, at: at + 50 });
      h.exited(null, 'SIGTERM', at + 100);
      h.treeEmpty(at + 150);
      reasons.push(`${h.status()}: ${h.ctx().reason}`);
      if (h.status() !== 'restarting') break;
      h.clock.increment(h.ctx().restartDelayMs);
      at += 150 + h.ctx().restartDelayMs;
    }
    expect(reasons).toEqual([
      'restarting: memory 600 MB over limit 500 MB; restarting in 1s (restart 1/2)',
      'restarting: memory 600 MB over limit 500 MB; restarting in 2s (restart 2/2)',
      // The restart limit refused a third restart: the stop ends as a kill, and says both why.
      'killed: memory 600 MB over limit 500 MB (SIGTERM); restart limit reached (2 in 60s)',
    ]);
    expect(h.ctx().restarts).toBe(11);
  });

  it('does not restart after a limit stop that was not marked as restartable', () => {
    const h = stopping({ spec: withPolicy({ policy: 'always' }) }, { reason: 'idle 10m' });
    h.treeEmpty();
    expect([h.status(), h.ctx().reason]).toEqual(['killed', 'idle 10m (SIGTERM)']);
  });
});

describe('task machine: restarts', () => {
  const onFailure = (policy: Partial<RestartPolicy> = {}, input: Partial<TaskInput> = {}) =>
    harness({ spec: withPolicy({ policy: 'on-failure', ...policy }), ...input });

  it('restarts a failure after the backoff with a new process actor', () => {
    const h = onFailure();
    h.spawned(42, 0);
    h.exited(1, null, 500);
    expect(h.status()).toBe('restarting');
    expect(h.ctx().reason).toContain('restarting in');
    expect(h.ctx().reason).toContain('(restart 1/5)');
    expect(h.ctx()).toMatchObject({
      reason: 'exit 1; restarting in 1s (restart 1/5)',
      exitCode: 1,
      restarts: 1,
      restartDelayMs: 1_000,
      restartAt: 1_500,
      endedAt: 500,
    });
    expect(h.runs).toHaveLength(1);
    expect(h.runs[0]!.stopped).toBe(true); // the old process actor is gone while waiting

    h.clock.increment(999);
    expect(h.status()).toBe('restarting');
    expect(h.runs).toHaveLength(1);
    h.clock.increment(1);
    expect(h.value()).toEqual({ alive: 'starting' });
    expect(h.runs).toHaveLength(2);
    expect(h.current().input).toMatchObject({ taskId: 'task_1', adopt: null });
    // A new run starts clean, except for what is counted across runs.
    expect(h.ctx()).toMatchObject({ exitCode: null, signal: null, reason: null, endedAt: null, restartAt: null, stop: null, restarts: 1 });

    h.spawned(43, 1_600);
    expect(h.status()).toBe('running');
    expect(h.ctx().process?.pid).toBe(43);
    expect(h.ctx().startedAt).toBe(1_600);
  });

  it('ignores a late report from the previous run', () => {
    const h = onFailure();
    h.spawned(42, 0);
    h.exited(1, null, 500);
    const old = h.runs[0]!;
    h.clock.increment(1_000);
    h.spawned(43, 1_600);
    old.sendBack({ type: 'EXITED', exitCode: 0, signal: null, at: 1_700, random: 0.5 });
    expect(h.status()).toBe('running');
    expect(h.ctx().process?.pid).toBe(43);
  });

  it('grows the delay ×2 on every quick crash, then fails at the limit', () => {
    const h = onFailure();
    const delays: number[] = [];
    const reasons: string[] = [];
    let at = 0;
    for (let run = 1; run <= 6; run++) {
      expect(h.runs).toHaveLength(run);
      h.spawned(100 + run, at);
      at += 100; // well under min_uptime: the backoff keeps growing
      h.exited(1, null, at, 0.5);
      if (h.status() !== 'restarting') break;
      delays.push(h.ctx().restartDelayMs);
      reasons.push(h.ctx().reason!);
      h.clock.increment(h.ctx().restartDelayMs);
      at += h.ctx().restartDelayMs;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    for (let i = 1; i < delays.length; i++) expect(delays[i]! / delays[i - 1]!).toBe(2);
    expect(reasons).toEqual([
      'exit 1; restarting in 1s (restart 1/5)',
      'exit 1; restarting in 2s (restart 2/5)',
      'exit 1; restarting in 4s (restart 3/5)',
      'exit 1; restarting in 8s (restart 4/5)',
      'exit 1; restarting in 16s (restart 5/5)',
    ]);
    expect(h.status()).toBe('failed');
    expect(h.ctx().reason).toBe('restart limit reached (5 in 60s) after exit 1');
    expect(h.ctx().reason!.startsWith('restart limit reached (5 in 60s) after exit 1')).toBe(true);
    expect(h.ctx().restarts).toBe(5);
    expect(h.runs).toHaveLength(6);
    h.clock.increment(120_000);
    expect(h.runs).toHaveLength(6);
  });

  it('keeps every grown delay within ±10 % jitter', () => {
    const randoms = [0, 0.999, 0.2, 0.8, 0.5];
    const h = onFailure();
    let at = 0;
    for (let i = 0; i < randoms.length; i++) {
      h.spawned(100 + i, at);
      at += 100;
      h.exited(1, null, at, randoms[i]);
      const base = 1_000 * 2 ** i;
      const delay = h.ctx().restartDelayMs;
      expect(delay).toBeGreaterThanOrEqual(base * 0.9);
      expect(delay).toBeLessThanOrEqual(base * 1.1);
      expect(h.ctx().history.backoffMs).toBe(base);
      h.clock.increment(delay);
      at += delay;
    }
    expect(h.status()).toBe('starting');
  });

  it('caps the delay at maxBackoffMs', () => {
    const h = onFailure({ maxBackoffMs: 3_000, maxRestarts: 10, windowMs: 3_600_000 });
    const delays: number[] = [];
    let at = 0;
    for (let i = 0; i < 4; i++) {
      h.spawned(100 + i, at);
      at += 100;
      h.exited(1, null, at);
      delays.push(h.ctx().restartDelayMs);
      h.clock.increment(h.ctx().restartDelayMs);
      at += h.ctx().restartDelayMs;
    }
    expect(delays).toEqual([1_000, 2_000, 3_000, 3_000]);
  });

  it('starts the backoff over after a run that stayed up for min_uptime', () => {
    const h = onFailure();
    h.spawned(1, 0);
    h.exited(1, null, 100);
    h.clock.increment(1_000);
    h.spawned(2, 1_100);
    h.exited(1, null, 1_200);
    expect(h.ctx().restartDelayMs).toBe(2_000);
    h.clock.increment(2_000);
    h.spawned(3, 3_200);
    h.exited(1, null, 13_200); // up for 10 s
    expect(h.ctx().restartDelayMs).toBe(1_000);
    expect(h.ctx().reason).toBe('exit 1; restarting in 1s (restart 3/5)');
  });

  it('keeps restarting a task whose crashes fall out of the window', () => {
    // Up 20 s, then a crash, a 1 s backoff: never more than 3 restarts within 60 s.
    const h = onFailure();
    let at = 0;
    for (let run = 1; run <= 8; run++) {
      h.spawned(100 + run, at);
      at += 20_000;
      h.exited(1, null, at);
      expect(h.status()).toBe('restarting');
      expect(h.ctx().restarts).toBe(run);
      expect(h.ctx().history.restartTimes.length).toBeLessThanOrEqual(3);
      h.clock.increment(h.ctx().restartDelayMs);
      at += h.ctx().restartDelayMs;
    }
    expect(h.runs).toHaveLength(9);
  });

  it('counts the restarts of the window in the reason, not the lifetime total', () => {
    // The limit is 5 restarts in 60 s; a task that restarted 8 times over minutes is not at "8/5".
    const h = onFailure();
    let at = 0;
    const reasons: string[] = [];
    for (let run = 1; run <= 6; run++) {
      h.spawned(100 + run, at);
      at += 20_000;
      h.exited(1, null, at);
      reasons.push(h.ctx().reason!);
      h.clock.increment(h.ctx().restartDelayMs);
      at += h.ctx().restartDelayMs;
    }
    expect(reasons).toEqual([
      'exit 1; restarting in 1s (restart 1/5)',
      'exit 1; restarting in 1s (restart 2/5)',
      'exit 1; restarting in 1s (restart 3/5)',
      'exit 1; restarting in 1s (restart 3/5)',
      'exit 1; restarting in 1s (restart 3/5)',
      'exit 1; restarting in 1s (restart 3/5)',
    ]);
    expect(h.ctx().restarts).toBe(6);
  });

  it('continues the restart count it was given', () => {
    const h = onFailure({}, { restarts: 7 });
    h.spawned();
    h.exited(1);
    expect(h.ctx().restarts).toBe(8);
    expect(h.ctx().reason).toBe('exit 1; restarting in 1s (restart 1/5)');
  });

  it('is killed, not restarted, when stopped while waiting to restart', () => {
    const h = onFailure();
    h.spawned();
    h.exited(1, null, 2_000);
    expect(h.ctx().restartAt).toBe(3_000);
    h.clock.increment(500);
    h.stop({ at: 2_500 });
    expect(h.status()).toBe('killed');
    expect(h.ctx()).toMatchObject({ reason: 'stopped while waiting to restart', endedAt: 2_500, restartAt: null, exitCode: 1 });
    h.clock.increment(10_000);
    expect(h.runs).toHaveLength(1);
    expect(h.runs[0]!.commands).toEqual([]); // nothing was signalled: there was no process
  });

  it('restarts after exit 0 under always, and under unless-stopped', () => {
    for (const policy of ['always', 'unless-stopped'] as const) {
      const h = harness({ spec: withPolicy({ policy }) });
      h.spawned();
      h.exited(0, null, 2_000);
      expect([policy, h.status(), h.ctx().reason]).toEqual([policy, 'restarting', 'exit 0; restarting in 1s (restart 1/5)']);
      h.clock.increment(1_000);
      expect(h.value()).toEqual({ alive: 'starting' });
      expect(h.runs).toHaveLength(2);
    }
  });

  it('fails at the limit under always even when the runs exit 0', () => {
    // The policy wanted a restart and the limit refused it: that is a failure with the limit's
    // reason, not a quiet "completed".

    const h = harness({ spec: withPolicy({ policy: 'always', maxRestarts: 1 }) });
    h.spawned(1, 0);
    h.exited(0, null, 100);
    h.clock.increment(h.ctx().restartDelayMs);
    h.spawned(2, 1_200);
    h.exited(0, null, 1_300);
    expect([h.status(), h.ctx().reason]).toEqual(['failed', 'restart limit reached (1 in 60s) after exit 0']);
  });

  it('never restarts under no', () => {
    for (const [code, status] of [[0, 'completed'], [1, 'failed']] as const) {
      const h = harness({ spec: withPolicy({ policy: 'no' }) });
      h.spawned();
      h.exited(code);
      expect([h.status(), h.ctx().reason]).toEqual([status, `exit ${code}`]);
      h.clock.increment(120_000);
      expect(h.runs).toHaveLength(1);
    }
  });

  it('restarts a signal death under on-failure', () => {
    const h = onFailure();
    h.spawned();
    h.exited(null, 'SIGSEGV');
    expect([h.status(), h.ctx().reason]).toEqual(['restarting', 'SIGSEGV; restarting in 1s (restart 1/5)']);
  });

  it('does not restart a success code under on-failure', () => {
    const h = onFailure({ successExitCodes: [0, 75] });
    h.spawned();
    h.exited(75);
    expect([h.status(), h.ctx().reason]).toEqual(['completed', 'exit 75']);
  });

  it('takes a new policy for a live task', () => {
    const h = harness();
    h.spawned();
    h.send({ type: 'UPDATE_SPEC', spec: withPolicy({ policy: 'on-failure', backoffMs: 250 }) });
    h.exited(1);
    expect([h.status(), h.ctx().reason]).toEqual(['restarting', 'exit 1; restarting in 250ms (restart 1/5)']);
  });
});

describe('task machine: where a task starts', () => {
  it('adopts a running process: alive.adopting, running on SPAWNED, keeping the stored start time', () => {
    const h = harness({ adopt: { process: proc(77), startedAt: 123 } });
    expect(h.value()).toEqual({ alive: 'adopting' });
    expect(h.status()).toBe('running');
    expect(h.current().input.adopt).toEqual(proc(77));
    expect(h.ctx()).toMatchObject({ process: proc(77), startedAt: 123 });
    h.spawned(77, 99_999);
    expect(h.value()).toEqual({ alive: 'running' });
    expect(h.ctx().startedAt).toBe(123);
    h.exited(4, null, 200);
    expect([h.status(), h.ctx().reason]).toEqual(['failed', 'exit 4']);
    expect(h.ctx().adopt).toBeNull();
  });

  it('lets EXITED decide for an adopted process that ended while the daemon was away', () => {
    const done = harness({ adopt: { process: proc(77), startedAt: 123 } });
    done.exited(0, null, 500);
    expect([done.status(), done.ctx().reason]).toEqual(['completed', 'exit 0']);

    const crashed = harness({ adopt: { process: proc(77), startedAt: 0 }, spec: withPolicy({ policy: 'on-failure' }) });
    crashed.exited(1, null, 500);
    expect([crashed.status(), crashed.ctx().reason]).toEqual(['restarting', 'exit 1; restarting in 1s (restart 1/5)']);
    crashed.clock.increment(1_000);
    // The restart spawns anew: it does not adopt the dead process again.
    expect(crashed.value()).toEqual({ alive: 'starting' });
    expect(crashed.runs).toHaveLength(2);
    expect(crashed.current().input.adopt).toBeNull();
  });

  it('measures the uptime of an adopted process from its stored start time', () => {
    // Adopted at 0, ended at 60 s: a stable run, so the backoff starts over.
    const h = harness({ adopt: { process: proc(77), startedAt: 0 }, spec: withPolicy({ policy: 'on-failure', backoffMs: 700 }) });
    h.spawned(77, 50_000);
    h.exited(1, null, 60_000);
    expect(h.ctx().restartDelayMs).toBe(700);
  });

  it('stops an adopted process', () => {
    const h = harness({ adopt: { process: proc(77), startedAt: 0 } });
    h.stop();
    expect(h.value()).toEqual({ alive: 'stopping' });
    expect(h.current().commands).toEqual([{ type: 'SIGNAL', signal: 'SIGTERM' }, { type: 'WATCH_TREE' }]);
  });

  it('adopts even when the input also says queued', () => {
    const h = harness({ adopt: { process: proc(77), startedAt: 0 }, queued: true });
    expect(h.value()).toEqual({ alive: 'adopting' });
  });

  it('waits in queued without a process until DEQUEUE', () => {
    const h = harness({ queued: true });
    expect(h.value()).toBe('queued');
    expect(h.status()).toBe('queued');
    expect(h.runs).toHaveLength(0);
    h.send({ type: 'DEPENDENCIES_READY' });
    h.clock.increment(60_000);
    expect(h.status()).toBe('queued');
    h.send({ type: 'DEQUEUE' });
    expect(h.value()).toEqual({ alive: 'starting' });
    expect(h.runs).toHaveLength(1);
    h.spawned();
    expect(h.status()).toBe('running');
  });

  it('is killed when stopped while queued', () => {
    const h = harness({ queued: true });
    h.stop({ at: 77 });
    expect([h.status(), h.ctx().reason, h.ctx().endedAt]).toEqual(['killed', 'stopped before it started', 77]);
    expect(h.runs).toHaveLength(0);
  });

  it('waits for its dependencies, then starts', () => {
    const h = harness({ waitForDependencies: true });
    expect(h.value()).toBe('waiting');
    expect(h.status()).toBe('waiting');
    expect(h.runs).toHaveLength(0);
    h.send({ type: 'DEQUEUE' });
    expect(h.status()).toBe('waiting');
    h.send({ type: 'DEPENDENCIES_READY' });
    expect(h.value()).toEqual({ alive: 'starting' });
    expect(h.runs).toHaveLength(1);
  });

  it('takes its turn in queued when its dependencies are met over the concurrency limit', () => {
    const h = harness({ waitForDependencies: true });
    h.send({ type: 'DEPENDENCIES_READY', queue: true });
    expect(h.status()).toBe('queued');
    expect(h.runs).toHaveLength(0);
    h.send({ type: 'DEQUEUE' });
    expect(h.value()).toEqual({ alive: 'starting' });
    expect(h.runs).toHaveLength(1);
  });

  it('fails with the reason of DEPENDENCY_FAILED', () => {
    const h = harness({ waitForDependencies: true });
    h.send({ type: 'DEPENDENCY_FAILED', reason: 'dependency migrate failed: exit 1', at: 9 });
    expect(h.status()).toBe('failed');
    expect(h.ctx()).toMatchObject({ reason: 'dependency migrate failed: exit 1', endedAt: 9 });
    expect(h.runs).toHaveLength(0);
  });

  it('is killed when stopped while waiting', () => {
    const h = harness({ waitForDependencies: true });
    h.stop({ at: 9 });
    expect([h.status(), h.ctx().reason]).toEqual(['killed', 'stopped before it started']);
  });
});

describe('statusOf', () => {
  const at = (value: unknown) => statusOf({ value } as unknown as TaskSnapshot);

  it('maps every state value to its status', () => {
    expect(at('init')).toBe('starting');
    expect(at('queued')).toBe('queued');
    expect(at('waiting')).toBe('waiting');
    expect(at({ alive: 'starting' })).toBe('starting');
    expect(at({ alive: 'adopting' })).toBe('running');
    expect(at({ alive: 'running' })).toBe('running');
    expect(at({ alive: 'stopping' })).toBe('stopping');
    expect(at('restarting')).toBe('restarting');
    expect(at('completed')).toBe('completed');
    expect(at('failed')).toBe('failed');
    expect(at('killed')).toBe('killed');
    expect(at({})).toBe('starting');
  });

  it('agrees with the snapshots of a live actor in every state', () => {
    const seen = new Set<TaskStatus>();
    const note = (h: Harness, status: TaskStatus) => {
      expect(h.status()).toBe(status);
      seen.add(status);
    };
    note(harness({ queued: true }), 'queued');
    note(harness({ waitForDependencies: true }), 'waiting');
    const h = harness({ spec: withPolicy({ policy: 'on-failure' }) });
    note(h, 'starting');
    h.spawned();
    note(h, 'running');
    h.exited(1);
    note(h, 'restarting');
    h.clock.increment(h.ctx().restartDelayMs);
    note(h, 'starting');
    h.spawned();
    h.stop();
    note(h, 'stopping');
    h.treeEmpty();
    note(h, 'killed');
    const c = harness();
    c.spawned();
    c.exited(0);
    note(c, 'completed');
    const f = harness();
    f.spawned();
    f.exited(1);
    note(f, 'failed');
    expect([...seen].sort()).toEqual(
      ['completed', 'failed', 'killed', 'queued', 'restarting', 'running', 'starting', 'stopping', 'waiting'].sort(),
    );
  });
});

describe('task machine: the state graph', () => {
  /** The machine with a process actor that does nothing: the walk plays its reports as events. */
  const machine = taskMachine.provide({ actors: { process: fromCallback(() => () => {}) } });
  // Delayed transitions are events named after the delay and the state node: the walk does
  // not fire them by itself, so they are part of the sample.
  const GRACE = { type: 'xstate.after.grace.task.alive.stopping' } as unknown as TaskEvent;
  const RESTART_DELAY = { type: 'xstate.after.restartDelay.task.restarting' } as unknown as TaskEvent;
  const events: TaskEvent[] = [
    { type: 'SPAWNED', process: proc(1), at: 1 },
    { type: 'SPAWN_FAILED', message: 'ENOENT', at: 1 },
    { type: 'EXITED', exitCode: 0, signal: null, at: 2, random: 0.5 },
    { type: 'EXITED', exitCode: 1, signal: null, at: 2, random: 0.5 },
    { type: 'EXITED', exitCode: null, signal: 'SIGTERM', at: 2, random: 0.5 },
    { type: 'STOP', at: 3 },
    { type: 'STOP', at: 3, reason: 'memory over limit', restart: true },
    { type: 'TREE_EMPTY', at: 4, random: 0.5 },
    { type: 'DEQUEUE' },
    { type: 'DEPENDENCIES_READY' },
    { type: 'DEPENDENCY_FAILED', reason: 'dependency db failed', at: 1 },
    GRACE,
    RESTART_DELAY,
  ];
  const inputs: Record<string, TaskInput> = {
    plain: { id: 'plain', spec: spec() },
    onFailure: { id: 'onFailure', spec: withPolicy({ policy: 'on-failure', maxRestarts: 2 }) },
    always: { id: 'always', spec: withPolicy({ policy: 'always', maxRestarts: 2 }) },
    queued: { id: 'queued', spec: spec(), queued: true },
    waiting: { id: 'waiting', spec: spec(), waitForDependencies: true },
    adopted: { id: 'adopted', spec: withPolicy({ policy: 'on-failure', maxRestarts: 1 }), adopt: { process: proc(9), startedAt: 0 } },
  };
  const FINAL: TaskStatus[] = ['completed', 'failed', 'killed'];
  const statusOfAny = (s: unknown) => statusOf(s as TaskSnapshot);
  const label = (s: unknown) => {
    const value = (s as TaskSnapshot).value;
    return typeof value === 'string' ? value : `alive.${(value as { alive: string }).alive}`;
  };

  type Path = StatePath<TaskSnapshot, TaskEvent>;
  const pathsOf = new Map<string, Path[]>();
  for (const [name, input] of Object.entries(inputs)) {
    pathsOf.set(name, getShortestPaths(machine, { events, input }) as unknown as Path[]);
  }
  const allPaths = [...pathsOf.values()].flat();

  it('reaches every final state, and every status, from some start', () => {
    const reached = new Set(allPaths.map((p) => statusOfAny(p.state)));
    for (const status of FINAL) expect(reached, status).toContain(status);
    for (const status of ['queued', 'waiting', 'starting', 'running', 'stopping', 'restarting'] as TaskStatus[]) {
      expect(reached, status).toContain(status);
    }
    const nodes = new Set(allPaths.map((p) => label(p.state)));
    expect(nodes).toContain('alive.adopting');
  });

  it('reaches from each start exactly the final states it should', () => {
    const finals = (name: string) => new Set(pathsOf.get(name)!.map((p) => statusOfAny(p.state)).filter((s) => FINAL.includes(s)));
    expect(finals('plain')).toEqual(new Set(['completed', 'failed', 'killed']));
    expect(finals('onFailure')).toEqual(new Set(['completed', 'failed', 'killed']));
    // A task that restarts even success can only fail at the limit, or be stopped.
    expect(finals('always')).toEqual(new Set(['failed', 'killed']));
    expect(finals('queued')).toEqual(new Set(['completed', 'failed', 'killed']));
    expect(finals('waiting')).toEqual(new Set(['completed', 'failed', 'killed']));
  });

  it('steps through statuses that make sense on every shortest path', () => {
    expect(allPaths.length).toBeGreaterThan(50);
    for (const path of allPaths) {
      const statuses = path.steps.map((s) => statusOfAny(s.state));
      const events = path.steps.map((s) => s.event.type);
      expect(path.steps.at(-1)!.state).toBe(path.state);
      const final = statusOfAny(path.state);
      const before = statuses.at(-2);
      const how = events.at(-1);
      const where = `${statuses.join(' → ')} via ${events.join(', ')}`;
      // Nothing comes after a final state.
      for (const s of statuses.slice(0, -1)) expect(FINAL, where).not.toContain(s);
      if (final === 'killed') {
        expect(['stopping', 'queued', 'waiting', 'restarting'], where).toContain(before);
        expect(how, where).toBe(before === 'stopping' ? 'TREE_EMPTY' : 'STOP');
        expect(events, where).toContain('STOP');
      }
      if (final === 'completed') {
        expect(['starting', 'running'], where).toContain(before);
        expect(how, where).toBe('EXITED');
      }
      if (final === 'failed') {
        expect(['starting', 'running', 'waiting'], where).toContain(before);
        expect(['EXITED', 'SPAWN_FAILED', 'DEPENDENCY_FAILED'], where).toContain(how);
        if (how === 'DEPENDENCY_FAILED') expect(before, where).toBe('waiting');
        if (how === 'SPAWN_FAILED') expect(before, where).toBe('starting');
      }
      if (final === 'stopping') expect(events, where).toContain('STOP');
      if (final === 'restarting') {
        expect(['starting', 'running', 'stopping'], where).toContain(before);
        // Only a limit's stop restarts from stopping.
        if (before === 'stopping') expect(path.steps.at(-2)!.state.context.stop?.restart, where).toBe(true);
      }
      // alive.adopting only at the start of a walk.
      path.steps.slice(1).forEach((s, i) => {
        if (label(s.state) === 'alive.adopting') expect(label(path.steps[i]!.state), where).toBe('alive.adopting');
      });
    }
  });

  it('never leaves a final state, on any event', () => {
    for (const input of Object.values(inputs)) {
      const adjacency = getAdjacencyMap(machine, { events, input });
      let finals = 0;
      for (const { state, transitions } of Object.values(adjacency)) {
        const from = statusOfAny(state);
        // Keyed by a branded string: Object.values() cannot see the value type through it.
        const edges = Object.values(transitions) as Array<{ state: TaskSnapshot; event: TaskEvent }>;
        for (const { state: next, event } of edges) {
          const to = statusOfAny(next);
          if (FINAL.includes(from)) {
            finals++;
            expect(next, `${from} on ${event.type}`).toBe(state);
          }
          // Every edge into killed comes from a state that has nothing running, or from stopping.
          if (to === 'killed' && from !== 'killed') expect(['stopping', 'queued', 'waiting', 'restarting']).toContain(from);
          // Nothing goes back to queued or waiting.
          if ((to === 'queued' || to === 'waiting') && from !== to) expect.fail(`${from} → ${to} on ${event.type}`);
        }
      }
      expect(finals).toBeGreaterThan(0);
    }
  });

  it('counts restarts along a path: the restart limit ends every restart loop', () => {
    for (const path of pathsOf.get('always')!) {
      const restarts = path.steps.filter((s) => statusOfAny(s.state) === 'restarting').length;
      expect(restarts).toBeLessThanOrEqual(2);
      expect(path.state.context.restarts).toBe(restarts);
    }
    const limit = pathsOf.get('always')!.filter((p) => p.state.context.reason?.startsWith('restart limit reached'));
    expect(limit.length).toBeGreaterThan(0);
    for (const p of limit) {
      expect(statusOfAny(p.state)).toBe('failed');
      expect(p.state.context.reason).toMatch(/^restart limit reached \(2 in 60s\) after (exit 0|exit 1|SIGTERM|could not start: ENOENT)$/);
    }
  });

  it('has every simple path to killed pass through a STOP (small walk)', () => {
    const small = getSimplePaths(machine, {
      input: inputs.plain!,
      events: [
        { type: 'SPAWNED', process: proc(1), at: 1 },
        { type: 'EXITED', exitCode: 0, signal: null, at: 2, random: 0.5 },
        { type: 'EXITED', exitCode: 1, signal: null, at: 2, random: 0.5 },
        { type: 'STOP', at: 3 },
        { type: 'TREE_EMPTY', at: 4, random: 0.5 },
        GRACE,
      ],
    }) as unknown as Path[];
    const killed = small.filter((p) => statusOfAny(p.state) === 'killed');
    expect(killed.length).toBeGreaterThan(3);
    const reasons = new Set(killed.map((p) => p.state.context.reason));
    expect(reasons).toEqual(new Set(['SIGTERM', 'exit 0 after SIGTERM', 'exit 1 after SIGTERM', 'SIGKILL after 5s grace']));
    for (const p of killed) {
      const statuses = p.steps.map((s) => statusOfAny(s.state));
      const stopAt = p.steps.findIndex((s) => s.event.type === 'STOP');
      expect(stopAt).toBeGreaterThan(0);
      expect(statuses[stopAt]).toBe('stopping');
      expect(statuses.slice(stopAt, -1).every((s) => s === 'stopping')).toBe(true);
      // Escalation is named exactly when the grace expired on the way.
      const escalated = p.steps.some((s) => s.event.type === GRACE.type);
      expect(p.state.context.reason === 'SIGKILL after 5s grace').toBe(escalated);
    }
  });
});
