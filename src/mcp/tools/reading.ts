/** The arguments background_output and background_spawn share for the output they show, and their checks. */
import { z } from 'zod';
import { CURSOR_NAME, normalizeRead } from '../../config/read.js';
import { argumentError } from '../errors.js';

/** The largest page a call may ask for; more is capped, with a note. */
export const MAX_PAGE_BYTES = 1024 * 1024;

export const readArgs = {
  filter: z.string().optional().describe('regex: matching lines, searched to the log\'s end'),
  tail: z.number().optional().describe('last N (matching) lines'),
  max_bytes: z.number().optional().describe('page size, at most 1 MiB'),
  as: z.string().optional().describe('name of your own "new" cursor'),
};

export interface PageBytes {
  maxBytes: number;
  /** Said in the reply when the page asked for was too big. */
  note?: string;
}

export function pageBytes(value: number | undefined, fallback: number): PageBytes {
  if (value === undefined) return { maxBytes: fallback };
  if (!Number.isInteger(value) || value < 1) throw argumentError('max_bytes', `${value} is not a positive whole number`);
  if (value > MAX_PAGE_BYTES) return { maxBytes: MAX_PAGE_BYTES, note: `(max_bytes ${value} is over the limit: capped at ${MAX_PAGE_BYTES})` };
  return { maxBytes: value };
}

export function cursorArg(as: string | undefined): string | undefined {
  if (as !== undefined && !CURSOR_NAME.test(as)) throw argumentError('as', `"${as}" is not a cursor name (1-128 letters, digits, ".", "_", ":" or "-")`);
  return as;
}

/** The checks every read gets, before the daemon is asked: the same mistakes, the same answers. */
export function checkRead(o: { maxBytes: number; filter?: string | undefined; tail?: number | undefined; offset?: number | undefined }): void {
  normalizeRead({
    maxBytes: o.maxBytes,
    ...(o.filter !== undefined ? { filter: o.filter } : {}),
    ...(o.tail !== undefined ? { tail: o.tail } : {}),
    ...(o.offset !== undefined ? { offset: o.offset } : {}),
  });
}
