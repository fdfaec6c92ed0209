/**
 * Applying a changed env file to an environment that is up (`orchestrate`, `up`, `up
 * --watch-file`): only what changed restarts, added tasks start, removed ones stop, the
 * rest keep their processes; a file that cannot be applied touches nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, isRunning, makeHome, startCli, waitFor } from '../helpers.js';

/** Waits can be long on a loaded machine: nothing here is timed. */
const SLOW = 30_000;

let home: string;
let file: string;

/** A 4-task environment; `api` and `extra` are what the tests change. */
const envFile = ({ api = 'sleep 601', extra = '', apiEdge = 'db' } = {}) => `name: app
tasks:
  db:
    command: sleep 600
  api:
    command: ${api}
    depends_on: ${apiEdge}
  web:
    command: sleep 602
    depends_on: [db]
  worker:
    command: sleep 603
${extra}`;

beforeEach(() => {
  home = makeHome();
  file = join(home, 'corral.yaml');
  writeFileSync(file, envFile());
});
afterEach(async () => {
  await cleanupHome(home);
});

type Row = { id: string; name: string; status: string; pid: number | null; command: string; startedAt: string | null };
type Applied = { name: string; action: string; why: string; changed: string[] };
const rows = async () => Object.fromEntries((await cliJson<Row[]>(home, ['ls', '--env', 'app'])).map((t) => [t.name, t]));
const facts = (r: Record<string, Row>) => Object.values(r).map(({ id, name, status, pid, command, startedAt }) => ({ id, name, status, pid, command, startedAt }));
const pidsOf = async () => Object.fromEntries(Object.entries(await rows()).map(([name, t]) => [name, t.pid]));
const allRunning = async (names: string[]) => {
  const now = await rows().catch(() => ({}) as Record<string, Row>);
  return Object.keys(now).sort().join() === [...names].sort().join() && Object.values(now).every((t) => t.status === 'running' && t.pid !== null);
};
const up = async () => {
  const r = await cli(home, ['orchestrate', 'app', '-f', file, '--wait-healthy', '--timeout', '20s']);
  expect(r.code, r.stderr).toBe(0);
};
const apply = async () => cliJson<{ tasks: Row[]; applied: Applied[] }>(home, ['orchestrate', 'app', '-f', file]);

