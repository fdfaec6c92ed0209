/**
 * Starts waiting tasks when their dependencies are met, and fails them (with the reason)
 * when a dependency can never meet its condition or a wait outlives its timeout. It reacts
 * to every task change, so a dependent starts in the same turn its dependency turns healthy.
 */
import { judgeEdge, type DependencyEdge } from '../../machines/policies/dependencies.js';
import { formatDuration } from '../../machines/duration.js';
import type { TaskRecord } from '../../machines/task.types.js';
import type { TaskEvent } from '../../machines/task.contracts.js';
import type { Clock } from './clock.js';

interface DependencyHost {
  clock: Clock;
  records(): TaskRecord[];
  send(id: string, event: TaskEvent): void;
}

export class DependencyCoordinator {
  private readonly timers = new Map<string, unknown[]>();

  constructor(private readonly host: DependencyHost) {}

  /** A task entered `waiting`: check it now, and arm the timeout of each edge. */
  track(record: TaskRecord): void {
    const timers = record.dependsOn.map((edge) =>
      this.host.clock.setTimeout(() => this.timeout(record.id, edge), edge.timeoutMs),
    );
    this.timers.set(record.id, timers);
    this.evaluate(record.env);
  }

  /** Some task changed: look at the waiting tasks of its environment. */
  evaluate(env: string | null): void {
    // Nothing waits (the usual case once an environment is up): no scan of every task.
    if (env === null || this.timers.size === 0) return;
    const records = this.host.records().filter((r) => r.env === env);
    // A name can recur across runs of the environment: a task waits on its own run's.
    const byName = new Map(records.map((r) => [`${r.envRun ?? 0}\u0000${r.name}`, r]));
    for (const waiting of records) {
      if (waiting.status !== 'waiting' || !this.timers.has(waiting.id)) continue;
      let allMet = true;
      for (const edge of waiting.dependsOn) {
        const dep = byName.get(`${waiting.envRun ?? 0}\u0000${edge.on}`);
        if (!dep) {
          this.fail(waiting.id, `dependency ${edge.on} is gone`);
          allMet = false;
          break;
        }
        const verdict = judgeEdge(edge, {
          status: dep.status,
          health: dep.health?.status ?? null,
          reason: dep.reason,
          everStarted: dep.startedAt !== null,
        });
        if (verdict.met) continue;
        allMet = false;
        if (verdict.never) {
          this.fail(waiting.id, verdict.reason);
          break;
        }
      }
      if (allMet && this.timers.has(waiting.id)) {
        this.forget(waiting.id);
        this.host.send(waiting.id, { type: 'DEPENDENCIES_READY' });
      }
    }
  }

  forget(id: string): void {
    for (const t of this.timers.get(id) ?? []) this.host.clock.clearTimeout(t);
    this.timers.delete(id);
  }

  close(): void {
    for (const id of [...this.timers.keys()]) this.forget(id);
  }

  private fail(id: string, reason: string): void {
    this.forget(id);
    this.host.send(id, { type: 'DEPENDENCY_FAILED', reason, at: this.host.clock.now() });
  }

  private timeout(id: string, edge: DependencyEdge): void {
    if (!this.timers.has(id)) return;
    this.fail(id, `dependency ${edge.on} not ${edge.condition} after ${formatDuration(edge.timeoutMs)}`);
  }
}
