/**
 * The task table: one XState actor per live task, and the records they leave. It starts
 * actors (or adopts what a previous daemon left), persists what their snapshots say,
 * keeps the concurrency limit, and wires the policies that watch running tasks (limits,
 * alerts, samples, dependencies). The Supervisor answers the API on top of it.
 */
import { EventEmitter } from 'node:events';
import { createActor, type Actor } from 'xstate';
import { describeHealth } from '../../machines/policies/health.js';
import { memoryBreach } from '../../machines/policies/limits.js';
import { LOST_REASON, resumptionOf } from '../../machines/policies/resume.js';
import type { TaskInput } from '../../machines/task.contracts.js';
import { taskMachine } from '../../machines/task.machine.js';
import { statusOf, type TaskSnapshot } from '../../machines/task.status.js';
import { isFinal, type ProcessInfo, type TaskRecord, type TaskSpec } from '../../machines/task.types.js';
import { createHealthActor } from '../actors/health.actor.js';
import { createProcessActor } from '../actors/process.actor.js';
import type { TaskView } from '../api.js';
import { notFound, see } from '../errors.js';
import { taskExitFile, taskLogDir, TASK_ID, type HomePaths } from '../home.js';
import { bootId } from '../process/procfs.js';
import { findRunningCopy } from '../process/running-copy.js';
import { ExitWatcher } from '../process/exit-watch.js';
import { stopLeftovers, withLeftovers } from '../process/leftovers.js';
import { readExitFile, type Launcher } from '../process/monitor.js';
import { createLauncher, SPAWNER_PATH } from '../process/spawner.js';
import { LimitGuard } from '../policies/limits.js';
import { Sampler, type Usage } from '../policies/sampler.js';
import type { Store } from '../store/store.js';
import { systemClock, type Clock } from './clock.js';
import { DependencyCoordinator } from './dependencies.js';
import { EventLog } from './events.js';
import { TaskHistory } from './history.js';
import type { LogFn, SupervisorHost } from './host.js';
import { currentUmask, type SupervisorOptions } from './options.js';
import { recordFromSnapshot, viewOf } from './records.js';

type TaskActor = Actor<typeof taskMachine>;

export class TaskTable extends EventEmitter implements SupervisorHost {
  readonly paths: HomePaths;
  readonly clock: Clock;
  readonly log: LogFn;
  readonly maxConcurrent: number;
  readonly events = new EventLog();
  private readonly actors = new Map<string, TaskActor>();
  private readonly exits: ExitWatcher;
  readonly launcher: Launcher;
  private readonly machine;
  private readonly dependencies: DependencyCoordinator;
  readonly sampler: Sampler;
  private readonly limits: LimitGuard;
  readonly history: TaskHistory;

  constructor(
    paths: HomePaths,
    readonly store: Store,
    options: SupervisorOptions,
  ) {
    super();
    this.setMaxListeners(0);
    this.paths = paths;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? (() => {});
    this.maxConcurrent = options.maxConcurrent ?? Infinity;
    this.exits = new ExitWatcher(paths.run);
    this.launcher = options.launcher ?? createLauncher(process.env, SPAWNER_PATH, (why) => this.log('warn', why));
    this.log('info', `tasks start through ${this.launcher.name}`);
    const processActor = createProcessActor({
      paths,
      exits: this.exits,
      launcher: this.launcher,
      taskUmask: options.taskUmask ?? currentUmask(),
      now: () => this.clock.now(),
    });
    this.machine = taskMachine.provide({ actors: { process: processActor, health: createHealthActor({ paths }) } });
    const logDir = (id: string) => taskLogDir(paths, id);
    this.history = new TaskHistory({ events: this.events, now: () => this.clock.now(), record: (id) => store.task(id), logDir });
    this.limits = new LimitGuard({
      clock: this.clock,
      logDir,
      stop: (id, reason, restart) => this.stopForLimit(id, reason, restart),
      alert: (id, rule, line) => this.history.raiseAlert(id, rule, line),
    });
    this.sampler = new Sampler(
      () => store.tasks().filter((t) => t.status === 'running' && t.process && this.actors.has(t.id)).map((t) => ({ id: t.id, process: t.process! })),
      (id, usage) => this.onUsage(id, usage),
      options.sampleIntervalMs,
    );
    this.sampler.start();
    this.dependencies = new DependencyCoordinator({
      clock: this.clock,
      records: () => store.tasks(),
      // A dependent whose dependencies are met still takes its turn under the concurrency limit.
      send: (id, event) =>
        this.actors.get(id)?.send(event.type === 'DEPENDENCIES_READY' && this.liveCount() >= this.maxConcurrent ? { ...event, queue: true } : event),
    });
  }

