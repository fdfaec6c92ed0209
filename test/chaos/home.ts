/**
 * The chaos run's places: a home on a small tmpfs of its own (so its disk can be filled
 * without touching anyone else's), a side folder on the ordinary disk where the tasks note
 * what the home may not keep (their starts, the lines they could not write), and the
 * daemon reached the way a client reaches it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

export interface ChaosHome {
  home: string;
  side: string;
  /** Null when the home is an ordinary folder (mounting a tmpfs needs root): then the disk cannot be filled. */
  tmpfs: string | null;
}

export function makeChaosHome(sizeMb: number): ChaosHome {
  const home = mkdtempSync(join(tmpdir(), 'corral-chaos-'));
  const side = mkdtempSync(join(tmpdir(), 'corral-chaos-side-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', home], { encoding: 'utf8' });
  writeScripts(side);
  return { home, side, tmpfs: mounted.status === 0 ? home : null };
}

export function removeChaosHome(h: ChaosHome): void {
  if (h.tmpfs) spawnSync('umount', ['-l', h.tmpfs]);
  rmSync(h.home, { recursive: true, force: true });
  rmSync(h.side, { recursive: true, force: true });
}

/** Bytes free on the home's file system. */
export function freeBytes(home: string): number {
  const s = statfsSync(home);
  return s.bavail * s.bsize;
}

/**
 * The tasks, in bash (its builtin `echo` says when a write failed; `$EPOCHREALTIME` and a
 * `read -t` on a pipe that never speaks keep a line from costing a fork). Each notes its
 * start in the side folder; a writer numbers its lines and notes each one it could not write.
 */
const SCRIPTS: Record<string, string> = {
  'writer.sh': [
    'side=$1; every=$2',
    'echo "$$ $EPOCHREALTIME" >> "$side.starts"',
    'exec 9<> <(:)',
    // Lines of 300 bytes: the slack of a log's last page is soon used up once the disk is full.
    // `L` starts a line: the next line is found even after a line cut short by the full disk.
    "pad=$(printf '%280s' '' | tr ' ' x)",
    'i=0',
    'while :; do',
    '  i=$((i+1))',
    '  echo "L$i ${EPOCHREALTIME/./} $pad $i" 2>/dev/null || echo "$i $EPOCHREALTIME" >> "$side.lost"',
    '  read -t "$every" -u 9',
    'done',
  ].join('\n'),
  'finite.sh': ['side=$1', 'echo "$$ $EPOCHREALTIME" >> "$side.starts"', 'echo started', 'sleep "$2"', 'echo ending', 'exit "$3"'].join('\n'),
  'crash.sh': ['side=$1', 'echo "$$ $EPOCHREALTIME" >> "$side.starts"', 'echo crashing', 'sleep 0.5', 'exit 1'].join('\n'),
};

function writeScripts(side: string): void {
  mkdirSync(join(side, 'tasks'), { recursive: true });
  for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(side, name), `${text}\n`);
}

export const CLI_MAIN = join(ROOT, 'dist/src/cli/main.js');
const DAEMON_MAIN = join(ROOT, 'dist/src/daemon/main.js');

/** Starts the daemon as a client does (detached, the client's environment), without waiting. */
export function startDaemon(home: string): void {
  const child = spawn(process.execPath, ['--lite-mode', '--max-semi-space-size=1', DAEMON_MAIN, '--home', home], {
    detached: true,
    stdio: 'ignore',
    cwd: home,
    env: { ...process.env, CORRAL_HOME: home },
  });
  // untilAnswered says why nobody answers; a failed spawn must not end the run on its own.
  child.on('error', () => {});
  child.unref();
}

/** One JSON-RPC call on a connection of its own; rejects on a refused connection, an error answer or the deadline. */
export function rpc<T = unknown>(home: string, method: string, params: unknown = {}, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = connect(join(home, 'corral.sock'));
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (error: Error | null, value?: T) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value as T);
    };
    socket.setEncoding('utf8');
    socket.once('error', (e) => done(e));
    socket.once('connect', () => socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })}\n`));
    socket.on('data', (chunk: string) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      const answer = JSON.parse(text.slice(0, nl)) as { result?: T; error?: { message: string } };
      if (answer.error) done(new Error(answer.error.message));
      else done(null, answer.result);
    });
    socket.once('close', () => done(new Error(`${method}: the connection closed`)));
  });
}

/** Polls until the daemon answers (starting it when none serves the home, as a client would): ms from `since`. */
export async function untilAnswered(home: string, since: number, deadlineMs = 30_000): Promise<number> {
  let started = false;
  while (Date.now() - since < deadlineMs) {
    try {
      await rpc(home, 'status', {}, 2_000);
      return Date.now() - since;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!started && (code === 'ECONNREFUSED' || code === 'ENOENT')) {
        started = true;
        startDaemon(home);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const log = readLines(join(home, 'daemon.log')).slice(-3).join('\n');
  throw new Error(`the daemon did not answer within ${deadlineMs} ms (home ${existsSync(home) ? 'there' : 'gone'}, socket ${existsSync(join(home, 'corral.sock')) ? 'there' : 'gone'}); the end of its log:\n${log}`);
}

/** The daemon's pid, from its own answer. */
export async function daemonPid(home: string): Promise<number> {
  return (await rpc<{ pid: number }>(home, 'status')).pid;
}

export function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
