/**
 * The output `up` shows, task by task, in step with the state changes: bytes are read ahead
 * and held until it is known which state line they come before. A state change says how
 * far each log reached when it happened; what lies before that point is printed first.
 */
import { StringDecoder } from 'node:string_decoder';
import type { ReadResult } from '../api.js';

type Stream = 'stdout' | 'stderr';
const STREAMS: Stream[] = ['stdout', 'stderr'];

export interface Reach {
  stdout: number;
  stderr: number;
}

interface Held {
  /** Bytes read and not printed yet, and the log offset of the first. */
  bytes: Buffer;
  from: number;
  decoder: StringDecoder;
  /** The start of a line whose end has not been printed. */
  partial: string;
}

export class AttachedOutput {
  private readonly held = new Map<string, Held>();

  constructor(private readonly writeLine: (id: string, line: string) => void) {}

  private of(id: string, stream: Stream): Held {
    const key = `${id}:${stream}`;
    let h = this.held.get(key);
    if (!h) this.held.set(key, (h = { bytes: Buffer.alloc(0), from: 0, decoder: new StringDecoder('utf8'), partial: '' }));
    return h;
  }

  /** Where the bytes read so far end, per stream. */
  reach(id: string): Reach {
    const end = (s: Stream) => {
      const h = this.of(id, s);
      return h.from + h.bytes.length;
    };
    return { stdout: end('stdout'), stderr: end('stderr') };
  }

  /** Holds what a read (asked with `encoding: 'base64'`) returned. */
  take(page: ReadResult): void {
    for (const stream of STREAMS) {
      const read = page[stream];
      if (!read || read.next === read.from) continue;
      const h = this.of(page.id, stream);
      const bytes = Buffer.from(read.data, read.encoding);
      // A gap (bytes a bounded read left out, or a log cut short) starts the held bytes afresh.
      h.bytes = read.from === h.from + h.bytes.length ? Buffer.concat([h.bytes, bytes]) : bytes;
      h.from = read.from;
    }
  }

  /** Prints the whole lines held, all of them or those before `upTo`; with `end`, the last unfinished line too. */
  print(id: string, upTo?: Reach, end = false): void {
    for (const stream of STREAMS) {
      const h = this.of(id, stream);
      const count = upTo ? Math.min(Math.max(0, upTo[stream] - h.from), h.bytes.length) : h.bytes.length;
      const lines = (h.partial + h.decoder.write(h.bytes.subarray(0, count))).split('\n');
      h.bytes = h.bytes.subarray(count);
      h.from += count;
      h.partial = lines.pop()!;
      if (end && h.partial !== '') lines.push(h.partial), (h.partial = '');
      for (const line of lines) this.writeLine(id, line);
    }
  }
}
