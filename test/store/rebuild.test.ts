/**
 * Rebuilding from the home what the state file does not hold: running tasks re-adopted,
 * ended ones from their exit files, log folders with neither, no id given twice, and the
 * sentence that says what it cost.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths, taskExitFile, taskLogDir, type HomePaths } from '../../src/home.js';
import { NativeSpawner, SPAWNER_PATH } from '../../src/process/spawner.js';
import { rebuildFromHome, type Rebuilt } from '../../src/store/rebuild.js';
import { describeRecovery } from '../../src/store/recovery.js';
import { Store } from '../../src/store/store.js';
import { killAll } from '../helpers.js';

let paths: HomePaths;
const started: number[] = [];
const spawners: NativeSpawner[] = [];
beforeEach(() => {
  paths = homePaths(mkdtempSync(join(tmpdir(), 'corral-rebuild-')));
  for (const dir of [paths.logs, paths.run]) mkdirSync(dir, { recursive: true });
});
afterEach(async () => {
  for (const spawner of spawners.splice(0)) spawner.close();
  await killAll(started.splice(0));
  rmSync(paths.home, { recursive: true, force: true });
});

/** A task started as the daemon starts it: under a monitor, with its id and token in its environment. */
async function launch(id: string, command: string) {
  const spawner = new NativeSpawner(SPAWNER_PATH);
  spawners.push(spawner);
  const { started: ready } = spawner.launch({
    command,
    cwd: paths.home,
    env: { PATH: process.env.PATH!, MARK: 'x', CORRAL_TASK: id, CORRAL_TASK_TOKEN: `token-${id}` },
    logDir: taskLogDir(paths, id),
    exitFile: taskExitFile(paths, id),
    umask: '022',
  });
  const s = await ready;
  started.push(s.commandPid, s.monitorPid);
  return s;
}

describe('rebuildFromHome', () => {
  const folder = (id: string) => mkdirSync(taskLogDir(paths, id), { recursive: true });
  const exit = (id: string, status: string) => writeFileSync(taskExitFile(paths, id), status);

  it('re-adopts what runs, ends what has an exit file, says unknown of the rest, and moves the counter past them all', async () => {
    const store = await Store.open(paths.state);
    const running = await launch('bash_2', 'sleep 30');
    folder('bash_3');
    exit('bash_3', '3\n');
    folder('bash_5');
    exit('bash_7', '143\n');
    const rebuilt = rebuildFromHome(paths, store, new Map([['bash_5', { name: 'web', command: 'make serve' }], ['bash_9', { name: 'gone' }]]), Date.now());

    expect(rebuilt).toEqual({ running: ['bash_2'], ended: ['bash_3', 'bash_7'], unknown: ['bash_5'], lost: ['bash_9'], found: [], nextId: 8 });
    expect(store.task('bash_2')).toMatchObject({ status: 'running', process: { pid: running.commandPid, monitorPid: running.monitorPid, token: 'token-bash_2' } });
    expect(store.task('bash_2')!.spec).toMatchObject({ command: 'sleep 30', cwd: paths.home, restart: { policy: 'no' } });
    expect(store.task('bash_3')).toMatchObject({ status: 'failed', exitCode: 3, reason: 'exit 3', spec: { command: '(unknown)' } });
    expect(store.task('bash_7')).toMatchObject({ status: 'failed', signal: 'SIGTERM', reason: 'SIGTERM' });
    expect(store.task('bash_5')).toMatchObject({ status: 'failed', name: 'web', exitCode: null, reason: expect.stringMatching(/^exit status unknown/), spec: { command: 'make serve' } });
    expect(store.allocateId()).toBe('bash_8');
  });

  it('finds the process of a task the state had as starting without one', async () => {
    const store = await Store.open(paths.state);
    const base = { name: null, env: null, dependsOn: [], background: true, reason: null, process: null, exitCode: null, signal: null, restarts: 0, health: null, createdAt: new Date().toISOString(), startedAt: null, endedAt: null, restartAt: null };
    const spec = { command: 'sleep 30', cwd: paths.home, env: {} } as never;
    store.put({ ...base, id: 'bash_1', status: 'starting', spec });
    store.put({ ...base, id: 'bash_2', status: 'starting', spec });
    store.put({ ...base, id: 'bash_3', status: 'starting', spec });
    const running = await launch('bash_1', 'sleep 30');
    folder('bash_2');
    exit('bash_2', '0\n');
    folder('bash_3');
    const rebuilt = rebuildFromHome(paths, store, new Map(), Date.now());
    expect(rebuilt).toMatchObject({ found: ['bash_1', 'bash_2'], running: [], nextId: 4 });
    expect(store.task('bash_1')).toMatchObject({ status: 'running', process: { pid: running.commandPid } });
    expect(store.task('bash_2')).toMatchObject({ status: 'completed', exitCode: 0 });
    // Nothing says what became of it: the daemon calls it lost, as before.
    expect(store.task('bash_3')).toMatchObject({ status: 'starting', process: null });
  });

  it('leaves a sound home as it is, and says nothing', async () => {
    const store = await Store.open(paths.state);
    const rebuilt = rebuildFromHome(paths, store, new Map(), Date.now());
    expect(rebuilt).toEqual({ running: [], ended: [], unknown: [], lost: [], found: [], nextId: null });
    expect(describeRecovery(null, rebuilt)).toBeNull();
  });
});

describe('describeRecovery', () => {
  const none: Rebuilt = { running: [], ended: [], unknown: [], lost: [], found: [], nextId: null };

  it('says in one sentence what a damaged file cost and what the home gave back', () => {
    const damage = { keptAs: '/h/state.json.damaged-1', unreadable: 'not JSON', badRecords: new Map(), repaired: [] };
    expect(describeRecovery(damage, { ...none, running: ['bash_1'], ended: ['bash_2', 'bash_3'], unknown: ['bash_4'], nextId: 5 })).toBe(
      'the state file could not be read (not JSON) and is kept as /h/state.json.damaged-1; rebuilt from the home: 1 task still running, re-adopted (bash_1), ' +
        '2 tasks ended, with their exit status (bash_2, bash_3), 1 task ended, exit status unknown (bash_4) (their env-file environments and policies are not known); new ids start at bash_5.',
    );
    expect(describeRecovery(damage, none)).toBe('the state file could not be read (not JSON) and is kept as /h/state.json.damaged-1; no task was found in the home.');
    // A full disk may leave no room for a copy: the sentence says so.
    expect(describeRecovery({ ...damage, keptAs: null }, none)).toBe('the state file could not be read (not JSON) and could not be kept; no task was found in the home.');
  });

  it('names what a partly damaged file lost, and cuts long lists of ids', () => {
    const damage = { keptAs: '/h/k', unreadable: null, badRecords: new Map([['bash_2', {}]]), repaired: ['the id counter', 'the read cursors'] };
    const lost = Array.from({ length: 7 }, (_, i) => `bash_${i + 10}`);
    expect(describeRecovery(damage, { ...none, lost })).toBe(
      'the state file had 1 unreadable task record (bash_2), a damaged id counter, damaged read cursors (a copy is kept as /h/k); its other records are kept; ' +
        'lost: 7 tasks of which the home holds nothing (bash_10, bash_11, bash_12, bash_13, bash_14 and 2 more); `logs --new` reads those tasks from the start again.',
    );
  });

  it('says when a sound file was behind the home', () => {
    expect(describeRecovery(null, { ...none, nextId: 12 })).toBe('the state file was behind the home; new ids start at bash_12.');
  });
});
