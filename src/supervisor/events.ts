/**
 * What happened, in order: state changes (exits and restarts among them), health changes,
 * alerts. Each event gets a `seq` that only grows, across daemon restarts too: it is
 * journaled on disk (journal-file.ts) before anyone hears of it, and a new daemon goes on
 * from the journal's last seq. Clients (monitor, events, the terminal UI, the MCP server,
 * `up`) ask for everything after the last seq they saw, and wait when there is nothing new
 * yet: the daemon answers the moment an event is journaled (long polling over plain RPC).
 * Recent events are kept in memory too; older ones are read from the journal.
 * A state change carries how far the task's logs reached when it happened (`logSizes`),
 * so that `up` prints a task's last lines before the line saying it ended.
 */
import { DEFAULTS } from '../../machines/defaults.js';
import { eventKind, type EventKind } from '../../machines/event-kind.js';
import type { CorralEvent, EventBatch, EventFilter } from '../api.js';
import { setLongTimeout } from '../long-timer.js';
import type { LogFn } from './host.js';
import { JournalFile } from './journal-file.js';

export type SupervisorEvent = CorralEvent;

type NewEvent = SupervisorEvent extends infer E ? (E extends SupervisorEvent ? Omit<E, 'seq' | 'at'> : never) : never;

/** Most events one answer carries; `more` says when there are others after them. */
export const EVENTS_PER_ANSWER = 1_000;
/** Most journal lines one answer looks at, so that a filter matching nothing costs a bounded read. */
const MAX_SCAN = 20_000;

export class EventLog {
  private readonly recent: SupervisorEvent[] = [];
  private seq: number;
  private readonly waiters = new Set<() => void>();
  /** Lines pushed in this turn and not yet written: a stop of a thousand tasks writes them with one call. */
  private pending: string[] = [];

  constructor(
    private readonly journal: JournalFile | null = null,
    /** A seq already given (a client's cursor says so): numbering goes on past it. */
    floor = 0,
    private readonly capacity = 2_000,
  ) {
    this.seq = Math.max(journal?.open() ?? 0, floor);
  }

  /** The last seq given: on disk before a client hears of it. */
  get last(): number {
    this.flush();
    return this.seq;
  }

  /**
   * Numbers the event and keeps it; its line is written, with every other one pushed in the
   * same turn, once the running code has finished (or before anything reads events), and
   * only then are the waiting clients woken: a seq is on disk before any client hears of it.
   */
  push(event: NewEvent): void {
    const full = { seq: ++this.seq, at: new Date().toISOString(), ...event } as SupervisorEvent;
    if (this.journal) {
      if (this.pending.length === 0) process.nextTick(this.flushSoon);
      this.pending.push(JSON.stringify(full));
    }
    this.recent.push(full);
    if (this.recent.length > this.capacity) this.recent.splice(0, this.recent.length - this.capacity);
    if (!this.journal) this.wake();
  }

  private readonly flushSoon = () => this.flush();

  /** Writes the lines pushed since the last write, in one call, then wakes the waiting clients. */
  flush(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.journal!.appendAll(lines);
    this.wake();
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Up to `limit` accepted events after `after`: from memory when it still holds them, else from the journal. */
  read(after: number, accept: (e: SupervisorEvent) => boolean = () => true, limit = EVENTS_PER_ANSWER): EventBatch {
    this.flush();
    // A seq past the last (the journal was lost with its home): from now on.
    const from = Math.min(Math.max(0, after), this.seq);
    // Sequence numbers in memory are consecutive: the first one after `from` is found by subtraction.
    const first = this.recent[0]?.seq ?? this.seq + 1;
    if (from + 1 >= first || !this.journal) {
      const events: SupervisorEvent[] = [];
      let last = from;
      for (let i = Math.max(0, from + 1 - first); i < this.recent.length && events.length < limit; i++) {
        const e = this.recent[i]!;
        last = e.seq;
        if (accept(e)) events.push(e);
      }
      return { events, last, ...(last < this.seq ? { more: true } : {}) };
    }
    const read = this.journal.read<SupervisorEvent>(from, accept, limit, MAX_SCAN);
    const last = Math.max(read.last, from);
    return { events: read.events, last, ...(last < this.seq ? { more: true } : {}), ...(read.trimmed > 0 ? { trimmed: read.trimmed } : {}) };
  }

  /**
   * Events after `after`; when there is none yet, waits up to `timeoutMs` for the first one
   * (or until `signal` aborts: its client has gone).
   */
  async wait(after: number, timeoutMs: number, accept: (e: SupervisorEvent) => boolean = () => true, limit = EVENTS_PER_ANSWER, signal?: AbortSignal): Promise<EventBatch> {
    const now = this.read(after, accept, limit);
    if (now.events.length > 0 || now.more || timeoutMs <= 0 || signal?.aborted) return now;
    return new Promise((resolve) => {
      let looked = now.last;
      const done = () => {
        const found = this.read(looked, accept, limit);
        looked = found.last;
        if (found.events.length > 0) finish({ ...found, ...(now.trimmed ? { trimmed: now.trimmed } : {}) });
      };
      const timer = setLongTimeout(() => finish({ events: [], last: looked, ...(now.trimmed ? { trimmed: now.trimmed } : {}) }), timeoutMs);
      const onAbort = () => finish({ events: [], last: looked });
      const finish = (batch: EventBatch) => {
        timer.clear();
        this.waiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve(batch);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(done);
    });
  }

  /** The home was made anew: the journal starts a new file there. */
  reopen(): void {
    this.journal?.reopen();
  }

  close(): void {
    this.flush();
    this.journal?.close();
  }
}

/**
 * The daemon's event log over the journal at `path`: numbering goes on from the journal's
 * last event, and past `floor` (the highest seq a client has read). Trouble writing the
 * journal (a full disk) goes to the daemon's log once, and once again when it is over.
 */
export function openEventLog(path: string, maxBytes: number | undefined, floor: number, log: LogFn): EventLog {
  const journal = new JournalFile(path, maxBytes ?? DEFAULTS.journalMaxBytes, (error) =>
    error ? log('error', `could not write the event journal (${error.message}): events are kept in memory until it can be`) : log('info', 'the event journal is written again'),
  );
  return new EventLog(journal, floor);
}

/** Whether an event passes a client's filter (its ids already resolved). */
export function eventFilter(filter: EventFilter, ids: Set<string> | null): (e: SupervisorEvent) => boolean {
  const kinds: Set<EventKind> | null = filter.kinds ? new Set(filter.kinds) : null;
  return (e) =>
    (!ids || ids.has(e.id)) &&
    (filter.env === undefined || e.env === filter.env) &&
    (filter.session === undefined || e.session === filter.session) &&
    (!kinds || kinds.has(eventKind(e)));
}
