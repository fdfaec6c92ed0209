/**
 * The per-task monitor starts the command in its own session, waits for it, and writes
 * its exit status to a file. A task outlives its daemon; the next daemon learns from the
 * file how it ended, as podman learns it from conmon.
 *
 * Two builds do this job. The native one (spawner.c, one small process forking a monitor
 * per task) is used whenever it was built. The one below is the fallback for machines
 * without a C compiler: a few lines of POSIX sh (dash: ~2 MB RSS, where a node process
 * would cost 40 MB), spawned by node with a chain of execs, so slower to start.
 *
 * - `env --default-signal` undoes the SIG_IGN that sh gives INT and QUIT to background
 *   jobs, so the command sees signals exactly as it would from a terminal.
 * - `setsid` gives the command its own session and group, apart from the monitor, so a
 *   stop signal to the group reaches the command once and never the monitor.
 * - A signal sent to the monitor itself is passed on to the command.
 * - The command's pid is written to fd 3 (a pipe to the spawner), then fd 3 is closed.
 * - The exit file is made with EXIT_PLACEHOLDER before the command starts and overwritten
 *   in place (`1<>`, no truncation) at the end: a disk that filled up meanwhile cannot
 *   swallow the status. The monitor's own exit status carries it to the daemon too.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { commandForShell } from './shell.js';
import { signalName } from '../../machines/signals.js';
import type { IoPriority } from '../../machines/policies/limits.js';
import type { ExitInfo } from '../../machines/task.types.js';

const FORWARDED = ['TERM', 'INT', 'HUP', 'QUIT', 'USR1', 'USR2'];

/** What an exit file holds while its command runs: not a number, so it reads as "no exit yet". Every status is written over it at the same length (spawner.c has the same). */
export const EXIT_PLACEHOLDER = 'running\n';

interface Priority {
  nice: number | null;
  ionice: IoPriority | null;
}

export const IONICE_CLASS = { realtime: 1, 'best-effort': 2, idle: 3 } as const;

/** `nice -n 10 ionice -c 3`: inherited by every process of the task. Only validated numbers reach the script. */
function priorityPrefix(priority: Priority): string {
  const words: string[] = [];
  if (priority.nice !== null) words.push('nice', '-n', String(Math.trunc(priority.nice)));
  if (priority.ionice) {
    words.push('ionice', '-c', String(IONICE_CLASS[priority.ionice.class]));
    if (priority.ionice.level !== null) words.push('-n', String(Math.trunc(priority.ionice.level)));
  }
  return words.length > 0 ? `${words.join(' ')} ` : '';
}

const monitorScript = (priority: Priority) => [
  // The daemon keeps its own files private (umask 077); the command gets the user's umask back.
  'umask "$3"',
  ...FORWARDED.map((s) => `trap 'kill -${s} $c 2>/dev/null' ${s}`),
  `env --default-signal=INT,QUIT setsid ${priorityPrefix(priority)}/bin/sh -c "$1" 3>&- &`,
  'c=$!',
  'echo "$c" >&3',
  'exec 3>&-',
  'while :; do',
  // Redirected: dash reports a job killed by a signal ("Terminated") on its stderr, which is the task's log.
  '  wait "$c" 2>/dev/null; s=$?',
  '  kill -0 "$c" 2>/dev/null || break',
  'done',
  'printf \'%-7s\\n\' "$s" 2>/dev/null 1<>"$2"',
  'exit "$s"',
].join('\n');

const MONITOR_SCRIPT = monitorScript({ nice: null, ionice: null });

export interface SpawnRequest {
  /** The command line as the user wrote it. */
  command: string;
  cwd: string;
  env: Record<string, string>;
  logDir: string;
  exitFile: string;
  /** The umask the command runs with, as octal digits (`022`). */
  umask: string;
  /** stderr into stdout.log too, for exact interleaving. */
  combined?: boolean;
  /** A FIFO to make here and give the command as stdin (`stdin: pipe`); without it, /dev/null. */
  stdinFifo?: string;
  priority?: Priority;
  /** The most bytes each log keeps on disk (the native monitor releases the head past it); null for no cap. */
  logMaxBytes?: number | null;
}

export interface Started {
  monitorPid: number;
  commandPid: number;
  /** Sizes of the logs before the command started: its output begins there. */
  logStart: { stdout: number; stderr: number };
  /** The monitor notes the logs' time index itself (logs/time-index.ts): the daemon need not. */
  logTimes?: 'monitor';
}

/**
 * `exited`: the monitor is gone; `status` is the command's as the monitor passed it on
 * (`143` for SIGTERM), null when the monitor itself was killed. The exit file says the same
 * when there was room to write it.
 * `lost`: no news of it will come (the spawner ended); watch the exit file instead.
 */
export type MonitorEnd = { how: 'exited'; status: number | null } | { how: 'lost' };

export interface Launch {
  /** Resolves once the monitor has started the command; rejects when nothing was started. */
  started: Promise<Started>;
  ended: Promise<MonitorEnd>;
}

const NOTHING_RAN: MonitorEnd = { how: 'exited', status: null };

