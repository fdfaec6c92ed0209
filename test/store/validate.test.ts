/**
 * Reading the state file: what cannot be read at all, records that stand or fall alone,
 * and the parts that are repaired rather than fatal.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../machines/defaults.js';
import { readState } from '../../src/store/validate.js';

const env = { PATH: '/usr/bin' };

/** A record as the store writes it, its environment by key. */
function record(id: string, overrides: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) {
  return {
    id,
    name: null,
    env: null,
    spec: {
      command: 'sleep 1',
      cwd: '/tmp',
      env: 'env1',
      stopSignal: 'SIGTERM',
      graceMs: 5000,
      stopCommand: null,
      restart: { ...DEFAULTS.restart, successExitCodes: [0] },
      health: null,
      output: 'separate',
      nice: null,
      ionice: null,
      limits: { memoryBytes: null, timeoutMs: null, idleMs: null, idleAction: 'alert' },
      alertOn: null,
      ...spec,
    },
    dependsOn: [],
    background: true,
    status: 'running',
    reason: null,
    process: { pid: 100, pidStart: 5, monitorPid: 99, monitorStart: 4, bootId: 'b', token: 't', logStart: { stdout: 0, stderr: 0 } },
    exitCode: null,
    signal: null,
    restarts: 0,
    health: null,
    createdAt: '2026-11-25T00:00:00.000Z',
    startedAt: '2026-11-25T00:00:01.000Z',
    endedAt: null,
    restartAt: null,
    ...overrides,
  };
}

