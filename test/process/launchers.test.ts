/**
 * The contract both monitors keep (the native spawner, and the sh monitor used where no C
 * compiler was found): the command in its own session with default signals and the
 * user's umask, its pid and where its output starts, signals passed on, and its exit
 * status in the exit file, whoever is watching.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT_PLACEHOLDER, parseExitStatus, readExitFile, shLauncher, type Launcher, type SpawnRequest } from '../../src/process/monitor.js';
import { NativeSpawner, SPAWNER_PATH, createLauncher } from '../../src/process/spawner.js';
import { isAlive, readStat } from '../../src/process/procfs.js';
import { killAll, waitFor } from '../helpers.js';

let dir: string;
const started: number[] = [];
/** Spawners a test made: closed after it, whether it passed or not. */
const spawners: NativeSpawner[] = [];
const newSpawner = () => {
  const spawner = new NativeSpawner(SPAWNER_PATH);
  spawners.push(spawner);
  return spawner;
};
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corral-launch-'));
});
afterEach(async () => {
  for (const spawner of spawners.splice(0)) spawner.close();
  await killAll(started.splice(0));
  rmSync(dir, { recursive: true, force: true });
});

function request(command: string, more: Partial<SpawnRequest> = {}): SpawnRequest {
  return {
    command,
    cwd: dir,
    env: { PATH: process.env.PATH!, GREETING: 'hello there' },
    logDir: join(dir, 'logs'),
    exitFile: join(dir, 'task.exit'),
    umask: '027',
    ...more,
  };
}

const log = (stream: 'stdout' | 'stderr') => readFileSync(join(dir, 'logs', `${stream}.log`), 'utf8');
const exitStatus = () => parseExitStatus(readFileSync(join(dir, 'task.exit'), 'latin1'));

describe('the launcher chosen', () => {
  it('is the native spawner on this machine (the build compiled it), unless CORRAL_MONITOR=sh', () => {
    expect(createLauncher({})).toBeInstanceOf(NativeSpawner);
    expect(createLauncher({ CORRAL_MONITOR: 'sh' })).toBe(shLauncher);
  });

  it('is the sh monitor when the spawner is missing, does not run here, or speaks another protocol', () => {
    expect(createLauncher({}, join(dir, 'missing'))).toBe(shLauncher);
    const notRunnable = join(dir, 'garbage');
    writeFileSync(notRunnable, 'not a program', { mode: 0o755 });
    expect(createLauncher({}, notRunnable)).toBe(shLauncher);
    const otherProtocol = join(dir, 'other');
    writeFileSync(otherProtocol, '#!/bin/sh\necho 0\n', { mode: 0o755 });
    const warnings: string[] = [];
    expect(createLauncher({}, otherProtocol, (why) => warnings.push(why))).toBe(shLauncher);
    expect(warnings).toEqual([`${otherProtocol} does not run here or speaks another protocol (rebuild it with npm run build): tasks start under the sh monitor`]);
  });
});

