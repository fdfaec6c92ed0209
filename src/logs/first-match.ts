/**
 * A search of a task's logs for the first line that matches, from byte offsets that it
 * moves on: each call reads only what was written since the previous one, in blocks, so
 * a wait can search a growing log again and again at the cost of what is new. A line not
 * finished yet (no newline) is tested as it is, but searched again whole next time: the
 * offsets never pass a line that was not tested complete, so no line is missed between
 * two searches, in one process or across a resume token.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LogLine } from '../api.js';
import type { Stream } from './read.js';

export interface SearchedLog {
  stream: Stream;
  path: string;
  /** Byte offset to start at: the start of a line. */
  from: number;
}

const BLOCK = 64 * 1024;
/** A line longer than this is tested in pieces of this size (the piece that matched is reported). */
const MAX_LINE = 1024 * 1024;
/** What a matched line shows at most. */
const SHOWN_LINE = 1_000;
/** What one call reads at most per log, so that a huge backlog does not hold the daemon up. */
const STEP_BYTES = 16 * 1024 * 1024;

export class LogSearch {
  private readonly offsets: number[];

  constructor(
    private readonly regex: RegExp,
    private readonly logs: SearchedLog[],
  ) {
    this.offsets = logs.map((l) => l.from);
  }

  /** The first matching line written since the last call (null: none yet); the offsets move past it. */
  next(maxBytes = STEP_BYTES): LogLine | null {
    for (let i = 0; i < this.logs.length; i++) {
      const found = this.searchOne(i, maxBytes);
      if (found) return found;
    }
    return null;
  }

  /** How far each log was searched: the start of the first line not yet tested whole. */
  searched(): Record<Stream, number> {
    const reached = { stdout: 0, stderr: 0 };
    this.logs.forEach((log, i) => (reached[log.stream] = this.offsets[i]!));
    return reached;
  }

  private test(stream: Stream, offset: number, bytes: Buffer): LogLine | null {
    let line = bytes.toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.regex.lastIndex = 0;
    if (!this.regex.test(line)) return null;
    return { stream, offset, line: line.length > SHOWN_LINE ? `${line.slice(0, SHOWN_LINE - 1)}…` : line };
  }

  private searchOne(i: number, maxBytes: number): LogLine | null {
    const { stream, path } = this.logs[i]!;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return null; // not made yet, or gone: nothing to search
    }
    try {
      const size = fstatSync(fd).size;
      let lineStart = this.offsets[i]!;
      let pos = lineStart;
      let pending: Buffer = Buffer.alloc(0);
      const block = Buffer.allocUnsafe(BLOCK);
      while (pos < size && pos - this.offsets[i]! < maxBytes) {
        const n = readSync(fd, block, 0, Math.min(BLOCK, size - pos), pos);
        if (n === 0) break;
        const chunk = block.subarray(0, n);
        let start = 0;
        for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
          const line = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(start, nl)]) : chunk.subarray(start, nl);
          pending = Buffer.alloc(0);
          const hit = this.test(stream, lineStart, line);
          start = nl + 1;
          lineStart = pos + start;
          if (hit) {
            this.offsets[i] = lineStart;
            return hit;
          }
        }
        pending = Buffer.concat([pending, chunk.subarray(start)]);
        pos += n;
        if (pending.length >= MAX_LINE) {
          const hit = this.test(stream, lineStart, pending);
          pending = Buffer.alloc(0);
          lineStart = pos;
          if (hit) {
            this.offsets[i] = lineStart;
            return hit;
          }
        }
      }
      this.offsets[i] = lineStart;
      // At the end of what is written: the line being written is tested as it is now.
      if (pos >= size && pending.length > 0) {
        const hit = this.test(stream, lineStart, pending);
        if (hit) {
          this.offsets[i] = size;
          return hit;
        }
      }
      return null;
    } finally {
      closeSync(fd);
    }
  }
}