  // ---- the actors ------------------------------------------------------------------

  /** Picks up the tasks a previous daemon left: live ones are adopted, never spawned again. */
  resume(): void {
    for (const record of this.store.tasks()) {
      const how = resumptionOf(record);
      if (how === 'adopt' || how === 'stop-adopted') {
        const startedAt = record.startedAt ? Date.parse(record.startedAt) : this.clock.now();
        this.startActor(record, { adopt: { process: record.process!, startedAt } });
        if (how === 'stop-adopted') this.actors.get(record.id)?.send({ type: 'STOP', at: this.clock.now() });
        this.log('info', `adopted ${record.id}`, { taskPid: record.process!.pid });
      } else if (how === 'wait') this.startActor(record, { waitForDependencies: true });
      else if (how === 'start-again') this.startActor(record, {});
      else if (how === 'lost') {
        const left = this.runLeftBy(record);
        if (left) this.startActor(record, { adopt: { process: left, startedAt: this.clock.now() } });
        else this.update({ ...record, status: 'failed', reason: LOST_REASON, endedAt: new Date(this.clock.now()).toISOString() });
      }
    }
    void this.store.flush();
  }

  /**
   * A record caught between launch and pid may still have had its run: one that goes on
   * (found by its token), or one whose monitor wrote its status since (its exit file is
   * newer than the record). Adopted, the process actor reports either; null: nothing ran.
   */
  private runLeftBy(record: TaskRecord): ProcessInfo | null {
    const identity = { home: this.paths.home, taskId: record.id, command: record.spec.command };
    const copy = findRunningCopy(identity, taskLogDir(this.paths, record.id));
    if (copy) return copy;
    const exit = readExitFile(taskExitFile(this.paths, record.id));
    if (!exit || exit.at < Date.parse(record.startedAt ?? record.createdAt)) return null;
    // A run that has ended: no process to watch, its exit file says how it ended.
    return { pid: 0, pidStart: 0, monitorPid: 0, monitorStart: 0, bootId: bootId(), token: 'ended', logStart: { stdout: 0, stderr: 0 } };
  }

  startActor(record: TaskRecord, extra: Partial<TaskInput>): void {
    const actor = createActor(this.machine, {
      input: { id: record.id, spec: record.spec, restarts: record.restarts, ...extra },
      clock: this.clock,
    });
    this.actors.set(record.id, actor);
    actor.subscribe({
      next: (snapshot) => this.onSnapshot(record.id, snapshot),
      error: (error) => this.log('error', `task ${record.id} machine error`, { error: String(error) }),
    });
    actor.start();
    if (extra.waitForDependencies) this.dependencies.track(this.store.task(record.id)!);
    if (record.spec.alertOn && !this.history.isWatching(record.id)) this.history.watchAlerts(record);
  }

  private onSnapshot(id: string, snapshot: TaskSnapshot): void {
    const prev = this.store.task(id);
    if (!prev) return;
    const record = recordFromSnapshot(prev, snapshot, this.clock.now());
    const status = statusOf(snapshot);
    const changed = record.status !== prev.status;
    if (changed) {
      this.log('info', `${id} ${record.status}`, { reason: record.reason });
      this.events.push({ type: 'state', id, name: record.name, env: record.env, status: record.status, reason: record.reason });
      this.history.noteRestart(record);
    }
    if (isFinal(status)) this.actors.delete(id);
    if (prev.status === 'waiting' && status !== 'waiting') this.dependencies.forget(id);
    if (changed && status === 'running') {
      this.limits.arm(record);
      // Its log folder exists now (the monitor makes it): the alert rule starts watching it.
      this.history.checkAlerts(id);
    }
    // A liveness check that failed `retries` times in a row: the task is stuck, not starting.
    if (status === 'running' && record.health?.status === 'unhealthy' && prev.health?.status !== 'unhealthy' && record.spec.health?.liveness) {
      this.stopForLimit(id, `liveness check failed: ${describeHealth(record.health)}`, true);
    }
    if (changed && prev.status === 'running') this.limits.disarm(id);
    this.update(record);
    this.dependencies.evaluate(record.env);
    if (changed && isFinal(status)) this.dequeue();
  }

