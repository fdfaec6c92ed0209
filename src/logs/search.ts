/**
 * Filtered reads: a regex tested line by line over the whole range a reader asked for,
 * the file read in 64 KB blocks so that memory stays bounded whatever the range. Only the
 * output is bounded by `maxBytes`: a search that fills it stops there and says where to go
 * on from. With `tail`, the last N matching lines of the range (grep | tail), found by
 * reading backwards from the end until there are N.
 */
import { fstatSync, closeSync } from 'node:fs';
import { leadingChars, openForRead, readAt, readInto, toCharStart } from './bytes.js';
import { eachMatch, eachMatchBack } from './lines.js';
import type { Slice } from './read.js';

const BLOCK = 64 * 1024;
/** A line longer than this is tested in pieces of this size, so that memory stays bounded. */
const LONG_LINE = 1024 * 1024;

export interface SearchRequest {
  /** Start of the range (its end is the end of the file). */
  from: number;
  filter: RegExp;
  /** At most this many bytes of matching lines are returned. */
  maxBytes: number;
  /** The last N matching lines of the range instead of the first ones. */
  tail?: number;
  /** The task may still write: a last line without its newline is not finished, and not tested yet. */
  growing: boolean;
}

export function searchLog(path: string, req: SearchRequest): Slice {
  const fd = openForRead(path);
  if (fd === null) return { bytes: Buffer.alloc(0), from: 0, next: 0, size: 0, omitted: 0, missing: true };
  try {
    const size = fstatSync(fd).size;
    const from = Math.min(Math.max(0, req.from), size);
    return req.tail !== undefined ? searchBack(fd, size, from, req, req.tail) : searchForward(fd, size, from, req);
  } finally {
    closeSync(fd);
  }
}

/** The test runs on each line without its newline. */
function matches(filter: RegExp, text: string): boolean {
  filter.lastIndex = 0;
  return filter.test(text);
}

/** A line's text, without its newline. */
export const lineText = (line: Buffer) => line.toString('utf8', 0, line[line.length - 1] === 10 ? line.length - 1 : line.length);

/**
 * The matching lines from `from` on, until they fill `maxBytes`. A matching line longer
 * than the whole page is returned cut (its first `maxBytes`), so that every read moves on.
 */
function searchForward(fd: number, size: number, from: number, req: SearchRequest): Slice {
  const out: Buffer[] = [];
  let outLen = 0;
  /** Takes a matching line (or piece of a long one) that starts at `at`: where the search stops, or -1 to go on. */
  const take = (line: Buffer, at: number): number => {
    if (outLen + line.length <= req.maxBytes) {
      // A copy: a slice would keep its whole block in memory.
      out.push(Buffer.from(line));
      outLen += line.length;
      return -1;
    }
    if (outLen > 0) return at;
    const len = leadingChars(line, req.maxBytes);
    out.push(Buffer.from(line.subarray(0, len)));
    outLen += len;
    return at + len;
  };
  const done = (next: number): Slice => ({ bytes: Buffer.concat(out, outLen), from, next, size, omitted: size - next });
  return done(scanForward(fd, size, from, req.filter, req.growing, BLOCK, take));
}

/**
 * Called with each matching line (or piece of a long one) and the offset of its start:
 * returns where the scan stops, or -1 to go on. The line is a view of the scan's buffer,
 * valid only during the call.
 */
export type LineVisitor = (line: Buffer, at: number) => number;

/**
 * Tests every line from `from` to the end of the file, reading it once in blocks of
 * `block` bytes. Returns where the scan stopped: a visitor's stop, or the end of the last
 * line tested (a growing log's unfinished last line is left for later).
 */
export function scanForward(fd: number, size: number, from: number, filter: RegExp, growing: boolean, block: number, visit: LineVisitor): number {
  // One buffer for the whole search: the start of a line whose newline is not read yet
  // (`carry` bytes, beginning at `lineStart`) stays at its front, the next block follows.
  const buf = Buffer.allocUnsafe(LONG_LINE + block);
  let carry = 0;
  let lineStart = from;
  for (let pos = from; pos < size; ) {
    const got = readInto(fd, buf, carry, Math.min(block, size - pos), pos);
    if (got === 0) break;
    pos += got;
    const data = buf.subarray(0, carry + got);
    const whole = data.lastIndexOf(10) + 1;
    let stop = -1;
    eachMatch(data.subarray(0, whole), filter, (start, end) => {
      stop = visit(data.subarray(start, end), lineStart + start);
      return stop < 0;
    });
    if (stop >= 0) return stop;
    lineStart += whole;
    let rest = whole;
    // A line this long is tested in pieces, so that memory stays bounded.
    while (data.length - rest >= LONG_LINE) {
      const piece = data.subarray(rest, rest + leadingChars(data.subarray(rest), LONG_LINE));
      // The same search as whole lines get (a literal by bytes): a huge run of zeros, as a sparse log reads, is not decoded.
      let hit = false;
      eachMatch(piece, filter, () => !(hit = true));
      if (hit) stop = visit(piece, lineStart);
      if (stop >= 0) return stop;
      lineStart += piece.length;
      rest += piece.length;
    }
    data.copy(buf, 0, rest);
    carry = data.length - rest;
  }
  // A last line without its newline: whole once the task has ended; until then it waits.
  if (carry > 0 && !growing) {
    const line = buf.subarray(0, carry);
    const stop = matches(filter, lineText(line)) ? visit(line, lineStart) : -1;
    if (stop >= 0) return stop;
    lineStart += carry;
  }
  return lineStart;
}

