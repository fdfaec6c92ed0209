/**
 * A read of a task's output, as `logs` and `background_output` ask for it: each stream
 * from an offset or from the consumer's cursor (which then moves on to where the read or
 * search stopped), a tail (of the whole log, or of what lies after the offset or cursor),
 * a filter, and the bytes as text or base64.
 */
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import { isFinal, type TaskRecord } from '../../machines/task.types.js';
import type { ReadResult, StreamRead } from '../api.js';
import type { NormalizedRead } from '../config/read.js';
import { readPage, type Encoding, type Stream } from './read.js';
import { offsetAt, readNotes, timesPath, type TimeNote } from './time-index.js';
import { statSync } from 'node:fs';

/** The index's notes, and what the record itself says: the run's start with its log size, and its end. */
function notesOf(logDir: string, record: TaskRecord, stream: Stream, size: number): TimeNote[] {
  const notes = readNotes(timesPath(logDir, stream));
  const start = record.process?.logStart?.[stream];
  if (record.startedAt && start !== undefined) notes.push({ at: Date.parse(record.startedAt), size: start });
  if (record.endedAt && isFinal(record.status)) notes.push({ at: Date.parse(record.endedAt), size });
  return notes;
}

/** The byte range of the lines written between `since` and `until`. */
function timeRange(logDir: string, path: string, record: TaskRecord, stream: Stream, req: NormalizedRead): { from?: number; end?: number } {
  const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  const notes = notesOf(logDir, record, stream, size);
  return {
    ...(req.since !== undefined ? { from: offsetAt(path, notes, req.since, 'since', size) } : {}),
    ...(req.until !== undefined ? { end: offsetAt(path, notes, req.until, 'until', size) } : {}),
  };
}

export interface Cursors {
  cursor(consumer: string, id: string, stream: Stream): number;
  setCursor(consumer: string, id: string, stream: Stream, offset: number): void;
}

/** A task that started has both log files (its monitor makes them), but stderr.log when stderr goes into stdout.log. */
function hasLogFile(record: TaskRecord, stream: 'stdout' | 'stderr'): boolean {
  return record.startedAt !== null && !(stream === 'stderr' && record.spec.output === 'combined');
}

/** Reads the task's logs; reports whether a cursor moved (the caller persists it). */
export function readTask(logDir: string, record: TaskRecord, req: NormalizedRead, cursors: Cursors, now: number): { result: ReadResult; moved: boolean } {
  const result: ReadResult = { id: record.id, status: record.status, exitCode: record.exitCode, at: new Date(now).toISOString() };
  for (const stream of req.streams) {
    const path = join(logDir, `${stream}.log`);
    const range = req.since !== undefined || req.until !== undefined ? timeRange(logDir, path, record, stream, req) : {};
    const from = req.newAs !== undefined ? cursors.cursor(req.newAs, record.id, stream) : (range.from ?? req.offset ?? 0);
    // A range that ends (`until`) is read as a page no longer than it.
    const upTo = range.end !== undefined ? Math.max(0, range.end - from) : Infinity;
    const page = readPage(path, {
      from,
      maxBytes: Math.max(1, Math.min(req.maxBytes, upTo)),
      ...(req.tail !== undefined ? { tail: req.tail } : {}),
      tailAfterFrom: req.newAs !== undefined || req.offset !== undefined || range.from !== undefined,
      ...(req.filter ? { filter: req.filter } : {}),
      growing: !isFinal(record.status),
    });
    // Asked for `auto`, bytes that are not UTF-8 (binary output) come as base64, so that none is lost.
    const as: Encoding = req.encoding === 'auto' ? (isUtf8(page.bytes) ? 'utf8' : 'base64') : req.encoding;
    if (range.end !== undefined) {
      // Nothing past the end of the range, and only what is left of the range counts as omitted.
      const stop = Math.max(page.from, range.end);
      if (page.next > stop) Object.assign(page, { bytes: page.bytes.subarray(0, stop - page.from), next: stop });
      page.omitted = Math.max(0, stop - page.next);
    }
    const read: StreamRead = { data: page.bytes.toString(as), encoding: as, from: page.from, next: page.next, size: page.size, omitted: page.omitted, ...(page.trimmed ? { trimmed: page.trimmed } : {}) };
    if (page.missing && hasLogFile(record, stream)) {
      read.gone = true;
      read.note = `its log file ${path} was deleted: this output cannot be read`;
    } else if (req.newAs === undefined && req.offset !== undefined && req.offset > page.size) {
      read.note = `offset ${req.offset} is past the end (the log has ${page.size} bytes)`;
    }
    result[stream] = read;
    if (req.newAs !== undefined) cursors.setCursor(req.newAs, record.id, stream, page.next);
  }
  return { result, moved: req.newAs !== undefined };
}
