/**
 * The daemon's persistent state, in one JSON file (read by lowdb) written atomically (write
 * to a temporary file, then rename). Written synchronously: for a file of a few kilobytes a
 * trip through libuv's thread pool costs more than the write, and a `run` waits for it; a
 * state of megabytes (thousands of tasks) is written asynchronously. It holds the task
 * records, the id counter (ids are never reused) and the named read cursors.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LowSync } from 'lowdb';
import { DataFileSync } from 'lowdb/node';
import type { TaskRecord } from '../../machines/task.types.js';
import type { Stream } from '../logs/read.js';

interface StateData {
  version: 1;
  /** The number the next task id gets: bash_<nextId>. */
  nextId: number;
  tasks: Record<string, TaskRecord>;
  /** `consumer\u0000taskId\u0000stream` → the offset up to which that consumer has read. */
  cursors: Record<string, number>;
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

function decode(text: string): StateData {
  const raw = JSON.parse(text) as StateData & { envs?: Record<string, Record<string, string>> };
  const envs = raw.envs ?? {};
  delete raw.envs;
  for (const record of Object.values(raw.tasks ?? {})) {
    const env = record.spec.env as unknown;
    if (typeof env === 'string') record.spec.env = envs[env] ?? {};
  }
  return raw;
}

/** From this size on (a state of a few thousand tasks), the state is written asynchronously. */
const ASYNC_WRITE_BYTES = 1 << 20;

const empty = (): StateData => ({ version: 1, nextId: 1, tasks: {}, cursors: {} });

const cursorKey = (consumer: string, id: string, stream: Stream) => `${consumer}\u0000${id}\u0000${stream}`;

export class Store {
  /** The cursors' keys by task, so that forgetting a task is not a walk over every cursor. */
  private readonly cursorsOf = new Map<string, Set<string>>();

  private constructor(
    private readonly db: LowSync<StateData>,
    private readonly path: string,
    /**
     * The records, by id, in the order of the file: `data.tasks` as a Map, kept in step with
     * it. A plain object of 10,000 keys is slow to list, and it is listed on most changes.
     */
    private readonly records: Map<string, TaskRecord>,
    /** Set when the file could not be read and was moved aside. */
    readonly recovered: string | null,
  ) {
    for (const key of Object.keys(db.data.cursors)) this.noteCursor(key);
  }

  static async open(path: string): Promise<Store> {
    // Compact JSON, and each distinct environment stored once: the state is rewritten on
    // every change, and a hundred tasks started from one shell share one environment.
    const records = new Map<string, TaskRecord>();
    // lowdb reads the file; the store writes it itself (see `write`).
    const file = new DataFileSync<StateData>(path, { parse: decode, stringify: (data) => encode(data, records) });
    const db = new LowSync<StateData>(file, empty());
    let recovered: string | null = null;
    try {
      db.read();
    } catch (error) {
      // A damaged state file must not keep the daemon from starting: keep it for a human, start afresh.
      recovered = `${path}.damaged-${Date.now()}`;
      renameSync(path, recovered);
      db.data = empty();
    }
    db.data = { ...empty(), ...db.data };
    // Records written by an older corral lack later fields.
    for (const record of Object.values(db.data.tasks)) {
      record.dependsOn ??= [];
      record.background ??= true;
      if (typeof record.health !== 'object') record.health = null;
      record.spec.limits ??= { memoryBytes: null, timeoutMs: null, idleMs: null, idleAction: 'alert' };
      record.spec.nice ??= null;
      record.spec.ionice ??= null;
      record.spec.alertOn ??= null;
      record.spec.health ??= null;
      record.spec.stopCommand ??= null;
      record.spec.output ??= 'separate';
    }
    for (const [id, record] of Object.entries(db.data.tasks)) records.set(id, record);
    return new Store(db, path, records, recovered);
  }

  get data(): StateData {
    return this.db.data;
  }

  allocateId(): string {
    return `bash_${this.db.data.nextId++}`;
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
    this.records.set(record.id, record);
    this.db.data.tasks[record.id] = record;
  }

  remove(id: string): void {
    this.records.delete(id);
    delete this.db.data.tasks[id];
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
  }

  /** The write under way: each waits for the one before, so two never share the temporary file. */
  private writing: Promise<void> = Promise.resolve();

  /**
   * Writes the state as it is when this write's turn comes, atomically (a temporary file,
   * then a rename, as lowdb does). A state of thousands of tasks is megabytes: that one is
   * written without blocking the event loop, so that clients are answered meanwhile.
   */
  private write(): Promise<void> {
    const written = this.writing.then(async () => {
      const started = performance.now();
      if (this.records.size >= 1_000) await encodeAhead(this.records);
      const text = encode(this.db.data, this.records);
      const temporary = join(dirname(this.path), `.${basename(this.path)}.tmp`);
      if (text.length < ASYNC_WRITE_BYTES) {
        writeFileSync(temporary, text);
        renameSync(temporary, this.path);
      } else {
        await writeFile(temporary, text);
        await rename(temporary, this.path);
      }
      this.lastWriteMs = performance.now() - started;
    });
    this.writing = written.catch(() => {});
    return written;
  }

  private pending: Promise<void> | null = null;
  private soon: NodeJS.Timeout | null = null;
  /** How long the last write took: writes nobody waits on come no more often than ten times that. */
  private lastWriteMs = 0;

  /**
   * Writes the state. Calls within one turn of the event loop share one write (a stop of
   * fifty tasks changes the state hundreds of times; serialising it each time would cost
   * more than the stop itself); the promise resolves once data as of the call is on disk.
   */
  flush(): Promise<void> {
    if (this.soon) {
      clearTimeout(this.soon);
      this.soon = null;
    }
    if (!this.pending) {
      this.pending = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          this.pending = null;
          this.write().then(resolve, reject);
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
  flushSoon(onError: (error: Error) => void, ms = 20): void {
    if (this.soon || this.pending) return;
    // A big state (thousands of tasks) costs tens of ms a write: spaced out, writing never
    // takes more than a tenth of the daemon's time, and at most two seconds go unwritten.
    const delay = Math.min(Math.max(ms, 10 * this.lastWriteMs), 2_000);
    this.soon = setTimeout(() => {
      this.soon = null;
      this.flush().catch(onError);
    }, delay);
  }
}
