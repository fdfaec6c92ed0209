/**
 * Where the kept part of a capped log starts. Past its cap, a log's head is released in
 * place by the task's monitor (spawner.c, "the log cap"), which first writes the offset of
 * the first byte it keeps into `<stream>.kept` beside the log: bytes before it read as
 * zeros now, and a reader starts there instead and says how many bytes it lost.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** `/x/stdout.log` → `/x/stdout.kept`. */
export const keptPath = (logPath: string): string => logPath.replace(/\.log$/, '') + '.kept';

/** The first offset still on disk; 0 for a log never trimmed (or whose record is gone). */
export function keptStart(logPath: string, size: number): number {
  let text: string;
  try {
    text = readFileSync(keptPath(logPath), 'latin1');
  } catch {
    return 0;
  }
  const kept = Number.parseInt(text, 10);
  // A start past the end belongs to a log that was since removed and begun again.
  return Number.isSafeInteger(kept) && kept > 0 && kept <= size ? kept : 0;
}

/** As the monitor writes it: the offset, padded to a fixed width, so that a rewrite never changes the file's size. */
export function writeKept(logPath: string, kept: number): void {
  writeFileSync(keptPath(logPath), `${String(kept).padEnd(20)}\n`, { mode: 0o600 });
}
