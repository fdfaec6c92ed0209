/**
 * Home-wide locks. Each is a Linux abstract socket named after the user and the home:
 * binding it is atomic, and the kernel frees it the instant its holder dies, so a holder
 * killed with SIGKILL never leaves a stale lock behind for the next one to judge. Being
 * outside the file system, a lock also outlives the deletion of its home.
 *
 * - `daemon`: held by the daemon that serves the home, for its whole life. It answers who
 *   holds it (`LockHolder`), so that a client that cannot reach the daemon's socket can
 *   name the daemon instead of starting a second one.
 * - `start`: held by the client that is starting a daemon, so that clients which find no
 *   daemon at the same moment wait for that one instead of each starting their own.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { userInfo } from 'node:os';
import { fnv1a64 } from '../home.js';

type LockRole = 'daemon' | 'start';

/** What the daemon lock answers: its holder's pid, and whether it serves the socket yet (false while it starts). */
export interface LockHolder {
  /** Null when the holder did not say (a corral from before holders answered, or one that did not answer in time). */
  pid: number | null;
  serving: boolean;
  /** Why the daemon cannot make its lost home or socket anew, while it cannot. */
  problem?: string | null;
}

/** How long a holder has to answer: a live daemon does within a turn of its event loop. */
const ANSWER_TIMEOUT_MS = 1_000;

/**
 * The 64-bit digest fits any home path into the 107 bytes of an abstract socket name; a
 * lock name needs no secrecy, only no collisions among one user's homes.
 */
export function lockName(home: string, role: LockRole = 'daemon'): string {
  return `\0corral-${userInfo().uid}-${fnv1a64(home)}${role === 'daemon' ? '' : `-${role}`}`;
}

/**
 * Resolves with the held lock, or null when someone else holds it. `answer` is what the
 * lock tells whoever connects to it (nothing by default).
 */
export function acquireLock(home: string, role: LockRole = 'daemon', answer?: () => LockHolder): Promise<Server | null> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    if (answer) socket.end(`${JSON.stringify(answer())}\n`);
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(null);
      else reject(error);
    });
    server.listen(lockName(home, role), () => resolve(server));
  });
}

/** Who holds the home's daemon lock, or null when nobody does. */
export function lockHolder(home: string): Promise<LockHolder | null> {
  return new Promise((resolve) => {
    const socket = createConnection(lockName(home));
    let text = '';
    let settled = false;
    const settle = (holder: LockHolder | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(holder);
    };
    // Connected but silent: a holder that is frozen, or too old to answer.
    const timer = setTimeout(() => settle({ pid: null, serving: true }), ANSWER_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => settle(parseHolder(text)));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // Refused: nobody listens on the name. Any other error still means a holder is there.
      settle(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? null : { pid: null, serving: true });
    });
  });
}

function parseHolder(text: string): LockHolder {
  try {
    const { pid, serving, problem } = JSON.parse(text) as Partial<LockHolder>;
    return { pid: Number.isInteger(pid) ? pid! : null, serving: serving !== false, problem: typeof problem === 'string' ? problem : null };
  } catch {
    return { pid: null, serving: true };
  }
}
