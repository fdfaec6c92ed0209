/**
 * A damaged or stale state file never loses a running task: the daemon rebuilds what the
 * home holds (log folders, exit files, monitors still running), re-adopts what runs, gives
 * no id whose log folder exists, and says once what it recovered.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, isRunning, makeHome, waitFor } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

const statePath = () => join(home, 'state.json');
const state = () => JSON.parse(readFileSync(statePath(), 'utf8'));
const stdoutOf = (id: string) => readFileSync(join(home, 'logs', id, 'stdout.log'), 'utf8');

/** A task that says it started and then runs until stopped; its pid once it has said so. */
async function startTask(options: { name?: string; env?: Record<string, string> } = {}): Promise<{ id: string; pid: number }> {
  const r = await cli(home, ['run', ...(options.name ? ['--name', options.name] : []), '--', 'echo started; exec sleep 60'], { env: options.env ?? {} });
  expect(r.code, r.stderr).toBe(0);
  const id = r.stdout.trim();
  await waitFor(() => stdoutOf(id).includes('started'), `${id} to start`);
  return { id, pid: state().tasks[id].process.pid };
}

/** The state file replaced while no daemon runs, its tasks running on. */
async function replaceState(text: string): Promise<void> {
  await sigkillDaemon(home);
  writeFileSync(statePath(), text);
}

/**
 * What every test asserts after the damage: the task is known as running, is stopped by
 * `kill --all` (or `daemon stop`), and its id is not given again.
 */
async function expectReadopted(task: { id: string; pid: number }, next: string, stop: string[] = ['kill', '--all', '--grace', '2s']): Promise<void> {
  const listed = await cli(home, ['ls', '--json']);
  expect(listed.code).toBe(0);
  const view = JSON.parse(listed.stdout).find((t: { id: string }) => t.id === task.id);
  expect(view).toMatchObject({ status: 'running', pid: task.pid });
  // Its log is read as before.
  expect((await cli(home, ['logs', task.id])).stdout).toContain('started');

  const stopped = await cli(home, stop);
  expect(stopped.code, stopped.stderr).toBe(0);
  expect(stopped.stdout).toMatch(new RegExp(`${task.id}\\b`));
  await waitFor(() => !isRunning(task.pid), 'the task to be stopped');

  const run = await cli(home, ['run', '--', 'echo fresh']);
  expect(run.stdout.trim()).toBe(next);
  expect((await cli(home, ['wait', next])).code).toBe(0);
  expect(stdoutOf(next)).toBe('fresh\n');
  expect(stdoutOf(task.id)).not.toContain('fresh');
}

// Each test makes a dozen calls of the CLI, which a loaded machine can take a second each to answer.
describe('a damaged state file', { timeout: 60_000 }, () => {
  it('that is not JSON: the running task is re-adopted, and the first command says so once', async () => {
    const task = await startTask();
    await replaceState('garbage\n');

    const first = await cli(home, ['ls']);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^corral: the state file could not be read \(not JSON\) and is kept as .*state\.json\.damaged-\d+; rebuilt from the home: 1 task still running, re-adopted \(bash_1\).*; new ids start at bash_2\.\n$/);
    // The command line is what runs now: the shell exec'd sleep.
    expect(first.stdout).toMatch(/bash_1 .* running .*sleep 60\n/);
    expect((await cli(home, ['ls'])).stderr).toBe('');
    expect(readdirSync(home).filter((f) => f.startsWith('state.json.damaged-'))).toHaveLength(1);
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toContain('rebuilt from the home: 1 task still running, re-adopted (bash_1)');

    await expectReadopted(task, 'bash_2');
  });

  it('of the wrong shape: the task is re-adopted, and daemon stop stops it', async () => {
    const task = await startTask();
    await replaceState('{"version":1,"nextId":"x","tasks":5}');
    const status = await cli(home, ['status', task.id, '--json']);
    expect(status.stderr).toMatch(/its tasks are not a table.*re-adopted \(bash_1\)/);
    expect(JSON.parse(status.stdout).status).toBe('running');
    await expectReadopted(task, 'bash_2', ['daemon', 'stop']);
  });

  it('of the wrong shape: kill --all stops the re-adopted task, and the next id is fresh', async () => {
    const task = await startTask();
    await replaceState('{"version":1,"nextId":"x","tasks":5}');
    await expectReadopted(task, 'bash_2');
  });

  it('with one bad record keeps the good ones and rebuilds the bad one from the home', async () => {
    const good = await startTask({ name: 'good' });
    const bad = await startTask({ name: 'bad' });
    await sigkillDaemon(home);
    const s = state();
    s.tasks[bad.id].process.pid = 'x';
    s.cursors = 7;
    writeFileSync(statePath(), JSON.stringify(s));

    const first = await cli(home, ['ls', '--json']);
    expect(first.stderr).toMatch(/the state file had 1 unreadable task record \(bash_2\), damaged read cursors \(a copy is kept as .*\); its other records are kept; rebuilt from the home: 1 task still running, re-adopted \(bash_2\)/);
    const views = JSON.parse(first.stdout);
    // The good record keeps everything; the bad one keeps the name that could still be read.
    expect(views.map((v: { id: string; name: string; status: string; pid: number }) => [v.id, v.name, v.status, v.pid])).toEqual([
      [good.id, 'good', 'running', good.pid],
      [bad.id, 'bad', 'running', bad.pid],
    ]);
    expect((await cli(home, ['kill', 'bad', '--grace', '2s'])).code).toBe(0);
    expect(isRunning(bad.pid)).toBe(false);
    expect(isRunning(good.pid)).toBe(true);
    expect((await cli(home, ['kill', 'good', '--grace', '2s'])).code).toBe(0);
    expect(isRunning(good.pid)).toBe(false);
  });

  it('re-adopts a task started under the sh monitor too', async () => {
    const task = await startTask({ env: { CORRAL_MONITOR: 'sh' } });
    await replaceState('');
    await expectReadopted(task, 'bash_2');
  });

  it('shows a task that ended meanwhile with the exit its exit file holds', async () => {
    const go = join(home, 'go');
    await cli(home, ['run', '--', `echo started; while [ ! -e ${go} ]; do sleep 0.05; done; exit 3`]);
    await waitFor(() => stdoutOf('bash_1').includes('started'), 'the task to start');
    await replaceState('garbage');
    writeFileSync(go, '');
    await waitFor(() => readdirSync(join(home, 'run')).includes('bash_1.exit'), 'the exit file');
    const view = await cliJson(home, ['status', 'bash_1']);
    expect(view).toMatchObject({ status: 'failed', exitCode: 3, reason: 'exit 3', command: '(unknown)' });
  });
});

