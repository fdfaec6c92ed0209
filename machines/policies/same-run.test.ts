import { describe, expect, it } from 'vitest';
import type { TaskRecord, TaskStatus } from '../task.types.js';
import { runningCopy, sameRun } from './same-run.js';

const spec = (command: string, cwd = '/p', set: Record<string, string> = {}, inherited: Record<string, string> = { PATH: '/bin', PWD: '/x' }) => ({
  command,
  cwd,
  env: { ...inherited, ...set },
  envSet: Object.keys(set),
});

const record = (id: string, status: TaskStatus, s = spec('npm run dev'), name: string | null = null) => ({ id, status, name, spec: s }) as unknown as TaskRecord;

describe('the same run', () => {
  it('is the same command, folder and set variables, whatever the inherited environment', () => {
    expect(sameRun(spec('npm run dev'), spec('npm run dev', '/p', {}, { PATH: '/usr/bin', SHLVL: '3' }))).toBe(true);
    expect(sameRun(spec('npm run dev', '/p', { PORT: '3000', A: '1' }), spec('npm run dev', '/p', { A: '1', PORT: '3000' }))).toBe(true);
  });

  it('differs by command, folder, a variable set or its value', () => {
    expect(sameRun(spec('npm run dev'), spec('npm run  dev'))).toBe(false);
    expect(sameRun(spec('npm run dev'), spec('npm run dev', '/q'))).toBe(false);
    expect(sameRun(spec('npm run dev'), spec('npm run dev', '/p', { PORT: '3000' }))).toBe(false);
    expect(sameRun(spec('npm run dev', '/p', { PORT: '3000' }), spec('npm run dev', '/p', { PORT: '3001' }))).toBe(false);
    // Set in one, inherited with the same value in the other: one of them asked for it.
    expect(sameRun(spec('x', '/p', { PORT: '1' }), spec('x', '/p', {}, { PORT: '1' }))).toBe(false);
  });
});

describe('runningCopy', () => {
  it('finds the oldest live task of the same run, never one that ended or is stopping', () => {
    const records = [record('bash_12', 'running'), record('bash_9', 'restarting'), record('bash_2', 'completed'), record('bash_3', 'stopping'), record('bash_4', 'failed')];
    expect(runningCopy(records, spec('npm run dev'), null)?.id).toBe('bash_9');
    expect(runningCopy(records.slice(2), spec('npm run dev'), null)).toBeUndefined();
    expect(runningCopy(records, spec('npm test'), null)).toBeUndefined();
  });

  it('with a name, finds only a task of that name', () => {
    const records = [record('bash_1', 'running', spec('npm run dev'), 'web'), record('bash_2', 'running')];
    expect(runningCopy(records, spec('npm run dev'), 'web')?.id).toBe('bash_1');
    expect(runningCopy(records, spec('npm run dev'), 'api')).toBeUndefined();
    expect(runningCopy(records, spec('npm run dev'), null)?.id).toBe('bash_1');
  });
});
