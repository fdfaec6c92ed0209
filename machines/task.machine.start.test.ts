/**
 * Where a task starts: adopting a process a previous daemon left, queued for a slot,
 * or waiting for its dependencies.
 */
import { describe, expect, it } from 'vitest';
import { harness, proc, withPolicy } from './task.machine.test-harness.js';

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