describe('a state file behind the home', { timeout: 60_000 }, () => {
  it('re-adopts a running task it has no record of, and gives no id whose log folder exists', async () => {
    const task = await startTask();
    await sigkillDaemon(home);
    // As a write the full disk refused would leave it: the task never made it to the file.
    writeFileSync(statePath(), JSON.stringify({ version: 1, nextId: 1, tasks: {}, cursors: {} }));
    const first = await cli(home, ['ls']);
    expect(first.stderr).toMatch(/^corral: the state file was behind the home; rebuilt from the home: 1 task still running, re-adopted \(bash_1\).*; new ids start at bash_2\.\n$/);
    await expectReadopted(task, 'bash_2');
  });
});

describe('a state file whose dependencies make a cycle', { timeout: 60_000 }, () => {
  /**
   * `db` and `api` running, each depending on the other, and `w` waiting for itself (and
   * for a gate that never opens): edges no env file is let through with, as a state file of
   * an older corral could hold them. Returns the pids of the tasks that run.
   */
  async function cyclicState(): Promise<number[]> {
    const file = join(home, 'corral.yaml');
    writeFileSync(
      file,
      `tasks:\n  db: { command: sleep 60 }\n  api: { command: sleep 60, depends_on: [db] }\n  gate: { command: sleep 60, health: { file: ${join(home, 'never')} } }\n  w: { command: sleep 60, depends_on: [gate] }\n`,
    );
    expect((await cli(home, ['orchestrate', 'dev', '-f', file])).code).toBe(0);
    const tasks = await waitFor(async () => {
      const all = await cliJson<any[]>(home, ['ls']);
      return all.filter((t) => t.status === 'running').length === 3 ? all : null;
    }, 'the environment to run');
    await sigkillDaemon(home);
    const saved = state();
    const edge = (on: string) => ({ on, condition: 'started', timeoutMs: 300_000 });
    saved.tasks.bash_1.dependsOn = [edge('api')];
    saved.tasks.bash_4.dependsOn = [edge('w'), edge('gate')];
    writeFileSync(statePath(), JSON.stringify(saved));
    return tasks.filter((t) => t.pid !== null).map((t) => t.pid);
  }

  it('kill --all stops every task', async () => {
    const pids = await cyclicState();
    expect((await cliJson<any[]>(home, ['ls'])).map((t) => t.status)).toEqual(['running', 'running', 'running', 'waiting']);
    const killed = await cli(home, ['kill', '--all', '--grace', '2s']);
    expect(killed.code, killed.stderr).toBe(0);
    expect((await cliJson<any[]>(home, ['ls'])).map((t) => t.status)).toEqual(['killed', 'killed', 'killed', 'killed']);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });

  it('daemon stop stops every task and the daemon, promptly', async () => {
    const pids = await cyclicState();
    const { pid: daemon } = await cliJson(home, ['daemon', 'status']);
    const t0 = Date.now();
    const stopped = await cli(home, ['daemon', 'stop']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(isRunning(daemon)).toBe(false);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });
});
