/**
 * Dependency graphs as pure functions: what validation refuses and how it says so, how a
 * cycle is reported, start levels and stop order, whether a condition is met, still
 * pending or never to be met, and the "did you mean" suggestions.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../defaults.js';
import type { TaskStatus } from '../task.types.js';
import {
  describeCycle,
  DEPENDENCY_CONDITIONS,
  distance,
  edgesOf,
  findCycle,
  judgeEdge,
  suggestion,
  validateGraph,
  type DependencyCondition,
  type DependencyState,
  type EdgeTarget,
  type EdgeVerdict,
  type GraphNode,
} from './dependencies.js';

/** `node('api', 'db', 'cache:healthy')`: a task and what it depends on (`started` unless said). */
function node(name: string, ...deps: string[]): GraphNode {
  return {
    name,
    hasHealthCheck: false,
    dependsOn: deps.map((d) => {
      const [on, condition = 'started'] = d.split(':') as [string, DependencyCondition?];
      return { on, condition, timeoutMs: 1_000 };
    }),
  };
}
const checked = (n: GraphNode): GraphNode => ({ ...n, hasHealthCheck: true });
/** a → b → … → last → a, declared in that order. */
const ring = (names: string[]) => names.map((n, i) => node(n, names[(i + 1) % names.length]!));

describe('DEPENDENCY_CONDITIONS', () => {
  it('lists the four conditions', () => {
    expect(DEPENDENCY_CONDITIONS).toEqual(['started', 'healthy', 'completed', 'succeeded']);
  });
});

describe('validateGraph', () => {
  it('finds nothing wrong in a sound graph, healthy waits on checked tasks included', () => {
    const nodes = [checked(node('db')), node('migrate', 'db:healthy'), node('api', 'db:healthy', 'migrate:succeeded'), node('web', 'api:started', 'migrate:completed')];
    expect(validateGraph(nodes)).toEqual([]);
    expect(validateGraph([])).toEqual([]);
  });

  it('refuses an unknown dependency and suggests a close name', () => {
    expect(validateGraph([node('db'), node('api', 'dbb')])).toEqual([
      { task: 'api', on: 'dbb', message: 'depends on "dbb", which is not a task of this file; did you mean "db"?' },
    ]);
  });

  it('suggests nothing when no name is close, and never the task itself', () => {
    expect(validateGraph([node('db'), node('api', 'redis')])).toEqual([
      { task: 'api', on: 'redis', message: 'depends on "redis", which is not a task of this file' },
    ]);
    // "wbe" is 2 edits from "web" itself, 4 from "cache": nothing to suggest.
    expect(validateGraph([node('cache'), node('web', 'wbe')])[0]!.message).toBe('depends on "wbe", which is not a task of this file');
    // Tasks given inline are no file's.
    expect(validateGraph([node('db'), node('api', 'redis')], 1, 'one of the tasks given')[0]!.message).toBe('depends on "redis", which is not one of the tasks given');
  });

  it('refuses a task that depends on itself (not reported as a cycle)', () => {
    expect(validateGraph([node('api', 'api')])).toEqual([{ task: 'api', on: 'api', message: 'depends on itself' }]);
    expect(validateGraph([checked(node('api', 'api:healthy'))])).toEqual([{ task: 'api', on: 'api', message: 'depends on itself' }]);
  });

  it('refuses waiting for healthy on a task without a health check, and only for healthy', () => {
    expect(validateGraph([node('db'), node('api', 'db:healthy')])).toEqual([
      { task: 'api', on: 'db', message: 'waits for "db" to be healthy, but db has no health check: add one, or use "started"' },
    ]);
    for (const condition of ['started', 'completed', 'succeeded']) {
      expect(validateGraph([node('db'), node('api', `db:${condition}`)])).toEqual([]);
    }
  });

  it('reports every problem in declaration order, and no cycle while there are others', () => {
    const nodes = [node('a', 'b'), node('b', 'a', 'nope'), node('c', 'c'), node('d', 'a:healthy')];
    expect(validateGraph(nodes)).toEqual([
      { task: 'b', on: 'nope', message: 'depends on "nope", which is not a task of this file' },
      { task: 'c', on: 'c', message: 'depends on itself' },
      { task: 'd', on: 'a', message: 'waits for "a" to be healthy, but a has no health check: add one, or use "started"' },
    ]);
  });

  it('stops at `limit` problems, so that a caller reporting one does not pay for the rest', () => {
    const nodes = [node('a', 'b'), node('b', 'a', 'nope'), node('c', 'c'), node('d', 'a:healthy')];
    expect(validateGraph(nodes, 1)).toEqual([{ task: 'b', on: 'nope', message: 'depends on "nope", which is not a task of this file' }]);
    expect(validateGraph(nodes, 2)).toHaveLength(2);
    expect(validateGraph(ring(['a', 'b']), 1)).toEqual([{ task: 'a', on: 'b', message: 'dependency cycle: a -> b -> a' }]);
  });

  it('tells a huge cycle by its length and its ends', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
    expect(validateGraph(ring(names))).toEqual([
      { task: 't0', on: 't1', message: 'dependency cycle of 20000 tasks: t0 -> t1 -> t2 -> t3 -> t4 -> t5 -> t6 -> t7 -> t8 -> t9 -> … -> t19999 -> t0' },
    ]);
  });

  it('reports a cycle as its path, blaming its first task and the edge it leaves by', () => {
    expect(validateGraph([node('api', 'web'), node('web', 'api')])).toEqual([
      { task: 'api', on: 'web', message: 'dependency cycle: api -> web -> api' },
    ]);
    expect(validateGraph([node('x', 'a'), ...ring(['a', 'b', 'c'])])).toEqual([
      { task: 'a', on: 'b', message: 'dependency cycle: a -> b -> c -> a' },
    ]);
  });
});

