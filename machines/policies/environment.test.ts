import { describe, expect, it } from 'vitest';
import type { TaskRecord, TaskStatus } from '../task.types.js';
import { healthDefaults } from './health.js';
import { culpritOf, isReady, isSameEnvironment, judgeEnvironment, latestRunOf, nextEnvRun } from './environment.js';

const CHECK = healthDefaults([{ kind: 'tcp', host: '127.0.0.1', port: 1 }]);

function task(name: string, status: TaskStatus, more: Partial<TaskRecord> & { checked?: boolean; command?: string } = {}): TaskRecord {
  const { checked, command, ...rest } = more;
  return {
    id: `bash_${name.length}${name.charCodeAt(0)}`,
    name,
    env: 'dev',
    envRun: 1,
    spec: { command: command ?? `run ${name}`, cwd: '/w', health: checked ? CHECK : null } as TaskRecord['spec'],
    dependsOn: [],
    background: true,
    status,
    reason: null,
    process: null,
    exitCode: null,
    signal: null,
    restarts: 0,
    health: null,
    createdAt: '',
    startedAt: null,
    endedAt: null,
    restartAt: null,
    ...rest,
  };
}

describe('isReady', () => {
  it('a service without a check is ready once running', () => {
    expect(isReady(task('a', 'running'))).toBe(true);
    expect(isReady(task('a', 'starting'))).toBe(false);
    expect(isReady(task('a', 'completed'))).toBe(false);
  });
  it('a service with a check is ready once healthy', () => {
    expect(isReady(task('a', 'running', { checked: true, health: { status: 'unknown', failures: 0, lastError: null } }))).toBe(false);
    expect(isReady(task('a', 'running', { checked: true, health: { status: 'healthy', failures: 0, lastError: null } }))).toBe(true);
  });
  it('a one-shot step is ready once it completed', () => {
    expect(isReady(task('m', 'completed', { background: false }))).toBe(true);
    expect(isReady(task('m', 'running', { background: false }))).toBe(false);
  });
});

describe('isSameEnvironment', () => {
  const declared = [
    { name: 'db', command: 'run db', cwd: '/w' },
    { name: 'migrate', command: 'run migrate', cwd: '/w' },
  ];
  const up = [task('db', 'running'), task('migrate', 'completed', { background: false })];
  it('is the same when every task is there, alive or done, with the same command and folder', () => {
    expect(isSameEnvironment(up, declared)).toBe(true);
  });
  it('differs with a changed command, folder, or a task more or less', () => {
    expect(isSameEnvironment(up, [{ ...declared[0]!, command: 'run db --port 2' }, declared[1]!])).toBe(false);
    expect(isSameEnvironment(up, [{ ...declared[0]!, cwd: '/elsewhere' }, declared[1]!])).toBe(false);
    expect(isSameEnvironment(up, declared.slice(0, 1))).toBe(false);
    expect(isSameEnvironment(up, [...declared, { name: 'web', command: 'run web', cwd: '/w' }])).toBe(false);
  });
  it('is not the same when partly down: a service ended, a step failed', () => {
    expect(isSameEnvironment([task('db', 'killed'), up[1]!], declared)).toBe(false);
    expect(isSameEnvironment([up[0]!, task('migrate', 'failed', { background: false })], declared)).toBe(false);
  });
});

describe('judgeEnvironment and culpritOf', () => {
  it('an environment with everything ready has no culprit', () => {
    const tasks = [task('db', 'running'), task('m', 'completed', { background: false })];
    expect(judgeEnvironment(tasks)).toEqual({ ready: true, broken: undefined });
    expect(culpritOf(tasks, Infinity)).toBeNull();
  });
  it('blames a task that failed, with its reason, before any that is merely not ready', () => {
    const failed = task('migrate', 'failed', { background: false, reason: 'exit 1' });
    const tasks = [task('db', 'starting'), failed, task('api', 'waiting', { dependsOn: [{ on: 'migrate', condition: 'succeeded', timeoutMs: 1 }] })];
    expect(judgeEnvironment(tasks).broken).toBe(failed);
    expect(culpritOf(tasks, Infinity)).toEqual({ task: failed, reason: 'exit 1' });
  });
  it('blames a task not ready on its own account rather than one waiting for it', () => {
    const db = task('db', 'running', { checked: true, health: { status: 'unknown', failures: 2, lastError: 'connection refused' } });
    const api = task('api', 'waiting', { dependsOn: [{ on: 'db', condition: 'healthy', timeoutMs: 1 }] });
    const blamed = culpritOf([api, db], Infinity);
    expect(blamed?.task).toBe(db);
    expect(blamed?.reason).toMatch(/\(last check: connection refused\)$/);
  });
  it('says what a waiting task waits for when nothing else is to blame', () => {
    const api = task('api', 'waiting', { dependsOn: [{ on: 'db', condition: 'healthy', timeoutMs: 1 }, { on: 'm', condition: 'succeeded', timeoutMs: 1 }] });
    expect(culpritOf([api], Infinity)?.reason).toBe('waiting for db (healthy), m (succeeded)');
  });
  it('says a queued task waits for a slot, naming the limit', () => {
    expect(culpritOf([task('a', 'queued')], 4)?.reason).toBe('queued: 4 tasks already run (CORRAL_MAX_CONCURRENT)');
    expect(culpritOf([task('a', 'queued')], 1)?.reason).toBe('queued: 1 task already runs (CORRAL_MAX_CONCURRENT)');
  });
  it('falls back to the status', () => {
    expect(culpritOf([task('a', 'starting')], Infinity)?.reason).toBe('starting');
  });
});

describe('runs of an environment', () => {
  it('numbers a new run one past the latest of that environment only', () => {
    const tasks = [task('a', 'killed', { envRun: 2 }), task('b', 'killed', { envRun: 7, env: 'other' })];
    expect(nextEnvRun(tasks, 'dev')).toBe(3);
    expect(nextEnvRun(tasks, 'new')).toBe(1);
  });
  it('the latest run, plus older tasks that run again', () => {
    const old = task('a', 'killed', { id: 'bash_1', envRun: 1 });
    const oldAgain = task('b', 'running', { id: 'bash_2', envRun: 1 });
    const oldLive = task('c', 'killed', { id: 'bash_3', envRun: 1 });
    const current = task('a', 'running', { id: 'bash_4', envRun: 2 });
    const elsewhere = task('z', 'running', { id: 'bash_5', envRun: 9, env: 'other' });
    const ids = latestRunOf([old, oldAgain, oldLive, current, elsewhere], 'dev', (id) => id === 'bash_3').map((t) => t.id);
    expect(ids).toEqual(['bash_2', 'bash_3', 'bash_4']);
  });
});
