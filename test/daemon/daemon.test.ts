import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/daemon/lock.js';
import { readExitFile } from '../../src/process/monitor.js';
import { cleanupHome, cli, cliJson, FIXTURES, isRunning, makeHome, processesOf, treePids, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

const daemonsOf = (home: string) =>
  processesOf(home).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('daemon/main.js'));
const daemonPid = async (): Promise<number> => (await cliJson(home, ['daemon', 'status'])).pid;

describe('the daemon', () => {
  it('starts exactly one daemon for 20 concurrent calls, which get 20 unique ids', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => cli(home, ['run', '--', 'sleep 30'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const ids = results.map((r) => r.stdout.trim());
    expect(new Set(ids).size).toBe(20);
    expect([...ids].sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))).toEqual(
      Array.from({ length: 20 }, (_, i) => `bash_${i + 1}`),
    );
    // Should a second daemon have started in a rare race, it loses the home lock and exits.
    const daemons = await waitFor(() => {
      const found = daemonsOf(home);
      return found.length === 1 ? found : null;
    }, 'exactly one daemon').catch(() => daemonsOf(home));
    expect(daemons).toEqual([await daemonPid()]);
  });

  it('waits for the client that is starting the daemon, and takes over if that client goes', async () => {
    // The test holds the start lock, as a client would that started a daemon and died.
    const lock = await acquireLock(home, 'start');
    expect(lock).not.toBeNull();
    const call = cli(home, ['run', '--', 'sleep 30']);
    const heldUntil = Date.now() + 1_000;
    while (Date.now() < heldUntil) {
      expect(daemonsOf(home)).toEqual([]);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => lock!.close(r));
    const result = await call;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('bash_1');
    expect(daemonsOf(home)).toEqual([await daemonPid()]);
  });

  it('loses no byte and no exit code when it is killed with SIGKILL mid-run', async () => {
    // A line every 5 ms, on until the test creates `go` (once the daemon is dead), then exit 4.
    const go = join(home, 'go');
    await cli(home, ['run', '--', 'node', join(FIXTURES, 'print-lines.js'), '100', '5', '4', go]);
    const first = await daemonPid();
    const log = join(home, 'logs/bash_1/stdout.log');
    await waitFor(() => existsSync(log) && statSync(log).size > 0, 'output');
    process.kill(first, 'SIGKILL');
    await waitFor(() => !isRunning(first), 'the daemon to die');
    const task = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')).tasks.bash_1;
    // The task ran through the kill: alive with its daemon gone, and still writing.
    expect(isRunning(task.process.pid)).toBe(true);
    const atDeath = statSync(log).size;
    await waitFor(() => statSync(log).size > atDeath, 'output written with no daemon');
    writeFileSync(go, '');
    await waitFor(() => !isRunning(task.process.pid), 'the task to end', 15_000);
    const exitFile = join(home, 'run/bash_1.exit');
    // (The file is there from the start, reserved; the status is written over it at the end.)
    const endedAt = await waitFor(() => readExitFile(exitFile)?.at, 'the exit status');
    // Let time pass before the next daemon looks, so that "when it ended" and "when we looked" differ.
    await waitFor(() => Date.now() > endedAt + 300, 'time to pass');

    // The next call starts a new daemon, which learns how the task ended, and when.
    const status = await cliJson(home, ['status', 'bash_1']);
    expect(await daemonPid()).not.toBe(first);
    expect(status).toMatchObject({ status: 'failed', exitCode: 4, reason: 'exit 4' });
    expect(Date.parse(status.endedAt)).toBe(endedAt);
    // Every byte the task wrote, before, during and after the daemon's death, in order.
    const out = (await cli(home, ['logs', 'bash_1', '--stream', 'stdout'])).stdoutBytes.toString('latin1');
    const lines = out.split('\n').length - 1;
    expect(lines).toBeGreaterThanOrEqual(100);
    const expected = Array.from({ length: lines }, (_, i) => `line ${i + 1} ${'x'.repeat((i + 1) % 50)}\n`).join('');
    expect(out).toBe(expected);
    expect((await cli(home, ['logs', 'bash_1', '--stream', 'stderr'])).stdout).toBe('');
  });

  it('re-adopts a live task after a restart of the daemon, and still stops its tree', async () => {
    // A child that ignores SIGTERM and a grandchild that left the session with setsid.
    const pidFile = join(home, 'pids');
    await cli(home, ['run', '--name', 'srv', '--grace', '500ms', '--', 'sh', join(FIXTURES, 'tree.sh'), pidFile]);
    const { stubborn, escaped } = await treePids(pidFile);
    const before = await cliJson(home, ['status', 'srv']);
    const first = await daemonPid();
    process.kill(first, 'SIGKILL');
    await waitFor(() => !isRunning(first), 'the daemon to die');
    for (const pid of [before.pid, stubborn, escaped]) expect(isRunning(pid)).toBe(true);

    const after = await cliJson(home, ['status', 'srv']);
    expect(await daemonPid()).not.toBe(first);
    expect(after).toMatchObject({ id: 'bash_1', status: 'running', pid: before.pid, startedAt: before.startedAt });
    const [killed] = await cliJson<any[]>(home, ['kill', 'srv']);
    expect(killed).toMatchObject({ status: 'killed', reason: 'SIGKILL after 500ms grace' });
    // kill returns once the whole tree is gone.
    expect([before.pid, stubborn, escaped].filter(isRunning)).toEqual([]);
  });

  it('keeps tasks, ids and cursors across a daemon restart', async () => {
    await cli(home, ['run', '--', 'echo a; echo b']);
    await cli(home, ['run', '--name', 'keep', '--', 'sleep 60']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    expect((await cliJson(home, ['logs', 'bash_1', '--new', '--stream', 'stdout'])).stdout.data).toBe('a\nb\n');

    // SIGTERM makes the daemon exit and leave the tasks running.
    const first = await daemonPid();
    process.kill(first, 'SIGTERM');
    await waitFor(() => !isRunning(first), 'the daemon to exit');
    expect(isRunning((await JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'))).tasks.bash_2.process.pid)).toBe(true);

    const tasks = await cliJson<any[]>(home, ['ls']);
    expect(tasks.map((t) => [t.id, t.status])).toEqual([
      ['bash_1', 'completed'],
      ['bash_2', 'running'],
    ]);
    expect((await cliJson(home, ['logs', 'bash_1', '--new', '--stream', 'stdout'])).stdout.data).toBe('');
    expect((await cli(home, ['run', '--', 'true'])).stdout).toBe('bash_3\n');
  });

  it('reports its status as JSON and stops every task on `daemon stop`', async () => {
    await cli(home, ['run', '--', 'sleep 60']);
    const status = await cliJson(home, ['daemon', 'status']);
    expect(status).toMatchObject({ running: true, home, socket: join(home, 'corral.sock'), tasks: 1 });
    expect(typeof status.pid).toBe('number');
    expect(typeof status.startedAt).toBe('string');
    expect(status.launcher).toMatch(/^the native spawner \(.*corral-spawner\)$/);
    expect((await cli(home, ['daemon', 'status'])).stdout).toMatch(/^starts  through the native spawner/m);
    const { pid } = await cliJson(home, ['status', 'bash_1']);
    const stopped = await cliJson(home, ['daemon', 'stop']);
    expect(stopped).toMatchObject({ stopped: ['bash_1'], running: false });
    expect(isRunning(pid)).toBe(false);
    expect(isRunning(status.pid)).toBe(false);
    // Without a daemon, the status still counts the tasks the home keeps, and gives the version.
    expect(await cliJson(home, ['daemon', 'status'])).toMatchObject({ running: false, tasks: 1, version: status.version });
    expect((await cli(home, ['daemon', 'status'])).stdout).toBe(`no daemon running for ${home} (its state keeps 1 task)\n`);
  });

  it('has its spawner running before the first task, and takes it along when it stops', async () => {
    const { pid } = await cliJson(home, ['daemon', 'start']);
    const childrenOf = (parent: number) =>
      readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
        try {
          return Number(readFileSync(`/proc/${p}/stat`, 'latin1').split(') ')[1]!.split(' ')[1]) === parent;
        } catch {
          return false; // gone meanwhile
        }
      });
    const spawner = await waitFor(() => childrenOf(pid).find((p) => readFileSync(`/proc/${p}/cmdline`, 'latin1').includes('corral-spawner')), 'the spawner, before any task');
    await cliJson(home, ['daemon', 'stop']);
    await waitFor(() => !isRunning(spawner), 'the spawner to end with its daemon');
  });

  it('puts the socket in a short runtime path when the home path is too long', async () => {
    const deep = join(home, 'x'.repeat(60), 'y'.repeat(60));
    const r = await cli(deep, ['run', '--', 'true']);
    expect(r.code, r.stderr).toBe(0);
    const status = await cliJson(deep, ['daemon', 'status']);
    expect(status.socket).not.toContain(deep);
    expect(Buffer.byteLength(status.socket)).toBeLessThan(108);
    await cli(deep, ['daemon', 'stop']);
  });
});
