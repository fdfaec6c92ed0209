/**
 * A task's process tree: everything in the command's process group or session, every
 * descendant of the command or its monitor, and every process that carries the task's
 * token in its environment (descendants that called setsid() and were re-parented).
 */
import type { ProcessInfo } from '../../machines/task.types.js';
import { scanProcesses, type ProcEntry } from './procfs.js';

/** The pids of the task's tree, its monitor excluded (the monitor is never signalled). */
interface ScanIndex {
  children: Map<number, number[]>;
  byGroup: Map<number, number[]>;
  byToken: Map<string, number[]>;
  byPid: Map<number, ProcEntry>;
}

const indexes = new WeakMap<ProcEntry[], ScanIndex>();

function push<K>(map: Map<K, number[]>, key: K, pid: number): void {
  const list = map.get(key);
  if (list) list.push(pid);
  else map.set(key, [pid]);
}

/** Who is whose child, group member and token holder in one scan: built once, however many tasks look. */
function indexOf(procs: ProcEntry[]): ScanIndex {
  let index = indexes.get(procs);
  if (!index) {
    index = { children: new Map(), byGroup: new Map(), byToken: new Map(), byPid: new Map() };
    for (const p of procs) {
      index.byPid.set(p.pid, p);
      push(index.children, p.ppid, p.pid);
      push(index.byGroup, p.pgid, p.pid);
      if (p.sid !== p.pgid) push(index.byGroup, p.sid, p.pid);
      if (p.token !== null) push(index.byToken, p.token, p.pid);
    }
    indexes.set(procs, index);
  }
  return index;
}

/** The pids of the task's tree, its monitor excluded (the monitor is never signalled). */
export function treeOf(info: ProcessInfo, procs: ProcEntry[] = scanProcesses()): number[] {
  const index = indexOf(procs);
  const members = new Set<number>();
  const queue: number[] = [];
  const add = (pid: number) => {
    if (pid === info.monitorPid || members.has(pid)) return;
    const p = index.byPid.get(pid);
    if (!p || (pid === info.pid && p.start !== info.pidStart)) return; // gone, or a recycled pid
    members.add(pid);
    queue.push(pid);
  };
  // The group or session the command leads (a pgid cannot be reused while any member lives),
  // unless its pid now belongs to another process: then the group is that one's.
  const leader = index.byPid.get(info.pid);
  if (!leader || leader.start === info.pidStart) for (const pid of index.byGroup.get(info.pid) ?? []) add(pid);
  for (const pid of index.byToken.get(info.token) ?? []) add(pid);
  add(info.pid);
  // The monitor's children, while it is the task's monitor and not a process that got its pid since.
  const monitor = index.byPid.get(info.monitorPid);
  if (monitor && monitor.start === info.monitorStart) for (const pid of index.children.get(info.monitorPid) ?? []) add(pid);
  // Every descendant of what was found so far.
  while (queue.length > 0) {
    for (const child of index.children.get(queue.pop()!) ?? []) add(child);
  }
  return [...members];
}

export function monitorRunning(info: ProcessInfo, procs: ProcEntry[] = scanProcesses()): boolean {
  return indexOf(procs).byPid.get(info.monitorPid)?.start === info.monitorStart;
}

/**
 * Sends the signal once to every process of the tree: to the command's group with one
 * kill(-pgid), and one by one to members outside that group. Nobody gets it twice (a
 * second SIGINT means "force quit" to many dev servers). Returns how many were found.
 */
export function signalTree(info: ProcessInfo, signal: string, procs: ProcEntry[] = scanProcesses()): number {
  const members = treeOf(info, procs);
  // The scan's index, shared by every tree signalled from it: a stop of a thousand tasks is not a thousand maps of /proc.
  const { byPid } = indexOf(procs);
  const inGroup = (pid: number) => byPid.get(pid)?.pgid === info.pid;
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
