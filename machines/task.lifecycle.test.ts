/**
 * The task machine without any process: a fake process actor records what the machine
 * asks of it, the test plays the process's reports, and a simulated clock drives the
 * grace period and the restart backoff.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { defaultRestartPolicy } from './policies/restart.js';
import { statusOf, taskMachine, type ProcessActorInput, type ProcessCommand, type TaskEvent, type TaskInput } from './task.machine.js';
import type { ProcessInfo, TaskSpec } from './task.types.js';

const NO_LIMITS = { memoryBytes: null, timeoutMs: null, idleMs: null, idleAction: 'alert' as const };

function spec(overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    command: 'server',
    cwd: '/tmp',
    env: {},
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

const proc = (pid: number): ProcessInfo => ({
  pid,
  pidStart: 100,
  monitorPid: pid - 1,
  monitorStart: 99,
  bootId: 'boot',
  token: 'tok',
  logStart: { stdout: 0, stderr: 0 },
});

function harness(input: Partial<TaskInput> & { spec?: TaskSpec } = {}) {
  const commands: ProcessCommand[] = [];
  let spawns = 0;
  const clock = new SimulatedClock();
  const machine = taskMachine.provide({
    actors: {
      process: fromCallback<ProcessCommand, ProcessActorInput>(({ receive }) => {
        spawns++;
        receive((c) => commands.push(c));
        return () => {};
      }),
    },
  });
  const actor = createActor(machine, { input: { id: 'bash_1', spec: input.spec ?? spec(), ...input }, clock });
  actor.start();
  const send = (e: TaskEvent) => actor.send(e);
  return {
    actor,
    clock,
    commands,
    spawns: () => spawns,
    send,
    status: () => statusOf(actor.getSnapshot()),
    ctx: () => actor.getSnapshot().context,
    spawned: (pid = 42, at = 1_000) => send({ type: 'SPAWNED', process: proc(pid), at }),
    exited: (exitCode: number | null, signal: string | null = null, at = 2_000, random = 0.5) =>
      send({ type: 'EXITED', exitCode, signal, at, random }),
  };
}

describe('task machine: one run', () => {
  it('starts, runs with its pid, and completes on exit 0', () => {
    const h = harness();
    expect(h.status()).toBe('starting');
    h.spawned(42);
    expect(h.status()).toBe('running');
    expect(h.ctx().process?.pid).toBe(42);
    h.exited(0);
    expect(h.status()).toBe('completed');
    expect(h.ctx()).toMatchObject({ exitCode: 0, signal: null, reason: 'exit 0', endedAt: 2_000 });
    expect(h.actor.getSnapshot().status).toBe('done');
  });

  it('fails with the exit code or the signal, and when it cannot start', () => {
    const a = harness();
    a.spawned();
    a.exited(3);
    expect([a.status(), a.ctx().reason]).toEqual(['failed', 'exit 3']);
    const b = harness();
    b.spawned();
    b.exited(null, 'SIGSEGV');
    expect([b.status(), b.ctx().reason]).toEqual(['failed', 'SIGSEGV']);
    const c = harness();
    c.send({ type: 'SPAWN_FAILED', message: 'spawn /bin/sh ENOENT', at: 5 });
    expect([c.status(), c.ctx().reason]).toEqual(['failed', 'could not start: spawn /bin/sh ENOENT']);
  });

  it('counts success exit codes as success', () => {
    const h = harness({ spec: spec({ restart: defaultRestartPolicy({ successExitCodes: [0, 3] }) }) });
    h.spawned();
    h.exited(3);
    expect(h.status()).toBe('completed');
  });
});

describe('task machine: stopping', () => {
  it('signals the tree, watches it, and is killed once the tree is empty', () => {
    const h = harness();
    h.spawned();
    h.send({ type: 'STOP', at: 1_500 });
    expect(h.status()).toBe('stopping');
    expect(h.commands).toEqual([{ type: 'SIGNAL', signal: 'SIGTERM' }, { type: 'WATCH_TREE' }]);
    h.exited(null, 'SIGTERM');
    expect(h.status()).toBe('stopping'); // the main process is gone, not yet the tree
    h.send({ type: 'TREE_EMPTY', at: 2_100, random: 0.5 });
    expect([h.status(), h.ctx().reason]).toEqual(['killed', 'SIGTERM']);
  });

  it('says when the task exited on its own terms after the signal', () => {
    const h = harness();
    h.spawned();
    h.send({ type: 'STOP', at: 1_500 });
    h.exited(0);
    h.send({ type: 'TREE_EMPTY', at: 2_100, random: 0.5 });
    expect(h.ctx().reason).toBe('exit 0 after SIGTERM');
  });

  it('escalates to SIGKILL after the grace, and says so', () => {
    const h = harness();
    h.spawned();
    h.send({ type: 'STOP', at: 1_500 });
    h.clock.increment(4_999);
    expect(h.commands).toHaveLength(2);
    h.clock.increment(1);
    expect(h.commands[2]).toEqual({ type: 'SIGNAL', signal: 'SIGKILL' });
    h.exited(null, 'SIGKILL');
    h.send({ type: 'TREE_EMPTY', at: 7_000, random: 0.5 });
    expect(h.ctx().reason).toBe('SIGKILL after 5s grace');
  });

  it('uses the signal and grace of the request, and ignores a second STOP', () => {
    const h = harness();
    h.spawned();
    h.send({ type: 'STOP', signal: 'SIGINT', graceMs: 200, at: 1 });
    h.send({ type: 'STOP', at: 2 });
    expect(h.commands).toEqual([{ type: 'SIGNAL', signal: 'SIGINT' }, { type: 'WATCH_TREE' }]);
    h.clock.increment(200);
    expect(h.commands[2]).toEqual({ type: 'SIGNAL', signal: 'SIGKILL' });
  });

  it('runs the stop command instead of the signal when the task has one', () => {
    const h = harness({ spec: spec({ stopCommand: 'redis-cli shutdown' }) });
    h.spawned();
    h.send({ type: 'STOP', at: 1 });
    expect(h.commands[0]).toEqual({ type: 'STOP_COMMAND', command: 'redis-cli shutdown' });
  });

  it('stops a limit-breaking task and restarts it when the policy allows, counting it', () => {
    const h = harness({ spec: spec({ restart: defaultRestartPolicy({ policy: 'on-failure', backoffMs: 100 }) }) });
    h.spawned();
    h.send({ type: 'STOP', at: 1_500, reason: 'memory 612 MB over limit 500 MB', restart: true });
    h.exited(null, 'SIGTERM');
    h.send({ type: 'TREE_EMPTY', at: 1_600, random: 0.5 });
    expect(h.status()).toBe('restarting');
    expect(h.ctx().reason).toBe('memory 612 MB over limit 500 MB; restarting in 100ms (restart 1/5)');
    const killed = harness();
    killed.spawned();
    killed.send({ type: 'STOP', at: 1_500, reason: 'timeout 2h reached', restart: true });
    killed.send({ type: 'TREE_EMPTY', at: 1_600, random: 0.5 });
    expect([killed.status(), killed.ctx().reason]).toEqual(['killed', 'timeout 2h reached (SIGTERM)']);
  });
});

describe('task machine: restarts', () => {
  const crashing = (policy: Parameters<typeof defaultRestartPolicy>[0] = {}) =>
    harness({ spec: spec({ restart: defaultRestartPolicy({ policy: 'on-failure', backoffMs: 1_000, ...policy }) }) });

  it('restarts a failure after the backoff, with a new process actor', () => {
    const h = crashing();
    h.spawned(42, 0);
    h.exited(1, null, 500);
    expect(h.status()).toBe('restarting');
    expect(h.ctx().reason).toBe('exit 1; restarting in 1s (restart 1/5)');
    expect(h.ctx().restartAt).toBe(1_500);
    expect(h.spawns()).toBe(1);
    h.clock.increment(999);
    expect(h.status()).toBe('restarting');
    h.clock.increment(1);
    expect(h.status()).toBe('starting');
    expect(h.spawns()).toBe(2);
    expect(h.ctx().restarts).toBe(1);
  });

  it('doubles the delay on each quick crash and stops at the limit with the reason', () => {
    const h = crashing({ maxRestarts: 3 });
    const delays: number[] = [];
    let at = 0;
    for (let i = 0; i < 4; i++) {
      h.spawned(42, at);
      at += 100;
      h.exited(1, null, at);
      if (h.status() !== 'restarting') break;
      delays.push(h.ctx().restartDelayMs);
      h.clock.increment(h.ctx().restartDelayMs);
      at += h.ctx().restartDelayMs;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000]);
    expect(h.status()).toBe('failed');
    expect(h.ctx().reason).toBe('restart limit reached (3 in 60s) after exit 1');
  });

  it('keeps the jitter within ±10 %', () => {
    const low = crashing();
    low.spawned(42, 0);
    low.exited(1, null, 10, 0);
    const high = crashing();
    high.spawned(42, 0);
    high.exited(1, null, 10, 0.999);
    expect(low.ctx().restartDelayMs).toBe(900);
    expect(high.ctx().restartDelayMs).toBeGreaterThan(1_090);
    expect(high.ctx().restartDelayMs).toBeLessThanOrEqual(1_100);
  });

  it('does not restart success under on-failure, restarts it under always, never under no', () => {
    const onFailure = crashing();
    onFailure.spawned();
    onFailure.exited(0);
    expect(onFailure.status()).toBe('completed');
    const always = harness({ spec: spec({ restart: defaultRestartPolicy({ policy: 'always' }) }) });
    always.spawned();
    always.exited(0);
    expect(always.status()).toBe('restarting');
    const no = harness();
    no.spawned();
    no.exited(1);
    expect(no.status()).toBe('failed');
  });

  it('is killed, not restarted, when stopped while waiting to restart', () => {
    const h = crashing();
    h.spawned();
    h.exited(1);
    h.send({ type: 'STOP', at: 3_000 });
    expect([h.status(), h.ctx().reason]).toEqual(['killed', 'stopped while waiting to restart']);
    h.clock.increment(10_000);
    expect(h.spawns()).toBe(1);
  });

  it('never restarts after a user stop, whatever the policy', () => {
    const h = harness({ spec: spec({ restart: defaultRestartPolicy({ policy: 'always' }) }) });
    h.spawned();
    h.send({ type: 'STOP', at: 1 });
    h.exited(null, 'SIGTERM');
    h.send({ type: 'TREE_EMPTY', at: 2, random: 0.5 });
    expect(h.status()).toBe('killed');
  });

  it('takes a new policy for a live task (monitor --restart-on-failure)', () => {
    const h = harness();
    h.spawned();
    h.send({ type: 'UPDATE_SPEC', spec: spec({ restart: defaultRestartPolicy({ policy: 'on-failure' }) }) });
    h.exited(1);
    expect(h.status()).toBe('restarting');
  });
});

describe('task machine: where a task starts', () => {
  it('adopts a running process found in the store and watches it', () => {
    const h = harness({ adopt: { process: proc(77), startedAt: 123 } });
    expect(h.actor.getSnapshot().value).toEqual({ alive: 'adopting' });
    expect(h.status()).toBe('running');
    h.spawned(77);
    expect(h.ctx().startedAt).toBe(123);
    h.exited(4);
    expect([h.status(), h.ctx().reason]).toEqual(['failed', 'exit 4']);
  });

  it('waits in queued until dequeued, and in waiting until its dependencies are ready', () => {
    const q = harness({ queued: true });
    expect(q.status()).toBe('queued');
    expect(q.spawns()).toBe(0);
    q.send({ type: 'DEQUEUE' });
    expect(q.status()).toBe('starting');
    const w = harness({ waitForDependencies: true });
    expect(w.status()).toBe('waiting');
    w.send({ type: 'DEPENDENCIES_READY' });
    expect(w.status()).toBe('starting');
  });

  it('fails a waiting task with the reason of its dependency, and kills it when stopped first', () => {
    const w = harness({ waitForDependencies: true });
    w.send({ type: 'DEPENDENCY_FAILED', reason: 'dependency migrate failed: exit 1', at: 9 });
    expect([w.status(), w.ctx().reason]).toEqual(['failed', 'dependency migrate failed: exit 1']);
    const s = harness({ waitForDependencies: true });
    s.send({ type: 'STOP', at: 9 });
    expect([s.status(), s.ctx().reason]).toEqual(['killed', 'stopped before it started']);
  });

  it('records readiness from the health actor while running', () => {
    const h = harness({ spec: spec({ health: { probes: [{ kind: 'listen' }], intervalMs: 1_000, timeoutMs: 2_000, retries: 3, startPeriodMs: 0 } }) });
    h.spawned();
    expect(h.ctx().health).toEqual({ status: 'unknown', failures: 0, lastError: null });
    h.send({ type: 'HEALTH', health: { status: 'healthy', failures: 0, lastError: null }, at: 5 });
    expect(h.ctx().health?.status).toBe('healthy');
  });
});

describe('task machine: every path', () => {
  it('reaches each final state only through the states that lead there', () => {
    const machine = taskMachine.provide({ actors: { process: fromCallback(() => () => {}) } });
    const events: TaskEvent[] = [
      { type: 'SPAWNED', process: proc(1), at: 1 },
      { type: 'SPAWN_FAILED', message: 'x', at: 1 },
      { type: 'EXITED', exitCode: 0, signal: null, at: 2, random: 0.5 },
      { type: 'EXITED', exitCode: 1, signal: null, at: 2, random: 0.5 },
      { type: 'STOP', at: 3 },
      { type: 'TREE_EMPTY', at: 4, random: 0.5 },
      { type: 'DEQUEUE' },
      { type: 'DEPENDENCIES_READY' },
      { type: 'DEPENDENCY_FAILED', reason: 'dep', at: 1 },
    ];
    const inputs: TaskInput[] = [
      { id: 'a', spec: spec() },
      { id: 'b', spec: spec(), queued: true },
      { id: 'c', spec: spec(), waitForDependencies: true },
      { id: 'd', spec: spec({ restart: defaultRestartPolicy({ policy: 'always' }) }) },
    ];
    const reached = new Map<string, string[][]>();
    for (const input of inputs) {
      const paths = getShortestPaths(machine, { events, input });
      for (const path of paths) {
        const status = statusOf(path.state as never);
        const steps = path.steps.map((s) => statusOf(s.state as never));
        reached.set(status, [...(reached.get(status) ?? []), steps]);
      }
    }
    for (const final of ['completed', 'failed', 'killed', 'restarting', 'stopping', 'queued', 'waiting', 'running']) {
      expect(reached.has(final), `${final} is reachable`).toBe(true);
    }
    // killed only after stopping, or straight from a state with no process (queued, waiting, restarting).
    for (const steps of reached.get('killed')!) {
      const before = steps[steps.length - 2];
      expect(['stopping', 'queued', 'waiting', 'restarting']).toContain(before);
    }
    // completed and failed-by-exit only from a live process (an adopted one may report its exit at once).
    for (const steps of reached.get('completed')!) expect(['running', 'starting']).toContain(steps[steps.length - 2]);
    // restarting only after a process ran.
    for (const steps of reached.get('restarting')!) expect(['running', 'starting', 'stopping']).toContain(steps[steps.length - 2]);
  });
});
