/**
 * One bounded page of a task's output for a model: at most `maxBytes` read in all (not
 * per stream), shared between stdout and stderr so that a quiet stream leaves its share
 * to the busy one. Reads from the client's "new" cursor, from a byte offset, or the last
 * lines; whatever is left out is counted (`omitted`) with the offset to read it from.
 */
import type { ReadInput, ReadResult, StreamRead, SupervisorApi, TaskStatus } from '../api.js';

export type Stream = 'stdout' | 'stderr';

export type Position =
  /** From the consumer's cursor, which advances past what is returned. */
  | { kind: 'new'; consumer: string; tail?: number }
  /** From this byte offset of each stream; with `tail`, the last lines after it. */
  | { kind: 'offset'; offset: number; tail?: number }
  /** The last `lines` lines (the cursor does not move). */
  | { kind: 'tail'; lines: number };

interface PageRequest {
  ref: string;
  streams: Stream[];
  position: Position;
  filter?: string | undefined;
  maxBytes: number;
}

export interface StreamPage {
  data: string;
  from: number;
  next: number;
  size: number;
  /** Bytes not returned: after `next` (read from there), or before `from` for a tail. */
  omitted: number;
  /** Bytes the log's cap released before they were read (see StreamRead.trimmed). */
  trimmed?: number;
  tail: boolean;
  /** Why nothing was there to read, when it is not just "no output" (see StreamRead.note). */
  note?: string;
}

export interface Page {
  id: string;
  status: TaskStatus;
  exitCode: number | null;
  at: string;
  streams: Partial<Record<Stream, StreamPage>>;
}

/** What a page holds (a filtered read searches more than it returns). */
const consumed = (p: StreamPage) => Buffer.byteLength(p.data);

export async function readPage(api: SupervisorApi, req: PageRequest): Promise<Page> {
  const tail = req.position.kind === 'tail' || req.position.tail !== undefined;
  const base = (stream: Stream, maxBytes: number, offset?: number): ReadInput => ({
    ref: req.ref,
    stream,
    maxBytes: Math.max(1, maxBytes),
    ...(req.filter !== undefined ? { filter: req.filter } : {}),
    ...(req.position.kind === 'new'
      ? { newAs: req.position.consumer, ...(req.position.tail !== undefined ? { tail: req.position.tail } : {}) }
      : {}),
    ...(req.position.kind === 'tail' ? { tail: req.position.lines } : {}),
    ...(req.position.kind === 'offset' && req.position.tail !== undefined ? { tail: req.position.tail } : {}),
    ...(offset !== undefined ? { offset } : req.position.kind === 'offset' ? { offset: req.position.offset } : {}),
  });

  let last: ReadResult | null = null;
  const read = async (stream: Stream, maxBytes: number, offset?: number): Promise<StreamPage> => {
    last = await api.read(base(stream, maxBytes, offset));
    const s = last[stream] as StreamRead;
    return { data: s.data, from: s.from, next: s.next, size: s.size, omitted: s.omitted, tail, ...(s.trimmed ? { trimmed: s.trimmed } : {}), ...(s.note ? { note: s.note } : {}) };
  };

  const streams: Partial<Record<Stream, StreamPage>> = {};
  const share = req.streams.length > 1 ? Math.floor(req.maxBytes / req.streams.length) : req.maxBytes;
  for (const stream of req.streams) streams[stream] = await read(stream, share);

  // What one stream did not use goes to the other, so a page is full when there is output to fill it.
  // (A tail after a cursor or offset is one read per stream: its lines are the end of that read.)
  const spread = req.streams.length > 1 && !(req.position.kind !== 'tail' && req.position.tail !== undefined);
  if (spread) {
    for (const stream of req.streams) {
      const page = streams[stream]!;
      const others = req.streams.filter((s) => s !== stream).reduce((sum, s) => sum + consumed(streams[s]!), 0);
      const left = req.maxBytes - others - consumed(page);
      if (page.omitted === 0 || left < 1) continue;
      if (req.position.kind === 'tail') {
        // A longer tail of the same lines, in the room the other stream left.
        streams[stream] = await read(stream, req.maxBytes - others);
      } else {
        const more = await read(stream, left, req.position.kind === 'offset' ? page.next : undefined);
        streams[stream] = { ...more, data: page.data + more.data, from: page.from, ...(page.trimmed ? { trimmed: page.trimmed } : {}) };
      }
    }
  }

  const result = last as ReadResult | null;
  if (!result) throw new Error('no stream to read');
  return { id: result.id, status: result.status, exitCode: result.exitCode, at: result.at, streams };
}
