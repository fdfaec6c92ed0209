import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../defaults.js';
import type { TaskRecord, TaskStatus } from '../task.types.js';
import { healthDefaults } from './health.js';
import { culpritOf, isReady, rootOf, judgeEnvironment, latestRunOf, nextEnvRun, outdatedRunTasks } from './environment.js';

const NOW = Date.parse('2026-06-01T00:00:00.000Z');
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
  it('a service without a check is ready once it has run for a moment, so that one failing at once is not', () => {
    const started = Date.parse('2026-01-01T00:00:00.000Z');
    const running = task('a', 'running', { startedAt: '2026-01-01T00:00:00.000Z' });
    expect(isReady(running, started + DEFAULTS.settleMs - 1)).toBe(false);
    expect(isReady(running, started + DEFAULTS.settleMs)).toBe(true);
    expect(judgeEnvironment([running], started + 10).judgeAgainAt).toBe(started + DEFAULTS.settleMs);
    expect(culpritOf([running], Infinity, started + 10)?.reason).toBe('running');
    expect(judgeEnvironment([running], started + DEFAULTS.settleMs)).toEqual({ ready: true, broken: undefined, judgeAgainAt: null });
    expect(isReady(task('a', 'running'), NOW)).toBe(true);
    expect(isReady(task('a', 'starting'), NOW)).toBe(false);
    expect(isReady(task('a', 'completed'), NOW)).toBe(false);
  });
  it('a service with a check is ready once healthy', () => {
    expect(isReady(task('a', 'running', { checked: true, health: { status: 'unknown', failures: 0, lastError: null } }), NOW)).toBe(false);
    expect(isReady(task('a', 'running', { checked: true, health: { status: 'healthy', failures: 0, lastError: null } }), NOW)).toBe(true);
  });
  it('a one-shot step is ready once it completed', () => {
    expect(isReady(task('m', 'completed', { background: false }), NOW)).toBe(true);
    expect(isReady(task('m', 'running', { background: false }), NOW)).toBe(false);
  });
});

describe('judgeEnvironment and culpritOf', () => {
  it('an environment with everything ready has no culprit', () => {
    const tasks = [task('db', 'running'), task('m', 'completed', { background: false })];
    expect(judgeEnvironment(tasks, NOW)).toEqual({ ready: true, broken: undefined, judgeAgainAt: null });
    expect(culpritOf(tasks, Infinity, NOW)).toBeNull();
  });
  it('counts a copy that a scale took out neither as broken nor as awaited, and a copy that ended by itself as broken', () => {
    const kept = task('api.1', 'running', { replica: { of: 'api', index: 1 } });
    const out = task('api.2', 'killed', { replica: { of: 'api', index: 2, scaledDown: true }, reason: 'scaled down to 1 (SIGTERM)' });
    expect(judgeEnvironment([kept, out], NOW)).toEqual({ ready: true, broken: undefined, judgeAgainAt: null });
    expect(culpritOf([kept, out], Infinity, NOW)).toBeNull();
    const crashed = task('api.2', 'failed', { replica: { of: 'api', index: 2 }, reason: 'exit 1' });
    expect(judgeEnvironment([kept, crashed], NOW).broken).toBe(crashed);
  });
  it('blames a task that failed, with its reason, before any that is merely not ready', () => {
    const failed = task('migrate', 'failed', { background: false, reason: 'exit 1' });
    const tasks = [task('db', 'starting'), failed, task('api', 'waiting', { dependsOn: [{ on: 'migrate', condition: 'succeeded', timeoutMs: 1 }] })];
    expect(judgeEnvironment(tasks, NOW).broken).toBe(failed);
    expect(culpritOf(tasks, Infinity, NOW)).toEqual({ task: failed, reason: 'exit 1' });
  });
  it('blames a task not ready on its own account rather than one waiting for it', () => {
    const db = task('db', 'running', { checked: true, health: { status: 'unknown', failures: 2, lastError: 'connection refused' } });
    const api = task('api', 'waiting', { dependsOn: [{ on: 'db', condition: 'healthy', timeoutMs: 1 }] });
    const blamed = culpritOf([api, db], Infinity, NOW);
    expect(blamed?.task).toBe(db);
    expect(blamed?.reason).toMatch(/\(last check: connection refused\)$/);
  });
  it('says what a waiting task waits for when nothing else is to blame', () => {
    const api = task('api', 'waiting', { dependsOn: [{ on: 'db', condition: 'healthy', timeoutMs: 1 }, { on: 'm', condition: 'succeeded', timeoutMs: 1 }] });
    expect(culpritOf([api], Infinity, NOW)?.reason).toBe('waiting for db (healthy), m (succeeded)');
  });
  it('says a queued task waits for a slot, naming the limit', () => {
    expect(culpritOf([task('a', 'queued')], 4, NOW)?.reason).toBe('queued: 4 tasks already run (CORRAL_MAX_CONCURRENT)');
    expect(culpritOf([task('a', 'queued')], 1, NOW)?.reason).toBe('queued: 1 task already runs (CORRAL_MAX_CONCURRENT)');
  });
  it('falls back to the status', () => {
    expect(culpritOf([task('a', 'starting')], Infinity, NOW)?.reason).toBe('starting');
  });
});

