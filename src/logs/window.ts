/**
 * A window of whole lines of a log, for a viewer that shows the end first and scrolls
 * back (or forward): the last `maxBytes` before an offset (the end by default), or the
 * `maxBytes` after one. Only the window is read, so a 1 GB log answers as fast as a small
 * one. A window is cut at line ends, but never to nothing: a line longer than the window
 * comes as a piece (cut on a character boundary), so that scrolling always moves on.
 * The last line of a growing log may be partial: the next window from `end` goes on with it.
 */
import { closeSync, fstatSync } from 'node:fs';
import { leadingChars, openForRead, readAt, toCharStart } from './bytes.js';
import { keptStart } from './kept.js';
import { eachMatch } from './lines.js';

export interface WindowRequest {
  /** The window starts here and goes forward (a previous window's `end`). */
  offset?: number;
  /** The window ends here and goes back (a previous window's `start`); the end of the log when neither is given. */
  before?: number;
  maxBytes: number;
  /** Only the lines it matches are returned, each with its offset. */
  filter?: RegExp;
}

export interface LogWindow {
  /** Offset of the window's first byte. */
  start: number;
  /** Offset just past its last byte. */
  end: number;
  /** The log's size when it was read. */
  size: number;
  /** The first offset still on disk (a capped log released what came before). */
  kept: number;
  text: string;
  /** With a filter: the matching lines of the window (text without the newline). */
  lines?: { offset: number; text: string }[];
}

export function readWindow(path: string, req: WindowRequest): LogWindow {
  const fd = openForRead(path);
  if (fd === null) return { start: 0, end: 0, size: 0, kept: 0, text: '', ...(req.filter ? { lines: [] } : {}) };
  try {
    const size = fstatSync(fd).size;
    const kept = keptStart(path, size);
    const clamp = (n: number) => Math.min(Math.max(n, kept), size);
    const range = req.offset !== undefined ? forward(fd, clamp(req.offset), size, req.maxBytes) : backward(fd, clamp(req.before ?? size), kept, req.maxBytes);
    const window: LogWindow = { start: range.start, end: range.start + range.bytes.length, size, kept, text: '' };
    if (!req.filter) return { ...window, text: range.bytes.toString('utf8') };
    const lines: { offset: number; text: string }[] = [];
    eachMatch(range.bytes, req.filter, (from, to) => {
      const line = range.bytes.subarray(from, range.bytes[to - 1] === 10 ? to - 1 : to);
      lines.push({ offset: range.start + from, text: line.toString('utf8') });
      return true;
    });
    return { ...window, text: lines.map((l) => `${l.text}\n`).join(''), lines };
  } finally {
    closeSync(fd);
  }
}

/** From `start`, up to `maxBytes`, ending after the last newline unless it reaches the end of the log. */
function forward(fd: number, start: number, size: number, maxBytes: number): { start: number; bytes: Buffer } {
  // Three bytes past the window tell where a character cut by it ends.
  const probe = readAt(fd, start, Math.min(maxBytes + 3, size - start));
  if (probe.length <= maxBytes) return { start, bytes: probe };
  const nl = probe.subarray(0, maxBytes).lastIndexOf(10);
  return { start, bytes: probe.subarray(0, nl >= 0 ? nl + 1 : leadingChars(probe, maxBytes)) };
}

/** Up to `maxBytes` ending at `end`, starting after a newline unless it reaches the kept start. */
function backward(fd: number, end: number, kept: number, maxBytes: number): { start: number; bytes: Buffer } {
  const from = Math.max(kept, end - maxBytes);
  const bytes = readAt(fd, from, end - from);
  if (from === kept) return { start: from, bytes };
  // The byte before the window says whether the window begins a line.
  if (readAt(fd, from - 1, 1)[0] === 10) return { start: from, bytes };
  const nl = bytes.indexOf(10);
  // A newline that ends the window's only line leaves nothing after it: the piece of that line is returned instead.
  const skip = nl >= 0 && nl + 1 < bytes.length ? nl + 1 : toCharStart(bytes, 0);
  return { start: from + skip, bytes: bytes.subarray(skip) };
}
