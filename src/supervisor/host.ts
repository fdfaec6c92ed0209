/**
 * What the supervisor's parts (environments, queries) need of it: the records, the live
 * actors, and the few operations they build on. One interface, so each part can be read
 * (and faked) on its own.
 */
import type { TaskInput } from '../../machines/task.contracts.js';
import type { TaskRecord } from '../../machines/task.types.js';
import type { TaskView } from '../api.js';
import type { HomePaths } from '../home.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';

export type LogFn = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface SupervisorHost {
  readonly paths: HomePaths;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: LogFn;
  readonly maxConcurrent: number;
  /** An actor runs the task (it is not finished, or is being stopped). */
  isLive(id: string): boolean;
  /** Tasks that take a slot under the concurrency limit. */
  liveCount(): number;
  startActor(record: TaskRecord, extra: Partial<TaskInput>): void;
  /** `reason` leads the stopped task's reason (`scaled down to 1 (SIGTERM)`). */
  stopOne(record: TaskRecord, signal?: string, graceMs?: number, reason?: string): Promise<TaskView>;
  view(record: TaskRecord): TaskView;
  /** Finished tasks whose trees still have processes (a daemonised child, a background job). */
  withLeftovers(records: TaskRecord[]): TaskRecord[];
  /** Removes a finished task that no actor runs: its record, log folder and exit file. */
  forget(record: TaskRecord): void;
  /** A task by id, name or `env/name`; a `usage` error naming the candidates when a name is ambiguous, `not-found` when nothing matches. */
  resolve(ref: string): TaskRecord;
  /** Resolves once the task's view satisfies `done` (checked now and on every change), or as timed out after `timeoutMs` or when `signal` aborts. */
  until(id: string, done: (view: TaskView) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<{ view: TaskView; timedOut: boolean }>;
  /** Calls `listener` on every task change until the returned function is called. */
  onChange(listener: (view: TaskView) => void): () => void;
}
