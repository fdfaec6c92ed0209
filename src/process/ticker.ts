/**
 * One timer for every tree being watched (tasks that are stopping): each tick takes one
 * /proc scan and hands it to every watcher, so fifty stops cost one scan per tick.
 */
import { scanProcesses, type ProcEntry } from './procfs.js';

type Watcher = (procs: ProcEntry[]) => void;

const watchers = new Set<Watcher>();
let timer: NodeJS.Timeout | null = null;
const INTERVAL_MS = 10;

function tick(): void {
  timer = null;
  if (watchers.size === 0) return;
  const procs = scanProcesses(0);
  for (const watcher of [...watchers]) watcher(procs);
  if (watchers.size > 0) timer = setTimeout(tick, INTERVAL_MS);
}

/** Calls `watcher` with a fresh scan on every tick (the first one soon) until the returned function is called. */
export function watchTrees(watcher: Watcher): () => void {
  watchers.add(watcher);
  if (timer === null) timer = setTimeout(tick, 0);
  return () => {
    watchers.delete(watcher);
    if (watchers.size === 0 && timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  };
}
