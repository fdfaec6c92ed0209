/**
 * Watch and restart, the effect: follows each watched task's files through the shared
 * WatchHub, debounces their changes (machines/policies/watch.ts decides), and restarts the
 * task (its whole tree, with its stop signal and grace), then, with `cascade`, its
 * dependents in dependency order once it is ready again.
 */
import { dependentsInOrder } from '../../machines/policies/selection.js';
import { WATCH_IDLE, watchStep, type ChangeSummary, type WatchEvent, type WatchState } from '../../machines/policies/watch.js';
import { isFinal, type TaskRecord } from '../../machines/task.types.js';
import type { TaskInput } from '../../machines/task.contracts.js';
import type { TaskView } from '../api.js';
import type { Store } from '../store/store.js';
import { WatchHub } from '../watch/hub.js';
import type { Clock } from './clock.js';
import type { LogFn } from './host.js';
import { latestRunOf } from '../../machines/policies/environment.js';
import { restartedRecord } from './records.js';

export interface WatchRestartHost {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: LogFn;
  isLive(id: string): boolean;
  startActor(record: TaskRecord, extra: Partial<TaskInput>): void;
  /** Stops the task's current run (whole tree, its stop signal and grace), keeping its watch. */
  stopRun(record: TaskRecord): Promise<unknown>;
  until(id: string, done: (view: TaskView) => boolean, timeoutMs: number): Promise<{ view: TaskView; timedOut: boolean }>;
}

/** How long a cascade waits for a restarted task to be ready before its dependents follow anyway. */
const READY_TIMEOUT_MS = 5 * 60_000;

const readyOrEnded = (v: TaskView) => isFinal(v.status) || (v.status === 'running' && v.health !== 'unknown' && v.health !== 'unhealthy');

interface Followed {
  state: WatchState;
  timer: unknown;
}

export class WatchRestarts {
  readonly hub: WatchHub;
  private readonly followed = new Map<string, Followed>();

  constructor(private readonly host: WatchRestartHost, home: string) {
    this.hub = new WatchHub(home, (root, error) => host.log('warn', `watching ${root}: ${String(error)}`));
  }

  /** Starts following a task whose spec watches files (again after a restart: a no-op). */
  follow(record: TaskRecord): void {
    const spec = record.spec.watch;
    if (!spec || this.followed.has(record.id)) return;
    this.followed.set(record.id, { state: WATCH_IDLE, timer: null });
    this.hub.watch(record.id, spec, (path) => this.apply(record.id, { type: 'change', path, at: this.host.clock.now() }));
  }

  /** A stop by the user, or a task forgotten: its changes restart nothing any more. */
  unfollow(id: string): void {
    const f = this.followed.get(id);
    if (!f) return;
    if (f.timer !== null) this.host.clock.clearTimeout(f.timer);
    this.followed.delete(id);
    this.hub.unwatch(id);
  }

  isFollowing(id: string): boolean {
    return this.followed.has(id);
  }

  private apply(id: string, event: WatchEvent): void {
    const f = this.followed.get(id);
    const record = this.host.store.task(id);
    if (!f || !record?.spec.watch) return;
    const step = watchStep(f.state, event, record.spec.watch.debounceMs);
    f.state = step.state;
    if (f.timer !== null) this.host.clock.clearTimeout(f.timer);
    f.timer = step.timerAt === null ? null : this.host.clock.setTimeout(() => this.apply(id, { type: 'due', at: this.host.clock.now() }), Math.max(0, step.timerAt - event.at));
    if (step.restart) {
      this.restart(id, step.restart)
        .catch((error) => this.host.log('error', `could not restart ${id} after a change`, { error: String(error) }))
        .finally(() => this.apply(id, { type: 'restarted', at: this.host.clock.now() }));
    }
  }

  private async restart(id: string, change: ChangeSummary): Promise<void> {
    const { host } = this;
    const record = host.store.task(id);
    if (!record) return;
    const more = change.changes > 1 ? ` (and ${change.changes - 1} more)` : '';
    host.log('info', `${id}: ${change.path} changed${more}: restarting`);
    await this.restartRun(record, { ...change, at: new Date(host.clock.now()).toISOString() });
    if (!record.spec.watch?.cascade || record.env === null || record.name === null) return;
    const run = latestRunOf(host.store.tasks(), record.env, (t) => host.isLive(t));
    const byName = new Map(run.map((t) => [t.name, t]));
    const order = dependentsInOrder(
      run.filter((t) => t.name !== null).map((t) => ({ name: t.name!, dependsOn: t.dependsOn.map((e) => e.on) })),
      record.name,
    );
    // Each dependent once what it follows is ready again: the first after the changed task.
    let previous = id;
    for (const name of order) {
      await host.until(previous, readyOrEnded, READY_TIMEOUT_MS);
      const dependent = host.store.task(byName.get(name)!.id);
      if (!dependent || !this.host.isLive(dependent.id)) continue;
      host.log('info', `${dependent.id}: restarting after ${record.name}, which it depends on`);
      await this.restartRun(dependent, null);
      previous = dependent.id;
    }
  }

  private async restartRun(record: TaskRecord, change: (ChangeSummary & { at: string }) | null): Promise<void> {
    const { host } = this;
    if (host.isLive(record.id)) await host.stopRun(record);
    const current = host.store.task(record.id);
    if (!current) return;
    const next: TaskRecord = { ...restartedRecord(current), ...(change ? { lastChange: change } : {}) };
    host.store.put(next);
    host.startActor(next, {});
  }

  async close(): Promise<void> {
    for (const f of this.followed.values()) if (f.timer !== null) this.host.clock.clearTimeout(f.timer);
    this.followed.clear();
    await this.hub.close();
  }
}
