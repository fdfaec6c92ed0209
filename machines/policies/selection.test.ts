import { describe, expect, it } from 'vitest';
import { dependentsInOrder, selectPart, SelectionError } from './selection.js';

const tasks = [
  { name: 'db', dependsOn: [], profiles: [] },
  { name: 'cache', dependsOn: [], profiles: [] },
  { name: 'api', dependsOn: ['db'], profiles: [] },
  { name: 'web', dependsOn: ['api'], profiles: [] },
  { name: 'debugger', dependsOn: ['api'], profiles: ['debug'] },
  { name: 'mailhog', dependsOn: [], profiles: ['mail', 'debug'] },
];

describe('a part of an environment', () => {
  it('is the tasks named and what they depend on, nothing else, in file order', () => {
    expect(selectPart(tasks, ['api'], [], 'dev')).toEqual(['db', 'api']);
    expect(selectPart(tasks, ['web', 'cache'], [], 'dev')).toEqual(['db', 'cache', 'api', 'web']);
  });

  it('without names, is every task without profiles, and those of the active profiles', () => {
    expect(selectPart(tasks, [], [], 'dev')).toEqual(['db', 'cache', 'api', 'web']);
    expect(selectPart(tasks, [], ['mail'], 'dev')).toEqual(['db', 'cache', 'api', 'web', 'mailhog']);
    expect(selectPart(tasks, [], ['debug'], 'dev')).toEqual(['db', 'cache', 'api', 'web', 'debugger', 'mailhog']);
  });

  it('starts a task of a profile when it is named, with its dependencies', () => {
    expect(selectPart(tasks, ['debugger'], [], 'dev')).toEqual(['db', 'api', 'debugger']);
  });

  it('refuses an unknown task with the nearest name, and a profile no task has', () => {
    expect(() => selectPart(tasks, ['apj'], [], 'dev')).toThrow('no task "apj" in dev; did you mean "api"?');
    try {
      selectPart(tasks, [], ['debgu'], 'dev');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SelectionError);
      expect((error as SelectionError).kind).toBe('profile');
      expect((error as Error).message).toBe('no task of dev has the profile "debgu": its profiles are debug, mail');
    }
  });
});

describe('the dependents of a task', () => {
  it('are every task that depends on it, directly or not, each after its own dependencies', () => {
    const graph = [
      { name: 'web', dependsOn: ['api', 'worker'] },
      { name: 'worker', dependsOn: ['api'] },
      { name: 'api', dependsOn: ['db'] },
      { name: 'db', dependsOn: [] },
      { name: 'docs', dependsOn: [] },
    ];
    expect(dependentsInOrder(graph, 'api')).toEqual(['worker', 'web']);
    expect(dependentsInOrder(graph, 'db')).toEqual(['api', 'worker', 'web']);
    expect(dependentsInOrder(graph, 'docs')).toEqual([]);
  });
});

