/**
 * The event journal on disk: one JSON document a line (`events.jsonl` in the home, 0600),
 * each starting with its `seq`. An event is written, synchronously, before any client
 * hears of it, so a seq a client has seen is on disk even if the daemon is SIGKILLed the
 * next moment, and is never given again.
 *
 * Bounded by size: when the file reaches half the bound it becomes `events.jsonl.1`
 * (replacing the one before) and a new file starts, so the two never hold more than the
 * bound together; a read of old events takes the older file, then the newer. Lines are in
 * seq order: a read from a seq finds where to start by bisection, and the last seq is read
 * from the file's end. Neither reads the whole file.
 */
import { closeSync, fchmodSync, fstatSync, openSync, readSync, renameSync, writeSync } from 'node:fs';

const CHUNK = 64 * 1024;
const SEQ = /^\{"seq":(\d+)[,}]/;

export interface JournalRead<T> {
  events: T[];
  /** The seq of the last line looked at (the `after` asked for when none was). */
  last: number;
  /** Events after `after` that the bound had already trimmed away when this read came. */
  trimmed: number;
}

export class JournalFile {
  private fd: number | null = null;
  private size = 0;
  /** A write failed part-way: the next line first ends the torn one. */
  private torn = false;
  private failing = false;
  /** Closed for good (the supervisor closed): a late event is not written. */
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    /** Told once when writes start failing (a full disk), and once when they work again. */
    private readonly onTrouble: (error: Error | null) => void = () => {},
  ) {}

  get olderPath(): string {
    return `${this.path}.1`;
  }

  /** Opens the journal for appending and returns the last seq it holds (0 for none). */
  open(): number {
    this.openForAppend();
    return lastSeqOf(this.path) ?? lastSeqOf(this.olderPath) ?? 0;
  }

  /** The home was made anew: the file written so far went with it. */
  reopen(): void {
    this.closeFile();
    this.closed = false;
    this.openForAppend();
  }

  private openForAppend(): void {
    try {
      this.fd = openSync(this.path, 'a+', 0o600);
      fchmodSync(this.fd, 0o600);
      this.size = fstatSync(this.fd).size;
      // A line cut short by a crash or a full disk: what follows starts a line of its own.
      this.torn = this.size > 0 && lastByte(this.fd, this.size) !== 0x0a;
    } catch (error) {
      this.fd = null;
      this.trouble(error as Error);
    }
  }

  /** Appends one event (a JSON object whose first key is `seq`). A failure costs the line, never the daemon. */
  append(json: string): void {
    this.appendAll([json]);
  }

  /**
   * Appends events in order, as few writes as the bound allows (one, unless the file
   * reaches half the bound among them: then it turns over between two lines). A failure
   * costs the lines of that write, never the daemon.
   */
  appendAll(jsons: string[]): void {
    if (this.closed) return;
    if (this.fd === null) this.openForAppend();
    if (this.fd === null) return;
    let from = 0;
    while (from < jsons.length) {
      if (this.size > 0 && this.size + jsons[from]!.length + 1 > this.maxBytes / 2) this.rotate();
      if (this.fd === null) return;
      // The lines that fit before the file reaches half the bound (at least one).
      let bytes = this.size;
      let to = from;
      do bytes += jsons[to++]!.length + 1;
      while (to < jsons.length && bytes + jsons[to]!.length + 1 <= this.maxBytes / 2);
      this.write(`${this.torn ? '\n' : ''}${jsons.slice(from, to).join('\n')}\n`);
      from = to;
    }
  }

  private write(text: string): void {
    const data = Buffer.from(text);
    let written = 0;
    try {
      written = writeSync(this.fd!, data);
      if (written !== data.length) throw new Error(`wrote ${written} of ${data.length} bytes`);
      this.torn = false;
      if (this.failing) this.trouble(null);
    } catch (error) {
      this.torn = true;
      this.trouble(error as Error);
    } finally {
      this.size += written;
    }
  }

  private rotate(): void {
    try {
      this.closeFile();
      renameSync(this.path, this.olderPath);
    } catch (error) {
      this.trouble(error as Error);
    }
    this.openForAppend();
  }

  private trouble(error: Error | null): void {
    if ((error !== null) === this.failing) return;
    this.failing = error !== null;
    this.onTrouble(error);
  }

  close(): void {
    this.closeFile();
    this.closed = true;
  }

  private closeFile(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /**
   * Up to `limit` accepted events with a seq over `after`, in order, looking at no more
   * than `maxScan` lines. Unreadable lines (one torn by a crash) are passed over.
   */
  read<T extends { seq: number }>(after: number, accept: (event: T) => boolean, limit: number, maxScan: number): JournalRead<T> {
    const result: JournalRead<T> = { events: [], last: after, trimmed: 0 };
    let scanned = 0;
    let first = true;
    for (const path of [this.olderPath, this.path]) {
      const fd = openOrNull(path);
      if (fd === null) continue;
      try {
        const size = fstatSync(fd).size;
        if (first) {
          const oldest = seqAt(fd, 0);
          if (oldest !== null && oldest > after + 1) result.trimmed = oldest - after - 1;
          first = false;
        }
        const done = scanFrom(fd, size, startOffset(fd, size, after), (seq, text) => {
          if (seq <= after) return false;
          scanned++;
          result.last = seq;
          let event: T;
          try {
            event = JSON.parse(text) as T;
          } catch {
            return scanned >= maxScan;
          }
          if (accept(event)) result.events.push(event);
          return result.events.length >= limit || scanned >= maxScan;
        });
        if (done) break;
      } finally {
        closeSync(fd);
      }
    }
    return result;
  }
}