/** Starts tasks under monitors; `close` leaves every started task running. */
export interface Launcher {
  /** For the daemon's log: how tasks start. */
  readonly name: string;
  launch(req: SpawnRequest): Launch;
  /** Starts ahead what the first launch would otherwise wait for (the native spawner). */
  prepare?(): void;
  close(): void;
}

export const shLauncher: Launcher = { name: 'the sh monitor', launch: spawnMonitored, close() {} };

/**
 * Starts the monitor with the command's stdout and stderr opened straight onto the log
 * files (O_APPEND): no byte of output passes through corral. This is the one spawn
 * that does not use execa: its `{file, append}` output is a stream piped through the
 * parent, and its API does not hand a file descriptor to the child, which is the point.
 */
function spawnMonitored(req: SpawnRequest): Launch {
  // node's own error for a missing cwd ("spawn /bin/sh ENOENT") would blame the shell.
  const folderProblem = workingFolderProblem(req.cwd);
  // Holding a FIFO's write end for the command, and letting go of it on request, is the native monitor's.
  const problem = req.stdinFifo ? 'stdin: pipe needs the native spawner (build it with npm run build; CORRAL_MONITOR=sh has none)' : folderProblem && `cannot use ${req.cwd} as the working folder: ${folderProblem}`;
  if (problem) {
    const failed = Promise.reject(new Error(problem));
    failed.catch(() => {});
    return { started: failed, ended: Promise.resolve(NOTHING_RAN) };
  }
  mkdirSync(req.logDir, { recursive: true, mode: 0o700 });
  reserveExitFile(req.exitFile);
  const out = openSync(join(req.logDir, 'stdout.log'), 'a', 0o600);
  const err = req.combined ? out : openSync(join(req.logDir, 'stderr.log'), 'a', 0o600);
  const logStart = { stdout: fstatSync(out).size, stderr: fstatSync(err).size };
  let child: ChildProcess;
  try {
    const script = req.priority ? monitorScript(req.priority) : MONITOR_SCRIPT;
    child = spawn('/bin/sh', ['-c', script, 'corral-monitor', commandForShell(req.command), req.exitFile, req.umask], {
      cwd: req.cwd,
      env: req.env,
      detached: true,
      stdio: ['ignore', out, err, 'pipe'],
    });
  } finally {
    closeSync(out);
    if (err !== out) closeSync(err);
  }
  const done = new Promise<MonitorEnd>((resolve) => {
    // Killed by a signal, the monitor's status says nothing of the command's.
    child.once('exit', (code, signal) => resolve({ how: 'exited', status: signal === null ? code : null }));
    child.once('error', () => resolve(NOTHING_RAN));
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});
  if (child.pid === undefined) {
    return { started: spawnError, ended: done };
  }
  const monitorPid = child.pid;
  child.unref();
  const pipe = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  const commandPid = new Promise<number>((resolve, reject) => {
    let text = '';
    pipe.setEncoding('latin1');
    pipe.on('data', (chunk: string) => (text += chunk));
    pipe.on('end', () => {
      const pid = Number.parseInt(text, 10);
      if (Number.isInteger(pid) && pid > 0) resolve(pid);
      else reject(new Error('the monitor ended before starting the command'));
    });
    pipe.on('error', reject);
  });
  const started = commandPid.then((pid) => ({ monitorPid, commandPid: pid, logStart }));
  started.catch(() => {});
  // The end counts once the pid is known, whatever order the two events arrive in.
  const ended = done.then((end) => started.then(() => end, () => end));
  return { started, ended };
}

/** The placeholder written now claims the disk space the status will need; on a full disk the file stays empty, which reads as "no exit yet" too. */
function reserveExitFile(path: string): void {
  try {
    writeFileSync(path, EXIT_PLACEHOLDER, { mode: 0o600 });
  } catch (error) {
    // An earlier run's status must not be read as this run's end.
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') rmSync(path, { force: true });
  }
}

function workingFolderProblem(cwd: string): string | null {
  try {
    return statSync(cwd).isDirectory() ? null : 'Not a directory';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (error as Error).message;
  }
}

/** The status the monitor wrote: `143` is SIGTERM (the shell's 128+N), `3` is exit 3. */
export function parseExitStatus(text: string): ExitInfo | null {
  const status = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(status)) return null;
  if (status > 128) {
    const name = signalName(status - 128);
    if (name) return { exitCode: null, signal: name };
  }
  return { exitCode: status, signal: null };
}

/** The exit status a monitor wrote, and when it wrote it: the task's end, even if nobody was watching then. */
export function readExitFile(path: string): (ExitInfo & { at: number }) | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    // A status is a few digits: one read into a buffer kept for it (a stop of a thousand tasks reads a thousand).
    const n = readSync(fd, exitBuffer, 0, exitBuffer.length, 0);
    const exit = parseExitStatus(exitBuffer.toString('latin1', 0, n));
    return exit && { ...exit, at: Math.floor(fstatSync(fd).mtimeMs) };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
const exitBuffer = Buffer.alloc(64);
