/**
 * Every line of a log that a regex matches, with the byte offset of its start: the file is
 * read once, in large blocks, by the same scan as filtered reads (search.ts). A capped log
 * is searched from its kept start.
 */
import { closeSync, fstatSync } from 'node:fs';
import { openForRead } from './bytes.js';
import { keptFrom } from './read.js';
import { lineText, scanForward } from './search.js';

/** Large blocks: a search over a whole log costs one read per MiB. */
const GREP_BLOCK = 1024 * 1024;

/** Calls `found` with each matching line (its text, without the newline) and its offset; returns how many matched. */
export function grepLog(path: string, filter: RegExp, opts: { from?: number; growing: boolean }, found: (at: number, line: string) => void): number {
  const kept = keptFrom(path);
  const fd = openForRead(path);
  if (fd === null) return 0;
  let count = 0;
  try {
    const size = fstatSync(fd).size;
    const from = Math.min(size, Math.max(kept, opts.from ?? 0));
    scanForward(fd, size, from, filter, opts.growing, GREP_BLOCK, (line, at) => {
      count++;
      found(at, lineText(line));
      return -1;
    });
  } finally {
    closeSync(fd);
  }
  return count;
}
