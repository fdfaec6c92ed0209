/**
 * How a task ended, for a reply that leads with it (background_spawn; a wait's verdict can
 * use it the same way): per stream, the first line that reads like an error and the last
 * lines, each line with the byte offset it starts at, so that a reply can show every line
 * once. It reads through a `read` function: a client passes the daemon's read, the daemon
 * could pass its log files.
 */
import { oneLine, stripAnsi } from '../text.js';
import type { Stream } from './read.js';

/** The words of a line that reads like an error (tested on each line, case-insensitive). */
export const ERROR_WORDS = 'error|fail|exception|traceback|panic';
/** The same as a filter of the read RPC. */
export const ERROR_LINE = `(?i)${ERROR_WORDS}`;
/** A first error line longer than this is cut (with `…`). */
const ERROR_LINE_MAX = 400;

export interface EndingReadRequest {
  offset?: number;
  tail?: number;
  filter?: string;
  maxBytes: number;
}
export interface EndingReadAnswer {
  data: string;
  from: number;
  next: number;
  size: number;
}
/** Reads one stream of the task, as the `read` RPC does (no cursor). */
export type StreamReader = (stream: Stream, req: EndingReadRequest) => Promise<EndingReadAnswer>;

export interface Line {
  /** Byte offset where the line starts. */
  at: number;
  text: string;
}

export interface StreamEnding {
  size: number;
  firstError: Line | null;
  /** The last lines; `lastFrom` is where the first of them starts. */
  last: Line[];
  lastFrom: number;
}

export type Ending = Record<Stream, StreamEnding>;

/** `data` read from offset `from`, cut into lines with their offsets (a final newline ends the last line). */
export function linesAt(data: string, from: number): Line[] {
  const lines: Line[] = [];
  let at = from;
  const parts = data.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  for (const text of parts) {
    lines.push({ at, text });
    at += Buffer.byteLength(text) + 1;
  }
  return lines;
}

/** The first line of the stream that reads like an error, with its offset. */
async function firstErrorLine(read: StreamReader, stream: Stream): Promise<Line | null> {
  // A page of one byte ends right after the first character of the first match: its offset tells where that line starts.
  const hit = await read(stream, { offset: 0, filter: ERROR_LINE, maxBytes: 1 });
  if (hit.data.length === 0) return null;
  const at = hit.next - Buffer.byteLength(hit.data);
  const page = await read(stream, { offset: at, maxBytes: ERROR_LINE_MAX });
  const nl = page.data.indexOf('\n');
  const text = nl >= 0 ? page.data.slice(0, nl) : page.next < page.size ? `${page.data}…` : page.data;
  return { at, text };
}

/** Each stream's first error line and last `lines` lines (at most `maxBytes` of them). */
export async function readEnding(read: StreamReader, o: { lines: number; maxBytes: number }): Promise<Ending> {
  const one = async (stream: Stream): Promise<StreamEnding> => {
    const tail = await read(stream, { tail: o.lines, maxBytes: o.maxBytes });
    return { size: tail.size, firstError: await firstErrorLine(read, stream), last: linesAt(tail.data, tail.from), lastFrom: tail.from };
  };
  return { stdout: await one('stdout'), stderr: await one('stderr') };
}

/** Lines of output as a reply shows them: indented, escaped, the first error line marked `»`. */
export function shownLines(lines: Line[], firstError: Line | null): string[] {
  return lines.filter((l) => l.text.length > 0).map((l) => `${l.at === firstError?.at ? '» ' : '  '}${oneLine(stripAnsi(l.text))}`);
}

/**
 * The lead of a reply about an ended task, a line per stream with an error line: its text,
 * or where it is marked when the reply shows it anyway (`shown`). Without one, when the
 * task failed, a line that says so.
 */
export function firstErrorText(ending: Ending, shown: (stream: Stream, at: number) => boolean, failed: boolean): string[] {
  const out: string[] = [];
  for (const stream of ['stderr', 'stdout'] as const) {
    const e = ending[stream].firstError;
    if (!e) continue;
    out.push(
      shown(stream, e.at)
        ? `first error line of ${stream}: marked » below`
        : `first error line of ${stream} (byte ${e.at}): ${oneLine(stripAnsi(e.text))}`,
    );
  }
  if (out.length === 0 && failed) out.push('no output line reads like an error (error, fail, exception, traceback, panic)');
  return out;
}
