/**
 * Home-wide locks. Each is a Linux abstract socket named after the user and the home:
 * binding it is atomic, and the kernel frees it the instant its holder dies, so a holder
 * killed with SIGKILL never leaves a stale lock behind for the next one to judge.
 *
 * - `daemon`: held by the daemon that serves the home, for its whole life.
 * - `start`: held by the client that is starting a daemon, so that clients which find no
 *   daemon at the same moment wait for that one instead of each starting their own.
 */
import { createServer, type Server } from 'node:net';
import { userInfo } from 'node:os';
import { fnv1a64 } from '../home.js';

type LockRole = 'daemon' | 'start';

/**
 * The 64-bit digest fits any home path into the 107 bytes of an abstract socket name; a
 * lock name needs no secrecy, only no collisions among one user's homes.
 */
export function lockName(home: string, role: LockRole = 'daemon'): string {
  return `\0corral-${userInfo().uid}-${fnv1a64(home)}${role === 'daemon' ? '' : `-${role}`}`;
}

/** Resolves with the held lock, or null when someone else holds it. */
export function acquireLock(home: string, role: LockRole = 'daemon'): Promise<Server | null> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(null);
      else reject(error);
    });
    server.listen(lockName(home, role), () => resolve(server));
  });
}
