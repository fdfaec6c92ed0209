/**
 * Starts waiting tasks when their dependencies are met, and fails them (with the reason)
 * when a dependency can never meet its condition or a wait outlives its timeout. It reacts
 * to every task change, so a dependent starts in the same turn its dependency turns healthy.
 *
 * A change is looked at only by the tasks that wait on the task that changed, and only on
 * their edges to it: an environment of 10,000 tasks costs the same per change as one of ten.
 */
import { dependencyStateOf, type DependencyEdge } from '../../machines/policies/dependencies.js';
import { judgeGroupEdge } from '../../machines/policies/replicas.js';
import { formatDuration } from '../../machines/duration.js';
import type { TaskRecord } from '../../machines/task.types.js';
import type { TaskEvent } from '../../machines/task.contracts.js';
import type { Clock } from './clock.js';

interface DependencyHost {
  clock: Clock;
  records(): TaskRecord[];
  record(id: string): TaskRecord | undefined;
  send(id: string, event: TaskEvent): void;
}

interface Wait {
  env: string | null;
  run: number;
  edges: DependencyEdge[];
  /** A dependency's name → the indexes of its edges. */
  edgesTo: Map<string, number[]>;
  /** The indexes of the edges not met yet. */
  unmet: Set<number>;
  timers: unknown[];
}

/** A task as its run's dependents name it: a name can recur across runs of an environment. */
const keyOf = (env: string | null, run: number, name: string | null) => `${env ?? ''}\u0000${run}\u0000${name ?? ''}`;

/** The name dependents give a task: the copies of a task with replicas share theirs. */
const dependedName = (r: TaskRecord): string | null => r.replica?.of ?? r.name;

export class DependencyCoordinator {
  private readonly waits = new Map<string, Wait>();
  /** A task's key → the waiting tasks with an edge to it. */
  private readonly dependents = new Map<string, Set<string>>();
  /** A task's key → its ids (the copies of one with replicas), for the runs that have waiting tasks (indexed once per run). */
  private readonly ids = new Map<string, Set<string>>();
  private readonly indexedRuns = new Set<string>();

  constructor(private readonly host: DependencyHost) {}

  /** A task entered `waiting`: check it now, and arm the timeout of each edge. */
  track(record: TaskRecord): void {
    const wait: Wait = {
      env: record.env,
      run: record.envRun ?? 0,
      edges: record.dependsOn,
      edgesTo: new Map(),
      unmet: new Set(record.dependsOn.map((_, i) => i)),
      timers: record.dependsOn.map((edge) => this.host.clock.setTimeout(() => this.timeout(record.id, edge), edge.timeoutMs)),
    };
    this.waits.set(record.id, wait);
    wait.edges.forEach((edge, i) => {
      const to = wait.edgesTo.get(edge.on);
      if (to) to.push(i);
      else wait.edgesTo.set(edge.on, [i]);
    });
    for (const edge of wait.edges) {
      const key = keyOf(wait.env, wait.run, edge.on);
      let waiting = this.dependents.get(key);
      if (!waiting) this.dependents.set(key, (waiting = new Set()));
      waiting.add(record.id);
    }
    this.judge(record.id, wait, wait.edges.map((_, i) => i));
  }

  /** `record` changed: the tasks waiting on it look at their edges to it. */
  evaluate(record: TaskRecord): void {
    // Nothing waits (the usual case once an environment is up): nothing to look at.
    if (this.waits.size === 0 || record.env === null) return;
    const name = dependedName(record);
    const key = keyOf(record.env, record.envRun ?? 0, name);
    const waiting = this.dependents.get(key);
    if (!waiting) return;
    // A copy added to an indexed run (a scale up) joins its group.
    if (record.replica && this.indexedRuns.has(keyOf(record.env, record.envRun ?? 0, null))) this.ids.get(key)?.add(record.id);
    for (const id of [...waiting]) {
      const wait = this.waits.get(id);
      if (wait) this.judge(id, wait, wait.edgesTo.get(name ?? '') ?? []);
    }
  }

  forget(id: string): void {
    const wait = this.waits.get(id);
    if (!wait) return;
    for (const t of wait.timers) this.host.clock.clearTimeout(t);
    this.waits.delete(id);
    for (const edge of wait.edges) {
      const key = keyOf(wait.env, wait.run, edge.on);
      const waiting = this.dependents.get(key);
      waiting?.delete(id);
      if (waiting?.size === 0) this.dependents.delete(key);
    }
    if (this.waits.size === 0) {
      this.ids.clear();
      this.indexedRuns.clear();
    }
  }

  close(): void {
    for (const id of [...this.waits.keys()]) this.forget(id);
  }

  /** Judges the edges of `wait` at `indexes`; starts the task once none is unmet, fails it when one never will be. */
  private judge(id: string, wait: Wait, indexes: number[]): void {
    for (const i of indexes) {
      if (this.waits.get(id) !== wait) return;
      const edge = wait.edges[i]!;
      const group = this.dependency(wait, edge.on);
      if (group.length === 0) return this.fail(id, `dependency ${edge.on} is gone`);
      // A copy that a scale took out of its group is not waited for.
      const counted = group.filter((r) => !r.replica?.scaledDown).map((r) => ({ name: r.name ?? edge.on, state: dependencyStateOf(r) }));
      const verdict = judgeGroupEdge(edge, counted);
      if (verdict.met) wait.unmet.delete(i);
      else if (verdict.never) return this.fail(id, verdict.reason);
      else wait.unmet.add(i);
    }
    if (wait.unmet.size === 0 && this.waits.get(id) === wait) {
      this.forget(id);
      this.host.send(id, { type: 'DEPENDENCIES_READY' });
    }
  }

  /** The tasks of the waiting task's run named `name` (one, or the copies of one with replicas), as they are now. */
  private dependency(wait: Wait, name: string): TaskRecord[] {
    const run = keyOf(wait.env, wait.run, null);
    const inRun = (r: TaskRecord) => r.env === wait.env && (r.envRun ?? 0) === wait.run;
    const index = (r: TaskRecord) => {
      const key = keyOf(r.env, wait.run, dependedName(r));
      const ids = this.ids.get(key);
      if (ids) ids.add(r.id);
      else this.ids.set(key, new Set([r.id]));
    };
    if (!this.indexedRuns.has(run)) {
      this.indexedRuns.add(run);
      for (const r of this.host.records()) if (inRun(r)) index(r);
    }
    const key = keyOf(wait.env, wait.run, name);
    let ids = this.ids.get(key);
    if (ids === undefined || [...ids].some((id) => !this.host.record(id))) {
      // A task added to the run after it was indexed (`up web` beside a running `api`), or
      // added again after an applied file removed it (a new id under the same name).
      this.ids.delete(key);
      for (const r of this.host.records()) if (inRun(r) && dependedName(r) === name) index(r);
      ids = this.ids.get(key);
    }
    return [...(ids ?? [])].map((id) => this.host.record(id)).filter((r): r is TaskRecord => r !== undefined);
  }

  private fail(id: string, reason: string): void {
    this.forget(id);
    this.host.send(id, { type: 'DEPENDENCY_FAILED', reason, at: this.host.clock.now() });
  }

  private timeout(id: string, edge: DependencyEdge): void {
    if (!this.waits.has(id)) return;
    this.fail(id, `dependency ${edge.on} not ${edge.condition} after ${formatDuration(edge.timeoutMs)}`);
  }
}
