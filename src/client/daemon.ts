/**
 * Reaching the daemon of a home, starting it when nobody serves the socket. Of the clients
 * that find no daemon at the same moment, the one holding the start lock starts it and the
 * others wait for its socket. Should two daemons still start (a client can find the start
 * lock free just after another let go), the home lock lets exactly one of them serve; the
 * other exits before loading anything, and every client connects to the one that serves.
 */
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { acquireLock } from '../daemon/lock.js';
import { failure } from '../errors.js';
import { ensureHome, type HomePaths } from '../home.js';
import { RpcClient } from './rpc.js';

const DAEMON_MAIN = fileURLToPath(new URL('../daemon/main.js', import.meta.url));
/** How node runs the daemon (also used by the benchmarks, to start it the same way). */
export const DAEMON_NODE_FLAGS = ['--lite-mode', '--max-semi-space-size=1'];
const START_DEADLINE_MS = 15_000;

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

export async function spawnDaemon(paths: HomePaths): Promise<void> {
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
