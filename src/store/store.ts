/**
 * The daemon's persistent state, in one JSON file (read by lowdb) written atomically (write
 * to a temporary file, then rename). Written synchronously: for a file of a few kilobytes a
 * trip through libuv's thread pool costs more than the write, and a `run` waits for it; a
 * state of megabytes (thousands of tasks) is written asynchronously. It holds the task
 * records, the id counter (ids are never reused) and the named read cursors.
 *
 * A write that fails (a full disk) keeps the state in memory, where it is the truth: the
 * daemon goes on answering, writes again every second until the file takes it, and says
 * so once when the trouble starts and once when it ends, not at every change.
 */
import { appendFileSync, copyFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LowSync } from 'lowdb';
import { DataFileSync } from 'lowdb/node';
import type { TaskRecord } from '../../machines/task.types.js';
import type { Stream } from '../logs/read.js';
import { emptyState, readState, type StateData, type StateDamage } from './validate.js';

/** What reading the state file cost, when it cost something. */
export interface StoreDamage extends StateDamage {
  /** Where the file as it was is kept for a human; null when it could not be (a full disk). */
  keptAs: string | null;
  /** Set when nothing of the file could be read, saying why. */
  unreadable: string | null;
}

/** Environments by identity → their key in the file's `envs` table (they are never mutated). */
const envKeys = new WeakMap<object, string>();
const keyByContent = new Map<string, string>();

function envKey(env: Record<string, string>): string {
  let key = envKeys.get(env);
  if (key === undefined) {
    const content = JSON.stringify(env);
    key = keyByContent.get(content);
    if (key === undefined) {
      key = `env${keyByContent.size + 1}`;
      keyByContent.set(content, key);
    }
    envKeys.set(env, key);
  }
  return key;
}

/**
 * Each record's JSON, by identity: a record is replaced, never changed, when its task
 * changes, so a write serialises only the records that changed since the last one. With
 * 10,000 tasks that is the difference between a write per change and a file per change.
 */
const encodedRecords = new WeakMap<TaskRecord, string>();

function encodeRecord(record: TaskRecord): string {
  let json = encodedRecords.get(record);
  if (json === undefined) {
    json = JSON.stringify({ ...record, spec: { ...record.spec, env: envKey(record.spec.env) } });
    encodedRecords.set(record, json);
  }
  return json;
}

/**
 * Serialises the records not serialised yet, giving the event loop a turn every 20 ms: after
 * 10,000 new tasks, the write's own `encode` then only joins strings.
 */
async function encodeAhead(records: Map<string, TaskRecord>): Promise<void> {
  let since = performance.now();
  for (const record of records.values()) {
    encodeRecord(record);
    if (performance.now() - since < 20) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  }
}

function encode(data: StateData, records: Map<string, TaskRecord>): string {
  const envs: Record<string, Record<string, string>> = {};
  const tasks: string[] = [];
  for (const [id, record] of records) {
    envs[envKey(record.spec.env)] = record.spec.env;
    tasks.push(`${JSON.stringify(id)}:${encodeRecord(record)}`);
  }
  const { tasks: _tasks, ...rest } = data;
  const others = JSON.stringify({ ...rest, envs });
  return `{"tasks":{${tasks.join(',')}},${others.slice(1)}`;
}

/** From this size on (a state of a few thousand tasks), the state is written asynchronously. */
const ASYNC_WRITE_BYTES = 1 << 20;

const cursorKey = (consumer: string, id: string, stream: Stream) => `${consumer}\u0000${id}\u0000${stream}`;

/** How long a failed write waits before the next try. */
export const RETRY_MS = 1_000;

/** What the daemon's log hears of the file's trouble: once when writes start failing, once when one works again. */
export type WriteTrouble = { failing: Error } | { recovered: { failedMs: number } };

export class Store {
  /** Told of write trouble; the daemon logs it. */
  onWriteTrouble: (trouble: WriteTrouble) => void = () => {};
  private failingSince: number | null = null;
  private retry: NodeJS.Timeout | null = null;
  /** The cursors' keys by task, so that forgetting a task is not a walk over every cursor. */
  private readonly cursorsOf = new Map<string, Set<string>>();
  /**
   * The records, by id, in the order of the file: `data.tasks` as a Map, kept in step with
   * it. A plain object of 10,000 keys is slow to list, and it is listed on most changes.
   */
  private readonly records = new Map<string, TaskRecord>();

  private constructor(
    private readonly db: LowSync<StateData>,
    private readonly path: string,
    /** Set when the file was damaged: what it cost, and where the file is kept. */
    readonly damage: StoreDamage | null,
  ) {
    for (const [id, record] of Object.entries(db.data.tasks)) this.records.set(id, record);
    this.replayCursorLog();
    for (const key of Object.keys(db.data.cursors)) this.noteCursor(key);
  }

