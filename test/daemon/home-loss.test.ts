/**
 * A home deleted under a running daemon (`rm -rf $CORRAL_HOME`), or only its socket: the
 * daemon makes them anew and goes on serving every task it holds; a client never starts a
 * second daemon beside it, and names it when it cannot reach it. `daemon stop` with no
 * daemon starts none.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectIfRunning, connectOrStart, connectToDaemon } from '../../src/client/daemon.js';
import { homePaths } from '../../src/home.js';
import { cleanupHome, cli, cliJson, isRunning, makeHome, processesOf, waitFor } from '../helpers.js';

const homes: string[] = [];
/** Folders that hold a home: removed after it. */
const parents: string[] = [];
const newHome = (home = makeHome()) => (homes.push(home), home);
const newParent = () => {
  const parent = makeHome();
  parents.push(parent);
  return parent;
};
afterEach(async () => {
  try {
    // The tests delete homes: cleanup finds the daemon and tasks by their environment, not by files.
    for (const home of homes.splice(0)) await cleanupHome(home);
  } finally {
    for (const parent of parents.splice(0)) rmSync(parent, { recursive: true, force: true });
  }
});

function daemonsOf(home: string): number[] {
  return processesOf(home).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('daemon/main.js');
    } catch {
      return false; // gone since the scan
    }
  });
}

/** A task that numbers its lines, ten a second, from `line 1`. */
const COUNTER = `i=0; while :; do i=$((i+1)); echo "line $i"; sleep 0.1; done`;

async function startCounter(home: string): Promise<{ daemon: number; pid: number }> {
  const run = await cli(home, ['run', '--', COUNTER]);
  expect(run.code, run.stderr).toBe(0);
  await waitFor(() => existsSync(join(home, 'logs/bash_1/stdout.log')) && statSync(join(home, 'logs/bash_1/stdout.log')).size > 0, 'output');
  const [daemon] = daemonsOf(home);
  const pid = (await cliJson(home, ['status', 'bash_1'])).pid as number;
  return { daemon: daemon!, pid };
}

/**
 * A client reaches the daemon within 3 s of the loss (timed in-process: a CLI call alone
 * can take over a second on a loaded machine); then the task, still the same process
 * under the same daemon, is listed and killed, and `daemon stop` ends the daemon.
 */
