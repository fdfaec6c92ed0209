import { counted } from '../../../machines/counted.js';
import { DEFAULTS } from '../../../machines/defaults.js';
import { isFinal } from '../../../machines/task.types.js';
import type { ReadInput, StreamChoice, StreamRead } from '../../api.js';
import { normalizeRead, type NormalizedRead } from '../../config/read.js';
import { usageError } from '../../errors.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';
import { stripAnsi } from '../../text.js';
import { parseTimePoint } from '../../../machines/time-point.js';

interface LogsFlags {
  stream?: string;
  offset?: number;
  new?: boolean;
  as?: string;
  filter?: string;
  tail?: number;
  follow?: boolean;
  maxBytes?: number;
  stripAnsi?: boolean;
  since?: string;
  until?: string;
  env?: string;
  prefix?: boolean;
}

const PAGE = 1024 * 1024;
const FOLLOW_POLL_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Checked here, where the daemon would check them too: a mistake costs no connection. */
function check(flags: LogsFlags): NormalizedRead {
  if (flags.as !== undefined && !flags.new) throw usageError('--as names the cursor of --new: use them together');
  return normalizeRead({
    ...(flags.stream !== undefined ? { stream: flags.stream as StreamChoice } : {}),
    ...(flags.offset !== undefined ? { offset: flags.offset } : {}),
    ...(flags.tail !== undefined ? { tail: flags.tail } : {}),
    ...(flags.maxBytes !== undefined ? { maxBytes: flags.maxBytes } : {}),
    ...(flags.filter !== undefined ? { filter: flags.filter } : {}),
    ...(flags.new ? { newAs: flags.as ?? DEFAULTS.cursorConsumer } : {}),
    ...(flags.since !== undefined ? { since: flags.since } : {}),
    ...(flags.until !== undefined ? { until: flags.until } : {}),
  });
}

