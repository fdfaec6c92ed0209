/**
 * `replicas:` in corral.yaml: the count is checked where it is written (file:line:col), a
 * task cannot take the name of another's copy, and the tasks that run are the copies
 * (src/config/replicas.ts), each with its number in CORRAL_REPLICA.
 */
import { describe, expect, it } from 'vitest';
import { expandReplicas } from '../../../src/config/replicas.js';
import { bad, parse, taskOf, y } from './helpers.js';

describe('replicas: in corral.yaml', () => {
  it('reads the count, and no count as none', () => {
    const spec = parse(y('tasks:', '  api:', '    command: x', '    replicas: 3', '  db:', '    command: y'));
    expect(taskOf(spec, 'api').replicas).toBe(3);
    expect(taskOf(spec, 'db').replicas).toBeNull();
    expect(taskOf(parse(y('tasks:', '  api:', '    command: x', '    replicas: 0')), 'api').replicas).toBe(0);
  });

  it.each([['-1'], ['1001'], ['2.5'], ['three'], ['"3"']])('refuses replicas: %s where it is written', (value) => {
    bad(y('tasks:', '  api:', '    command: x', `    replicas: ${value}`), 4, 15, 'replicas is a whole number from 0 to 1000');
  });

  it('refuses a task named as the copy of another', () => {
    bad(y('tasks:', '  api:', '    command: x', '    replicas: 2', '  api.2:', '    command: y'), 4, 15, 'api has 2 replicas, and the name of its copy api.2 is taken by another task');
    // Beyond the count, the name is free.
    expect(parse(y('tasks:', '  api:', '    command: x', '    replicas: 2', '  api.3:', '    command: y')).tasks.map((t) => t.name)).toEqual(['api', 'api.3']);
  });
});

describe('expandReplicas', () => {
  const file = (...lines: string[]) => parse(y('tasks:', ...lines)).tasks;

  it('makes N copies, each told its number, and keeps the edges to the shared name', () => {
    const tasks = expandReplicas(file('  api:', '    command: x', '    replicas: 2', '    env: { A: "1" }', '  web:', '    command: y', '    depends_on: [api]'));
    expect(tasks.map((t) => [t.name, t.replica, t.env])).toEqual([
      ['api.1', { of: 'api', index: 1 }, { A: '1', CORRAL_REPLICA: '1' }],
      ['api.2', { of: 'api', index: 2 }, { A: '1', CORRAL_REPLICA: '2' }],
      ['web', undefined, {}],
    ]);
    expect(tasks[2]!.dependsOn.map((e) => e.on)).toEqual(['api']);
  });

  it('makes none of replicas: 0, and drops the edges to it', () => {
    const tasks = expandReplicas(file('  api:', '    command: x', '    replicas: 0', '  web:', '    command: y', '    depends_on: [api]'));
    expect(tasks.map((t) => t.name)).toEqual(['web']);
    expect(tasks[0]!.dependsOn).toEqual([]);
  });

  it('leaves a file without replicas as it is', () => {
    const tasks = file('  api:', '    command: x');
    expect(expandReplicas(tasks)).toBe(tasks);
  });
});
