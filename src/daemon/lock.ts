/**
 * One daemon per home. The lock is a Linux abstract socket named after the user and the
 * home: binding it is atomic, and the kernel frees it the instant its holder dies, so a
 * daemon killed with SIGKILL never leaves a stale lock behind for the next one to judge.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { userInfo } from 'node:os';

export function lockName(home: string): string {
  const digest = createHash('sha256').update(home).digest('hex').slice(0, 32);
  return `\0corral-${userInfo().uid}-${digest}`;
}

/** Resolves with the held lock, or null when another daemon holds it. */
export function acquireHomeLock(home: string): Promise<Server | null> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(null);
      else reject(error);
    });
    server.listen(lockName(home), () => resolve(server));
  });
}
