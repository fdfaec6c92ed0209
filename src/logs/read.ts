/**
 * Reading a log file by byte offset. A read costs what it returns, never the file's size:
 * pages come from `pread` at an offset, and `tail` reads backwards in chunks until it has
 * its lines. Pages never end inside a UTF-8 character, and a read that cannot return
 * everything it was asked for says how many bytes it left out.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export type Stream = 'stdout' | 'stderr';
export type Encoding = 'utf8' | 'base64';

interface SliceRequest {
  /** Byte offset to start at; ignored with `tail`. Default 0. */
  from?: number;
  /** At most this many bytes. */
  maxBytes: number;
  /** The last N lines instead of a range from `from`; with `from`, only lines after it. */
  tail?: number;
}

interface Slice {
  bytes: Buffer;
  /** Offset of the first byte returned. */
  from: number;
  /** Offset to read from next time: everything before it was returned or omitted. */
  next: number;
  /** Size of the file at the time of the read. */
  size: number;
  /** Bytes of the requested range that were not returned (after `next`, or before `from` for a tail). */
  omitted: number;
  /** The file does not exist (read as empty). */
  missing?: true;
}

const TAIL_CHUNK = 64 * 1024;
const TAIL_SCAN_PAST_PAGE = 4 * 1024 * 1024;

/** Largest length ≤ `len` that does not end inside a UTF-8 sequence. */
export function utf8Boundary(buf: Buffer, len: number): number {
  if (len >= buf.length) return buf.length;
  // Step back over continuation bytes (10xxxxxx) to the lead byte, at most 3.
  let i = len;
  let back = 0;
  while (i > 0 && back < 4 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  return back === 0 ? len : i;
}

function readAt(fd: number, from: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, from + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

function openForRead(path: string): number | null {
  try {
    return openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function readSlice(path: string, req: SliceRequest): Slice {
  const fd = openForRead(path);
  if (fd === null) return { bytes: Buffer.alloc(0), from: 0, next: 0, size: 0, omitted: 0, missing: true };
  try {
    const size = fstatSync(fd).size;
    return req.tail !== undefined
      ? tailSlice(fd, size, req.tail, req.maxBytes, Math.min(Math.max(0, req.from ?? 0), size))
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
  /** The last N lines: of the whole file, or with `newOnly` of what lies after `from`. */
  tail?: number;
  /** `from` is a reader's cursor: `tail` takes the last lines of what is new. */
  newOnly?: boolean;
  filter?: RegExp;
  /** The task may still write: a last line without its newline is not finished yet. */
  growing: boolean;
}

/**
 * One page of a log as a reader asked for it: a range from an offset (or a cursor), or a
 * tail, then filtered line by line. A filtered page holds whole lines only, so no line is
 * tested half; a line still being written waits for its newline (or for the task's end).
 */
export function readPage(path: string, req: PageRequest): Slice {
  if (req.tail !== undefined && !req.newOnly) {
    const slice = readSlice(path, { maxBytes: req.maxBytes, tail: req.tail });
    return req.filter ? { ...slice, bytes: filterBytes(slice.bytes, req.filter) } : slice;
  }
  // A cursor's tail: the last lines of what lies after it; what comes before them is skipped.
  const slice = readSlice(path, { from: req.from, maxBytes: req.maxBytes, ...(req.tail !== undefined ? { tail: req.tail } : {}) });
  let { bytes } = slice;
  if (req.growing && slice.next === slice.size) {
    // The task is still writing: a character or (when filtering) a line it has not finished
    // waits for the next read, so that no reader gets half of it.
    let keep = bytes.length - unfinishedUtf8(bytes);
    if (req.filter && keep > 0 && bytes[keep - 1] !== 10) keep = bytes.lastIndexOf(10, keep - 1) + 1;
    bytes = bytes.subarray(0, keep);
  } else if (req.filter && slice.omitted > 0 && req.tail === undefined && bytes[bytes.length - 1] !== 10) {
    // A page cut by maxBytes ends at its last whole line, unless one line is longer than the
    // page: that one is tested page by page.
    const lastNewline = bytes.lastIndexOf(10);
    if (lastNewline >= 0) bytes = bytes.subarray(0, lastNewline + 1);
  }
  const next = slice.from + bytes.length;
  // A tail counts what it skipped before its lines: for a cursor, everything new before them.
  const omitted = req.tail !== undefined ? slice.from - req.from : slice.size - next;
  return { ...slice, bytes: req.filter ? filterBytes(bytes, req.filter) : bytes, next, omitted };
}

function filterBytes(bytes: Buffer, filter: RegExp): Buffer {
  return Buffer.from(filterLines(bytes.toString('utf8'), filter), 'utf8');
}

/** Keeps the lines that match; the test runs on each line without its newline. */
export function filterLines(text: string, filter: RegExp): string {
  if (text.length === 0) return text;
  const lines = text.split('\n');
  const endsWithNewline = lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const kept: string[] = [];
  for (const line of lines) {
    filter.lastIndex = 0;
    if (filter.test(line)) kept.push(line);
  }
  if (kept.length === 0) return '';
  return kept.join('\n') + (endsWithNewline || kept[kept.length - 1] !== lines[lines.length - 1] ? '\n' : '');
}
