/** Byte-level pieces of reading a log file: positioned reads, opening, UTF-8 boundaries. */
import { openSync, readSync } from 'node:fs';

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

/**
 * At most `len` bytes from the start of `buf` that end on a whole character, but never
 * nothing: a character longer than `len` is kept whole, so that every read moves on.
 */
export function leadingChars(buf: Buffer, len: number): number {
  const cut = utf8Boundary(buf, len);
  if (cut > 0) return cut;
  let end = Math.min(len, buf.length);
  while (end < buf.length && (buf[end]! & 0xc0) === 0x80) end++;
  return end;
}

/** How many bytes to skip from `at` in `buf` to reach the start of a character. */
export function toCharStart(buf: Buffer, at: number): number {
  let skip = 0;
  while (at + skip < buf.length && skip < 4 && (buf[at + skip]! & 0xc0) === 0x80) skip++;
  return skip;
}

export function readAt(fd: number, from: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, from + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** Reads up to `length` bytes at `from` into `buf` at `at`; how many it got (fewer at the end of the file). */
export function readInto(fd: number, buf: Buffer, at: number, length: number, from: number): number {
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, at + got, length - got, from + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** The file opened for reading, or null when it does not exist. */
export function openForRead(path: string): number | null {
  try {
    return openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
