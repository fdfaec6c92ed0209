/**
 * When each part of a log was written, to read by time (`logs --since 10m`). corral never
 * sees the writes (the task writes straight into its file), so the size of each log is
 * noted, at most every 2 s, when it changed: by the native monitor, which wakes on the
 * writes (spawner.c, "the time index"), or else by the daemon at its 2 s sample
 * (LogTimeIndex below: the sh monitor's tasks, and runs an older monitor started). Both
 * write the same file: `<stream>.times` beside the log, one
 * `<ms since epoch> <size>` a line. A byte between two notes was written between their
 * times, so a time maps to an offset within one sample interval. The index is bounded:
 * past 256 KB (about 10,000 notes, 5.5 busy hours at 2 s) it keeps every other note of its
 * older half, so recent output keeps the full precision and older output gets coarser.
 */
import { appendFileSync, closeSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openForRead, readAt } from './bytes.js';
import { logPaths, logSizes, type LogPaths, type LogSizes } from './sizes.js';
import type { Stream } from './read.js';

const INDEX_MAX_BYTES = 256 * 1024;

export const timesPath = (logDir: string, stream: Stream): string => join(logDir, `${stream}.times`);

export interface TimeNote {
  at: number;
  size: number;
}

/** Notes each running task's log sizes at every sample; one per task and stream while they do not change. */
export class LogTimeIndex {
  /** Per task: its log folder and files (made once: this runs for every task at every sample) and the sizes noted last. */
  private readonly last = new Map<string, { dir: string; paths: LogPaths; sizes: LogSizes }>();

  constructor(private readonly logDir: (id: string) => string) {}

  note(id: string, at: number): void {
    let known = this.last.get(id);
    if (!known) {
      const dir = this.logDir(id);
      known = { dir, paths: logPaths(dir), sizes: lastNoted(dir) };
      this.last.set(id, known);
    }
    const sizes = logSizes(known.paths);
    for (const stream of ['stdout', 'stderr'] as const) {
      if (sizes[stream] === known.sizes[stream]) continue;
      try {
        appendNote(timesPath(known.dir, stream), at, sizes[stream]);
      } catch {
        // A full disk or a deleted home: the index is a convenience; reads by offset still work.
      }
    }
    known.sizes = sizes;
  }

  forget(id: string): void {
    this.last.delete(id);
  }
}

/** What a previous daemon noted last, so that a new one does not note the same sizes again. */
function lastNoted(dir: string): LogSizes {
  const lastOf = (stream: Stream) => readNotes(timesPath(dir, stream)).at(-1)?.size ?? 0;
  return { stdout: lastOf('stdout'), stderr: lastOf('stderr') };
}

function appendNote(path: string, at: number, size: number): void {
  appendFileSync(path, `${at} ${size}\n`, { mode: 0o600 });
  if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) <= INDEX_MAX_BYTES) return;
  const notes = readNotes(path);
  const half = Math.floor(notes.length / 2);
  const kept = [...notes.slice(0, half).filter((_, i) => i % 2 === 1), ...notes.slice(half)];
  writeFileSync(path, kept.map((n) => `${n.at} ${n.size}\n`).join(''), { mode: 0o600 });
}

export function readNotes(path: string): TimeNote[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return [];
  }
  const notes: TimeNote[] = [];
  for (const line of text.split('\n')) {
    const [at, size] = line.split(' ').map(Number);
    if (Number.isSafeInteger(at) && Number.isSafeInteger(size)) notes.push({ at: at!, size: size! });
  }
  return notes;
}

/**
 * The offset where output written after `at` starts (`since`), or where output written
 * until `at` ends (`until`), moved to a line boundary: a `since` start goes on to the next
 * line start, an `until` end back to the end of the line before. `known` are notes the
 * caller knows besides the index (the run's start with its log size, the end).
 */
export function offsetAt(logPath: string, notes: TimeNote[], at: number, side: 'since' | 'until', size: number): number {
  const sorted = notes.filter((n) => n.size <= size).sort((a, b) => a.at - b.at || a.size - b.size);
  let offset: number;
  if (side === 'since') {
    // The size last noted at or before `at`: everything after it was written after that note.
    let found = 0;
    for (const n of sorted) if (n.at <= at) found = Math.max(found, n.size);
    offset = found;
  } else {
    // The size first noted at or after `at`: everything before it was written by then.
    const first = sorted.find((n) => n.at >= at);
    offset = first ? first.size : size;
  }
  return toLineBoundary(logPath, offset, side, size);
}

const SCAN = 64 * 1024;

function toLineBoundary(path: string, offset: number, side: 'since' | 'until', size: number): number {
  if (offset <= 0 || offset >= size) return Math.max(0, Math.min(offset, size));
  const fd = openForRead(path);
  if (fd === null) return offset;
  try {
    if (readAt(fd, offset - 1, 1)[0] === 10) return offset;
    if (side === 'since') {
      for (let at = offset; at < size; at += SCAN) {
        const i = readAt(fd, at, Math.min(SCAN, size - at)).indexOf(10);
        if (i >= 0) return at + i + 1;
      }
      return size;
    }
    for (let end = offset; end > 0; end -= SCAN) {
      const from = Math.max(0, end - SCAN);
      const i = readAt(fd, from, end - from).lastIndexOf(10);
      if (i >= 0) return from + i + 1;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

/** How often the daemon notes log sizes (its resource sample, src/policies/sampler.ts). */
const SAMPLE_MS = 2_000;

/**
 * When each line of a log was written, to within one sample. A note says the bytes since
 * the one before were written in the sample interval that ended at it: a line is placed
 * in that interval as far as its end lies in those bytes (steady output gets steady times,
 * so two tasks' lines interleave). The file's last change is a note too (the last byte was
 * written then). Asked for lines in log order, it walks the notes once; a line past every
 * note has no known time: Infinity, after every timed line.
 */
export class WriteTimes {
  private readonly notes: TimeNote[];
  private at = 0;

  constructor(logDir: string, stream: Stream) {
    const log = join(logDir, `${stream}.log`);
    const stat = statSync(log, { throwIfNoEntry: false });
    const notes = readNotes(timesPath(logDir, stream));
    if (stat) notes.push({ at: stat.mtimeMs, size: stat.size });
    this.notes = notes.sort((a, b) => a.size - b.size || a.at - b.at);
  }

  /** The time of a line that ends (newline included) at `end`. */
  timeOf(end: number): number {
    while (this.at < this.notes.length && this.notes[this.at]!.size < end) this.at++;
    const note = this.notes[this.at];
    if (!note) return Number.POSITIVE_INFINITY;
    const before = this.notes[this.at - 1] ?? { at: Number.NEGATIVE_INFINITY, size: 0 };
    const start = Math.min(note.at, Math.max(before.at, note.at - SAMPLE_MS));
    if (note.size === before.size) return note.at;
    return start + ((end - before.size) / (note.size - before.size)) * (note.at - start);
  }
}