describe('edgesOf', () => {
  const targets: Record<string, EdgeTarget> = {
    db: { background: true, hasHealthCheck: true },
    cache: { background: true, hasHealthCheck: false },
    migrate: { background: false, hasHealthCheck: false },
  };
  const of = (name: string) => targets[name];

  it('gives a bare name healthy of a checked task, succeeded of a step, started of any other or of an unknown name', () => {
    expect(edgesOf([{ on: 'db' }, { on: 'cache' }, { on: 'migrate' }, { on: 'nope' }], of).map((e) => e.condition)).toEqual(['healthy', 'started', 'succeeded', 'started']);
  });

  it('keeps a condition and a timeout that are given, else the default timeout', () => {
    expect(edgesOf([{ on: 'db', condition: 'started', timeoutMs: 5 }, { on: 'cache', condition: 'completed' }], of)).toEqual([
      { on: 'db', condition: 'started', timeoutMs: 5 },
      { on: 'cache', condition: 'completed', timeoutMs: DEFAULTS.dependencyTimeoutMs },
    ]);
  });
});

describe('findCycle', () => {
  it('finds none in an empty graph, a diamond or a long chain', () => {
    expect(findCycle([])).toBeNull();
    expect(findCycle([node('d', 'b', 'c'), node('b', 'a'), node('c', 'a'), node('a')])).toBeNull();
    const chain = Array.from({ length: 500 }, (_, i) => (i === 0 ? node('t0') : node(`t${i}`, `t${i - 1}`)));
    expect(findCycle(chain)).toBeNull();
  });

  it('reports a self-dependency as a path of one step', () => {
    expect(findCycle([node('a'), node('b', 'b')])).toEqual(['b', 'b']);
  });

  it('reports a long cycle in the order of its edges, ending where it starts', () => {
    const names = Array.from({ length: 12 }, (_, i) => `t${i}`);
    expect(findCycle(ring(names))).toEqual([...names, 't0']);
  });

  it('starts the path at the first task of the cycle reached, leaving out the way in', () => {
    // x → a → b → c → a: x leads into the cycle without being part of it.
    expect(findCycle([node('x', 'a'), node('a', 'b'), node('b', 'c'), node('c', 'a')])).toEqual(['a', 'b', 'c', 'a']);
    // Declared the other way round, the walk enters at c.
    expect(findCycle([node('c', 'a'), node('b', 'c'), node('a', 'b')])).toEqual(['c', 'a', 'b', 'c']);
  });

  it('finds a cycle behind a branch that has none', () => {
    expect(findCycle([node('a', 'ok', 'b'), node('ok'), node('b', 'a')])).toEqual(['a', 'b', 'a']);
  });

  it('walks a cycle of 20,000 tasks, and a chain as long, without running out of stack', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
    expect(findCycle(ring(names))).toEqual([...names, 't0']);
    const chain = names.map((n, i) => (i === 0 ? node(n) : node(n, names[i - 1]!)));
    expect(findCycle(chain)).toBeNull();
    // Entered at its far end, the walk goes down the whole chain before it finds the way back.
    expect(findCycle([...chain.slice(1).reverse(), node('t0', 't19999')])).toEqual([...[...names].reverse(), 't19999']);
  });

  it('ignores dependencies on unknown tasks', () => {
    expect(findCycle([node('a', 'ghost'), node('b', 'a', 'ghost')])).toBeNull();
  });
});

