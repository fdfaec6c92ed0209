/**
 * GET /api/events: Server-Sent Events. Each event of the daemon's journal goes out as it
 * is journaled (`id:` its seq, `data:` its JSON), from the seq in `Last-Event-ID` (what a
 * reconnecting EventSource sends) or `?since=`, else from now. While at least one client
 * is connected, the logs of live tasks are looked at five times a second, and a `log`
 * event says which one grew (`{id, stream, size}`): at most ten a second per task (two
 * streams), and no look at all while nobody watches. After each tick of the sampler (every
 * 2 s), a `samples` event carries the running tasks' CPU and memory as the tick read them
 * (`{t, tasks: {ID: {cpu, rss}}}`), so that a quiet task's figures stay current; it too
 * goes out only while someone watches, and costs no look of its own. A comment line every 15 s keeps
 * proxies and the browser from taking a quiet stream for a dead one.
 */
import { statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isFinal } from '../../machines/task.types.js';
import { taskLogDir } from '../home.js';
import type { Supervisor } from '../supervisor/supervisor.js';

export const HEARTBEAT_MS = 15_000;
const LOG_LOOK_MS = 200;

type LogStream = 'stdout' | 'stderr' | 'combined';

interface Watched {
  /** The files to look at, with the stream name a client asks the log route for. */
  files: { stream: LogStream; path: string; size: number }[];
  /** Ended: looked at once more (its last output), then dropped. */
  ended: boolean;
}

export class EventStreams {
  private readonly clients = new Set<ServerResponse>();
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;
  private stopListening: (() => void) | null = null;
  private stopSamples: (() => void) | null = null;

  constructor(
    private readonly supervisor: Supervisor,
    private readonly heartbeatMs = HEARTBEAT_MS,
  ) {}

  get connected(): number {
    return this.clients.size;
  }

  serve(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const from = startSeq(req.headers['last-event-id'], query.get('since'), this.supervisor.events.last);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 2000\n\n');
    const gone = new AbortController();
    res.once('close', () => {
      gone.abort();
      this.clients.delete(res);
      if (this.clients.size === 0) this.stopWatching();
    });
    this.clients.add(res);
    if (this.clients.size === 1) {
      this.watchLogs();
      this.stopSamples = this.supervisor.onSamples((t, samples) => {
        if (samples.length === 0) return;
        const tasks = Object.fromEntries(samples.map((s) => [s.id, { cpu: s.cpuPercent, rss: s.memoryBytes }]));
        this.broadcast(`event: samples\ndata: ${JSON.stringify({ t, tasks })}\n\n`);
      });
    }
    void this.pump(res, from, gone.signal);
  }

  /** Journal events to one client, in order, waiting (up to a heartbeat) for each next one. */
  private async pump(res: ServerResponse, from: number, signal: AbortSignal): Promise<void> {
    let after = from;
    while (!signal.aborted) {
      const batch = await this.supervisor.events.wait(after, this.heartbeatMs, undefined, undefined, signal);
      if (signal.aborted) return;
      let out = '';
      if (batch.trimmed) out += `event: trimmed\ndata: ${JSON.stringify({ trimmed: batch.trimmed })}\n\n`;
      for (const e of batch.events) out += `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`;
      // Nothing in a whole heartbeat's time: a comment, which EventSource ignores.
      if (out === '' && batch.last === after) out = ': heartbeat\n\n';
      after = batch.last;
      if (out !== '' && !res.write(out)) await drained(res, signal);
    }
  }

  private broadcast(text: string): void {
    // A client that cannot keep up misses log notices and samples (the next one is newer): they are hints, not data.
    for (const res of this.clients) if (!res.writableNeedDrain) res.write(text);
  }

  private watchLogs(): void {
    // What runs as the first client comes: from the size its logs have now (the client reads
    // what came before); views of every task, once, and changes keep the set current after that.
    void this.supervisor.list().then((views) => {
      if (this.timer) for (const v of views) if (!isFinal(v.status)) this.watch(v.id, false);
    });
    // A task heard of later is new to the client: all of its output is news, even what it
    // wrote before the first look (and one that ended at once is looked at once).
    this.stopListening = this.supervisor.onChange((view) => {
      const watched = this.watch(view.id, true);
      if (watched && isFinal(view.status)) watched.ended = true;
    });
    this.timer = setInterval(() => this.lookAtLogs(), LOG_LOOK_MS);
    this.timer.unref();
  }

  private stopWatching(): void {
    this.stopSamples?.();
    this.stopSamples = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopListening?.();
    this.stopListening = null;
    this.watched.clear();
  }

  /** Starts watching a task's logs from their size now, or from nothing (`fromStart`); the watch, or undefined for a task gone. */
  private watch(id: string, fromStart: boolean): Watched | undefined {
    const known = this.watched.get(id);
    if (known) {
      known.ended = false;
      return known;
    }
    let record;
    try {
      record = this.supervisor.record(id);
    } catch {
      return undefined;
    }
    const dir = taskLogDir(this.supervisor.paths, id);
    const streams: LogStream[] = record.spec.output === 'combined' ? ['combined'] : ['stdout', 'stderr'];
    const files = streams.map((stream) => {
      const path = join(dir, stream === 'stderr' ? 'stderr.log' : 'stdout.log');
      return { stream, path, size: fromStart ? 0 : sizeOf(path) };
    });
    const watched = { files, ended: false };
    this.watched.set(id, watched);
    return watched;
  }

  private lookAtLogs(): void {
    let out = '';
    for (const [id, w] of this.watched) {
      for (const f of w.files) {
        const size = sizeOf(f.path);
        if (size === f.size) continue;
        f.size = size;
        out += `event: log\ndata: ${JSON.stringify({ id, stream: f.stream, size })}\n\n`;
      }
      if (w.ended) this.watched.delete(id);
    }
    if (out !== '') this.broadcast(out);
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.stopWatching();
  }
}

function sizeOf(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

/** Where a client's stream starts: after the seq it saw last, else after the newest event. */
export function startSeq(lastEventId: string | string[] | undefined, since: string | null, now: number): number {
  for (const text of [typeof lastEventId === 'string' ? lastEventId : undefined, since ?? undefined]) {
    if (text !== undefined && /^\d+$/.test(text.trim())) return Number(text.trim());
  }
  return now;
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
