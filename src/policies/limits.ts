/**
 * The limits a running task is held to over time: its longest run time, and how long it
 * may stay silent (polled from its log sizes, like the sampler and the alert rules).
 * The memory limit is judged on each sample (machines/policies/limits.ts).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../../machines/duration.js';
import type { TaskRecord } from '../../machines/task.types.js';
import type { Clock } from '../supervisor/clock.js';

export interface LimitHost {
  clock: Clock;
  /** The task's log folder. */
  logDir(id: string): string;
  /** A limit was reached: stop the task (`restart`: the restart policy may bring it back). */
  stop(id: string, reason: string, restart: boolean): void;
  /** Silence without `idle_action: stop` only raises an alert. */
  alert(id: string, rule: string, line: string): void;
}

export class LimitGuard {
  /** Per task: the run-time timer and the pending silence poll. */
  private readonly timers = new Map<string, { timeout?: unknown; idle?: unknown }>();

  constructor(private readonly host: LimitHost) {}

  /** The task started running: its run-time clock and its silence watch start. */
  arm(record: TaskRecord): void {
    this.disarm(record.id);
    const handles: { timeout?: unknown; idle?: unknown } = {};
    this.timers.set(record.id, handles);
    const { timeoutMs, idleMs } = record.spec.limits;
    const { clock } = this.host;
    if (timeoutMs !== null) {
      const started = record.startedAt ? Date.parse(record.startedAt) : clock.now();
      const reason = `timeout ${formatDuration(timeoutMs)} reached`;
      handles.timeout = clock.setTimeout(() => this.host.stop(record.id, reason, true), Math.max(0, started + timeoutMs - clock.now()));
    }
    if (idleMs !== null) this.watchSilence(record, idleMs, handles);
  }

  disarm(id: string): void {
    const handles = this.timers.get(id);
    if (handles?.timeout !== undefined) this.host.clock.clearTimeout(handles.timeout);
    if (handles?.idle !== undefined) this.host.clock.clearTimeout(handles.idle);
    this.timers.delete(id);
  }

  close(): void {
    for (const id of [...this.timers.keys()]) this.disarm(id);
  }

  private watchSilence(record: TaskRecord, idleMs: number, handles: { idle?: unknown }): void {
    const { clock } = this.host;
    const dir = this.host.logDir(record.id);
    const sizes = () => ['stdout', 'stderr'].map((s) => sizeOf(join(dir, `${s}.log`))).join(':');
    let last = sizes();
    let quietSince = clock.now();
    let alerted = false;
    const every = Math.max(10, Math.min(1_000, Math.floor(idleMs / 4)));
    const poll = () => {
      handles.idle = clock.setTimeout(poll, every);
      const now = sizes();
      if (now !== last) {
        last = now;
        quietSince = clock.now();
        alerted = false;
        return;
      }
      const silent = clock.now() - quietSince;
      if (silent < idleMs || alerted) return;
      alerted = true;
      const reason = `no output for ${formatDuration(silent)}`;
      if (record.spec.limits.idleAction === 'stop') this.host.stop(record.id, reason, false);
      else this.host.alert(record.id, 'idle', reason);
    };
    handles.idle = clock.setTimeout(poll, every);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