  private update(record: TaskRecord): void {
    this.store.put(record);
    this.store.flushSoon();
    this.emit('task', this.view(record));
  }

  isLive(id: string): boolean {
    return this.actors.has(id);
  }

  liveCount(): number {
    return this.store.tasks().filter((t) => this.actors.has(t.id) && t.status !== 'queued' && t.status !== 'waiting').length;
  }

  private dequeue(): void {
    for (const queued of this.store.tasks().filter((t) => t.status === 'queued')) {
      if (this.liveCount() >= this.maxConcurrent) return;
      this.actors.get(queued.id)?.send({ type: 'DEQUEUE' });
    }
  }

  // ---- policies ----------------------------------------------------------------------

  private onUsage(id: string, usage: Usage): void {
    const record = this.store.task(id);
    if (!record) return;
    const breach = memoryBreach(record.spec.limits, usage.memoryBytes);
    if (breach) this.stopForLimit(id, breach, true);
    this.history.checkAlerts(id);
  }

  /** A limit stops the task; with `restart`, the restart policy decides whether it comes back (a user's stop never does). */
  private stopForLimit(id: string, reason: string, restart: boolean): void {
    this.log('warn', `${id}: ${reason}`);
    this.actors.get(id)?.send({ type: 'STOP', at: this.clock.now(), reason, ...(restart ? { restart: true } : {}) });
  }

  // ---- looking up ----------------------------------------------------------------------

  view(record: TaskRecord): TaskView {
    return viewOf(record, this.sampler.get(record.id));
  }

  resolve(ref: string): TaskRecord {
    const byId = TASK_ID.test(ref) ? this.store.task(ref) : undefined;
    if (byId) return byId;
    const named = this.store.tasks().filter((t) => t.name === ref);
    const found = named[named.length - 1];
    if (!found) throw notFound(`no task "${ref}": see ${see('list')} for ids and names`);
    return found;
  }

  onChange(listener: (view: TaskView) => void): () => void {
    this.on('task', listener);
    return () => this.off('task', listener);
  }

  until(id: string, done: (view: TaskView) => boolean, timeoutMs: number): Promise<{ view: TaskView; timedOut: boolean }> {
    return new Promise((resolvePromise) => {
      const current = this.view(this.store.task(id)!);
      if (done(current)) return resolvePromise({ view: current, timedOut: false });
      const finish = (view: TaskView, timedOut: boolean) => {
        this.clock.clearTimeout(timer);
        stopListening();
        resolvePromise({ view, timedOut });
      };
      const timer = this.clock.setTimeout(() => finish(this.view(this.store.task(id)!), true), timeoutMs);
      const stopListening = this.onChange((view) => view.id === id && done(view) && finish(view, false));
    });
  }

  // ---- stopping ----------------------------------------------------------------------

  async stopOne(record: TaskRecord, signal?: string, graceMs?: number): Promise<TaskView> {
    const actor = this.actors.get(record.id);
    if (actor) {
      actor.send({ type: 'STOP', at: this.clock.now(), ...(signal ? { signal } : {}), ...(graceMs !== undefined ? { graceMs } : {}) });
      await this.until(record.id, (v) => isFinal(v.status), 24 * 3_600_000);
    } else if (record.process) {
      // Finished, but a descendant that daemonised itself may still be around: it goes too.
      await stopLeftovers(record.process, signal ?? record.spec.stopSignal, graceMs ?? record.spec.graceMs);
    }
    return this.view(this.store.task(record.id)!);
  }

  /** Finished tasks whose trees still have processes (a daemonised child, a background job). */
  withLeftovers(records = this.store.tasks()): TaskRecord[] {
    return withLeftovers(records.filter((t) => isFinal(t.status) && !this.actors.has(t.id)));
  }

  /** A policy changed (`monitor`): the task's actor gets the new spec. */
  updateSpec(id: string, spec: TaskSpec): void {
    this.actors.get(id)?.send({ type: 'UPDATE_SPEC', spec });
  }

  /** Stops watching without touching any task: they keep running for the next daemon. */
  async close(): Promise<void> {
    this.dependencies.close();
    this.sampler.stop();
    this.history.close();
    this.limits.close();
    for (const actor of this.actors.values()) actor.stop();
    this.actors.clear();
    this.launcher.close();
    await this.store.flush();
  }
}