  /** Where cursor moves go between two writes of the state: one short line each (see `saveCursors`). */
  private get cursorLog(): string {
    return join(dirname(this.path), 'cursors.log');
  }

  /**
   * Moves of read cursors made after the state file was last written, in order: the last
   * line of a cursor holds its newest offset. A line cut short (the disk filled, the daemon
   * was killed mid-write) is skipped, and so is a cursor of a task the state no longer has.
   */
  private replayCursorLog(): void {
    let text: string;
    try {
      text = readFileSync(this.cursorLog, 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if (!Array.isArray(entry) || entry.length !== 4) continue;
      const [consumer, id, stream, offset] = entry as unknown[];
      if (typeof consumer !== 'string' || typeof id !== 'string' || (stream !== 'stdout' && stream !== 'stderr')) continue;
      if (!Number.isSafeInteger(offset) || (offset as number) < 0 || !this.records.has(id)) continue;
      this.db.data.cursors[cursorKey(consumer, id, stream)] = offset as number;
    }
  }

  static async open(path: string): Promise<Store> {
    // Compact JSON, and each distinct environment stored once: the state is rewritten on
    // every change, and a hundred tasks started from one shell share one environment.
    // lowdb reads the file; the store writes it itself (see `write`).
    const db = new LowSync<StateData>(new DataFileSync<StateData>(path, { parse: JSON.parse, stringify: JSON.stringify }), emptyState());
    let text: string | null = null;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === null) return new Store(db, path, null);
    const read = readState(text);
    // A damaged state file must not keep the daemon from starting: it is kept for a human
    // (a copy when it still holds good records, should the daemon die before its next
    // write), and what it still holds is used (the daemon rebuilds the rest from the home).
    if (read.ok && !read.damage) {
      db.data = read.data;
      return new Store(db, path, null);
    }
    let keptAs: string | null = `${path}.damaged-${Date.now()}`;
    try {
      if (read.ok) copyFileSync(path, keptAs);
      else renameSync(path, keptAs);
    } catch {
      // A full disk: what the file held is used all the same.
      keptAs = null;
    }
    if (!read.ok) return new Store(db, path, { keptAs, unreadable: read.why, badRecords: new Map(), repaired: [] });
    db.data = read.data;
    return new Store(db, path, { keptAs, unreadable: null, ...read.damage! });
  }

  get data(): StateData {
    return this.db.data;
  }

  allocateId(): string {
    return `bash_${this.db.data.nextId++}`;
  }

  /** Ids up to `highest` are taken (their log folders exist): none of them is given again. */
  reserveIdsUpTo(highest: number): void {
    this.db.data.nextId = Math.max(this.db.data.nextId, highest + 1);
  }

  tasks(): TaskRecord[] {
    return [...this.records.values()];
  }

  /** How many records there are, without listing them. */
  get size(): number {
    return this.records.size;
  }

  task(id: string): TaskRecord | undefined {
    return this.records.get(id);
  }

  put(record: TaskRecord): void {
    this.db.data.tasks[record.id] = record;
    this.records.set(record.id, record);
  }

  remove(id: string): void {
    delete this.db.data.tasks[id];
    this.records.delete(id);
    for (const key of this.cursorsOf.get(id) ?? []) delete this.db.data.cursors[key];
    this.cursorsOf.delete(id);
  }

  private noteCursor(key: string): void {
    const id = key.split('\u0000')[1] ?? '';
    let keys = this.cursorsOf.get(id);
    if (!keys) this.cursorsOf.set(id, (keys = new Set()));
    keys.add(key);
  }

  cursor(consumer: string, id: string, stream: Stream): number {
    return this.db.data.cursors[cursorKey(consumer, id, stream)] ?? 0;
  }

  setCursor(consumer: string, id: string, stream: Stream, offset: number): void {
    const key = cursorKey(consumer, id, stream);
    if (!(key in this.db.data.cursors)) this.noteCursor(key);
    this.db.data.cursors[key] = offset;
    this.movedCursors.add(key);
  }

  /** Cursors moved since they were last saved. */
  private readonly movedCursors = new Set<string>();
  /** Lines appended to the cursor log so far: a write of the state drops the log only if none came while it was written. */
  private cursorLines = 0;

