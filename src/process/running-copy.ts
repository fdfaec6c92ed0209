/**
 * Finds a task's processes by their token alone, when the daemon's record of them is stale
 * or missing (a state file that could not be written on a full disk, then a daemon killed):
 * a task is never started again while a copy of it still runs.
 *
 * A token is `TAG.RANDOM`: the tag is the same for every run of one task of one home (its
 * home, id and command), the random part tells the runs apart.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessInfo } from '../../machines/task.types.js';
import { bootId, newTaskToken, scanProcesses, type ProcEntry } from './procfs.js';

/** FNV-1a, 32 bits: enough to tell a home's tasks apart, and no OpenSSL loaded for it. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export interface TaskIdentity {
  home: string;
  taskId: string;
  command: string;
}

export function tokenTag(task: TaskIdentity): string {
  return fnv1a(`${task.home}\0${task.taskId}\0${task.command}`);
}

/** A fresh token for one run of the task. */
export function runToken(task: TaskIdentity): string {
  return `${tokenTag(task)}.${newTaskToken()}`;
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return '';
  }
}

/** The sh monitor holds the task's token itself (it is spawned with the task's environment); it names itself in its arguments. */
const isShMonitor = (p: ProcEntry) => readProc(p.pid, 'cmdline').includes('\0corral-monitor\0');
/** A native monitor is a fork of the spawner, without the token. */
const isNativeMonitor = (p: ProcEntry) => readProc(p.pid, 'comm').trim() === 'corral-spawner';

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * A run of the task other than `except` whose processes are alive: the process that
 * heads it (the earliest started token holder whose parent holds no token of that run,
 * or that one's child when it is an sh monitor) and its monitor while that lives. Null
 * when none runs.
 */
export function findRunningCopy(task: TaskIdentity, logDir: string, except: string | null = null, procs: ProcEntry[] = scanProcesses(4, false)): ProcessInfo | null {
  const prefix = `${tokenTag(task)}.`;
  const holders = procs.filter((p) => p.token !== null && p.token !== except && p.token.startsWith(prefix));
  if (holders.length === 0) return null;
  const tokens = new Map(holders.map((p) => [p.pid, p.token]));
  const roots = holders.filter((p) => tokens.get(p.ppid) !== p.token).sort((a, b) => a.start - b.start);
  const root = roots[0]!;
  let command: ProcEntry | null = root;
  let monitor: ProcEntry | null = null;
  if (isShMonitor(root)) {
    monitor = root;
    command = holders.filter((p) => p.ppid === root.pid && p.token === root.token).sort((a, b) => a.start - b.start)[0] ?? null;
  } else {
    const parent = procs.find((p) => p.pid === root.ppid);
    if (parent && isNativeMonitor(parent)) monitor = parent;
  }
  return {
    // No command (its monitor is writing the exit status): only the monitor is watched.
    pid: command?.pid ?? 0,
    pidStart: command?.start ?? 0,
    monitorPid: monitor?.pid ?? 0,
    monitorStart: monitor?.start ?? 0,
    bootId: bootId(),
    token: root.token!,
    // Where its output began is not known any more: from here on is what can be told for sure.
    logStart: { stdout: sizeOf(join(logDir, 'stdout.log')), stderr: sizeOf(join(logDir, 'stderr.log')) },
  };
}
