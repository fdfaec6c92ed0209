/**
 * Ad-hoc tasks (src/config/orchestrate.ts) are normalised and checked as an env file's are:
 * the same edges for the same `depends_on`, and the same refusals of a bad graph, named
 * at the task's place in the list instead of a line of a file.
 */
import { describe, expect, it } from 'vitest';
import type { InlineTask } from '../../src/api.js';
import { normalizeOrchestrate } from '../../src/config/orchestrate.js';
import { CorralError } from '../../src/errors.js';
import { DEP_TIMEOUT, parse, usageOf, y } from './envfile/helpers.js';

const inline = (tasks: InlineTask[]) => normalizeOrchestrate({ name: 'dev', tasks, cwd: '/tmp' });

async function refusal(tasks: InlineTask[]): Promise<string> {
  const error = await inline(tasks).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CorralError);
  expect((error as CorralError).kind).toBe('usage');
  return (error as CorralError).message;
}

describe('inline tasks, as an env file', () => {
  it('gives a bare name the condition a file gives it: healthy of a task with a check, else started', async () => {
    const spec = await inline([
      { name: 'db', command: 'db', health: ['tcp:5432'] },
      { name: 'cache', command: 'cache' },
      { name: 'api', command: 'api', dependsOn: ['db', 'cache'] },
      { name: 'web', command: 'web', dependsOn: [{ name: 'db', condition: 'started' }, { name: 'api', condition: 'completed' }] },
    ]);
    const file = parse(
      y(
        'tasks:',
        '  db: {command: db, health: {tcp: 5432}}',
        '  cache: {command: cache}',
        '  api: {command: api, depends_on: [db, cache]}',
        '  web: {command: web, depends_on: {db: started, api: completed}}',
      ),
    );
    expect(spec.tasks.map((t) => t.dependsOn)).toEqual(file.tasks.map((t) => t.dependsOn));
    expect(spec.tasks[2]!.dependsOn).toEqual([
      { on: 'db', condition: 'healthy', timeoutMs: DEP_TIMEOUT },
      { on: 'cache', condition: 'started', timeoutMs: DEP_TIMEOUT },
    ]);
  });

  it('refuses a cycle of two, of one, and a longer one, naming it as a file does', async () => {
    const two = await refusal([{ name: 'a', command: 'x', dependsOn: ['b'] }, { name: 'b', command: 'x', dependsOn: ['a'] }]);
    expect(two).toBe('tasks[0].dependsOn: a dependency cycle: a -> b -> a');
    const fromFile = usageOf(() => parse(y('tasks:', '  a: {command: x, depends_on: [b]}', '  b: {command: x, depends_on: [a]}'))).message;
    expect(fromFile.endsWith(two.slice('tasks[0].dependsOn: '.length))).toBe(true);
    expect(await refusal([{ name: 'a', command: 'x', dependsOn: ['a'] }])).toBe('tasks[0].dependsOn: a depends on itself');
    const longer = await refusal([
      { name: 'x', command: 'x' },
      { name: 'a', command: 'x', dependsOn: ['x', 'b'] },
      { name: 'b', command: 'x', dependsOn: [{ name: 'c', condition: 'started' }] },
      { name: 'c', command: 'x', dependsOn: ['a'] },
    ]);
    expect(longer).toBe('tasks[1].dependsOn: a dependency cycle: a -> b -> c -> a');
  });

  it('refuses an unknown task, healthy of a task without a check, and a condition that is none', async () => {
    expect(await refusal([{ name: 'api', command: 'x' }, { name: 'web', command: 'x', dependsOn: ['apii'] }])).toBe(
      'tasks[1].dependsOn: web depends on "apii", which is not one of the tasks given; did you mean "api"?',
    );
    expect(await refusal([{ name: 'db', command: 'x' }, { name: 'api', command: 'x', dependsOn: [{ name: 'db', condition: 'healthy' }] }])).toBe(
      'tasks[1].dependsOn: api waits for "db" to be healthy, but db has no health check: add one, or use "started"',
    );
    expect(await refusal([{ name: 'db', command: 'x' }, { name: 'api', command: 'x', dependsOn: ['db', { name: 'db', condition: 'ready' }] }])).toBe(
      'tasks[1].dependsOn[1].condition: "ready" is not one of started, healthy, completed, succeeded',
    );
  });

  it('refuses a name given twice, and names the unnamed around the names given', async () => {
    expect(await refusal([{ name: 'a', command: 'x' }, { name: 'a', command: 'y' }])).toBe('tasks[1].name: "a" is the name of tasks[0] too');
    // The unnamed task comes first, but `sleep-5` is given to the task that asked for it.
    const spec = await inline([{ command: 'sleep 5' }, { name: 'sleep-5', command: 'sleep 6' }, { name: 'w', command: 'x', dependsOn: ['sleep-5'] }]);
    expect(spec.tasks.map((t) => [t.name, t.command])).toEqual([
      ['sleep-5-2', 'sleep 5'],
      ['sleep-5', 'sleep 6'],
      ['w', 'x'],
    ]);
  });
});
