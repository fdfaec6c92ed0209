/**
 * THE check of a read's options (`logs`, `background_output`, the RPC `read`): every
 * front end and the supervisor call it, so a bad option gets the same answer everywhere.
 */
import { DEFAULTS } from '../../machines/defaults.js';
import type { ReadInput } from '../api.js';
import { field, usageError } from '../errors.js';
import type { Stream } from '../logs/read.js';
import { compileFilter } from './filter.js';
import { parseTimePoint, TimePointError } from '../../machines/time-point.js';

function timePoint(text: string | undefined, key: 'since' | 'until', now: number): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseTimePoint(String(text), now);
  } catch (error) {
    if (error instanceof TimePointError) throw usageError(`${field(key)}: ${error.message}`);
    throw error;
  }
}

export interface NormalizedRead {
  streams: Stream[];
  offset: number | undefined;
  newAs: string | undefined;
  tail: number | undefined;
  filter: RegExp | undefined;
  maxBytes: number;
  encoding: 'utf8' | 'base64' | 'auto';
  /** Milliseconds since the epoch. */
  since: number | undefined;
  until: number | undefined;
}

/** Cursor names: one per consumer, kept in the state file. */
export const CURSOR_NAME = /^[A-Za-z0-9._:-]{1,128}$/;

export function normalizeRead(input: Omit<ReadInput, 'ref'>, now = Date.now()): NormalizedRead {
  const stream = input.stream ?? 'both';
  if (stream !== 'stdout' && stream !== 'stderr' && stream !== 'both') throw usageError(`${field('stream')}: "${String(stream)}" is not stdout or stderr`);
  if (input.tail !== undefined && (!Number.isInteger(input.tail) || input.tail < 0)) throw usageError(`${field('tail')}: "${input.tail}" is not a number of lines`);
  if (input.offset !== undefined && (!Number.isInteger(input.offset) || input.offset < 0)) throw usageError(`${field('offset')}: "${input.offset}" is not a byte offset`);
  const maxBytes = input.maxBytes ?? DEFAULTS.readMaxBytes;
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw usageError(`${field('maxBytes')}: "${input.maxBytes}" is not a positive number`);
  if (input.newAs !== undefined && input.offset !== undefined) throw usageError(`${field('new')} and ${field('offset')} both say where to start: give one`);
  if (input.newAs !== undefined && !CURSOR_NAME.test(input.newAs)) {
    throw usageError(`${field('newAs')}: "${input.newAs}" is not a cursor name (letters, digits, ".", "_", ":" and "-")`);
  }
  const since = timePoint(input.since, 'since', now);
  const until = timePoint(input.until, 'until', now);
  if (since !== undefined && (input.offset !== undefined || input.newAs !== undefined)) {
    throw usageError(`${field('since')} says where to start, as ${field(input.offset !== undefined ? 'offset' : 'new')} does: give one`);
  }
  if (until !== undefined && (input.tail !== undefined || input.filter !== undefined || input.newAs !== undefined)) {
    throw usageError(`${field('until')} bounds a plain range: it cannot be combined with ${field(input.tail !== undefined ? 'tail' : input.filter !== undefined ? 'filter' : 'new')}`);
  }
  return {
    since,
    until,
    streams: stream === 'both' ? ['stdout', 'stderr'] : [stream],
    offset: input.offset,
    newAs: input.newAs,
    tail: input.tail,
    filter: compileFilter(input.filter),
    maxBytes,
    encoding: input.encoding ?? 'utf8',
  };
}
