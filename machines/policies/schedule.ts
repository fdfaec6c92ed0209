/**
 * Schedules, the decisions: when a scheduled step runs next (`every: 10m` or a cron
 * expression), whether a tick runs it or is skipped because the last run still goes on,
 * and the short history of runs and skips a task keeps. Pure: time is a number the caller
 * gives, and cron expressions are evaluated by a function the caller passes (machines
 * import no library but xstate and zod).
 */

/** `every: 10m` (a fixed rate) or `schedule: "*\/5 * * * *"` (cron, 5 or 6 fields, or a nickname). */
export type ScheduleSpec = { every: number } | { cron: string };

/** The first instant strictly after `after` that the cron expression names; null when none ever comes. */
export type CronNext = (expression: string, after: number) => number | null;

/** A shorter interval is a busy loop, not a schedule. */
export const MIN_EVERY_MS = 1_000;
/** Runs and skips a task remembers. */
export const SCHEDULE_HISTORY_KEPT = 20;

export type ScheduleEntry =
  | { kind: 'run'; startedAt: string; endedAt: string; durationMs: number; exitCode: number | null; signal: string | null }
  | { kind: 'skip'; at: string; reason: string };

/** What a scheduled task carries between runs (persisted with its record, so a new daemon goes on). */
export interface ScheduleState {
  /** When the next tick comes; null once no tick will (a cron expression whose dates are past). */
  nextRunAt: string | null;
  history: ScheduleEntry[];
}

/**
 * Why a schedule cannot be on a task, or null. A schedule belongs to a step that exits:
 * one that restarts for ever, or a service, never gives a tick its turn.
 */
export function scheduleProblem(decl: { every?: unknown; schedule?: unknown; restart?: string; background?: boolean }): { key: string; message: string } | null {
  const given = decl.every !== undefined ? 'every' : 'schedule';
  if (decl.every !== undefined && decl.schedule !== undefined) return { key: 'every', message: 'give schedule or every, not both' };
  if (decl.background === true) return { key: given, message: `${given} is for a one-shot step: drop background: true (a scheduled task runs and exits)` };
  if (decl.restart === 'always' || decl.restart === 'unless-stopped') {
    return { key: given, message: `${given} is for a step that exits: restart ${decl.restart} never lets it end (use no or on-failure)` };
  }
  return null;
}

export function everyProblem(ms: number): string | null {
  return ms < MIN_EVERY_MS ? `every ${ms}ms is too often: at least 1s` : null;
}

/** The first tick of a schedule that starts at `now`: `every` runs at once, cron at its next date. */
export function firstRunAt(spec: ScheduleSpec, now: number, cronNext: CronNext): number | null {
  return 'every' in spec ? now : cronNext(spec.cron, now);
}

/**
 * The tick after the one due at `tickAt`, seen at `now`: never one already past, so that a
 * daemon that was away (or a timer that fired late) does not run a burst of missed ticks.
 * `every` keeps its rate from `tickAt` (ticks at tickAt + k·every), cron takes its next date.
 */
export function nextRunAfter(spec: ScheduleSpec, tickAt: number, now: number, cronNext: CronNext): number | null {
  if ('every' in spec) {
    const steps = Math.max(1, Math.floor((now - tickAt) / spec.every) + 1);
    return tickAt + steps * spec.every;
  }
  // The later of the two: a timer that fired a little early must not find the same date again.
  return cronNext(spec.cron, Math.max(tickAt, now));
}

/**
 * Where a schedule takes up after a daemon restart: at its persisted next tick if that is
 * still to come, else at the first tick after now (missed ticks are not made up).
 */
export function resumedRunAt(spec: ScheduleSpec, persisted: number | null, now: number, cronNext: CronNext): number | null {
  if (persisted === null) return firstRunAt(spec, now, cronNext);
  return persisted >= now ? persisted : nextRunAfter(spec, persisted, now, cronNext);
}

/** A tick runs the task, or is skipped while its last run still goes on: runs never overlap. */
export function onTick(lastRunGoesOn: boolean): 'run' | 'skip' {
  return lastRunGoesOn ? 'skip' : 'run';
}

/** The history with `entry` added, the oldest dropped past SCHEDULE_HISTORY_KEPT. */
export function withEntry(history: readonly ScheduleEntry[], entry: ScheduleEntry): ScheduleEntry[] {
  return [...history, entry].slice(-SCHEDULE_HISTORY_KEPT);
}

/** `every 10m` or `cron 0 * * * *`: how status and the export comments name a schedule. */
export function describeSchedule(spec: ScheduleSpec, formatMs: (ms: number) => string): string {
  return 'every' in spec ? `every ${formatMs(spec.every)}` : `cron ${spec.cron}`;
}

/** `next run at 14:05:00`, the reason a task shows between runs (local time, as the terminal shows it). */
export function waitingReason(nextRunAt: number | null): string {
  return nextRunAt === null ? 'no run to come: the schedule has no later date' : `next run at ${new Date(nextRunAt).toTimeString().slice(0, 8)}`;
}
