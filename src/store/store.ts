/**
 * The daemon's persistent state, in one JSON file written atomically by lowdb (write to
 * a temporary file, then rename). Written synchronously: for a file of a few kilobytes a
 * trip through libuv's thread pool costs more than the write, and a `run` waits for it. It holds the task
 * records, the id counter (ids are never reused) and the named read cursors.
 */
import { copyFileSync, readFileSync, renameSync } from 'node:fs';
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

const cursorKey = (consumer: string, id: string, stream: Stream) => `${consumer}\u0000${id}\u0000${stream}`;

export class Store {
  private constructor(
    private readonly db: LowSync<StateData>,
    /** Set when the file was damaged: what it cost, and where the file is kept. */
    readonly damage: StoreDamage | null,
  ) {}

  static async open(path: string): Promise<Store> {
    // Compact JSON, and each distinct environment stored once: the state is rewritten on
    // every change, and a hundred tasks started from one shell share one environment.
    const db = new LowSync<StateData>(new DataFileSync<StateData>(path, { parse: JSON.parse, stringify: encode }), emptyState());
    let text: string | null = null;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === null) return new Store(db, null);
    const read = readState(text);
    // A damaged state file must not keep the daemon from starting: it is kept for a human
    // (a copy when it still holds good records, should the daemon die before its next
    // write), and what it still holds is used (the daemon rebuilds the rest from the home).
    if (read.ok && !read.damage) {
      db.data = read.data;
      return new Store(db, null);
    }
    let keptAs: string | null = `${path}.damaged-${Date.now()}`;
    try {
      if (read.ok) copyFileSync(path, keptAs);
      else renameSync(path, keptAs);
    } catch {
      // A full disk: what the file held is used all the same.
      keptAs = null;
    }
    if (!read.ok) return new Store(db, { keptAs, unreadable: read.why, badRecords: new Map(), repaired: [] });
    db.data = read.data;
    return new Store(db, { keptAs, unreadable: null, ...read.damage! });
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
          try {
            this.db.write();
            resolve();
          } catch (error) {
            reject(error as Error);
          }
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
    this.soon = setTimeout(() => {
      this.soon = null;
      this.flush().catch(onError);
    }, ms);
  }
}
