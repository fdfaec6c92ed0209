/**
 * The task machine over one run of its command: start, exit, spawn failure, readiness.
 * Driven through fake process actors (see task.machine.test-harness.ts).
 */
import { describe, expect, it } from 'vitest';
import { harness, proc, spec, withPolicy } from './task.machine.test-harness.js';

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
