/**
 * Stops what is left of a finished task's tree (descendants that daemonised themselves
 * and outlived the command): the signal, the grace, then SIGKILL until nothing is left.
 */
import type { ProcessInfo } from '../../machines/task.types.js';
import { scanProcesses } from './procfs.js';
import { signalTree, treeOf } from './tree.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Those of these finished runs whose trees still have a process: one scan of /proc for all of them. */
export function withLeftovers<T extends { process: ProcessInfo | null }>(finished: T[]): T[] {
  const candidates = finished.filter((t) => t.process);
  if (candidates.length === 0) return [];
  const procs = scanProcesses(0);
  return candidates.filter((t) => treeOf(t.process!, procs).length > 0);
}

export async function stopLeftovers(info: ProcessInfo, signal: string, graceMs: number, pollMs = 10): Promise<number> {
  const found = treeOf(info, scanProcesses(0)).length;
  if (found === 0) return 0;
  signalTree(info, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(pollMs);
    if (treeOf(info, scanProcesses(0)).length === 0) return found;
  }
  for (let i = 0; i < 500; i++) {
    if (signalTree(info, 'SIGKILL') === 0) break;
    await sleep(pollMs);
  }
  return found;
}
