/**
 * What background_spawn shows after its headline. A task that has ended leads with its end
 * (the first error line of each stream, the last lines of stderr and of stdout), then its
 * first output in the room left (a quarter of the page at most), every line once; any other shows its first page of output
 * as background_output would (from the "new" cursor, which then counts it as read).
 */
import type { SupervisorApi } from '../../api.js';
import { linesAt, firstErrorText, readEnding, shownLines, type Ending, type Line, type StreamReader } from '../../logs/ending.js';
import type { Stream } from '../../logs/read.js';
import { bytesText, pageText } from '../format.js';
import { readPage } from '../read.js';

/** Last lines shown of each stream of an ended task, and the bytes they may take. */
const LAST_LINES = 10;
const LAST_BYTES = 1024;
/** Less room than this left for the first output: none is shown. */
const MIN_FIRST_OUTPUT = 256;

export interface OutputRequest {
  ref: string;
  consumer: string;
  filter?: string | undefined;
  tail?: number | undefined;
  maxBytes: number;
}

export interface Shown {
  lines: string[];
  /** Where the "new" cursor is now, per stream. */
  next: Record<Stream, number>;
  /** Bytes of output not shown, per stream. */
  omitted: Record<Stream, number>;
}

const STREAMS = ['stderr', 'stdout'] as const;

/** One page as background_output gives it. */
export async function pageShown(api: SupervisorApi, o: OutputRequest): Promise<Shown> {
  const page = await readPage(api, {
    ref: o.ref,
    streams: ['stdout', 'stderr'],
    position: { kind: 'new', consumer: o.consumer, ...(o.tail !== undefined ? { tail: o.tail } : {}) },
    filter: o.filter,
    maxBytes: o.maxBytes,
  });
  const hasOutput = Object.values(page.streams).some((p) => p.data.length > 0 || p.omitted > 0);
  const of = (s: Stream) => page.streams[s] ?? { next: 0, omitted: 0 };
  return {
    lines: [hasOutput ? pageText(page, { filter: o.filter, newMode: true }) : 'no output yet'],
    next: { stdout: of('stdout').next, stderr: of('stderr').next },
    omitted: { stdout: of('stdout').omitted, stderr: of('stderr').omitted },
  };
}

function readerOf(api: SupervisorApi, ref: string): StreamReader {
  return async (stream, req) => {
    const s = (await api.read({ ref, stream, ...req }))[stream]!;
    return { data: s.data, from: s.from, next: s.next, size: s.size };
  };
}

/** An ended task asked with filter or tail: the first error lines, then the page as asked. */
export async function endedPageShown(api: SupervisorApi, o: OutputRequest, failed: boolean): Promise<Shown> {
  const ending = await readEnding(readerOf(api, o.ref), { lines: 0, maxBytes: 1 });
  const shown = await pageShown(api, o);
  const pageLines = new Set(shown.lines.join('\n').split('\n'));
  const inPage = (stream: Stream) => pageLines.has(ending[stream].firstError?.text ?? '');
  return { ...shown, lines: [...firstErrorText(ending, inPage, failed), ...shown.lines] };
}

/** An ended task: its end first, then its first output up to where its last lines start, in the room left. */
export async function endingShown(api: SupervisorApi, o: OutputRequest, failed: boolean): Promise<Shown> {
  const ending: Ending = await readEnding(readerOf(api, o.ref), { lines: LAST_LINES, maxBytes: LAST_BYTES });
  // What an ended task printed first matters less than how it ended: a quarter of the page at most.
  const lastBytes = STREAMS.reduce((sum, s) => sum + ending[s].last.reduce((n, l) => n + Buffer.byteLength(l.text) + 1, 0), 0);
  let room = Math.min(Math.floor(o.maxBytes / 4), o.maxBytes - lastBytes);
  const first: Record<Stream, Line[]> = { stdout: [], stderr: [] };
  const next = { stdout: 0, stderr: 0 };
  const omitted = { stdout: 0, stderr: 0 };
  for (const stream of STREAMS) {
    const until = ending[stream].lastFrom;
    let at = 0;
    if (until > 0 && room >= MIN_FIRST_OUTPUT) {
      // Whole lines only (one longer than the room is cut), then the cursor goes exactly past them.
      const page = (await api.read({ ref: o.ref, stream, offset: 0, maxBytes: Math.min(room, until) }))[stream]!;
      const end = page.next < until ? page.data.lastIndexOf('\n') + 1 : page.data.length;
      const data = end > 0 ? page.data.slice(0, end) : page.data;
      first[stream] = linesAt(data, 0);
      room -= Buffer.byteLength(data);
      at = (await api.read({ ref: o.ref, stream, newAs: o.consumer, maxBytes: Buffer.byteLength(data) }))[stream]!.next;
    }
    if (at >= until) {
      // All of it is shown: nothing of it is new any more.
      await api.read({ ref: o.ref, stream, newAs: o.consumer, tail: 0, maxBytes: 1 });
      at = ending[stream].size;
    }
    next[stream] = at;
    omitted[stream] = Math.max(0, until - at);
  }

  const shownAt = (stream: Stream, at: number) => [...ending[stream].last, ...first[stream]].some((l) => l.at === at);
  const lines = firstErrorText(ending, shownAt, failed);
  for (const stream of STREAMS) {
    const e = ending[stream];
    const last = shownLines(e.last, e.firstError);
    if (last.length === 0) continue;
    lines.push(e.lastFrom === 0 && next[stream] === e.size && first[stream].length === 0 ? `${stream}:` : `last lines of ${stream} (bytes ${e.lastFrom}-${e.size} of ${e.size}):`, ...last);
  }
  for (const stream of STREAMS) {
    const shown = shownLines(first[stream], ending[stream].firstError);
    if (shown.length > 0) lines.push(`first output of ${stream} (bytes ${first[stream][0]!.at}-${next[stream]}):`, ...shown);
    if (omitted[stream] > 0) {
      lines.push(
        `[... ${bytesText(omitted[stream])} of ${stream} not shown, bytes ${next[stream]}-${ending[stream].lastFrom}: background_output with since "new" (or ${next[stream]}) reads them, with filter it searches them]`,
      );
    }
  }
  if (lines.length === 0) lines.push('no output');
  return { lines, next, omitted };
}
