/**
 * One daemon per home. The lock is a Linux abstract socket named after the user and the
 * home: binding it is atomic, and the kernel frees it the instant its holder dies, so a
 * daemon killed with SIGKILL never leaves a stale lock behind for the next one to judge.
 */
import { createServer, type Server } from 'node:net';
import { userInfo } from 'node:os';

/**
 * FNV-1a, 64 bits, of the home's bytes: names fit any path into the 107 bytes of an
 * abstract socket name. (Not node:crypto: loading OpenSSL costs the daemon 1 MB of RSS,
 * and a lock name needs no secrecy, only no collisions among one user's homes.)
 */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

export function lockName(home: string): string {
  return `\0corral-${userInfo().uid}-${fnv1a64(home)}`;
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
