/**
 * Schedules, the effect: arms one timer per scheduled task for its next tick, and at each
 * tick starts a run or, while the last run still goes on, skips it (journaled, and kept in
 * the task's history). Between runs the task shows `waiting` with its next run; each run's
 * end goes to the history. machines/policies/schedule.ts decides; the timers are the
 * clock's, which hold any delay (long-timer.ts). A stop on request ends the schedule; a
 * daemon that stops without stopping tasks leaves it for the next one, which resumes it.
 */
import { formatDuration } from '../../machines/duration.js';
import {
  describeSchedule,
  firstRunAt,
  nextRunAfter,
  onTick,
  resumedRunAt,
  waitingReason,
  withEntry,
  type CronNext,
  type ScheduleEntry,
} from '../../machines/policies/schedule.js';
import type { TaskRecord } from '../../machines/task.types.js';
import { cronNext } from '../config/cron.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import type { EventLog } from './events.js';
import type { LogFn } from './host.js';
import { eventSubject } from './records.js';

export interface ScheduleHost {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: LogFn;
  readonly events: EventLog;
  /** A run of the task goes on (its actor is there). */
  hasRun(id: string): boolean;
  /** Starts one run of the task (its actor), as any start does. */
  launchRun(record: TaskRecord): void;
  /** Stores the record and tells every listener; `journal` puts its state change in the event log. */
  publish(record: TaskRecord, journal: boolean): void;
}

/** How a scheduled task comes to be followed: a new start, a daemon taking up a waiting one, or one whose run it adopted. */
export type FollowHow = 'start' | 'resume' | 'adopted';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const clockTime = (ms: number) => new Date(ms).toTimeString().slice(0, 8);

export class Schedules {
  /** The armed timer of each followed task. */
  private readonly timers = new Map<string, unknown>();

  /**
   * Cron dates; an expression that does not parse (a state file edited by hand: the parsers
   * refuse it everywhere else) gives none, and the task waits with no next run, said in the log.
   */
  private readonly cronNext: CronNext;

  constructor(private readonly host: ScheduleHost) {
    this.cronNext = (expression, after) => {
      try {
        return cronNext(expression, after);
      } catch (error) {
        host.log('error', `the cron expression "${expression}" does not parse: no run is scheduled`, { error: String(error) });
        return null;
      }
    };
  }

  isFollowing(id: string): boolean {
    return this.timers.has(id);
  }

  /** Takes a scheduled task: runs it now or arms its next tick (any earlier following of it ends first). */
  follow(record: TaskRecord, how: FollowHow): void {
    const spec = record.spec.schedule;
    if (!spec) return;
    this.disarm(record.id);
    const now = this.host.clock.now();
    const persisted = record.scheduled?.nextRunAt ? Date.parse(record.scheduled.nextRunAt) : null;
    if (how === 'adopted') {
      // The adopted run goes on: the ticks resume around it, and its end is noted as any run's.
      this.arm(record.id, resumedRunAt(spec, persisted, now, this.cronNext));
      return;
    }
    const next = how === 'resume' ? resumedRunAt(spec, persisted, now, this.cronNext) : firstRunAt(spec, now, this.cronNext);
    if (next !== null && next <= now) return this.tick(record.id, next);
    this.arm(record.id, next);
    this.publishWaiting(this.host.store.task(record.id) ?? record, next);
  }

  /** A run ended (its actor reached a final state): its exit goes to the history, and the task waits for its next tick. */
  runEnded(record: TaskRecord): void {
    if (!this.timers.has(record.id) || !record.spec.schedule) return;
    const endedAt = record.endedAt ?? iso(this.host.clock.now())!;
    // A run that never started (a dependency failed for good) lasted nothing.
    const startedAt = record.startedAt ?? endedAt;
    const entry: ScheduleEntry = {
      kind: 'run',
      startedAt,
      endedAt,
      durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)),
      exitCode: record.exitCode,
      signal: record.signal,
    };
    const history = withEntry(record.scheduled?.history ?? [], entry);
    const next = record.scheduled?.nextRunAt ? Date.parse(record.scheduled.nextRunAt) : null;
    this.publishWaiting({ ...record, scheduled: { nextRunAt: iso(next), history } }, next);
  }

  /**
   * A stop on request ends the schedule. A task waiting for its next tick is killed there
   * and then (no run is there to stop); one whose run goes on ends as that run is stopped.
   */
  end(id: string, reason = 'its schedule was stopped'): void {
    if (!this.timers.has(id)) return;
    this.disarm(id);
    const record = this.host.store.task(id);
    if (!record) return;
    const ended = { nextRunAt: null, history: record.scheduled?.history ?? [] };
    // The run that goes on ends as it is stopped: its record says no run comes after it.
    if (this.host.hasRun(id) || record.status !== 'waiting') return this.host.store.put({ ...record, scheduled: ended });
    this.host.log('info', `${id}: schedule ended`);
    this.host.publish(
      { ...record, status: 'killed', reason, endedAt: iso(this.host.clock.now()), scheduled: ended },
      true,
    );
  }

  /** Stops the timers without touching any task: a next daemon takes the schedules up. */
  close(): void {
    for (const id of [...this.timers.keys()]) this.disarm(id);
  }

  private tick(id: string, tickAt: number): void {
    const record = this.host.store.task(id);
    const spec = record?.spec.schedule;
    if (!record || !spec) return this.disarm(id);
    const now = this.host.clock.now();
    const next = nextRunAfter(spec, tickAt, now, this.cronNext);
    const history = record.scheduled?.history ?? [];
    if (onTick(this.host.hasRun(id)) === 'skip') {
      const since = record.startedAt ? ` (started at ${clockTime(Date.parse(record.startedAt))})` : '';
      const reason = `skipped the run due at ${clockTime(tickAt)}: the last run${since} still goes on`;
      this.host.log('info', `${id}: ${reason}`);
      this.host.events.push({ type: 'skip', ...eventSubject(record), reason });
      this.host.publish({ ...record, scheduled: { nextRunAt: iso(next), history: withEntry(history, { kind: 'skip', at: iso(tickAt)!, reason }) } }, false);
    } else {
      this.host.log('info', `${id}: scheduled run (${describeSchedule(spec, formatDuration)})`);
      const run: TaskRecord = {
        ...record,
        status: record.dependsOn.length > 0 ? 'waiting' : 'starting',
        reason: null,
        exitCode: null,
        signal: null,
        startedAt: null,
        endedAt: null,
        restartAt: null,
        scheduled: { nextRunAt: iso(next), history },
      };
      this.host.store.put(run);
      this.host.launchRun(run);
    }
    this.arm(id, next);
  }

  private arm(id: string, at: number | null): void {
    this.disarm(id);
    const { clock } = this.host;
    // A schedule whose dates are all past stays followed (it is still on) with no timer.
    const timer = at === null ? null : clock.setTimeout(() => this.tick(id, at), Math.max(0, at - clock.now()));
    this.timers.set(id, timer);
  }

  private disarm(id: string): void {
    const timer = this.timers.get(id);
    if (timer !== undefined && timer !== null) this.host.clock.clearTimeout(timer);
    this.timers.delete(id);
  }

  private publishWaiting(record: TaskRecord, next: number | null): void {
    const scheduled = { nextRunAt: iso(next), history: record.scheduled?.history ?? [] };
    this.host.publish({ ...record, status: 'waiting', reason: waitingReason(next), restartAt: null, scheduled }, record.status !== 'waiting');
  }
}
