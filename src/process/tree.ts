/**
 * A task's process tree: everything in the command's process group or session, every
 * descendant of the command or its monitor, and every process that carries the task's
 * token in its environment (descendants that called setsid() and were re-parented).
 */
import type { ProcessInfo } from '../../machines/task.types.js';
import { scanProcesses, type ProcEntry } from './procfs.js';

/** The pids of the task's tree, its monitor excluded (the monitor is never signalled). */
const parents = new WeakMap<ProcEntry[], Map<number, number>>();

/** pid → ppid of a scan, built once per scan however many tasks look at it. */
function parentsOf(procs: ProcEntry[]): Map<number, number> {
  let parent = parents.get(procs);
  if (!parent) {
    parent = new Map();
    for (const p of procs) parent.set(p.pid, p.ppid);
    parents.set(procs, parent);
  }
  return parent;
}

export function treeOf(info: ProcessInfo, procs: ProcEntry[] = scanProcesses()): number[] {
  const parent = parentsOf(procs);
  const roots = new Set([info.pid, info.monitorPid]);
  const descends = (pid: number): boolean => {
    // Bounded walk: parent chains are short, and a cycle cannot happen in /proc but costs nothing to guard.
    for (let cur = parent.get(pid), hops = 0; cur !== undefined && cur > 1 && hops < 64; cur = parent.get(cur), hops++) {
      if (roots.has(cur)) return true;
    }
    return false;
  };
  const members: number[] = [];
  for (const p of procs) {
    if (p.pid === info.monitorPid) continue;
    if (p.pid === info.pid && p.start !== info.pidStart) continue; // a recycled pid is not ours
    if (p.pgid === info.pid || p.sid === info.pid || p.token === info.token || descends(p.pid)) {
      members.push(p.pid);
    }
  }
  return members;
}

export function monitorRunning(info: ProcessInfo, procs: ProcEntry[] = scanProcesses()): boolean {
  return procs.some((p) => p.pid === info.monitorPid && p.start === info.monitorStart);
}

/**
 * Sends the signal once to every process of the tree: to the command's group with one
 * kill(-pgid), and one by one to members outside that group. Nobody gets it twice (a
 * second SIGINT means "force quit" to many dev servers). Returns how many were found.
 */
export function signalTree(info: ProcessInfo, signal: string, procs: ProcEntry[] = scanProcesses()): number {
  const members = treeOf(info, procs);
  const pgidOf = new Map(procs.map((p) => [p.pid, p.pgid]));
  const inGroup = (pid: number) => pgidOf.get(pid) === info.pid;
  let groupSignalled = false;
  if (members.some(inGroup)) {
    try {
      process.kill(-info.pid, signal as NodeJS.Signals);
      groupSignalled = true;
    } catch {
      // The group emptied meanwhile.
    }
  }
  for (const pid of members) {
    if (groupSignalled && inGroup(pid)) continue;
    try {
      process.kill(pid, signal as NodeJS.Signals);
    } catch {
      // Gone meanwhile.
    }
  }
  return members.length;
}
