/**
 * Finding the monitors of a home's tasks with no record of them: by what only a monitor
 * carries (the native one's stdout, the sh one's exit file), never another home's.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths, taskExitFile, taskLogDir, type HomePaths } from '../../src/home.js';
import { findMonitors } from '../../src/process/find-monitors.js';
import { shLauncher, type Launcher } from '../../src/process/monitor.js';
import { NativeSpawner, SPAWNER_PATH } from '../../src/process/spawner.js';
import { killAll } from '../helpers.js';

let paths: HomePaths;
let other: HomePaths;
const started: number[] = [];
const spawners: NativeSpawner[] = [];
beforeEach(() => {
  paths = homePaths(mkdtempSync(join(tmpdir(), 'corral-find-')));
  other = homePaths(mkdtempSync(join(tmpdir(), 'corral-find-')));
  for (const p of [paths, other]) for (const dir of [p.logs, p.run]) mkdirSync(dir, { recursive: true });
});
afterEach(async () => {
  for (const spawner of spawners.splice(0)) spawner.close();
  await killAll(started.splice(0));
  for (const p of [paths, other]) rmSync(p.home, { recursive: true, force: true });
});

/** A task started as the daemon starts it: under a monitor, with its id and token in its environment. */
async function launch(launcher: Launcher, home: HomePaths, id: string, command: string) {
  const { started: ready } = launcher.launch({
    command,
    cwd: home.home,
    env: { PATH: process.env.PATH!, MARK: 'x', CORRAL_TASK: id, CORRAL_TASK_TOKEN: `token-${id}` },
    logDir: taskLogDir(home, id),
    exitFile: taskExitFile(home, id),
    umask: '022',
  });
  const s = await ready;
  started.push(s.commandPid, s.monitorPid);
  return s;
}

const launchers: [string, () => Launcher][] = [
  ['the native spawner', () => {
    const spawner = new NativeSpawner(SPAWNER_PATH);
    spawners.push(spawner);
    return spawner;
  }],
  ['the sh monitor', () => shLauncher],
];

describe.each(launchers)('findMonitors, with %s', (_, make) => {
  it('finds the monitor of a task by id, with its command, folder and environment, and never another home\'s', async () => {
    const launcher = make();
    const mine = await launch(launcher, paths, 'bash_3', 'sleep 30');
    const theirs = await launch(launcher, other, 'bash_3', 'sleep 31');
    await launch(launcher, paths, 'bash_4', 'echo hi; sleep 32');

    const found = findMonitors(paths, new Set(['bash_3', 'bash_4', 'bash_5']));
    expect([...found.keys()].sort()).toEqual(['bash_3', 'bash_4']);
    expect(found.get('bash_3')).toMatchObject({
      monitorPid: mine.monitorPid,
      pid: mine.commandPid,
      token: 'token-bash_3',
      command: 'sleep 30',
      cwd: paths.home,
      env: { PATH: process.env.PATH!, MARK: 'x' },
    });
    expect(found.get('bash_4')!.command).toBe('echo hi; sleep 32');
    expect(findMonitors(other, new Set(['bash_3'])).get('bash_3')!.pid).toBe(theirs.commandPid);
    // Only the ids asked about.
    expect(findMonitors(paths, new Set(['bash_4'])).has('bash_3')).toBe(false);
  });
});