describe('applying a changed env file', { timeout: 120_000 }, () => {
  it('restarts only the task whose command changed; the others keep their pids', async () => {
    await up();
    const before = await rows();
    writeFileSync(file, envFile({ api: 'sleep 611' }));
    const { applied } = await apply();
    expect(applied).toEqual([
      { name: 'db', action: 'kept', why: 'unchanged', changed: [] },
      { name: 'api', action: 'restarted', why: 'its command changed', changed: ['command'] },
      { name: 'web', action: 'kept', why: 'unchanged', changed: [] },
      { name: 'worker', action: 'kept', why: 'unchanged', changed: [] },
    ]);
    await waitFor(() => allRunning(['db', 'api', 'web', 'worker']), 'every task running again', SLOW);
    const after = await rows();
    expect(after.api!.id).toBe(before.api!.id);
    expect(after.api!.command).toBe('sleep 611');
    expect(after.api!.pid).not.toBe(before.api!.pid);
    expect(isRunning(before.api!.pid!)).toBe(false);
    for (const name of ['db', 'web', 'worker']) expect(after[name]!.pid, name).toBe(before[name]!.pid);
    // The same file again: nothing to do, nothing restarts.
    expect((await apply()).applied.every((a) => a.action === 'kept')).toBe(true);
    expect(await pidsOf()).toEqual(Object.fromEntries(Object.entries(after).map(([name, t]) => [name, t.pid])));
    // The person reading the CLI is told the same.
    writeFileSync(file, envFile({ api: 'sleep 612' }));
    const told = await cli(home, ['orchestrate', 'app', '-f', file]);
    expect(told.code, told.stderr).toBe(0);
    expect(told.stderr).toContain('corral: applied the file to app (3 tasks kept):\ncorral:   api restarted: its command changed\n');
  });

  it('starts an added task and stops a removed one', async () => {
    await up();
    const before = await pidsOf();
    writeFileSync(file, envFile({ extra: '  cache:\n    command: sleep 604\n' }).replace('  worker:\n    command: sleep 603\n', ''));
    const { applied } = await apply();
    expect(applied.map((a) => `${a.name} ${a.action}`)).toEqual(['db kept', 'api kept', 'web kept', 'cache started', 'worker stopped']);
    expect(applied.at(-1)!.why).toBe('no longer in the file');
    await waitFor(() => allRunning(['db', 'api', 'web', 'cache']), 'cache running beside the others, worker gone', SLOW);
    expect(isRunning(before.worker!)).toBe(false);
    const after = await pidsOf();
    expect([after.db, after.api, after.web]).toEqual([before.db, before.api, before.web]);
  });

  it('restarts a dependent with restart: true after its dependency; one without it keeps running', async () => {
    const edge = '{ db: { condition: started, restart: true } }';
    writeFileSync(file, envFile({ apiEdge: edge }));
    await up();
    const before = await rows();
    writeFileSync(file, envFile({ apiEdge: edge }).replace('sleep 600', 'sleep 610'));
    const { applied } = await apply();
    expect(applied.map((a) => `${a.name} ${a.action}`)).toEqual(['db restarted', 'api restarted', 'web kept', 'worker kept']);
    expect(applied[1]!.why).toBe('it depends on db (restart: true), which restarted');
    await waitFor(() => allRunning(['db', 'api', 'web', 'worker']), 'every task running again', SLOW);
    const after = await rows();
    expect(after.db!.pid).not.toBe(before.db!.pid);
    expect(after.api!.pid).not.toBe(before.api!.pid);
    expect([after.web!.pid, after.worker!.pid]).toEqual([before.web!.pid, before.worker!.pid]);
    // After it: api's new run began once db's had.
    expect(Date.parse(after.api!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(after.db!.startedAt!));
    expect(Date.parse(after.db!.startedAt!)).toBeGreaterThan(Date.parse(before.api!.startedAt!));
  });

  it('takes turns: two applies of the same change at once restart the task once', async () => {
    // api takes 3 s to stop: the second apply arrives while the first is still at it.
    const slowStop = (n: number) => JSON.stringify(`trap 'sleep 3; exit 0' TERM; sleep ${n} & wait`);
    writeFileSync(file, envFile({ api: slowStop(601) }));
    await up();
    const before = await pidsOf();
    writeFileSync(file, envFile({ api: slowStop(611) }));
    const both = await Promise.all([apply(), apply()]);
    // The second looked once the first was done: it found api already changed, and kept it.
    expect(both.map((r) => r.applied.find((a) => a.name === 'api')!.action).sort()).toEqual(['kept', 'restarted']);
    await waitFor(() => allRunning(['db', 'api', 'web', 'worker']), 'every task running', SLOW);
    const after = await rows();
    expect(after.api!.command).toBe(JSON.parse(slowStop(611)));
    expect(after.api!.pid).not.toBe(before.api);
    expect([after.db!.pid, after.web!.pid, after.worker!.pid]).toEqual([before.db, before.web, before.worker]);
  });

  it('refuses an invalid changed file with file:line:col (exit 2) and touches nothing', async () => {
    await up();
    const before = await rows();
    writeFileSync(file, envFile({ api: 'sleep 611', apiEdge: '{ db: { condition: started, restart: maybe } }' }));
    const r = await cli(home, ['orchestrate', 'app', '-f', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`corral: ${file}:7:54: tasks.api.depends_on.db.restart: restart is true (restart after it, when an applied file restarts it) or false\n`);
    // Each task as it was: the same run (pid, start, status, command); CPU and memory samples move on their own.
    expect(facts(await rows())).toEqual(facts(before));
  });

  it('up --watch-file applies the file when it is saved, and keeps running through a bad one', async () => {
    const fg = startCli(home, ['up', '-f', file, '--watch-file']);
    try {
    await waitFor(() => allRunning(['db', 'api', 'web', 'worker']), 'the environment up', SLOW);
    await waitFor(() => fg.stdout().includes(`corral: watching ${file}: each save applies it`), 'up to watch the file', SLOW);
    const before = await pidsOf();
    writeFileSync(file, envFile({ api: 'sleep 611' }));
    await waitFor(() => fg.stdout().includes('api restarted: its command changed'), "the apply in up's output", SLOW);
    await waitFor(async () => (await allRunning(['db', 'api', 'web', 'worker'])) && (await rows()).api!.command === 'sleep 611', 'api running its new command', SLOW);
    const after = await pidsOf();
    expect(after.api).not.toBe(before.api);
    expect([after.db, after.web, after.worker]).toEqual([before.db, before.web, before.worker]);
    writeFileSync(file, envFile({ api: 'sleep 611' }).replace('    command: sleep 603', '    comand: sleep 603'));
    await waitFor(() => fg.stdout().includes('was not applied'), "the refusal in up's output", SLOW);
    expect(fg.stdout(), fg.stdout()).toContain(`corral: ${file}:12:5: unknown key "comand"; did you mean "command"?`);
    expect(await pidsOf()).toEqual(after);
    } finally {
      fg.child.kill('SIGINT');
    }
    const done = await fg.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/app is down/);
  });
});