describe('describeCycle', () => {
  it('gives a cycle of up to twelve tasks whole, a longer one by its ends and its length', () => {
    const path = (n: number) => [...Array.from({ length: n }, (_, i) => `t${i}`), 't0'];
    expect(describeCycle(['a', 'b', 'a'])).toBe(': a -> b -> a');
    expect(describeCycle(path(12))).toBe(`: ${path(12).join(' -> ')}`);
    expect(describeCycle(path(13))).toBe(' of 13 tasks: t0 -> t1 -> t2 -> t3 -> t4 -> t5 -> t6 -> t7 -> t8 -> t9 -> … -> t12 -> t0');
  });
});

describe('judgeEdge', () => {
  const dep = (status: TaskStatus, overrides: Partial<DependencyState> = {}): DependencyState => ({
    status,
    health: null,
    reason: null,
    everStarted: !['queued', 'waiting', 'starting'].includes(status),
    ...overrides,
  });
  type Outcome = 'met' | 'wait' | 'never';
  const outcome = (v: EdgeVerdict): Outcome => (v.met ? 'met' : v.never ? 'never' : 'wait');

  // Columns: started, healthy, completed, succeeded.
  const table: Array<[string, DependencyState, [Outcome, Outcome, Outcome, Outcome]]> = [
    ['queued', dep('queued'), ['wait', 'wait', 'wait', 'wait']],
    ['waiting for its own dependencies', dep('waiting'), ['wait', 'wait', 'wait', 'wait']],
    ['starting, not spawned yet', dep('starting'), ['wait', 'wait', 'wait', 'wait']],
    ['running, health unknown', dep('running', { health: 'unknown' }), ['met', 'wait', 'wait', 'wait']],
    ['running without a check', dep('running'), ['met', 'wait', 'wait', 'wait']],
    ['running and healthy', dep('running', { health: 'healthy' }), ['met', 'met', 'wait', 'wait']],
    ['running and unhealthy', dep('running', { health: 'unhealthy' }), ['met', 'wait', 'wait', 'wait']],
    ['restarting', dep('restarting'), ['met', 'wait', 'wait', 'wait']],
    ['completed (was healthy)', dep('completed', { health: 'healthy' }), ['met', 'never', 'met', 'met']],
    ['failed', dep('failed', { reason: 'exit code 1' }), ['met', 'never', 'met', 'never']],
    ['killed', dep('killed', { health: 'healthy' }), ['met', 'never', 'met', 'never']],
    ['failed before it ever spawned', dep('failed', { everStarted: false, reason: 'spawn failed' }), ['never', 'never', 'never', 'never']],
    ['killed before it ever spawned', dep('killed', { everStarted: false }), ['never', 'never', 'never', 'never']],
  ];
  const cases = table.flatMap(([label, state, outcomes]) =>
    DEPENDENCY_CONDITIONS.map((condition, i) => [condition, label, state, outcomes[i]!] as const),
  );

  it.each(cases)('%s on a dependency %s → %s', (condition, _, state, expected) => {
    expect(outcome(judgeEdge({ on: 'db', condition, timeoutMs: 1_000 }, state))).toBe(expected);
  });

  it('explains a never-met condition with the dependency, its status and its reason', () => {
    const edge = (condition: DependencyCondition) => ({ on: 'db', condition, timeoutMs: 1_000 });
    expect(judgeEdge(edge('succeeded'), dep('failed', { reason: 'exit code 3' }))).toEqual({
      met: false,
      never: true,
      reason: 'dependency db failed: exit code 3',
    });
    expect(judgeEdge(edge('healthy'), dep('completed'))).toEqual({ met: false, never: true, reason: 'dependency db completed' });
    expect(judgeEdge(edge('started'), dep('killed', { everStarted: false, reason: 'stopped by the user' }))).toEqual({
      met: false,
      never: true,
      reason: 'dependency db killed: stopped by the user',
    });
    expect(judgeEdge(edge('completed'), dep('failed', { everStarted: false, reason: 'spawn failed: ENOENT' }))).toEqual({
      met: false,
      never: true,
      reason: 'dependency db failed: spawn failed: ENOENT',
    });
  });

  it('answers a pending or met condition with nothing more', () => {
    expect(judgeEdge({ on: 'db', condition: 'healthy', timeoutMs: 1 }, dep('running', { health: 'unknown' }))).toEqual({ met: false, never: false });
    expect(judgeEdge({ on: 'db', condition: 'started', timeoutMs: 1 }, dep('running'))).toEqual({ met: true });
  });
});