  /**
   * Puts the moved cursors on disk before a read answers (`--new` must never return a byte
   * twice): a line each appended to the cursor log, not the whole state, which with a
   * thousand tasks is a megabyte to write for every `logs --new`. The next write of the
   * state takes them in and drops the log. Where the append fails, the state is written.
   */
  saveCursors(): Promise<void> {
    if (this.movedCursors.size === 0) return Promise.resolve();
    let lines = '';
    for (const key of this.movedCursors) {
      const [consumer, id, stream] = key.split('\u0000');
      const offset = this.db.data.cursors[key];
      if (offset !== undefined) lines += `${JSON.stringify([consumer, id, stream, offset])}\n`;
    }
    this.movedCursors.clear();
    try {
      appendFileSync(this.cursorLog, lines, { mode: 0o600 });
      this.cursorLines++;
      return Promise.resolve();
    } catch {
      return this.flush();
    }
  }

  /** The seq of the last journal event `consumer` has read; undefined for a consumer never seen. */
  eventCursor(consumer: string): number | undefined {
    return Object.hasOwn(this.db.data.eventCursors, consumer) ? this.db.data.eventCursors[consumer] : undefined;
  }

  setEventCursor(consumer: string, seq: number): void {
    this.db.data.eventCursors[consumer] = seq;
  }

  /** The highest seq any consumer has read: the journal's numbering never goes back under it. */
  highestEventCursor(): number {
    return Math.max(0, ...Object.values(this.db.data.eventCursors));
  }

  /** The write under way: each waits for the one before, so two never share the temporary file. */
  private writing: Promise<void> = Promise.resolve();
  /** How long the last write took: writes nobody waits on come no more often than ten times that. */
  private lastWriteMs = 0;

  private get temporary(): string {
    return join(dirname(this.path), `.${basename(this.path)}.tmp`);
  }

  /**
   * Writes the state as it is when this write's turn comes, atomically (a temporary file,
   * then a rename). A state of thousands of tasks is megabytes: that one is written without
   * blocking the event loop, so that clients are answered meanwhile.
   */
  private writeFile(): Promise<void> {
    const written = this.writing.then(async () => {
      const started = performance.now();
      if (this.records.size >= 1_000) await encodeAhead(this.records);
      const linesBefore = this.cursorLines;
      this.movedCursors.clear(); // the state written now holds them
      const text = encode(this.db.data, this.records);
      if (text.length < ASYNC_WRITE_BYTES) {
        writeFileSync(this.temporary, text);
        renameSync(this.temporary, this.path);
      } else {
        await writeFile(this.temporary, text);
        await rename(this.temporary, this.path);
      }
      // Every move the log holds is in the state now, unless one was appended while it was written.
      if (this.cursorLines === linesBefore) rmSync(this.cursorLog, { force: true });
      this.lastWriteMs = performance.now() - started;
    });
    this.writing = written.catch(() => {});
    return written;
  }

  /** Whether the last write failed (and a retry is due). */
  get failing(): boolean {
    return this.failingSince !== null;
  }

  /** One write, its failure kept to itself: the state in memory stands, and a retry is armed. */
  private async write(): Promise<void> {
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = null;
    }
    try {
      await this.writeFile();
    } catch (error) {
      try {
        rmSync(this.temporary, { force: true });
      } catch {
        // Not a file we made: left alone.
      }
      if (this.failingSince === null) {
        this.failingSince = Date.now();
        this.onWriteTrouble({ failing: error as Error });
      }
      this.retry = setTimeout(() => void this.flush(), RETRY_MS);
      // A retry alone does not keep a process that is done from ending.
      this.retry.unref();
      return;
    }
    if (this.failingSince !== null) {
      this.onWriteTrouble({ recovered: { failedMs: Date.now() - this.failingSince } });
      this.failingSince = null;
    }
  }

  private pending: Promise<void> | null = null;
  private soon: NodeJS.Timeout | null = null;

  /**
   * Writes the state. Calls within one turn of the event loop share one write (a stop of
   * fifty tasks changes the state hundreds of times; serialising it each time would cost
   * more than the stop itself); the promise resolves once data as of the call is on disk,
   * or once the write failed and a retry is due (the state in memory stands meanwhile).
   */
  flush(): Promise<void> {
    if (this.soon) {
      clearTimeout(this.soon);
      this.soon = null;
    }
    if (!this.pending) {
      this.pending = new Promise<void>((resolve) => {
        setImmediate(() => {
          this.pending = null;
          void this.write().then(resolve);
        });
      });
    }
    return this.pending;
  }

  /**
   * Writes the state within `ms`, together with every other change until then: for changes
   * nobody waits on (a state change of a task, a sample). What must be on disk before an
   * answer (a new task's pid) goes through `flush`, which also takes any write pending here.
   */
  flushSoon(ms = 20): void {
    if (this.soon || this.pending) return;
    // A big state (thousands of tasks) costs tens of ms a write: spaced out, writing never
    // takes more than a tenth of the daemon's time, and at most two seconds go unwritten.
    const delay = Math.min(Math.max(ms, 10 * this.lastWriteMs), 2_000);
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.flush();
    }, delay);
  }
}
