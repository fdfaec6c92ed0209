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
    const page = readPage(path, {
      from: req.newAs !== undefined ? cursors.cursor(req.newAs, record.id, stream) : (req.offset ?? 0),
      maxBytes: req.maxBytes,
      ...(req.tail !== undefined ? { tail: req.tail } : {}),
      tailAfterFrom: req.newAs !== undefined || req.offset !== undefined,
      ...(req.filter ? { filter: req.filter } : {}),
      growing: !isFinal(record.status),
    });
    // Asked for `auto`, bytes that are not UTF-8 (binary output) come as base64, so that none is lost.
    const as: Encoding = req.encoding === 'auto' ? (isUtf8(page.bytes) ? 'utf8' : 'base64') : req.encoding;
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
