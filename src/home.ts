/**
 * Where one supervisor keeps everything: socket, state, logs. Tests and parallel users
 * isolate by home. `--home DIR` > CORRAL_HOME > $XDG_STATE_HOME/corral > ~/.local/state/corral.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { field, usageError } from './errors.js';

/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const SOCKET_PATH_MAX = 107;

export interface HomePaths {
  home: string;
  socket: string;
  /** True when the socket lives outside the home because the home's path is too long. */
  socketRelocated: boolean;
  state: string;
  daemonLog: string;
  /** The event journal (JSON lines); its older half is `<journal>.1`. */
  journal: string;
  logs: string;
  run: string;
}

export function resolveHome(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) {
    if (flag === '') throw usageError(`${field('home')}: give a folder (it is created if missing)`);
    return checkedHome(resolve(flag), '--home');
  }
  if (env.CORRAL_HOME) return checkedHome(resolve(env.CORRAL_HOME), 'CORRAL_HOME');
  if (env.XDG_STATE_HOME) return join(resolve(env.XDG_STATE_HOME), 'corral');
  return join(homedir(), '.local', 'state', 'corral');
}

/** A home given by the user is a folder, or nothing yet. */
function checkedHome(home: string, from: string): string {
  let st;
  try {
    st = statSync(home);
  } catch {
    return home;
  }
  if (!st.isDirectory()) throw usageError(`${from}: ${home} is not a folder`);
  return home;
}

export function homePaths(home: string): HomePaths {
  let socket = join(home, 'corral.sock');
  let socketRelocated = false;
  if (Buffer.byteLength(socket) > SOCKET_PATH_MAX) {
    // A short per-user runtime path, unique per home.
    const digest = fnv1a64(home);
    const base = process.env.XDG_RUNTIME_DIR || join(tmpdir(), `corral-${userInfo().uid}`);
    socket = join(base, `${digest}.sock`);
    socketRelocated = true;
  }
  return {
    home,
    socket,
    socketRelocated,
    state: join(home, 'state.json'),
    daemonLog: join(home, 'daemon.log'),
    journal: join(home, 'events.jsonl'),
    logs: join(home, 'logs'),
    run: join(home, 'run'),
  };
}

/** A short stable digest of a path (FNV-1a, 64 bit): names the relocated socket without loading node:crypto. */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** Creates the home (and the relocated socket's folder) as the user's alone: 0700. */
export function ensureHome(paths: HomePaths): void {
  for (const dir of [paths.home, paths.logs, paths.run]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  chmodSync(paths.home, 0o700);
  if (paths.socketRelocated) {
    const dir = resolve(paths.socket, '..');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    if (st.uid !== userInfo().uid) throw usageError(`the socket folder ${dir} belongs to another user`);
    chmodSync(dir, 0o700);
  }
}

/** Task ids are generated (`bash_12`) and are the only thing that becomes a path. */
export const TASK_ID = /^bash_[1-9]\d*$/;

export function taskLogDir(paths: HomePaths, id: string): string {
  if (!TASK_ID.test(id)) throw usageError(`"${id}" is not a task id`);
  return join(paths.logs, id);
}

/** The FIFO a task with `stdin: pipe` reads its input from; made by its monitor. */
export function taskStdinFifo(paths: HomePaths, id: string): string {
  if (!TASK_ID.test(id)) throw usageError(`"${id}" is not a task id`);
  return join(paths.run, `${id}.stdin`);
}

export function taskExitFile(paths: HomePaths, id: string): string {
  if (!TASK_ID.test(id)) throw usageError(`"${id}" is not a task id`);
  return join(paths.run, `${id}.exit`);
}