describe.each([
  ['native spawner', newSpawner],
  ['sh monitor', () => shLauncher],
])('the %s', (name, make: () => Launcher) => {
  let launcher: Launcher;
  beforeEach(() => {
    launcher = make();
  });

  it('starts the command in its own session with default signals, the umask and environment it was given', async () => {
    const script = [
      'echo "$GREETING"',
      'umask',
      'cut -d" " -f6 /proc/self/stat',
      'grep -E "^Sig(Ign|Blk)" /proc/self/status',
      'echo oops >&2',
      'exit 3',
    ].join('; ');
    const launch = launcher.launch(request(script));
    const s = await launch.started;
    expect((await launch.ended).how).toBe('exited');
    expect(exitStatus()).toEqual({ exitCode: 3, signal: null });
    const [greeting, umask, sid, blk, ign] = log('stdout').trim().split('\n');
    expect(greeting).toBe('hello there');
    expect(umask).toBe('0027');
    expect(Number(sid)).toBe(s.commandPid);
    expect(ign).toBe('SigIgn:\t0000000000000000');
    expect(blk).toBe('SigBlk:\t0000000000000000');
    expect(log('stderr')).toBe('oops\n');
    expect(s.monitorPid).not.toBe(s.commandPid);
  });

  it('runs a simple command itself, not under a shell, and passes a signal sent to the monitor on to it', async () => {
    const launch = launcher.launch(request('sleep 30'));
    const s = await launch.started;
    started.push(s.commandPid, s.monitorPid);
    // (the sh monitor gets there through env and setsid, each exec'ing the next)
    await waitFor(() => readFileSync(`/proc/${s.commandPid}/comm`, 'latin1').trim() === 'sleep', 'the command to be sleep');
    process.kill(s.monitorPid, 'SIGTERM');
    expect((await launch.ended).how).toBe('exited');
    expect(exitStatus()).toEqual({ exitCode: null, signal: 'SIGTERM' });
    expect(isAlive(s.commandPid, readStat(s.commandPid)?.start ?? -1)).toBe(false);
  });

  it('says where the new output starts, and puts stderr into stdout.log when combined', async () => {
    const first = launcher.launch(request('echo one; echo two >&2', { combined: true }));
    expect((await first.started).logStart).toEqual({ stdout: 0, stderr: 0 });
    await first.ended;
    const second = launcher.launch(request('echo three', { combined: true }));
    expect((await second.started).logStart.stdout).toBe(8);
    await second.ended;
    expect(log('stdout')).toBe('one\ntwo\nthree\n');
  });

  it('names a command that does not exist in the task stderr, and does not start it', async () => {
    const launch = launcher.launch(request('no-such-command-here --flag'));
    if (name === 'native spawner') {
      // The spawner waits for the exec: a program that never ran was never started.
      await expect(launch.started).rejects.toThrow(/^no-such-command-here: not found$/);
    } else {
      // The sh monitor only learns it from the exit status, as a shell does.
      await launch.started;
      await launch.ended;
      expect(exitStatus()).toEqual({ exitCode: 127, signal: null });
    }
    expect(log('stderr')).toMatch(/no-such-command-here.*not found/);
  });

  it('refuses a working folder that does not exist, naming it, and starts nothing', async () => {
    const missing = join(dir, 'nowhere');
    const launch = launcher.launch(request('echo hi', { cwd: missing }));
    await expect(launch.started).rejects.toThrow(`cannot use ${missing} as the working folder: No such file or directory`);
  });

  it('reserves the exit file while the command runs (read as no exit yet) and writes the status over it', async () => {
    const launch = launcher.launch(request('sleep 30'));
    const s = await launch.started;
    started.push(s.commandPid, s.monitorPid);
    expect(readFileSync(join(dir, 'task.exit'), 'latin1')).toBe(EXIT_PLACEHOLDER);
    expect(readExitFile(join(dir, 'task.exit'))).toBeNull();
    process.kill(s.commandPid, 'SIGTERM');
    expect(await launch.ended).toEqual({ how: 'exited', status: 143 });
    expect(readExitFile(join(dir, 'task.exit'))).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  });

  it('passes the status on when the disk has no room for the exit file (/dev/full), and a killed monitor says it has none', async () => {
    const full = launcher.launch(request('exit 3', { exitFile: '/dev/full' }));
    await full.started;
    expect(await full.ended).toEqual({ how: 'exited', status: 3 });
    const killed = launcher.launch(request('sleep 30'));
    const s = await killed.started;
    started.push(s.commandPid, s.monitorPid);
    process.kill(s.monitorPid, 'SIGKILL');
    expect(await killed.ended).toEqual({ how: 'exited', status: null });
  });

  it('gives the command the nice level and io class asked for', async () => {
    const launch = launcher.launch(request('sh -c "cut -d\\" \\" -f19 /proc/self/stat; ionice"', { priority: { nice: 7, ionice: { class: 'idle', level: null } } }));
    await launch.started;
    await launch.ended;
    expect(log('stdout')).toBe('7\nidle\n');
  });
});

describe('the native spawner', () => {
  it('leaves its tasks running when it ends, and says their news is lost', async () => {
    const spawner = newSpawner();
    const launch = spawner.launch(request('sleep 30'));
    const s = await launch.started;
    started.push(s.commandPid, s.monitorPid);
    const spawnerPid = readStat(s.monitorPid)!.ppid;
    process.kill(spawnerPid, 'SIGKILL');
    expect((await launch.ended).how).toBe('lost');
    expect(isAlive(s.commandPid, readStat(s.commandPid)!.start)).toBe(true);
    // A new spawner is started for the next task.
    const next = spawner.launch(request('true', { exitFile: join(dir, 'next.exit') }));
    expect(readStat((await next.started).monitorPid)?.ppid).not.toBe(spawnerPid);
    expect((await next.ended).how).toBe('exited');
    // The lost task still writes its exit file.
    process.kill(s.commandPid, 'SIGTERM');
    await waitFor(() => {
      try {
        return exitStatus();
      } catch {
        return null;
      }
    }, 'the exit file');
    expect(exitStatus()).toEqual({ exitCode: null, signal: 'SIGTERM' });
  });

  it('refuses a NUL byte in a command or its environment', async () => {
    const spawner = newSpawner();
    await expect(spawner.launch(request('echo a\0b')).started).rejects.toThrow(/NUL byte/);
  });

  it('starts many tasks at once, each answered with its own pids', async () => {
    const spawner = newSpawner();
    const launches = Array.from({ length: 40 }, (_, i) =>
      spawner.launch(request(`echo task-${i}`, { logDir: join(dir, `l${i}`), exitFile: join(dir, `${i}.exit`) })),
    );
    const all = await Promise.all(launches.map((l) => l.started));
    expect(new Set(all.map((s) => s.commandPid)).size).toBe(40);
    await Promise.all(launches.map((l) => l.ended));
    for (let i = 0; i < 40; i++) expect(readFileSync(join(dir, `l${i}`, 'stdout.log'), 'utf8')).toBe(`task-${i}\n`);
  });
});
