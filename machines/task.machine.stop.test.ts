/**
 * The task machine stopping a task: the signal or stop command, the grace and its
 * escalation to SIGKILL, the reason, and stops for a limit that the restart policy may undo.
 */
import { describe, expect, it } from 'vitest';
import { harness, spec, stopping, withPolicy } from './task.machine.test-harness.js';

describe('task machine: stopping', () => {
  it('sends the stop signal and WATCH_TREE, and remembers the stop', () => {
    const h = stopping();
    expect(h.value()).toEqual({ alive: 'stopping' });
    expect(h.current().commands).toEqual([{ type: 'SIGNAL', signal: 'SIGTERM' }, { type: 'WATCH_TREE' }]);
    expect(h.ctx().stop).toEqual({ signal: 'SIGTERM', graceMs: 5_000, escalated: false, reason: null, restart: false, command: null });
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

  it('ends the stop in one step when the exit comes with the tree seen empty, as EXITED then TREE_EMPTY would', () => {
    const h = stopping();
    const snapshots: string[] = [];
    h.actor.subscribe((s) => snapshots.push(JSON.stringify(s.value)));
    h.report({ type: 'EXITED', exitCode: null, signal: 'SIGTERM', at: 1_600, random: 0.5, treeEmpty: true });
    expect([h.status(), h.ctx().reason, h.ctx().endedAt, h.ctx().signal]).toEqual(['killed', 'SIGTERM', 1_600, 'SIGTERM']);
    expect(snapshots).toEqual(['"killed"']);
    expect(h.current().stopped).toBe(true);
  });

  it('restarts after a limit stop whose exit came with the tree empty, counting the restart', () => {
    const h = stopping({ spec: withPolicy({ policy: 'always' }) }, { reason: 'memory 600 MB over limit 500 MB', restart: true, at: 1_500 });
    h.report({ type: 'EXITED', exitCode: null, signal: 'SIGTERM', at: 1_600, random: 0.5, treeEmpty: true });
    expect(h.status()).toBe('restarting');
    expect(h.ctx().restarts).toBe(1);
  });

  it('takes the tree being empty from an exit only while stopping: a crash with it is a crash', () => {
    const h = harness({ spec: withPolicy({ policy: 'no' }) });
    h.spawned();
    h.report({ type: 'EXITED', exitCode: 3, signal: null, at: 2_000, random: 0.5, treeEmpty: true });
    expect([h.status(), h.ctx().reason]).toEqual(['failed', 'exit 3']);
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

  it('says that the stop command was used, not the signal it did not send', () => {
    const ended = (exitCode: number | null, signal: string | null) => {
      const h = stopping({ spec: spec({ stopCommand: 'pg_ctl stop' }) });
      if (exitCode !== null || signal !== null) h.exited(exitCode, signal);
      h.treeEmpty();
      return h.ctx().reason;
    };
    expect(ended(0, null)).toBe('exit 0 after its stop command');
    expect(ended(null, 'SIGTERM')).toBe('SIGTERM after its stop command');
    expect(ended(null, null)).toBe('its stop command');
    const limit = stopping({ spec: spec({ stopCommand: 'pg_ctl stop' }) }, { reason: 'timeout 2h reached' });
    limit.exited(0, null);
    limit.treeEmpty();
    expect(limit.ctx().reason).toBe('timeout 2h reached (exit 0 after its stop command)');
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
