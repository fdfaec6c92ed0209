/**
 * Whole lines of a log as it grows: each read goes on from where the last one stopped and
 * returns only lines whose newline has been written; the start of an unfinished line waits
 * for the rest. One reader per file, reading only what was added, whatever the file's size.
 */
import { closeSync, fstatSync } from 'node:fs';
import { openForRead, readInto } from './bytes.js';
import { keptStart } from './kept.js';

export interface LogLine {
  /** Offset of the line's first byte in the log. */
  offset: number;
  /** The line, without its newline. */
  bytes: Buffer;
}

export interface LineRead {
  lines: LogLine[];
  /** Bytes are left to read (up to the end asked for): read again. */
  more: boolean;
  /** Bytes the log cap released before they were read (skipped, with any line they cut). */
  released: number;
}

/** One read takes at most this much: a big log is read block by block, in bounded memory. */
const BLOCK = 1024 * 1024;
/** A "line" longer than this (binary output, a progress bar redrawn forever) comes out in pieces of it. */
export const LONGEST_LINE = 1024 * 1024;

export class LineReader {
  private fd: number | null = null;
  /** The next byte to read. */
  private next: number;
  /** The start of a line whose newline has not been read yet, and its offset. */
  private partial: Buffer = Buffer.alloc(0);
  private partialAt: number;
  /** After a release by the log cap, the rest of the line it cut is skipped too. */
  private skipToNewline = false;
  private readonly block = Buffer.allocUnsafe(BLOCK);

  constructor(
    readonly path: string,
    from = 0,
  ) {
    this.next = from;
    this.partialAt = from;
  }

  /** Where the lines read so far end: the offset of the first byte not returned. */
  get offset(): number {
    return this.partialAt;
  }

  /** The lines completed since the last read, reading at most one block, and only up to `end` when given. */
  read(end = Number.POSITIVE_INFINITY): LineRead {
    const none: LineRead = { lines: [], more: false, released: 0 };
    this.fd ??= openForRead(this.path);
    if (this.fd === null) return none;
    const size = fstatSync(this.fd).size;
    // A log smaller than what was read was removed and begun again: read the new one from its start.
    if (size < this.next) this.restartAt(0);
    let released = 0;
    const kept = size > this.partialAt ? keptStart(this.path, size) : 0;
    if (this.partialAt < kept) {
      released = kept - this.partialAt;
      this.restartAt(kept);
      this.skipToNewline = kept > 0;
    }
    const stop = Math.min(size, end);
    if (this.next >= stop) return { ...none, released };
    const got = readInto(this.fd, this.block, 0, Math.min(BLOCK, stop - this.next), this.next);
    let chunk = this.block.subarray(0, got);
    const chunkAt = this.next;
    this.next += got;
    if (this.skipToNewline) {
      // The cap cut this line: what is left of it is released with its head.
      const nl = chunk.indexOf(10);
      const skipped = nl < 0 ? got : nl + 1;
      released += skipped;
      this.partialAt += skipped;
      this.skipToNewline = nl < 0;
      chunk = chunk.subarray(skipped);
      return { lines: this.split(chunk, chunkAt + skipped), more: this.next < stop, released };
    }
    return { lines: this.split(chunk, chunkAt), more: this.next < stop, released };
  }

  /** The unfinished last line, once nothing more will be written to it (its task ended). */
  rest(): LogLine | null {
    if (this.partial.length === 0) return null;
    const line = { offset: this.partialAt, bytes: this.partial };
    this.partialAt += this.partial.length;
    this.partial = Buffer.alloc(0);
    return line;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private restartAt(offset: number): void {
    this.skipToNewline = false;
    this.next = offset;
    this.partialAt = offset;
    this.partial = Buffer.alloc(0);
  }

  private split(chunk: Buffer, chunkAt: number): LogLine[] {
    const lines: LogLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      // Copied: the block is reused by the next read.
      const bytes = this.partial.length > 0 ? Buffer.concat([this.partial, piece]) : Buffer.from(piece);
      lines.push({ offset: this.partialAt, bytes });
      this.partial = Buffer.alloc(0);
      this.partialAt = chunkAt + nl + 1;
      start = nl + 1;
    }
    if (start < chunk.length) this.partial = Buffer.concat([this.partial, chunk.subarray(start)]);
    while (this.partial.length >= LONGEST_LINE) {
      lines.push({ offset: this.partialAt, bytes: this.partial.subarray(0, LONGEST_LINE) });
      this.partial = this.partial.subarray(LONGEST_LINE);
      this.partialAt += LONGEST_LINE;
    }
    return lines;
  }
}
