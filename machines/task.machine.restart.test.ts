/**
 * The task machine restarting a task: the backoff, its growth, jitter and cap, the restart
 * window and limit, and each restart policy.
 */
import { describe, expect, it } from 'vitest';
import type { TaskInput } from './task.contracts.js';
import { harness, withPolicy } from './task.machine.test-harness.js';
import type { RestartPolicy } from './task.types.js';

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
