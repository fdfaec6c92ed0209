/**
 * Retention: which finished tasks go, with their logs, so that a home that runs for months
 * does not fill up with ended tasks. Two bounds, whichever is met first: an age (ended
 * longer ago than `maxAgeMs`) and a count (more than `maxEnded` ended tasks: the oldest
 * go). A task that is not finished, or that something still holds live, never goes.
 */
import { isFinal, type TaskRecord } from '../task.types.js';

export interface Retention {
  /** Ended tasks kept at most; null for no count bound. */
  maxEnded: number | null;
  /** Ended tasks older than this go; null for no age bound. */
  maxAgeMs: number | null;
}

/** When a task ended, for ordering: its end, else when it was made (a task that never ran). */
const endOf = (t: TaskRecord) => Date.parse(t.endedAt ?? t.createdAt) || 0;

export function retentionVictims(tasks: TaskRecord[], now: number, retention: Retention, isLive: (id: string) => boolean): TaskRecord[] {
  const ended = tasks.filter((t) => isFinal(t.status) && !isLive(t.id)).sort((a, b) => endOf(b) - endOf(a));
  return ended.filter((t, newest) => (retention.maxAgeMs !== null && now - endOf(t) > retention.maxAgeMs) || (retention.maxEnded !== null && newest >= retention.maxEnded));
}

/** `prune --older-than 7d`: the finished tasks that ended longer ago than that. */
export function endedBefore(tasks: TaskRecord[], cutoff: number, isLive: (id: string) => boolean): TaskRecord[] {
  return tasks.filter((t) => isFinal(t.status) && !isLive(t.id) && endOf(t) < cutoff);
}
