/**
 * Reaching the daemon of a home, starting it when nobody serves the socket. Of the clients
 * that find no daemon at the same moment, the one holding the start lock starts it and the
 * others wait for its socket. Should two daemons still start (a client can find the start
 * lock free just after another let go), the home lock lets exactly one of them serve; the
 * other exits before loading anything, and every client connects to the one that serves.
 *
 * A client that finds no socket asks the home lock first: while a daemon holds it, no
 * other is started. A daemon that holds it but cannot be reached (its socket was deleted)
 * recreates its socket within 2 s; a client waits that long, then names the daemon.
 */
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { acquireLock, lockHolder, type LockHolder } from '../daemon/lock.js';
import { failure } from '../errors.js';
import { ensureHome, type HomePaths } from '../home.js';
import { RpcClient } from './rpc.js';

const DAEMON_MAIN = fileURLToPath(new URL('../daemon/main.js', import.meta.url));
/** How node runs the daemon (also used by the benchmarks, to start it the same way). */
export const DAEMON_NODE_FLAGS = ['--lite-mode', '--max-semi-space-size=1'];
const START_DEADLINE_MS = 15_000;
/** How long a serving daemon's socket may be missing before a client gives up on it: the daemon restores it within 2 s. */
const RECOVERY_WAIT_MS = 2_500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  // ENOTDIR: the home's path leads through a file now (its folder was deleted and replaced).
  return code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTDIR';
}

/** Connects to the daemon's socket, or returns null when nothing answers there. */
export async function connectIfRunning(paths: HomePaths): Promise<RpcClient | null> {
  try {
    return await RpcClient.open(paths.socket);
  } catch (error) {
    if (isAbsent(error)) return null;
    throw error;
  }
}

/**
 * Connects to the daemon that holds the home, starting none: null when no daemon holds
 * it. One that holds it without serving its socket gets the time it needs to restore it
 * (or to finish starting), then a sentence naming it.
 */
export function connectToDaemon(paths: HomePaths): Promise<RpcClient | null> {
  return reach(paths, false);
}

export async function connectOrStart(paths: HomePaths): Promise<RpcClient> {
  return (await reach(paths, true))!;
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

async function reach(paths: HomePaths, start: boolean): Promise<RpcClient | null> {
  const running = await connectIfRunning(paths);
  if (running) return running;
  const deadline = Date.now() + START_DEADLINE_MS;
  let starting: Server | null = null;
  let unreachableSince: number | null = null;
  let delay = 5;
  try {
    while (Date.now() < deadline) {
      const holder = await lockHolder(paths.home);
      if (holder) unreachableSince = checkReachable(paths, holder, unreachableSince);
      else if (!start) return connectIfRunning(paths);
      // Asked on every round, not once: a client that took the lock and died before its
      // daemon came up frees it, and one of the waiters then starts the daemon instead.
      else if (!starting) {
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

/**
 * A daemon that serves but cannot be reached is given RECOVERY_WAIT_MS from the first
 * time it was found so (one still starting, the whole start deadline). Returns that time.
 */
function checkReachable(paths: HomePaths, holder: LockHolder, since: number | null): number | null {
  if (!holder.serving) return null;
  if (holder.problem) throw unreachable(paths, holder);
  const first = since ?? Date.now();
  if (Date.now() - first >= RECOVERY_WAIT_MS) throw unreachable(paths, holder);
  return first;
}

function unreachable(paths: HomePaths, { pid, problem }: LockHolder) {
  const waited = `${RECOVERY_WAIT_MS / 1000}s`;
  if (problem) {
    return failure(
      `the daemon (pid ${pid}) holds the lock of ${paths.home} but cannot make its home or socket anew (${problem}): ` +
        `it will within 1s of that being fixed, or stop it with \`kill ${pid}\``,
    );
  }
  if (pid === null) {
    return failure(
      `a daemon holds the lock of ${paths.home} but neither answers nor has served its socket ${paths.socket} for ${waited} ` +
        `(stopped with SIGSTOP, or from an older corral): \`ss -xlp | grep corral-\` shows its pid to kill`,
    );
  }
  return failure(
    `the daemon (pid ${pid}) holds the lock of ${paths.home} but has not served its socket ${paths.socket} for ${waited}, ` +
      `although it recreates a deleted one within 2s: stop it with \`kill ${pid}\` and try again`,
  );
}
