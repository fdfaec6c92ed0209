/**
 * Task records and the views clients get of them. Pure: a record in, a record or a view
 * out; the supervisor persists what these return.
 */
import { statusOf, type TaskSnapshot } from '../../machines/task.status.js';
import { isFinal, type TaskRecord } from '../../machines/task.types.js';
import { describeHealth } from '../../machines/policies/health.js';
import type { TaskView } from '../api.js';
import type { Usage } from '../policies/sampler.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The fields of a task record that has not run yet. */
export const freshRun = (now: number) => ({
  reason: null,
  process: null,
  exitCode: null,
  signal: null,
  restarts: 0,
  health: null,
  createdAt: new Date(now).toISOString(),
  startedAt: null,
  endedAt: null,
  restartAt: null,
});

/** The record a machine snapshot makes of the previous one. */
export function recordFromSnapshot(prev: TaskRecord, snapshot: TaskSnapshot, now: number): TaskRecord {
  const c = snapshot.context;
  const status = statusOf(snapshot);
  return {
    ...prev,
    status,
    reason: c.reason,
    process: c.process ?? prev.process,
    exitCode: c.exitCode,
    signal: c.signal,
    restarts: c.restarts,
    health: c.health,
    startedAt: iso(c.startedAt) ?? prev.startedAt,
    endedAt: isFinal(status) ? (iso(c.endedAt) ?? new Date(now).toISOString()) : null,
    restartAt: status === 'restarting' ? iso(c.restartAt) : null,
  };
}

/**
 * A task started again under the same id (by hand, a watched change, an apply, a scale).
 * Not started nor healthy until its new run is: a dependent waits for that run, not the
 * one before it.
 */
export function restartedRecord(current: TaskRecord): TaskRecord {
  return {
    ...current,
    status: 'starting',
    reason: null,
    exitCode: null,
    signal: null,
    restarts: current.restarts + 1,
    health: null,
    startedAt: null,
    endedAt: null,
    restartAt: null,
  };
}

export function viewOf(record: TaskRecord, usage?: Usage): TaskView {
  const running = record.status === 'running';
  return {
    id: record.id,
    name: record.name,
    env: record.env,
    command: record.spec.command,
    cwd: record.spec.cwd,
    status: record.status,
    reason: record.reason,
    // Between the runs of a schedule no process is there: the last run's pid would mislead.
    pid: record.spec.schedule && record.status === 'waiting' ? null : (record.process?.pid ?? null),
    exitCode: record.exitCode,
    signal: record.signal,
    restarts: record.restarts,
    // Health is a property of a running process: a stopped task has none.
    health: running ? (record.health?.status ?? null) : null,
    healthReason: running && record.health ? describeHealth(record.health) : null,
    dependsOn: record.dependsOn.map((e) => `${e.on}:${e.condition}`),
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    restartAt: record.restartAt,
    nextRunAt: record.scheduled?.nextRunAt ?? null,
    cpuPercent: running && usage ? usage.cpuPercent : null,
    memoryBytes: running && usage ? usage.memoryBytes : null,
    session: record.session ?? null,
    project: record.project ?? null,
    keep: record.keep === true,
    ...(record.replica ? { replica: { of: record.replica.of, index: record.replica.index } } : {}),
  };
}

/** The session that started a task, once task records carry one (the seam to `record.session`). */
export const sessionOf = (record: TaskRecord): string | undefined => (record as { session?: string | null }).session ?? undefined;

/** Who an event is about. */
export function eventSubject(record: TaskRecord): { id: string; name: string | null; env: string | null; session?: string } {
  const session = sessionOf(record);
  return { id: record.id, name: record.name, env: record.env, ...(session !== undefined ? { session } : {}) };
}

/** How a run ended, for the event of its exit or restart. */
export function runEnd(record: TaskRecord): { exitCode?: number | null; signal?: string | null; endedAt?: string | null } {
  if (isFinal(record.status)) return { exitCode: record.exitCode, signal: record.signal, endedAt: record.endedAt };
  if (record.status === 'restarting') return { exitCode: record.exitCode, signal: record.signal };
  return {};
}
