/**
 * Reaching the daemon of a home, starting it when nobody serves the socket. Of the clients
 * that find no daemon at the same moment, the one holding the start lock starts it and the
 * others wait for its socket. Should two daemons still start (a client can find the start
 * lock free just after another let go), the home lock lets exactly one of them serve; the
 * other exits before loading anything, and every client connects to the one that serves.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DaemonStatus } from '../api.js';
import { acquireLock } from '../daemon/lock.js';
import { failure } from '../errors.js';
import { ensureHome, type HomePaths } from '../home.js';
import { VERSION } from '../version.js';
import { RemoteSupervisor } from './remote.js';
import { RpcClient } from './rpc.js';

const DAEMON_MAIN = fileURLToPath(new URL('../daemon/main.js', import.meta.url));
/** How node runs the daemon (also used by the benchmarks, to start it the same way). */
export const DAEMON_NODE_FLAGS = ['--lite-mode', '--max-semi-space-size=1'];
const START_DEADLINE_MS = 15_000;
/** How long `daemon stop` waits for the daemon to exit once every task has stopped. */
const EXIT_DEADLINE_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

/** Connects to a running daemon, or returns null when none serves the home. */
export async function connectIfRunning(paths: HomePaths): Promise<RpcClient | null> {
  try {
    return await RpcClient.open(paths.socket);
  } catch (error) {
    if (isAbsent(error)) return null;
    throw error;
  }
}

async function spawnDaemon(paths: HomePaths): Promise<void> {
  ensureHome(paths);
  const { spawn } = await import('node:child_process');
  // A supervisor waits on the kernel, not on hot loops: V8's lite mode and a small young
  // generation keep its memory near an idle node's, with no measurable cost in speed.
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, DAEMON_MAIN, '--home', paths.home], {
    detached: true,
    stdio: 'ignore',
    cwd: paths.home,
    env: process.env,
  });
  child.unref();
}

export async function connectOrStart(paths: HomePaths): Promise<RpcClient> {
  const running = await connectIfRunning(paths);
  if (running) return running;
  const deadline = Date.now() + START_DEADLINE_MS;
  let starting: Server | null = null;
  let delay = 5;
  try {
    while (Date.now() < deadline) {
      // Asked on every round, not once: a client that took the lock and died before its
      // daemon came up frees it, and one of the waiters then starts the daemon instead.
      if (!starting) {
        starting = await acquireLock(paths.home, 'start');
        if (starting) {
          // A client that held the lock before may have brought one up since our look.
          const started = await connectIfRunning(paths);
          if (started) return started;
          await spawnDaemon(paths);
        }
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 50);
      const client = await connectIfRunning(paths);
      if (client) return client;
    }
  } finally {
    starting?.close();
  }
  throw failure(`the daemon did not start within ${START_DEADLINE_MS / 1000}s: see ${paths.daemonLog}`);
}

/** What `daemon status` shows: the daemon's own answer, or without one, the home and how many tasks its state keeps. */
export async function daemonStatus(paths: HomePaths): Promise<DaemonStatus> {
  const rpc = await connectIfRunning(paths);
  if (!rpc) {
    return { running: false, pid: null, home: paths.home, socket: paths.socket, startedAt: null, tasks: storedTaskCount(paths.state), version: VERSION };
  }
  try {
    return await new RemoteSupervisor(rpc).status();
  } finally {
    rpc.close();
  }
}

/** How many tasks the state file holds; 0 when there is none. */
function storedTaskCount(state: string): number {
  try {
    return Object.keys(JSON.parse(readFileSync(state, 'utf8')).tasks ?? {}).length;
  } catch {
    return 0;
  }
}

/**
 * Stops every task, then the daemon, and resolves once the daemon has exited (its end
 * closes the connection), so that the next command starts a fresh daemon rather than
 * meet a dying one. Null when there was nothing to stop. With no daemon but a state file,
 * tasks may still run (the daemon was killed): one is started to stop them.
 */
export async function stopDaemon(paths: HomePaths): Promise<{ stopped: string[] } | null> {
  const rpc = (await connectIfRunning(paths)) ?? (existsSync(paths.state) ? await connectOrStart(paths) : null);
  if (!rpc) return null;
  try {
    const result = await new RemoteSupervisor(rpc).shutdown();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([rpc.ended, new Promise((r) => (timer = setTimeout(r, EXIT_DEADLINE_MS)))]);
    clearTimeout(timer);
    return result;
  } finally {
    rpc.close();
  }
}