/** Where the last finished line of [floor, size) ends: a growing log's unfinished last line is left for later. */
function finishedEnd(fd: number, floor: number, size: number, growing: boolean): number {
  if (!growing || size === floor || readAt(fd, size - 1, 1)[0] === 10) return size;
  for (let pos = size; pos > floor; ) {
    const from = Math.max(floor, pos - BLOCK);
    const block = readAt(fd, from, pos - from);
    const nl = block.lastIndexOf(10);
    if (nl >= 0) return from + nl + 1;
    pos = from;
  }
  return floor;
}

interface Found {
  at: number;
  line: Buffer;
}

/**
 * The last `want` matching lines of [floor, end of file), at most `maxBytes` of them (the
 * latest kept; one longer than the page keeps its end). `omitted` counts the bytes from
 * the first of the wanted lines to the first byte returned.
 */
function searchBack(fd: number, size: number, floor: number, req: SearchRequest, want: number): Slice {
  const end = finishedEnd(fd, floor, size, req.growing);
  /** Matching lines, the latest first. */
  const found: Found[] = [];
  const keep = (line: Buffer, at: number) => {
    found.push({ at, line: Buffer.from(line) });
    return found.length < want;
  };
  const test = (line: Buffer, at: number) => (matches(req.filter, lineText(line)) ? keep(line, at) : true);

  // One buffer for the whole search: the end of a line whose start is not read yet (`carry`
  // bytes, beginning at `pos`) stays at its back, the block before it goes in front of it.
  const room = LONG_LINE + BLOCK;
  const buf = Buffer.allocUnsafe(room);
  let carry = 0;
  let pos = end;
  while (pos > floor && found.length < want) {
    const from = Math.max(floor, pos - BLOCK);
    const at = room - carry - (pos - from);
    if (readInto(fd, buf, at, pos - from, from) < pos - from) break; // the file shrank: nothing more to find
    pos = from;
    const data = buf.subarray(at);
    // Lines after the first newline are whole; what comes before it began in an earlier block.
    const first = data.indexOf(10) + 1;
    let carryEnd = first > 0 ? first : data.length;
    if (first > 0) eachMatchBack(data.subarray(first), req.filter, (start, stop) => keep(data.subarray(first + start, first + stop), pos + first + start));
    // A line this long is tested in pieces from its end, so that memory stays bounded.
    while (carryEnd >= LONG_LINE && found.length < want) {
      const cut = carryEnd - LONG_LINE + toCharStart(data, carryEnd - LONG_LINE);
      test(data.subarray(cut, carryEnd), pos + cut);
      carryEnd = cut;
    }
    data.copy(buf, room - carryEnd, 0, carryEnd);
    carry = carryEnd;
  }
  // The first line of the range, whose start no newline marks.
  if (found.length < want && carry > 0) test(buf.subarray(room - carry), pos);

  if (found.length === 0) return { bytes: Buffer.alloc(0), from: want > 0 ? floor : end, next: end, size, omitted: 0 };
  const earliest = found[found.length - 1]!.at;
  const kept: Buffer[] = [];
  let keptLen = 0;
  let first = end;
  for (const f of found) {
    if (keptLen + f.line.length <= req.maxBytes) {
      kept.unshift(f.line);
      keptLen += f.line.length;
      first = f.at;
      continue;
    }
    if (kept.length === 0) {
      const cut = f.line.length - req.maxBytes + toCharStart(f.line, f.line.length - req.maxBytes);
      kept.unshift(f.line.subarray(cut));
      keptLen += f.line.length - cut;
      first = f.at + cut;
    }
    break;
  }
  return { bytes: Buffer.concat(kept, keptLen), from: first, next: end, size, omitted: first - earliest };
}