async function expectServedAgain(home: string, { daemon, pid }: { daemon: number; pid: number }, lostAt: number): Promise<void> {
  const rpc = await connectToDaemon(homePaths(home));
  expect(Date.now() - lostAt, 'reached within 3s of the loss').toBeLessThan(3_000);
  expect(rpc).not.toBeNull();
  rpc!.close();
  const listed = await cli(home, ['ls', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  expect(JSON.parse(listed.stdout)).toMatchObject([{ id: 'bash_1', status: 'running', pid }]);
  expect(daemonsOf(home)).toEqual([daemon]);
  expect(statSync(home).mode & 0o777).toBe(0o700);
  expect(statSync(homePaths(home).socket).mode & 0o777).toBe(0o600);

  const killed = await cli(home, ['kill', 'bash_1']);
  expect(killed.code, killed.stderr).toBe(0);
  expect(isRunning(pid)).toBe(false);
  const stop = await cli(home, ['daemon', 'stop']);
  expect(stop.stdout).toMatch(/^daemon stopped/);
  await waitFor(() => !isRunning(daemon), 'the daemon to exit');
}

/** The daemon serves its socket again within 2 s of the loss (3 s allowed for a loaded machine). */
async function expectReachable(home: string, lostAt: number): Promise<void> {
  await waitFor(() => existsSync(join(home, 'corral.sock')), 'the socket to come back', 3_000, 20);
  expect(Date.now() - lostAt).toBeLessThan(3_000);
}

describe('a home lost under a running daemon', () => {
  it('is made anew within 2s when the whole home is deleted: the task goes on, its output is kept, the state is rewritten', async () => {
    const home = newHome();
    const task = await startCounter(home);
    rmSync(home, { recursive: true, force: true });
    const lostAt = Date.now();
    await expectReachable(home, lostAt);

    // The state is on disk again, from the daemon's memory.
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
    expect(state.tasks.bash_1.status).toBe('running');
    // The output written before the deletion is back, and what follows goes on from it.
    const log = await waitFor(async () => {
      const read = await cli(home, ['logs', 'bash_1', '--stream', 'stdout']);
      const lines = read.stdout.trim().split('\n');
      return lines.length >= 30 ? lines : null;
    }, 'output from before and after the deletion');
    expect(log.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => `line ${i + 1}`));
    // The daemon's new log says what happened.
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toMatch(/the home was deleted; made it anew/);

    await expectServedAgain(home, task, Date.now());
  });

  it('serves a new socket within 2s when only the socket file is deleted, and again when it is replaced by one nobody listens on', async () => {
    const home = newHome();
    const task = await startCounter(home);
    const socket = join(home, 'corral.sock');
    rmSync(socket);
    await expectReachable(home, Date.now());
    const first = statSync(socket).ino;
    // A process that binds a path and dies leaves a socket file that refuses connections;
    // renamed over the daemon's, it replaces it at once (no moment without a socket there).
    const other = join(home, 'dead.sock');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(other)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    renameSync(other, socket);
    expect(statSync(socket).ino).not.toBe(first);
    expect(await connectIfRunning(homePaths(home))).toBeNull();
    const replacedAt = Date.now();
    // Not told apart by inode: the new socket may well reuse the dead one's number.
    await waitFor(async () => {
      const rpc = await connectIfRunning(homePaths(home));
      rpc?.close();
      return rpc !== null;
    }, 'a socket that answers', 3_000, 20);
    await expectServedAgain(home, task, replacedAt);
  });

  it('is made anew when the home is deleted and its socket lives elsewhere (a home path too long for a socket)', async () => {
    const home = newHome(join(newParent(), 'x'.repeat(100)));
    const paths = homePaths(home);
    expect(paths.socketRelocated).toBe(true);
    const task = await startCounter(home);
    rmSync(home, { recursive: true, force: true });
    const lostAt = Date.now();
    await waitFor(() => existsSync(paths.state), 'the state file to come back', 3_000, 20);
    expect(Date.now() - lostAt).toBeLessThan(3_000);
    await expectServedAgain(home, task, lostAt);
  });

  it('makes a client name the daemon at once when the daemon holds the home but cannot make it anew, and starts no other', async () => {
    // The home's parent becomes a file: nothing can be made under it until it is a folder again.
    const parent = newParent();
    const home = newHome(join(parent, 'h'));
    const { daemon, pid } = await startCounter(home);
    rmSync(parent, { recursive: true, force: true });
    writeFileSync(parent, '');
    const lostAt = Date.now();
    // The daemon says why once its first try failed (within 1.5s): the client need not wait for more.
    const failed = await connectOrStart(homePaths(home)).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(Date.now() - lostAt, 'the client gave up within 3s').toBeLessThan(3_000);
    expect(failed).toContain(`the daemon (pid ${daemon}) holds the lock of ${home} but cannot make its home or socket anew (ENOTDIR`);
    const ls = await cli(home, ['ls']);
    expect(ls.code).toBe(1);
    expect(ls.stderr.trim().split('\n')).toHaveLength(1);
    expect(ls.stderr).toContain(`the daemon (pid ${daemon}) holds the lock of ${home}`);
    expect(ls.stderr).toContain(`\`kill ${daemon}\``);
    const status = await cli(home, ['daemon', 'status']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`pid ${daemon}`);
    expect(daemonsOf(home)).toEqual([daemon]);

    // Once the home can be made again, the daemon does, and serves the task it kept.
    rmSync(parent);
    mkdirSync(parent);
    const listed = await waitFor(async () => {
      const r = await cli(home, ['ls', '--json']);
      return r.code === 0 ? JSON.parse(r.stdout) : null;
    }, 'the daemon to serve again', 10_000, 100);
    expect(listed).toMatchObject([{ id: 'bash_1', status: 'running', pid }]);
  });
});

describe('daemon stop and status without a daemon', () => {
  it('start nothing when the state keeps no live task, and say that no daemon runs', async () => {
    const home = newHome();
    expect((await cli(home, ['run', '--', 'true'])).code).toBe(0);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'the task to end');
    expect((await cli(home, ['daemon', 'stop'])).stdout).toMatch(/^daemon stopped/);
    await waitFor(() => daemonsOf(home).length === 0, 'the daemon to exit');

    const stop = await cli(home, ['daemon', 'stop']);
    expect(stop).toMatchObject({ code: 0, stdout: `no daemon running for ${home}\n` });
    const status = await cli(home, ['daemon', 'status']);
    expect(status).toMatchObject({ code: 0, stdout: `no daemon running for ${home} (its state keeps 1 task)\n` });
    expect(JSON.parse((await cli(home, ['daemon', 'stop', '--json'])).stdout)).toEqual({ stopped: [], running: false });
    // Nothing was started along the way: no daemon, no socket.
    expect(daemonsOf(home)).toEqual([]);
    expect(existsSync(join(home, 'corral.sock'))).toBe(false);
  });

  it('start one only to stop tasks the state keeps as live, and say so', async () => {
    const home = newHome();
    const { daemon, pid } = await startCounter(home);
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isRunning(daemon), 'the daemon to die');
    const stop = await cli(home, ['daemon', 'stop']);
    expect(stop).toMatchObject({ code: 0, stdout: 'no daemon was running; started one to stop the tasks the state keeps as live (stopped bash_1), then stopped it\n' });
    expect(isRunning(pid)).toBe(false);
    await waitFor(() => daemonsOf(home).length === 0, 'the daemon it started to exit');
  });
});