export async function logs(ctx: Context, refs: string[], flags: LogsFlags): Promise<number> {
  const read = check(flags);
  if (refs.length === 0 && flags.env === undefined) throw usageError('name a task (or several), or an environment with --env');
  // Several tasks (or an environment): their lines merged, each behind its task's name.
  if (refs.length > 1 || flags.env !== undefined) return (await import('./logs-many.js')).logsMany(ctx, refs, flags, read);
  const ref = refs[0]!;
  const { offset, tail, maxBytes } = flags;
  if (flags.follow && ctx.json) throw usageError('--follow streams raw output: it cannot be combined with --json');
  if (flags.follow && flags.until !== undefined) throw usageError('--until ends the read: it cannot be combined with --follow');
  const api = await ctx.api();
  const base: ReadInput = {
    ref,
    ...(flags.filter !== undefined ? { filter: flags.filter } : {}),
    ...(flags.new ? { newAs: flags.as ?? DEFAULTS.cursorConsumer } : {}),
  };
  // A time is turned into offsets once: the pages after the first go on from there by offset.
  const byTime: Pick<ReadInput, 'since' | 'until'> = {
    ...(flags.since !== undefined ? { since: new Date(parseTimePoint(flags.since, Date.now())).toISOString() } : {}),
    ...(flags.until !== undefined ? { until: new Date(parseTimePoint(flags.until, Date.now())).toISOString() } : {}),
  };

  if (ctx.json) {
    const result = await api.read({
      ...base,
      stream: (flags.stream as 'stdout' | 'stderr' | undefined) ?? 'both',
      encoding: 'auto',
      ...(offset !== undefined ? { offset } : {}),
      ...(tail !== undefined ? { tail } : {}),
      ...(maxBytes !== undefined ? { maxBytes } : {}),
      ...byTime,
    });
    if (flags.stripAnsi) for (const s of [result.stdout, result.stderr]) if (s?.encoding === 'utf8') s.data = stripAnsi(s.data);
    printJson(result);
    return result.stdout?.gone || result.stderr?.gone ? 1 : 0;
  }

  // Raw bytes, exactly as written: stdout to stdout, stderr to stderr.
  const streams = flags.stream ? [flags.stream as 'stdout' | 'stderr'] : (['stdout', 'stderr'] as const);
  const next: Record<string, number> = {};
  let status = '';
  let gone = false;
  for (const stream of streams) {
    let from = offset;
    for (let first = true; ; first = false) {
      const page = await api.read({
        ...base,
        stream,
        encoding: 'base64',
        maxBytes: maxBytes ?? PAGE,
        ...(from !== undefined && !flags.new ? { offset: from } : {}),
        ...(tail !== undefined ? { tail } : {}),
        ...(from === undefined ? byTime : byTime.until !== undefined ? { until: byTime.until } : {}),
      });
      status = page.status;
      const slice = page[stream] as StreamRead;
      write(stream, slice, streams.length === 1, flags.stripAnsi === true);
      next[stream] = slice.next;
      // A read that returns nothing for a reason other than "no output" (a deleted log, an offset past the end) says it.
      if (first && slice.note) process.stderr.write(`corral: ${stream}: ${slice.note}\n`);
      if (slice.trimmed) process.stderr.write(`corral: ${trimmedText(stream, slice, !!flags.new)}\n`);
      gone ||= slice.gone === true;
      // A tail is one page; --max-bytes asks for one page; otherwise read on to the end.
      if (tail !== undefined || maxBytes !== undefined) {
        // (`--new --tail` and `--offset --tail` ask to skip what came before the last lines: nothing to say about it.)
        if (slice.omitted > 0 && !(tail !== undefined && (flags.new || offset !== undefined))) {
          process.stderr.write(`corral: ${leftOut(stream, slice, tail !== undefined, !!flags.new)}\n`);
        }
        break;
      }
      if (slice.omitted === 0 || slice.next === from) break;
      from = slice.next;
    }
  }
  // A deleted log fails the read: the output asked for is not there to give.
  if (!flags.follow) return gone ? 1 : 0;

  let stop = false;
  process.once('SIGINT', () => (stop = true));
  while (!stop) {
    let wrote = false;
    for (const stream of streams) {
      const page = await api.read({
        ...base,
        stream,
        encoding: 'base64',
        maxBytes: PAGE,
        ...(flags.new ? {} : { offset: next[stream] ?? 0 }),
      });
      status = page.status;
      const slice = page[stream] as StreamRead;
      if (slice.next !== next[stream]) wrote = true;
      if (slice.trimmed) process.stderr.write(`corral: ${trimmedText(stream, slice, !!flags.new)}\n`);
      write(stream, slice, streams.length === 1, flags.stripAnsi === true);
      next[stream] = slice.next;
    }
    if (!wrote && isFinal(status)) break;
    if (!wrote) await sleep(FOLLOW_POLL_MS);
  }
  return gone ? 1 : 0;
}

/** Output the log cap released before it was read: said once, as the read (and a cursor) moves past it. */
export function trimmedText(stream: string, slice: StreamRead, cursor: boolean): string {
  const moved = cursor ? '; the cursor moved on to it' : '';
  return `${stream}: ${counted(slice.trimmed ?? 0, 'byte')} before byte ${slice.from} were released by the log cap (logs.max_size): reading from the first byte kept${moved}`;
}

/** What a bounded read did not print, and how to get it. */
function leftOut(stream: string, slice: StreamRead, tail: boolean, cursor: boolean): string {
  if (tail) return `${stream}: ${counted(slice.omitted, 'byte')} of those lines left out, from byte ${slice.from - slice.omitted} to ${slice.from} (raise --max-bytes, or read them with --offset)`;
  const how = cursor ? 'read on with --new' : `read on with --offset ${slice.next}`;
  return `${stream}: ${counted(slice.omitted, 'more byte')} after byte ${slice.next} (${how})`;
}

/** Both streams: each to its own. One stream asked for by name: to stdout, so it pipes. */
function write(stream: 'stdout' | 'stderr', slice: StreamRead, single: boolean, strip: boolean): void {
  if (slice.data.length === 0) return;
  let bytes = Buffer.from(slice.data, slice.encoding === 'base64' ? 'base64' : 'utf8');
  // Escapes are ASCII: read as latin1, every other byte goes through unchanged (binary too).
  if (strip) bytes = Buffer.from(stripAnsi(bytes.toString('latin1')), 'latin1');
  (stream === 'stdout' || single ? process.stdout : process.stderr).write(bytes);
}