const file = (tasks: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
  JSON.stringify({ version: 1, nextId: Object.keys(tasks).length + 1, tasks, cursors: {}, envs: { env1: env }, ...rest });

describe('readState', () => {
  it('cannot read what is not JSON, or not an object with a table of tasks', () => {
    expect(readState('garbage')).toEqual({ ok: false, why: 'not JSON' });
    expect(readState('')).toEqual({ ok: false, why: 'not JSON' });
    expect(readState('[1]')).toEqual({ ok: false, why: 'not a JSON object' });
    expect(readState('{"version":1,"nextId":"x","tasks":5}')).toEqual({ ok: false, why: 'its tasks are not a table' });
    expect(readState('{"version":2,"tasks":{}}')).toMatchObject({ ok: false, why: expect.stringMatching(/^version 2/) });
  });

  it('reads a sound file whole, with no damage, environments resolved', () => {
    const read = readState(file({ bash_1: record('bash_1'), bash_2: record('bash_2', { status: 'completed', process: null, exitCode: 0 }) }));
    expect(read).toMatchObject({ ok: true, damage: null });
    if (!read.ok) return;
    expect(Object.keys(read.data.tasks)).toEqual(['bash_1', 'bash_2']);
    expect(read.data.tasks.bash_1!.spec.env).toEqual(env);
    expect(read.data.nextId).toBe(3);
  });

  it('drops a bad record alone, keeping what can still name its task', () => {
    const read = readState(
      file({
        bash_1: record('bash_1'),
        bash_2: record('bash_2', { name: 'web', status: 'sleeping' }),
        bash_3: record('bash_3', { process: { pid: 0, pidStart: 1, monitorPid: 1, monitorStart: 1, bootId: 'b', token: 't' } }),
        bash_4: record('bash_4', { process: { pid: -1, pidStart: 1, monitorPid: 1, monitorStart: 1, bootId: 'b', token: 't' } }),
        bash_5: record('bash_5', { createdAt: 'yesterday' }),
        bash_6: record('bash_7'),
        bash_8: 5,
      }, { nextId: 2 }),
    );
    if (!read.ok) throw new Error('unread');
    expect(Object.keys(read.data.tasks)).toEqual(['bash_1']);
    expect([...read.damage!.badRecords.keys()]).toEqual(['bash_2', 'bash_3', 'bash_4', 'bash_5', 'bash_6', 'bash_8']);
    expect(read.damage!.badRecords.get('bash_2')).toEqual({ name: 'web', command: 'sleep 1', cwd: '/tmp', env, createdAt: '2026-11-25T00:00:00.000Z' });
    expect(read.damage!.badRecords.get('bash_8')).toEqual({});
    expect(read.damage!.repaired).toEqual([]);
    // The counter stays past every id the file names, read or not.
    expect(read.data.nextId).toBe(9);
  });

  it('repairs a bad id counter, one behind the records, and bad cursors', () => {
    const tasks = { bash_4: record('bash_4') };
    const bad = readState(file(tasks, { nextId: 'x', cursors: 7 }));
    if (!bad.ok) throw new Error('unread');
    expect(bad.data.nextId).toBe(5);
    expect(bad.data.cursors).toEqual({});
    expect(bad.damage!.repaired).toEqual(['the id counter', 'the read cursors']);

    const behind = readState(file(tasks, { nextId: 2, cursors: { 'cli\u0000bash_4\u0000stdout': 10, 'cli\u0000bash_4\u0000stderr': -1, odd: 3 } }));
    if (!behind.ok) throw new Error('unread');
    expect(behind.data.nextId).toBe(5);
    expect(behind.data.cursors).toEqual({ 'cli\u0000bash_4\u0000stdout': 10 });
    expect(behind.damage!.repaired).toEqual(['the read cursors']);
  });

  it('gives a task whose environment is gone from the table an empty one, and says so', () => {
    const read = readState(file({ bash_1: record('bash_1', {}, { env: 'env9' }) }));
    if (!read.ok) throw new Error('unread');
    expect(read.data.tasks.bash_1!.spec.env).toEqual({});
    expect(read.damage!.repaired).toEqual(['the environment of bash_1']);
  });

  it('gives a record an older corral wrote the fields it did not know', () => {
    const old = record('bash_1', { dependsOn: undefined, background: undefined, health: 'x' }, { limits: undefined, nice: undefined, stopCommand: undefined, output: undefined, restart: { policy: 'always' } });
    const read = readState(file({ bash_1: old }));
    if (!read.ok) throw new Error('unread');
    expect(read.damage).toBeNull();
    const r = read.data.tasks.bash_1!;
    expect(r).toMatchObject({ dependsOn: [], background: true, health: null });
    expect(r.spec).toMatchObject({ limits: { memoryBytes: null, idleAction: 'alert' }, nice: null, stopCommand: null, output: 'separate' });
    expect(r.spec.restart).toMatchObject({ policy: 'always', maxRestarts: DEFAULTS.restart.maxRestarts, successExitCodes: [0] });
  });

  it('keeps the names of the variables set for a task, and drops a bad list without losing the record', () => {
    const read = (envSet: unknown) => {
      const r = readState(file({ bash_1: record('bash_1', {}, { envSet }) }));
      if (!r.ok) throw new Error(r.why);
      expect(r.damage).toBeNull();
      return r.data.tasks.bash_1!.spec;
    };
    expect(read(['PORT', 'DEBUG']).envSet).toEqual(['PORT', 'DEBUG']);
    expect(read('PORT')).not.toHaveProperty('envSet');
    expect(read([1])).not.toHaveProperty('envSet');
    expect(read(undefined)).not.toHaveProperty('envSet');
  });

  it('keeps the session, project and keep of a task, and takes a record with bad ones for a bad record', () => {
    const read = readState(
      file({
        bash_1: record('bash_1', { session: 'abc123', project: '/srv/app', keep: true }),
        bash_2: record('bash_2'),
        bash_3: record('bash_3', { session: '' }),
        bash_4: record('bash_4', { project: 7 }),
        bash_5: record('bash_5', { keep: 'yes' }),
      }),
    );
    if (!read.ok) throw new Error('unread');
    expect(read.data.tasks.bash_1).toMatchObject({ session: 'abc123', project: '/srv/app', keep: true });
    expect(read.data.tasks.bash_2).not.toHaveProperty('session');
    expect([...read.damage!.badRecords.keys()]).toEqual(['bash_3', 'bash_4', 'bash_5']);
  });

  it('keeps the env file an environment task came from, and takes a record with a bad one for a bad record', () => {
    const read = readState(
      file({
        bash_1: record('bash_1', { env: 'web', envRun: 1, envFile: '/srv/app/corral.yaml' }),
        bash_2: record('bash_2', { env: 'web', envRun: 1 }),
        bash_3: record('bash_3', { env: 'web', envRun: 1, envFile: 3 }),
      }),
    );
    if (!read.ok) throw new Error('unread');
    expect(read.data.tasks.bash_1).toMatchObject({ envFile: '/srv/app/corral.yaml' });
    expect(read.data.tasks.bash_2).not.toHaveProperty('envFile');
    expect([...read.damage!.badRecords.keys()]).toEqual(['bash_3']);
  });
});

describe('a scheduled task in the state file', () => {
  const nextRunAt = '2026-12-03T14:05:00.000Z';
  const run = { kind: 'run', startedAt: nextRunAt, endedAt: nextRunAt, durationMs: 5, exitCode: 0, signal: null };

  it('keeps its schedule and its runs, takes a bad schedule for a bad record, and drops a damaged history alone', () => {
    const read = readState(
      file({
        bash_1: record('bash_1', { scheduled: { nextRunAt, history: [run, { kind: 'skip', at: nextRunAt, reason: 'still runs' }] } }, { schedule: { every: 10_000 } }),
        bash_2: record('bash_2', {}, { schedule: { cron: '*/5 * * * *' } }),
        bash_3: record('bash_3', {}, { schedule: { every: 10 } }),
        bash_4: record('bash_4', {}, { schedule: 'hourly' }),
        bash_5: record('bash_5', { scheduled: { nextRunAt: 'soon', history: [] } }, { schedule: { every: 10_000 } }),
      }),
    );
    if (!read.ok) throw new Error('unread');
    expect(read.data.tasks.bash_1!.spec.schedule).toEqual({ every: 10_000 });
    expect(read.data.tasks.bash_1!.scheduled!.history.map((e) => e.kind)).toEqual(['run', 'skip']);
    expect(read.data.tasks.bash_2!.spec.schedule).toEqual({ cron: '*/5 * * * *' });
    expect([...read.damage!.badRecords.keys()]).toEqual(['bash_3', 'bash_4']);
    expect(read.data.tasks.bash_5!.spec.schedule).toEqual({ every: 10_000 });
    expect(read.data.tasks.bash_5!.scheduled).toBeUndefined();
  });
});

describe('a copy of a task with replicas in the state file', () => {
  it('keeps which copy of a task with replicas a record is, and takes a record with a bad one for a bad record', () => {
    const read = readState(
      file({
        bash_1: record('bash_1', { replica: { of: 'api', index: 2 } }),
        bash_2: record('bash_2', { replica: { of: 'api', index: 3, scaledDown: true } }),
        bash_3: record('bash_3', { replica: { of: 'api', index: 0 } }),
        bash_4: record('bash_4', { replica: 'api.2' }),
        bash_5: record('bash_5', { replica: { of: '', index: 1 } }),
      }),
    );
    if (!read.ok) throw new Error('unread');
    expect(read.data.tasks.bash_1!.replica).toEqual({ of: 'api', index: 2 });
    expect(read.data.tasks.bash_2!.replica).toEqual({ of: 'api', index: 3, scaledDown: true });
    expect([...read.damage!.badRecords.keys()]).toEqual(['bash_3', 'bash_4', 'bash_5']);
  });
});
