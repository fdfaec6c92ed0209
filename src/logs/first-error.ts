/**
 * The first line of a run that looks like an error — what a person scrolls up for after
 * a failure: `Error: …`, `FAIL test/x`, `Traceback (most recent call last):`, `panic: …`.
 * The logs hold no time per line, so the two streams cannot be ordered against each other:
 * stderr, where errors usually go, is searched first, then stdout.
 */
import { join } from 'node:path';
import type { LogLine } from '../api.js';
import { ERROR_WORDS } from './ending.js';
import { LogSearch } from './first-match.js';

export const ERROR_LINE = new RegExp(ERROR_WORDS, 'i');

/** How much of each stream is searched at most: a run's first error is near its start or not worth a full scan of a huge log. */
const SCAN_BYTES = 8 * 1024 * 1024;

/** The first error-looking line after `from` (the start of the run), stderr's first; null when there is none. */
export function firstErrorLine(logDir: string, from: { stdout: number; stderr: number }): LogLine | null {
  for (const stream of ['stderr', 'stdout'] as const) {
    const search = new LogSearch(ERROR_LINE, [{ stream, path: join(logDir, `${stream}.log`), from: from[stream] }]);
    const found = search.next(SCAN_BYTES);
    if (found) return found;
  }
  return null;
}
