import dagre from '@dagrejs/dagre';
import { describe, expect, it } from 'vitest';
import { buildGraph, conditionMet, layoutGraph } from '../../web/src/lib/graph.js';
import type { Env } from '../../web/src/lib/types.js';
import { fakeTask } from './fake.js';

const env: Env = {
  name: 'dev',
  file: '/x/dev.yaml',
  tasks: ['db', 'migrate', 'api'],
  edges: [
    { from: 'db', to: 'migrate', condition: 'healthy' },
    { from: 'migrate', to: 'api', condition: 'succeeded' },
  ],
};

describe('dependency graph', () => {
  it('marks the edge a waiting task waits on, and not a met one', () => {
    const tasks = [
      fakeTask({ id: '1', name: 'db', env: 'dev', health: 'healthy' }),
      fakeTask({ id: '2', name: 'migrate', env: 'dev', status: 'running' }),
      fakeTask({ id: '3', name: 'api', env: 'dev', status: 'waiting' }),
      fakeTask({ id: '4', name: 'api', env: 'other', status: 'killed' }),
    ];
    const g = buildGraph(env, tasks);
    expect(g.nodes.map((n) => [n.name, n.tone])).toEqual([['db', 'running'], ['migrate', 'running'], ['api', 'waiting']]);
    expect(g.edges.map((e) => [e.from, e.met, e.waiting])).toEqual([['db', true, false], ['migrate', false, true]]);
  });

  it('reads each condition', () => {
    expect(conditionMet(fakeTask({ id: 'a', health: 'unknown' }), 'healthy')).toBe(false);
    expect(conditionMet(fakeTask({ id: 'a', health: null }), 'healthy')).toBe(true);
    expect(conditionMet(fakeTask({ id: 'a', status: 'failed', exitCode: 1 }), 'succeeded')).toBe(false);
    expect(conditionMet(fakeTask({ id: 'a', status: 'failed', exitCode: 1 }), 'completed')).toBe(true);
    expect(conditionMet(fakeTask({ id: 'a', status: 'waiting' }), 'started')).toBe(false);
    expect(conditionMet(null, 'started')).toBe(false);
  });

  it('colours an unhealthy running task apart from a healthy one, and a missing one as absent', () => {
    const g = buildGraph(env, [fakeTask({ id: '1', name: 'db', env: 'dev', health: 'unhealthy' })]);
    expect(g.nodes.map((n) => n.tone)).toEqual(['unhealthy', 'absent', 'absent']);
  });

  it('lays out 30 tasks without overlapping nodes, dependencies above dependents', () => {
    const names = Array.from({ length: 30 }, (_, i) => `t${i}`);
    const edges = names.slice(1).map((n, i) => ({ from: `t${Math.floor(i / 3)}`, to: n, condition: 'healthy' }));
    const placed = layoutGraph(buildGraph({ name: 'big', file: null, tasks: names, edges }, []), dagre);
    expect(placed.nodes).toHaveLength(30);
    for (const a of placed.nodes)
      for (const b of placed.nodes)
        if (a !== b) expect(Math.abs(a.x - b.x) >= a.width || Math.abs(a.y - b.y) >= a.height, `${a.name} overlaps ${b.name}`).toBe(true);
    const at = Object.fromEntries(placed.nodes.map((n) => [n.name, n.y]));
    for (const e of edges) expect(at[e.from]!).toBeLessThan(at[e.to]!);
    expect(placed.edges.every((e) => e.points.length >= 2)).toBe(true);
  });
});