function openOrNull(path: string): number | null {
  try {
    return openSync(path, 'r');
  } catch {
    return null;
  }
}

function lastByte(fd: number, size: number): number {
  const one = Buffer.alloc(1);
  readSync(fd, one, 0, 1, size - 1);
  return one[0]!;
}

/** The seq of the line starting at `offset`, or null when it is not one. */
function seqAt(fd: number, offset: number): number | null {
  const head = Buffer.alloc(32);
  const n = readSync(fd, head, 0, head.length, offset);
  const m = SEQ.exec(head.toString('latin1', 0, n));
  return m ? Number(m[1]) : null;
}

/** Where the first line after `offset` starts (the end of the file when none does). */
function nextLineStart(fd: number, offset: number, size: number): number {
  const buf = Buffer.alloc(4096);
  for (let at = offset; at < size; at += buf.length) {
    const n = readSync(fd, buf, 0, buf.length, at);
    const nl = buf.subarray(0, n).indexOf(0x0a);
    if (nl >= 0) return at + nl + 1;
    if (n === 0) break;
  }
  return size;
}

/** A line start at or before the first line with a seq over `after`, found by bisection. */
function startOffset(fd: number, size: number, after: number): number {
  let lo = 0;
  let hi = size;
  while (hi - lo > CHUNK) {
    const mid = Math.floor((lo + hi) / 2);
    const start = nextLineStart(fd, mid, size);
    const seq = start < hi ? seqAt(fd, start) : null;
    if (seq !== null && seq <= after) lo = start;
    else hi = mid;
  }
  return lo;
}

/** Calls `visit` with each whole line from `offset` on, until it returns true (then returns true). */
function scanFrom(fd: number, size: number, offset: number, visit: (seq: number, text: string) => boolean): boolean {
  const buf = Buffer.alloc(CHUNK);
  let carry = '';
  for (let at = offset; at < size; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - at), at);
    if (n === 0) break;
    at += n;
    const lines = (carry + buf.toString('utf8', 0, n)).split('\n');
    carry = lines.pop() ?? '';
    for (const text of lines) {
      const m = SEQ.exec(text);
      if (m && visit(Number(m[1]), text)) return true;
    }
  }
  return false;
}

/** The seq of the last whole line of a file, reading back from its end; null for none. */
export function lastSeqOf(path: string): number | null {
  const fd = openOrNull(path);
  if (fd === null) return null;
  try {
    const size = fstatSync(fd).size;
    // A last line without its newline was cut short: it does not count.
    let end = size > 0 && lastByte(fd, size) !== 0x0a ? lastNewline(fd, size) + 1 : size;
    let span = CHUNK;
    while (end > 0) {
      const from = Math.max(0, end - span);
      const buf = Buffer.alloc(end - from);
      readSync(fd, buf, 0, buf.length, from);
      // Before the first newline may be the end of a longer line: it is read with the window before.
      const whole = from === 0 ? 0 : buf.indexOf(0x0a) + 1;
      const lines = buf.toString('utf8', whole).split('\n');
      lines.pop();
      for (let i = lines.length - 1; i >= 0; i--) {
        const m = SEQ.exec(lines[i]!);
        if (!m) continue;
        try {
          JSON.parse(lines[i]!);
          return Number(m[1]);
        } catch {
          // torn by a crash: an earlier line says
        }
      }
      if (from === 0) return null;
      if (whole === buf.length) span *= 2; // the window held a piece of one long line
      else [end, span] = [from + whole, CHUNK];
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The offset of the last newline before `end` (-1 when none). */
function lastNewline(fd: number, end: number): number {
  const buf = Buffer.alloc(4096);
  for (let to = end; to > 0; ) {
    const from = Math.max(0, to - buf.length);
    const n = readSync(fd, buf, 0, to - from, from);
    const nl = buf.subarray(0, n).lastIndexOf(0x0a);
    if (nl >= 0) return from + nl;
    to = from;
  }
  return -1;
}
