/**
 * Reading a log file by byte offset. A read costs what it returns, never the file's size:
 * pages come from `pread` at an offset, and `tail` reads backwards in chunks until it has
 * its lines. Pages never end inside a UTF-8 character, and a read that cannot return
 * everything it was asked for says how many bytes it left out.
 */
import { closeSync, fstatSync } from 'node:fs';
import { openForRead, readAt, toCharStart, utf8Boundary } from './bytes.js';
import { keptStart } from './kept.js';
import { searchLog } from './search.js';

export { utf8Boundary } from './bytes.js';

export type Stream = 'stdout' | 'stderr';
export type Encoding = 'utf8' | 'base64';

interface SliceRequest {
  /** Byte offset to start at; ignored with `tail`. Default 0. */
  from?: number;
  /** At most this many bytes. */
  maxBytes: number;
  /** The last N lines instead of a range from `from`; with `from`, only lines after it. */
  tail?: number;
  /** No byte before this offset is read (the start of a capped log's kept part). */
  floor?: number;
}

export interface Slice {
  bytes: Buffer;
  /** Offset of the first byte returned. */
  from: number;
  /** Offset to read from next time: everything before it was returned or omitted. */
  next: number;
  /** Size of the file at the time of the read. */
  size: number;
  /** Bytes of the requested range that were not returned (after `next`, or before `from` for a tail). */
  omitted: number;
  /** Bytes of the requested range the log's cap released before this read (they precede `from`). */
  trimmed?: number;
  /** The file does not exist (read as empty). */
  missing?: true;
}

const TAIL_CHUNK = 64 * 1024;
const TAIL_SCAN_PAST_PAGE = 4 * 1024 * 1024;

export function readSlice(path: string, req: SliceRequest): Slice {
  const fd = openForRead(path);
  if (fd === null) return { bytes: Buffer.alloc(0), from: 0, next: 0, size: 0, omitted: 0, missing: true };
  try {
    const size = fstatSync(fd).size;
    return req.tail !== undefined
      ? tailSlice(fd, size, req.tail, req.maxBytes, Math.min(Math.max(0, req.from ?? 0, req.floor ?? 0), size))
      : rangeSlice(fd, size, req);
  } finally {
    closeSync(fd);
  }
}

function rangeSlice(fd: number, size: number, req: SliceRequest): Slice {
  const from = Math.min(Math.max(0, req.from ?? 0), size);
  const want = size - from;
  if (want <= req.maxBytes) {
    return { bytes: readAt(fd, from, want), from, next: from + want, size, omitted: 0 };
  }
  // Three bytes more than the page tell whether it ends inside a character, and where that ends.
  const probe = readAt(fd, from, req.maxBytes + 3);
  let len = utf8Boundary(probe, req.maxBytes);
  if (len === 0) {
    // A page smaller than the character at its start still returns that character whole:
    // every read makes progress.
    len = req.maxBytes;
    while (len < probe.length && (probe[len]! & 0xc0) === 0x80) len++;
  }
  const next = from + len;
  return { bytes: probe.subarray(0, len), from, next, size, omitted: size - next };
}

/**
 * The last `lines` lines after `floor`. The scan for their start reads at most 4 MiB past
 * the page, so a read costs what it returns whatever the file: a line longer than that is
 * cut, and `omitted` then counts the part that was scanned (at least that much was left out).
 */
function tailSlice(fd: number, size: number, lines: number, maxBytes: number, floor: number): Slice {
  const scanLimit = maxBytes + TAIL_SCAN_PAST_PAGE;
  let start = size;
  let newlines = 0;
  // A final newline ends the last line; it does not start a new one.
  let skipFinal = true;
  let found = -1;
  while (start > floor && found < 0 && lines > 0 && size - start < scanLimit) {
    const from = Math.max(floor, start - TAIL_CHUNK);
    const chunk = readAt(fd, from, start - from);
    for (let i = chunk.lastIndexOf(10); i >= 0; i = i > 0 ? chunk.lastIndexOf(10, i - 1) : -1) {
      if (skipFinal && from + i === size - 1) continue;
      newlines++;
      if (newlines === lines) {
        found = from + i + 1;
        break;
      }
    }
    skipFinal = false;
    start = from;
  }
  let from = lines <= 0 ? size : found >= 0 ? found : start;
  let omitted = 0;
  if (size - from > maxBytes) {
    // Keep the end; step forward to a character start so the page begins cleanly.
    const cut = size - maxBytes;
    const head = readAt(fd, cut, Math.min(4, size - cut));
    let skip = 0;
    while (skip < head.length && (head[skip]! & 0xc0) === 0x80) skip++;
    omitted = cut + skip - from;
    from = cut + skip;
  }
  return { bytes: readAt(fd, from, size - from), from, next: size, size, omitted };
}

