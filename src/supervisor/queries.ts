/**
 * What clients ask about tasks without changing them — a task, its details, its output,
 * a wait for a state, the event log — and `monitor`, which only sets policies.
 */
import { DEFAULTS } from '../../machines/defaults.js';
import type { EventBatch, EventFilter, MonitorInput, ReadInput, ReadResult, TaskDetails, TaskView, WaitOptions, WaitResult, WaitUntil } from '../api.js';
import { compileFilter } from '../config/filter.js';
import { normalizeTimeout } from '../config/control.js';
import { normalizeRead } from '../config/read.js';
import { notFound } from '../errors.js';
import { taskLogDir } from '../home.js';
import { readTask } from '../logs/task-read.js';
import type { Sampler } from '../policies/sampler.js';
import { describeTask } from './describe.js';
import { eventFilter, EVENTS_PER_ANSWER, type EventLog } from './events.js';
import type { TaskHistory } from './history.js';
import type { SupervisorHost } from './host.js';
import { waitForTask } from './waits.js';

export interface QueryParts {
  events: EventLog;
  sampler: Sampler;
  history: TaskHistory;
  /** A policy changed: the task's actor gets the new spec. */
  updateSpec(id: string, spec: import('../../machines/task.types.js').TaskSpec): void;
  /** The task watches files, and its watchers have read their trees. */
  watchReady(id: string): boolean;
}

export class TaskQueries {
  constructor(
    private readonly host: SupervisorHost,
    private readonly parts: QueryParts,
  ) {}

  async describe(ref: string): Promise<TaskDetails> {
    const record = this.host.resolve(ref);
    const { sampler } = this.parts;
    const members = record.status === 'running' && record.process ? sampler.membersNow(record.id, record.process) : null;
    return describeTask(record, this.host.view(record), sampler.get(record.id), this.parts.history, this.parts.watchReady(record.id), members);
  }

  async read(input: ReadInput): Promise<ReadResult> {
    const req = normalizeRead(input);
    const { host } = this;
    const record = host.resolve(input.ref);
    const { result, moved } = readTask(taskLogDir(host.paths, record.id), record, req, host.store, host.clock.now());
    if (moved) await host.store.saveCursors();
    return result;
  }

  wait(ref: string, until: WaitUntil, timeout?: string | number, options?: WaitOptions): Promise<WaitResult> {
    return waitForTask(this.host, ref, until, timeout, options);
  }

  /** Events after `since` (waits up to `timeoutMs` for one, or until `signal` says its client has gone). */
  async eventsSince(since: number, timeoutMs: number, filter: EventFilter = {}, signal?: AbortSignal): Promise<EventBatch> {
    const { events: log } = this.parts;
    // No task at all: only where the journal ends (`up` asks so before it starts anything).
    if (filter.ids?.length === 0) return { events: [], last: log.last };
    const ids = filter.ids ? new Set(filter.ids.map((ref) => this.host.resolve(ref).id)) : null;
    const limit = Math.min(filter.limit ?? EVENTS_PER_ANSWER, EVENTS_PER_ANSWER);
    return log.wait(since, Math.min(timeoutMs, 60_000), eventFilter(filter, ids), limit, signal);
  }

  /**
   * Events after the cursor of `consumer`, which then moves past every event looked at (a
   * consumer never seen starts with the latest few). A client that went away while it
   * waited has read nothing: its cursor stays.
   */
  async eventsNew(consumer: string, timeoutMs: number, filter: EventFilter = {}, signal?: AbortSignal): Promise<EventBatch> {
    const { store } = this.host;
    const from = store.eventCursor(consumer) ?? Math.max(0, this.parts.events.last - DEFAULTS.newEventsBacklog);
    const batch = await this.eventsSince(from, timeoutMs, filter, signal);
    if (signal?.aborted) return batch;
    if (batch.last !== from || store.eventCursor(consumer) === undefined) {
      store.setEventCursor(consumer, batch.last);
      await store.flush();
    }
    return batch;
  }

  /**
   * `monitor`: sets alert rules and restart-on-failure on the watched tasks, in the daemon,
   * where they stay after the monitor exits. Returns the tasks it applies to.
   */
  async monitor(input: MonitorInput): Promise<{ tasks: TaskView[]; last: number }> {
    const { host, parts } = this;
    if (input.alertOn !== undefined) compileFilter(input.alertOn, 'alertOn');
    const intervalMs = input.checkInterval === undefined ? undefined : normalizeTimeout(input.checkInterval, 2_000, 'checkInterval');
    let records = input.ids && input.ids.length > 0 ? input.ids.map((ref) => host.resolve(ref)) : host.store.tasks();
    if (input.env !== undefined) {
      records = records.filter((t) => t.env === input.env);
      if (records.length === 0) throw notFound(`no environment "${input.env}"`);
    }
    if (intervalMs !== undefined) parts.sampler.setInterval(intervalMs);
    for (const record of records) {
      const spec = {
        ...record.spec,
        ...(input.alertOn !== undefined ? { alertOn: input.alertOn } : {}),
        ...(input.restartOnFailure && record.spec.restart.policy === 'no' ? { restart: { ...record.spec.restart, policy: 'on-failure' as const } } : {}),
      };
      const next = { ...record, spec };
      host.store.put(next);
      parts.updateSpec(record.id, spec);
      if (input.alertOn !== undefined) parts.history.watchAlerts(next);
    }
    await host.store.flush();
    return { tasks: records.map((r) => host.view(host.store.task(r.id)!)), last: parts.events.last };
  }
}
