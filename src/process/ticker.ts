/**
 * One timer for every tree being watched (tasks that are stopping): each tick takes one
 * /proc scan and hands it to every watcher, so fifty stops cost one scan per tick. Ticks
 * come every 10 ms, or after a pause as long as the last one took, whichever is longer.
 */
import { scanProcesses, type ProcEntry } from './procfs.js';

type Watcher = (procs: ProcEntry[]) => void;

const watchers = new Set<Watcher>();
let timer: NodeJS.Timeout | null = null;
const INTERVAL_MS = 10;

function tick(): void {
  timer = null;
  if (watchers.size === 0) return;
  const started = performance.now();
  const procs = scanProcesses(0);
  for (const watcher of [...watchers]) watcher(procs);
  // A pause at least as long as the look took: with a thousand trees stopping on a busy
  // machine a scan takes 100 ms, and back-to-back scans would starve the exits the daemon
  // is waiting to hear of (and cost the stop most of its CPU).
  if (watchers.size > 0) timer = setTimeout(tick, Math.max(INTERVAL_MS, performance.now() - started));
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