/**
 * How many bytes at the end of `bytes` are the start of a UTF-8 character whose rest is not
 * written yet (0 when it ends on a whole character).
 */
export function unfinishedUtf8(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

interface PageRequest {
  /** Byte offset to start at, for a range read. */
  from: number;
  maxBytes: number;
  /** The last N lines: of the whole file, or with `tailAfterFrom` of what lies after `from`. */
  tail?: number;
  /** `from` is a reader's cursor or an offset it gave: `tail` takes the last lines after it. */
  tailAfterFrom?: boolean;
  /** Only lines that match, searched over the whole range (see search.ts). */
  filter?: RegExp;
  /** The task may still write: a last line without its newline is not finished yet. */
  growing: boolean;
}

/**
 * One page of a log as a reader asked for it: a range from an offset (or a cursor), or a
 * tail. A filtered page searches the whole range and holds whole lines only, so no line
 * is tested half; a line still being written waits for its newline (or for the task's end).
 */
export function readPage(path: string, req: PageRequest): Slice {
  const kept = keptFrom(path);
  if (kept === 0) return readWholePage(path, req);
  // A capped log: nothing before its kept start is read; what the request lost there is `trimmed`.
  if (req.tail !== undefined && !req.tailAfterFrom) {
    // A tail of the whole log lost something only when its lines reach back to the kept start.
    const page = readWholePage(path, { ...req, floor: kept });
    return page.from <= kept ? { ...page, trimmed: kept } : page;
  }
  const page = readWholePage(path, { ...req, from: Math.max(req.from, kept) });
  const lost = Math.max(0, kept - req.from);
  if (lost === 0) return page;
  return { ...page, trimmed: lost, ...(req.tail !== undefined ? { omitted: Math.max(0, page.from - kept) } : {}) };
}

/** The kept start of a capped log, moved on to a whole character (0 when nothing was released). */
export function keptFrom(path: string): number {
  const fd = openForRead(path);
  if (fd === null) return 0;
  try {
    const size = fstatSync(fd).size;
    const kept = keptStart(path, size);
    return kept === 0 ? 0 : kept + toCharStart(readAt(fd, kept, 4), 0);
  } finally {
    closeSync(fd);
  }
}

function readWholePage(path: string, req: PageRequest & { floor?: number }): Slice {
  if (req.filter) {
    const from = req.tail === undefined || req.tailAfterFrom ? req.from : (req.floor ?? 0);
    const found = searchLog(path, { from, filter: req.filter, maxBytes: req.maxBytes, growing: req.growing, ...(req.tail !== undefined ? { tail: req.tail } : {}) });
    // As below: a tail after a cursor or offset counts all of the range before its lines.
    return req.tail !== undefined && req.tailAfterFrom ? { ...found, omitted: Math.max(0, found.from - req.from) } : found;
  }
  if (req.tail !== undefined && !req.tailAfterFrom) return readSlice(path, { maxBytes: req.maxBytes, tail: req.tail, ...(req.floor ? { floor: req.floor } : {}) });
  // A tail after a cursor or offset: the last lines of what lies after it; what comes before them is skipped.
  const slice = readSlice(path, { from: req.from, maxBytes: req.maxBytes, ...(req.tail !== undefined ? { tail: req.tail } : {}) });
  let { bytes } = slice;
  // The task is still writing: a character it has not finished waits for the next read, so that no reader gets half of it.
  if (req.growing && slice.next === slice.size) bytes = bytes.subarray(0, bytes.length - unfinishedUtf8(bytes));
  const next = slice.from + bytes.length;
  // A tail counts what it skipped before its lines: everything after the cursor or offset before them.
  const omitted = req.tail !== undefined ? Math.max(0, slice.from - req.from) : slice.size - next;
  return { ...slice, bytes, next, omitted };
}
