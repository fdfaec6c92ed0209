/**
 * The user-facing status of a task machine's snapshot, by state value and on a live actor.
 */
import { describe, expect, it } from 'vitest';
import { harness, withPolicy, type Harness } from './task.machine.test-harness.js';
import { statusOf, type TaskSnapshot } from './task.status.js';
import type { TaskStatus } from './task.types.js';

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
