/**
 * The daemon's own log, bounded as the event journal is: once `daemon.log` reaches half
 * the bound it becomes `daemon.log.1` (replacing the one before) and the logger reopens a
 * new file, so the two never hold much more than the bound together. Renaming is right
 * here, unlike for task logs: people read this log, nothing reads it by offset.
 */
import { renameSync, statSync } from 'node:fs';
import { setLongInterval, type LongTimer } from '../long-timer.js';

interface Reopenable {
  reopen(file?: string): void;
}

/** Looks every `everyMs`; what is written between two looks can pass the half by that much. */
export function boundDaemonLog(path: string, maxBytes: number, destination: Reopenable, everyMs = 10_000): LongTimer {
  const check = () => {
    const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
    if (size < maxBytes / 2) return;
    try {
      renameSync(path, `${path}.1`);
      destination.reopen();
    } catch {
      // The home is being made anew (home-guard.ts): the next look tries again.
    }
  };
  check();
  return setLongInterval(check, everyMs).unref();
}
