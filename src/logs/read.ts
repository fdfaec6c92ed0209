/**
 * Reading a log file by byte offset. A read costs what it returns, never the file's size:
 * pages come from `pread` at an offset, and `tail` reads backwards in chunks until it has
 * its lines. Pages never end inside a UTF-8 character, and a read that cannot return
 * everything it was asked for says how many bytes it left out.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export type Stream = 'stdout' | 'stderr';
export type Encoding = 'utf8' | 'base64';

export interface SliceRequest {
  /** Byte offset to start at; ignored with `tail`. Default 0. */
  from?: number;
  /** At most this many bytes. */
  maxBytes: number;
  /** The last N lines instead of a range from `from`. */
  tail?: number;
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
}

const TAIL_CHUNK = 64 * 1024;

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
  if (fd === null) return { bytes: Buffer.alloc(0), from: 0, next: 0, size: 0, omitted: 0 };
  try {
    const size = fstatSync(fd).size;
    return req.tail !== undefined ? tailSlice(fd, size, req.tail, req.maxBytes) : rangeSlice(fd, size, req);
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
  // One byte more than the page tells whether the page ends inside a character.
  const probe = readAt(fd, from, req.maxBytes + 1);
  const len = utf8Boundary(probe, req.maxBytes);
  const next = from + len;
  return { bytes: probe.subarray(0, len), from, next, size, omitted: size - next };
}

function tailSlice(fd: number, size: number, lines: number, maxBytes: number): Slice {
  let start = size;
  let newlines = 0;
  // A final newline ends the last line; it does not start a new one.
  let skipFinal = true;
  let found = -1;
  while (start > 0 && found < 0 && size - start < maxBytes + TAIL_CHUNK) {
    const from = Math.max(0, start - TAIL_CHUNK);
    const chunk = readAt(fd, from, start - from);
    for (let i = chunk.length - 1; i >= 0; i--) {
      if (chunk[i] !== 10) continue;
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
