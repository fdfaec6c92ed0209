import { describe, expect, it } from 'vitest';
import type { DependencyEdge, DependencyState } from './dependencies.js';
import {
  judgeGroupEdge,
  lookUpGroup,
  oneTaskRefusal,
  parseReplicaName,
  parseScaleArguments,
  planScale,
  replicaNames,
  replicasProblem,
  ScaleArgumentError,
  type ReplicaSlot,
} from './replicas.js';

describe('replica names', () => {
  it('numbers the copies from 1', () => {
    expect(replicaNames('api', 3)).toEqual(['api.1', 'api.2', 'api.3']);
    expect(replicaNames('api', 0)).toEqual([]);
  });

  it('reads a copy back from its name, and nothing from other names', () => {
    expect(parseReplicaName('api.2')).toEqual({ of: 'api', index: 2 });
    expect(parseReplicaName('web.v2.10')).toEqual({ of: 'web.v2', index: 10 });
    for (const name of ['api', 'api.0', 'api.02', 'api.', '.3', 'api.x']) expect(parseReplicaName(name)).toBeNull();
  });

  it('accepts whole counts from 0 to 1000 only', () => {
    for (const ok of [0, 1, 3, 1000]) expect(replicasProblem(ok)).toBeNull();
    for (const bad of [-1, 1001, 1.5, '3', null, Number.NaN]) expect(replicasProblem(bad)).toMatch(/whole number from 0 to 1000/);
  });

  it('words the refusal of a command that needs one task', () => {
    expect(oneTaskRefusal('api', ['api.1', 'api.2'])).toBe('"api" has 2 replicas (api.1, api.2): name one of them');
  });
});

describe('parseScaleArguments', () => {
  it('reads NAME=N pairs', () => {
    expect(parseScaleArguments(['api=3', 'web=0', 'dev/db=1000'])).toEqual([
      { name: 'api', count: 3 },
      { name: 'web', count: 0 },
      { name: 'dev/db', count: 1000 },
    ]);
  });

  it.each([
    [[], /at least one NAME=N/],
    [['api'], /"api" is not NAME=N/],
    [['=3'], /"=3" is not NAME=N/],
    [['api=x'], /"api=x": replicas is a whole number from 0 to 1000/],
    [['api=-1'], /"api=-1": replicas is a whole number/],
    [['api=1001'], /"api=1001": replicas is a whole number/],
    [['api=2.5'], /"api=2.5"/],
    [['api='], /"api="/],
    [['api=1', 'api=2'], /"api" is scaled twice/],
  ])('refuses %j with one sentence', (args, message) => {
    expect(() => parseScaleArguments(args)).toThrow(ScaleArgumentError);
    expect(() => parseScaleArguments(args)).toThrow(message);
  });
});

describe('planScale', () => {
  const slot = (index: number, live = true, scaledDown = false): ReplicaSlot => ({ index, live, scaledDown });

  it('stops the copies above the count, highest number first', () => {
    expect(planScale([slot(1), slot(2), slot(3)], 1)).toEqual({ stop: [3, 2], retire: [3, 2], revive: [], create: [] });
  });

  it('adds the numbers that have no copy', () => {
    expect(planScale([slot(1)], 3)).toEqual({ stop: [], retire: [], revive: [], create: [2, 3] });
    expect(planScale([], 2)).toEqual({ stop: [], retire: [], revive: [], create: [1, 2] });
  });

  it('starts again the finished and scaled-down copies within the count', () => {
    expect(planScale([slot(1), slot(2, false, true), slot(3, false, true)], 2)).toEqual({ stop: [], retire: [], revive: [2], create: [] });
    expect(planScale([slot(1, false), slot(2)], 2)).toEqual({ stop: [], retire: [], revive: [1], create: [] });
  });

  it('takes a finished copy above the count out of the group without stopping it, once', () => {
    expect(planScale([slot(1), slot(2, false), slot(3, false, true)], 1)).toEqual({ stop: [], retire: [2], revive: [], create: [] });
  });

  it('changes nothing at the same count', () => {
    expect(planScale([slot(1), slot(2)], 2)).toEqual({ stop: [], retire: [], revive: [], create: [] });
  });

  it('scales to zero', () => {
    expect(planScale([slot(1), slot(2)], 0)).toEqual({ stop: [2, 1], retire: [2, 1], revive: [], create: [] });
  });
});

describe('judgeGroupEdge', () => {
  const edge: DependencyEdge = { on: 'api', condition: 'healthy', timeoutMs: 1000 };
  const state = (status: DependencyState['status'], health: DependencyState['health'] = null, reason: string | null = null): DependencyState => ({
    status,
    health,
    reason,
    everStarted: status !== 'waiting',
  });

  it('is met once every copy is healthy, and not while one is not', () => {
    const healthy = state('running', 'healthy');
    expect(judgeGroupEdge(edge, [{ name: 'api.1', state: healthy }, { name: 'api.2', state: healthy }])).toEqual({ met: true });
    expect(judgeGroupEdge(edge, [{ name: 'api.1', state: healthy }, { name: 'api.2', state: state('running', 'unknown') }])).toEqual({ met: false, never: false });
  });

  it('is never met once one copy failed, and names that copy', () => {
    const verdict = judgeGroupEdge(edge, [
      { name: 'api.1', state: state('running', 'unknown') },
      { name: 'api.2', state: state('failed', null, 'exit 1') },
    ]);
    expect(verdict).toEqual({ met: false, never: true, reason: 'dependency api.2 failed: exit 1' });
  });

  it('has nothing to wait for in an empty group', () => {
    expect(judgeGroupEdge(edge, [])).toEqual({ met: true });
  });
});

describe('lookUpGroup', () => {
  const copy = (id: string, env: string, envRun: number, of: string, index: number) => ({ id, name: `${of}.${index}`, env, envRun, replica: { of, index } });
  const tasks = [copy('bash_1', 'dev', 1, 'api', 1), copy('bash_2', 'dev', 1, 'api', 2), copy('bash_4', 'dev', 2, 'api', 2), copy('bash_3', 'dev', 2, 'api', 1), copy('bash_5', 'ci', 1, 'web', 1)];

  it('finds the copies of the latest run, in number order', () => {
    expect(lookUpGroup(tasks, 'api')).toEqual({ copies: [tasks[3], tasks[2]] });
    expect(lookUpGroup(tasks, 'dev/api')).toEqual({ copies: [tasks[3], tasks[2]] });
  });

  it('finds nothing for a name that groups nothing, or in another environment', () => {
    expect(lookUpGroup(tasks, 'db')).toEqual({ missing: true });
    expect(lookUpGroup(tasks, 'ci/api')).toEqual({ missing: true });
    expect(lookUpGroup([{ id: 'bash_9', name: 'api', env: null }], 'api')).toEqual({ missing: true });
  });

  it('calls a bare name that groups in several environments ambiguous', () => {
    expect(lookUpGroup([...tasks, copy('bash_6', 'ci', 1, 'api', 1)], 'api')).toEqual({ ambiguous: ['dev/api', 'ci/api'] });
  });
});