describe('the culprit behind a task that never started for want of a dependency', () => {
  const on = (...names: string[]) => names.map((n) => ({ on: n, condition: 'healthy' as const, timeoutMs: 1 }));
  const sick = () => task('db', 'running', { checked: true, startedAt: '2026-01-01T00:00:00.000Z', health: { status: 'unknown', failures: 0, lastError: 'connection refused' } });

  it('blames the dependency that never got healthy, not the dependent that gave up on it', () => {
    const api = task('api', 'failed', { dependsOn: on('db'), reason: 'dependency db not healthy after 5m00s' });
    expect(culpritOf([api, sick()], Infinity, NOW)).toMatchObject({
      task: { name: 'db' },
      reason: 'health unknown (last check: connection refused); api failed: dependency db not healthy after 5m00s',
    });
  });

  it('follows a chain of 20,000 waits to its end', () => {
    const tasks = Array.from({ length: 20_000 }, (_, i) => task(`t${i}`, 'waiting', { id: `bash_${i}`, dependsOn: on(`t${i + 1}`) }));
    tasks.push(task('t20000', 'queued', { id: 'bash_20000' }));
    expect(rootOf(tasks[0]!, tasks).name).toBe('t20000');
  });

  it('ends on a cycle, one of any length, or a task that waits for itself, naming a task of it', () => {
    const cycle = ['a', 'b', 'c'].map((n, i, all) => task(n, 'waiting', { id: `bash_${i}`, dependsOn: on(all[(i + 1) % all.length]!) }));
    expect(culpritOf(cycle, Infinity, NOW)).toMatchObject({ task: { name: 'c' }, reason: 'waiting for a (healthy); a waits for it' });
    const big = Array.from({ length: 20_000 }, (_, i) => task(`t${i}`, 'waiting', { id: `bash_${i}`, dependsOn: on(`t${(i + 1) % 20_000}`) }));
    expect(rootOf(big[5]!, big).name).toBe('t4');
    const self = task('a', 'waiting', { dependsOn: on('a') });
    expect(culpritOf([self], Infinity, NOW)).toEqual({ task: self, reason: 'waiting for a (healthy)' });
  });

  it('stays within the run of the task, and stops at a dependency that meets its edge', () => {
    const oldDb = { ...sick(), id: 'bash_old', envRun: 0 };
    const api = task('api', 'waiting', { envRun: 2, dependsOn: on('db') });
    expect(rootOf(api, [oldDb, api])).toBe(api);
    const healthy = task('db', 'running', { checked: true, startedAt: '2026-01-01T00:00:00.000Z', health: { status: 'healthy', failures: 0, lastError: null } });
    const late = task('api', 'failed', { dependsOn: on('db'), reason: 'dependency db not healthy after 1s' });
    expect(rootOf(late, [healthy, late])).toBe(late);
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
  it('a new run leaves the ended tasks of runs before the kept ones to be removed, never a live one', () => {
    const tasks = [
      task('a', 'killed', { id: 'bash_1', envRun: 1 }),
      task('b', 'running', { id: 'bash_2', envRun: 1 }),
      task('c', 'completed', { id: 'bash_3', envRun: 1 }),
      task('a', 'killed', { id: 'bash_4', envRun: 2 }),
      task('a', 'killed', { id: 'bash_5', envRun: 3 }),
      task('a', 'failed', { id: 'bash_6', envRun: 1, env: 'other' }),
      task('a', 'killed', { id: 'bash_7', envRun: undefined }),
    ];
    // Run 5 keeps runs 2 to 4; of run 1, what still runs (or is still being stopped) stays.
    const outdated = outdatedRunTasks(tasks, 'dev', 5, 3, (id) => id === 'bash_3').map((t) => t.id);
    expect(outdated).toEqual(['bash_1', 'bash_7']);
    // Records from before runs were numbered count as run 0.
    expect(outdatedRunTasks(tasks, 'dev', 4, 3, () => false).map((t) => t.id)).toEqual(['bash_7']);
  });
});