describe('distance', () => {
  it.each<[string, string, number]>([
    ['', '', 0],
    ['api', 'api', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['sitting', 'kitten', 3],
    ['flaw', 'lawn', 2],
    ['ab', 'ba', 2],
    ['db', 'dbb', 1],
    ['API', 'api', 3],
    ['postgres', 'postgers', 2],
  ])('%j → %j is %i', (a, b, expected) => {
    expect(distance(a, b)).toBe(expected);
  });
});

describe('suggestion', () => {
  it('names the closest candidate, in its own spelling, ignoring case', () => {
    expect(suggestion('dbb', ['api', 'db', 'web'])).toBe('; did you mean "db"?');
    expect(suggestion('API', ['web', 'api'])).toBe('; did you mean "api"?');
    expect(suggestion('worker', ['Workers', 'work'])).toBe('; did you mean "Workers"?');
  });

  it('takes the first of equally close candidates', () => {
    expect(suggestion('ab', ['ac', 'ad'])).toBe('; did you mean "ac"?');
  });

  it('suggests nothing without candidates', () => {
    expect(suggestion('api', [])).toBe('');
  });

  it('allows 2 edits for short words', () => {
    expect(suggestion('web', ['xyb'])).toBe('; did you mean "xyb"?');
    expect(suggestion('web', ['xyz'])).toBe('');
  });

  it('allows a third of the length for long words', () => {
    // 14 letters: a third is 4.67, so 4 edits are close enough and 5 are not.
    expect(suggestion('abcdefghijklmn', ['abcdefghijWXYZ'])).toBe('; did you mean "abcdefghijWXYZ"?');
    expect(suggestion('abcdefghijklmn', ['abcdefghiVWXYZ'])).toBe('');
  });
});
