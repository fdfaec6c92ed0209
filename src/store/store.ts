/**
 * The daemon's persistent state, in one JSON file written atomically by lowdb (write to
 * a temporary file, then rename). Written synchronously: for a file of a few kilobytes a
 * trip through libuv's thread pool costs more than the write, and a `run` waits for it. It holds the task
 * records, the id counter (ids are never reused) and the named read cursors.
 *
 * A write that fails (a full disk) keeps the state in memory, where it is the truth: the
 * daemon goes on answering, writes again every second until the file takes it, and says
 * so once when the trouble starts and once when it ends, not at every change.
 */
import { renameSync, rmSync } from 'node:fs';
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

function encode(data: StateData): string {
  const envs: Record<string, Record<string, string>> = {};
  const tasks: Record<string, unknown> = {};
  for (const [id, record] of Object.entries(data.tasks)) {
    const key = envKey(record.spec.env);
    envs[key] = record.spec.env;
    tasks[id] = { ...record, spec: { ...record.spec, env: key } };
  }
  return JSON.stringify({ ...data, tasks, envs });
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

const empty = (): StateData => ({ version: 1, nextId: 1, tasks: {}, cursors: {} });

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

  private constructor(
    private readonly db: LowSync<StateData>,
    /** Set when the file could not be read and was moved aside. */
    readonly recovered: string | null,
    /** lowdb's temporary file: what a failed write left of it goes, not to hold space on a full disk. */
    private readonly tempPath: string,
  ) {}

  static async open(path: string): Promise<Store> {
    // Compact JSON, and each distinct environment stored once: the state is rewritten on
    // every change, and a hundred tasks started from one shell share one environment.
    const file = new DataFileSync<StateData>(path, { parse: decode, stringify: encode });
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
    return new Store(db, recovered, join(dirname(path), `.${basename(path)}.tmp`));
  }

  get data(): StateData {
    return this.db.data;
  }

  allocateId(): string {
    return `bash_${this.db.data.nextId++}`;
  }

  tasks(): TaskRecord[] {
    return Object.values(this.db.data.tasks);
  }

  task(id: string): TaskRecord | undefined {
    return this.db.data.tasks[id];
  }

  put(record: TaskRecord): void {
    this.db.data.tasks[record.id] = record;
  }

  remove(id: string): void {
    delete this.db.data.tasks[id];
    for (const key of Object.keys(this.db.data.cursors)) {
      if (key.split('\u0000')[1] === id) delete this.db.data.cursors[key];
    }
  }

  cursor(consumer: string, id: string, stream: Stream): number {
    return this.db.data.cursors[cursorKey(consumer, id, stream)] ?? 0;
  }

  setCursor(consumer: string, id: string, stream: Stream, offset: number): void {
    this.db.data.cursors[cursorKey(consumer, id, stream)] = offset;
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
          this.write();
          resolve();
        });
      });
    }
    return this.pending;
  }

  /** Whether the last write failed (and a retry is due). */
  get failing(): boolean {
    return this.failingSince !== null;
  }

  private write(): void {
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = null;
    }
    try {
      this.db.write();
    } catch (error) {
      try {
        rmSync(this.tempPath, { force: true });
      } catch {
        // Not a file we made: left alone.
      }
      if (this.failingSince === null) {
        this.failingSince = Date.now();
        this.onWriteTrouble({ failing: error as Error });
      }
      this.retry = setTimeout(() => this.flush(), RETRY_MS);
      // A retry alone does not keep a process that is done from ending.
      this.retry.unref();
      return;
    }
    if (this.failingSince !== null) {
      this.onWriteTrouble({ recovered: { failedMs: Date.now() - this.failingSince } });
      this.failingSince = null;
    }
  }

  /**
   * Writes the state within `ms`, together with every other change until then: for changes
   * nobody waits on (a state change of a task, a sample). What must be on disk before an
   * answer (a new task's pid) goes through `flush`, which also takes any write pending here.
   */
  flushSoon(ms = 20): void {
    if (this.soon || this.pending) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.flush();
    }, ms);
  }
}
