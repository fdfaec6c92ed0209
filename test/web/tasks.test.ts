import { describe, expect, it } from 'vitest';
import { applyEvent, groupByEnv, matchesFilter, nextSort, sortTasks, withSamples } from '../../web/src/lib/tasks.js';
import { fakeTask } from './fake.js';

describe('task list', () => {
  const tasks = [
    fakeTask({ id: 'a1', name: 'web', env: 'dev', cpuPercent: 5, memoryBytes: 300 }),
    fakeTask({ id: 'b2', name: 'loose', env: null, cpuPercent: 50 }),
    fakeTask({ id: 'c3', name: 'db', env: 'dev', cpuPercent: 1, status: 'killed' }),
  ];

  it('filters on every word, in any field', () => {
    expect(tasks.filter((t) => matchesFilter(t, 'dev KILL')).map((t) => t.id)).toEqual(['c3']);
    expect(tasks.filter((t) => matchesFilter(t, '  ')).length).toBe(3);
  });

  it('sorts by a column both ways, then back to the given order', () => {
    expect(sortTasks(tasks, { key: 'cpu', descending: true }, 0).map((t) => t.id)).toEqual(['b2', 'a1', 'c3']);
    expect(sortTasks(tasks, { key: 'name', descending: false }, 0).map((t) => t.name)).toEqual(['db', 'loose', 'web']);
    let sort = nextSort(null, 'cpu');
    expect(sort).toEqual({ key: 'cpu', descending: false });
    sort = nextSort(sort, 'cpu');
    expect(sort).toEqual({ key: 'cpu', descending: true });
    expect(nextSort(sort, 'cpu')).toBeNull();
    expect(nextSort(sort, 'pid')).toEqual({ key: 'pid', descending: false });
  });

  it('groups by environment, loose tasks last', () => {
    expect(groupByEnv(tasks).map((g) => [g.env, g.tasks.map((t) => t.id)])).toEqual([
      ['dev', ['a1', 'c3']],
      [null, ['b2']],
    ]);
  });

  it('applies a state event at once, and ignores another task’s', () => {
    const t = tasks[0]!;
    const killed = applyEvent(t, { seq: 1, at: '', type: 'state', id: 'a1', name: 'web', env: 'dev', status: 'killed', reason: 'killed', signal: 'SIGTERM' });
    expect(killed).toMatchObject({ status: 'killed', pid: null, signal: 'SIGTERM' });
    expect(applyEvent(t, { seq: 2, at: '', type: 'health', id: 'zz', name: null, env: null, health: 'unhealthy' })).toBe(t);
    expect(applyEvent(t, { seq: 3, at: '', type: 'health', id: 'a1', name: null, env: null, health: 'unhealthy' }).health).toBe('unhealthy');
  });

  it("takes a running task's figures from a samples event, and leaves the others as they are", () => {
    const [running, , ended] = tasks;
    const samples = { t: 1, tasks: { a1: { cpu: 42.5, rss: 9000 }, c3: { cpu: 3, rss: 7 } } };
    expect(withSamples(running!, samples)).toMatchObject({ id: 'a1', cpuPercent: 42.5, memoryBytes: 9000 });
    expect(withSamples(tasks[1]!, samples)).toBe(tasks[1]);
    // A sample that came after the task ended (the journal said so first) does not bring it back to life.
    expect(withSamples(ended!, samples)).toBe(ended);
    // The same figures again: the same object, so that nothing redraws for nothing.
    const same = fakeTask({ id: 'a1', cpuPercent: 42.5, memoryBytes: 9000 });
    expect(withSamples(same, samples)).toBe(same);
    expect(withSamples(fakeTask({ id: 'toString' }), samples).cpuPercent).toBe(1);
  });
});
