import { describe, expect, it } from 'vitest';
import { globalHolder, lookUpName, qualifiedName, taskNameProblem } from './names.js';

const t = (id: string, name: string | null, env: string | null, live = true) => ({ id, name, env, live });

describe('task names and their scopes', () => {
  const tasks = [t('bash_1', 'web', 'dev', false), t('bash_2', 'web', 'other'), t('bash_3', 'web', 'dev'), t('bash_4', 'db', 'dev'), t('bash_5', 'api', null)];

  it('reaches a name that one scope has, the latest of that scope', () => {
    expect(lookUpName(tasks, 'db')).toEqual({ found: tasks[3] });
    expect(lookUpName(tasks, 'api')).toEqual({ found: tasks[4] });
    expect(lookUpName([tasks[0]!, tasks[2]!], 'web')).toEqual({ found: tasks[2] });
  });

  it('calls a bare name that several scopes have ambiguous, with the latest task of each', () => {
    expect(lookUpName(tasks, 'web')).toEqual({ ambiguous: [tasks[2], tasks[1]] });
    const withGlobal = [...tasks, t('bash_6', 'db', null, false)];
    expect(lookUpName(withGlobal, 'db')).toEqual({ ambiguous: [withGlobal[3], withGlobal[5]] });
  });

  it('reaches env/name in that environment only, and nothing through a stray slash', () => {
    expect(lookUpName(tasks, 'dev/web')).toEqual({ found: tasks[2] });
    expect(lookUpName(tasks, 'other/web')).toEqual({ found: tasks[1] });
    for (const ref of ['prod/web', 'dev/api', '/web', 'dev/', 'dev/web/x', '../web']) expect(lookUpName(tasks, ref)).toEqual({ missing: true });
  });

  it('writes a task of an environment as env/name', () => {
    expect(qualifiedName(tasks[1]!)).toBe('other/web');
    expect(qualifiedName(tasks[4]!)).toBe('api');
    expect(qualifiedName(t('bash_9', null, 'dev'))).toBeNull();
  });

  it('finds a live holder of a name in the global scope only', () => {
    const live = (x: { live: boolean }) => x.live;
    expect(globalHolder(tasks, 'web', live)).toBeUndefined();
    expect(globalHolder(tasks, 'api', live)).toBe(tasks[4]);
    expect(globalHolder([t('bash_7', 'api', null, false)], 'api', live)).toBeUndefined();
  });

  it('refuses names with a slash, names that leave their folder, and names like ids', () => {
    for (const name of ['a/b', '../x', '.hidden', '1web', '', 'x'.repeat(65)]) expect(taskNameProblem(name)).toMatch(/starts with a letter/);
    expect(taskNameProblem('bash_5')).toMatch(/look like a task id/);
    for (const name of ['web', 'web-2', 'api.v1', 'bash', 'bash_x']) expect(taskNameProblem(name)).toBeNull();
  });
});
