import { describe, expect, it } from 'vitest';
import { applyEvent, groupByEnv, matchesFilter, nextSort, sortTasks } from '../../web/src/lib/tasks.js';
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
});
