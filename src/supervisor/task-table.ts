/**
 * The task table: one XState actor per live task, and the records they leave. It starts
 * actors (or adopts what a previous daemon left), persists what their snapshots say,
 * keeps the concurrency limit, and wires the policies that watch running tasks (limits,
 * alerts, samples, dependencies). The Supervisor answers the API on top of it.
 */
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { createActor, type Actor } from 'xstate';
import { describeHealth } from '../../machines/policies/health.js';
import { memoryBreach } from '../../machines/policies/limits.js';
import { lookUpGroup, oneTaskRefusal } from '../../machines/policies/replicas.js';
import { lookUpName, qualifiedName } from '../../machines/policies/names.js';
import { LOST_REASON, resumptionOf } from '../../machines/policies/resume.js';
import type { TaskEvent, TaskInput } from '../../machines/task.contracts.js';
import { taskMachine } from '../../machines/task.machine.js';
import { statusOf, type TaskSnapshot } from '../../machines/task.status.js';
import { isFinal, type ProcessInfo, type TaskRecord, type TaskSpec, type TaskStatus } from '../../machines/task.types.js';
import { createHealthActor } from '../actors/health.actor.js';
import { createProcessActor } from '../actors/process.actor.js';
import type { TaskView } from '../api.js';
import { notFound, see, usageError } from '../errors.js';
import { taskExitFile, taskLogDir, taskStdinFifo, TASK_ID, type HomePaths } from '../home.js';
import { LogMirrors, type MirrorOutcome } from '../logs/mirror.js';
import { LogTimeIndex } from '../logs/time-index.js';
import { retentionVictims, type Retention } from '../../machines/policies/retention.js';
import { setLongInterval, type LongTimer } from '../long-timer.js';

/** Looks for finished tasks to let go every half of the age bound, between 1 s and a minute. */
function startRetention(retention: Retention, apply: () => Promise<unknown>): LongTimer | null {
  if (retention.maxAgeMs === null && retention.maxEnded === null) return null;
  const every = Math.min(60_000, Math.max(1_000, (retention.maxAgeMs ?? 120_000) / 2));
  return setLongInterval(() => void apply().catch(() => {}), every).unref();
}
import type { Stream } from '../logs/read.js';
import { bootId } from '../process/procfs.js';
import { findRunningCopy } from '../process/running-copy.js';
import { ExitWatcher } from '../process/exit-watch.js';
import { stopLeftovers, withLeftovers } from '../process/leftovers.js';
import { readExitFile, shLauncher, type Launcher } from '../process/monitor.js';
import { capBySample } from '../logs/sampled-cap.js';
import { createLauncher, SPAWNER_PATH } from '../process/spawner.js';
import { readHomeSettings } from '../config/home-settings.js';
import { logPaths, logSizes, type LogPaths, type LogSizes } from '../logs/sizes.js';
import { LimitGuard } from '../policies/limits.js';
import { Sampler, type Usage } from '../policies/sampler.js';
import type { Store } from '../store/store.js';
import { systemClock, type Clock } from './clock.js';
import { DependencyCoordinator } from './dependencies.js';
import { openEventLog, type EventLog } from './events.js';
import { TaskHistory } from './history.js';
import type { LogFn, SupervisorHost } from './host.js';
import { currentUmask, type SupervisorOptions } from './options.js';
import { eventSubject, recordFromSnapshot, runEnd, viewOf } from './records.js';
import { WatchRestarts } from './watch-restarts.js';
import { Schedules } from './schedules.js';

type TaskActor = Actor<typeof taskMachine>;

export class TaskTable extends EventEmitter implements SupervisorHost {
  readonly paths: HomePaths;
  readonly clock: Clock;
  readonly log: LogFn;
  readonly maxConcurrent: number;
  readonly events: EventLog;
  private readonly actors = new Map<string, TaskActor>();
  /** Set only while a STOP is being sent (the machine takes it synchronously). */
  private readonly sizesBeforeStop = new Map<string, LogSizes>();
  /** Kept as records change, so that neither is a scan of every task. */
  private readonly slots = new Set<string>();
  private readonly queue = new Set<string>();
  /** `until`'s listeners by task: a change reaches only those waiting on that task. */
  private readonly watchers = new Map<string, Set<(view: TaskView) => void>>();
  private readonly exits: ExitWatcher;
  readonly launcher: Launcher;
  private readonly machine;
  private readonly dependencies: DependencyCoordinator;
  readonly sampler: Sampler;
  private readonly retention: Retention;
  /** The cap of a task that sets none. */
  private readonly logMaxBytes: number;
  /** Tasks start under the sh monitor, which cannot cap logs: the daemon does it at each sample. */
  private readonly capsBySample: boolean;
  /** Tasks whose logs could not be capped (a file system without hole punching): not tried again. */
  private readonly uncappable = new Set<string>();
  private readonly retentionTimer: LongTimer | null;
  /** Notes of when each log reached which size, for reads by time. */
  private readonly logTimes: LogTimeIndex;
  private readonly limits: LimitGuard;
  readonly history: TaskHistory;
  /** Output of running tasks whose log files were deleted, copied back (see logs/mirror.ts). */
  readonly mirrors = new LogMirrors();
  /** Watched tasks: their files' changes restart them. */
  readonly watches: WatchRestarts;
  /** Scheduled steps: their ticks start their runs. */
  private readonly schedules: Schedules;

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
    this.events = openEventLog(paths.journal, options.journalMaxBytes, store.highestEventCursor(), this.log);
    this.exits = new ExitWatcher(paths.run);
    this.launcher = options.launcher ?? createLauncher(process.env, SPAWNER_PATH, (why) => this.log('warn', why));
    this.log('info', `tasks start through ${this.launcher.name}`);
    const settings = readHomeSettings(paths.home, (why) => this.log('warn', why));
    this.logMaxBytes = options.logMaxBytes ?? settings.logMaxBytes;
    this.capsBySample = this.launcher.name === shLauncher.name;
    const processActor = createProcessActor({
      paths,
      exits: this.exits,
      launcher: this.launcher,
      taskUmask: options.taskUmask ?? currentUmask(),
      logMaxBytes: this.logMaxBytes,
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
    this.logTimes = new LogTimeIndex(logDir);
    this.sampler = new Sampler(
      // The records themselves (each has its id and process): no object per task and tick.
      () => store.tasks().filter((t): t is TaskRecord & { process: ProcessInfo } => t.status === 'running' && !!t.process && this.actors.has(t.id)),
      (id, usage) => this.onUsage(id, usage),
      options.sampleIntervalMs,
    );
    this.sampler.start();
    this.retention = options.retention ?? settings.retention;
    this.retentionTimer = startRetention(this.retention, () => this.applyRetention());
    this.watches = new WatchRestarts(this, paths.home);
    this.schedules = new Schedules({
      store,
      clock: this.clock,
      log: this.log,
      events: this.events,
      hasRun: (id) => this.actors.has(id),
      launchRun: (record) => this.launchRun(record),
      publish: (record, journal) => {
        if (journal) this.journalStateChange(record);
        this.update(record);
      },
    });
    this.dependencies = new DependencyCoordinator({
      clock: this.clock,
      records: () => store.tasks(),
      record: (id) => store.task(id),
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
        if (how === 'stop-adopted') this.sendStop(record.id, {});
        this.log('info', `adopted ${record.id}`, { taskPid: record.process!.pid });
        this.mirrorIfDeleted(record);
      } else if (how === 'wait') this.startActor(record, { waitForDependencies: true });
      else if (how === 'start-again') this.startActor(record, {});
      else if (how === 'lost') {
        const left = this.runLeftBy(record);
        if (left) this.startActor(record, { adopt: { process: left, startedAt: this.clock.now() } });
        else {
          const lost: TaskRecord = { ...record, status: 'failed', reason: LOST_REASON, endedAt: new Date(this.clock.now()).toISOString() };
          this.journalStateChange(lost);
          this.update(lost);
        }
      }
    }
    void this.store.flush();
  }

  /**
   * Copies back the output of a running task whose log files were deleted (the home was):
   * the earlier output, and what follows. Returns how each of its log files stands.
   */
  mirrorIfDeleted(record: TaskRecord): Record<string, MirrorOutcome> {
    if (!record.process) return {};
    const streams: Stream[] = record.spec.output === 'combined' ? ['stdout'] : ['stdout', 'stderr'];
    const outcome = this.mirrors.adopt(record.id, taskLogDir(this.paths, record.id), record.process, streams);
    if (Object.values(outcome).includes('mirrored')) this.log('warn', `${record.id} writes into deleted log files: copying their output back`, { outcome });
    return outcome;
  }

  /** The home was made anew: the watches on its old folders see nothing any more. */
  rewatchHome(): void {
    this.events.reopen();
    this.exits.rewatch();
    this.history.rewatchAlerts();
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

  /**
   * Starts the task's actor, or, for a scheduled task, hands it to its schedule, which
   * starts each run at its tick (an adopted run goes on, and the ticks resume around it).
   */
  startActor(record: TaskRecord, extra: Partial<TaskInput>): void {
    if (!record.spec.schedule) return this.spawnActor(record, extra);
    if (extra.adopt) {
      this.spawnActor(record, extra);
      return this.schedules.follow(record, 'adopted');
    }
    // A waiting task taken up by a new daemon keeps its next tick; any other start begins the schedule.
    this.schedules.follow(record, extra.waitForDependencies && this.store.task(record.id)?.scheduled ? 'resume' : 'start');
  }

  /** One run of a scheduled task: it waits for its dependencies, or takes its turn under the concurrency limit, as any start does. */
  private launchRun(record: TaskRecord): void {
    const waits = record.dependsOn.length > 0;
    const queued = !waits && this.liveCount() >= this.maxConcurrent;
    if (queued) this.store.put({ ...record, status: 'queued' });
    this.spawnActor(this.store.task(record.id) ?? record, { waitForDependencies: waits, queued });
  }

  private spawnActor(record: TaskRecord, extra: Partial<TaskInput>): void {
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
    this.watches.follow(record);
  }

  private onSnapshot(id: string, snapshot: TaskSnapshot): void {
    const prev = this.store.task(id);
    if (!prev) return;
    const record = recordFromSnapshot(prev, snapshot, this.clock.now());
    const status = statusOf(snapshot);
    const changed = record.status !== prev.status;
    if (changed) {
      this.log('info', `${id} ${record.status}`, { reason: record.reason });
      this.journalStateChange(record, prev.status);
      this.history.noteRestart(record);
    }
    const health = record.health?.status;
    if (status === 'running' && health !== undefined && health !== (prev.health?.status ?? 'unknown')) {
      this.events.push({ type: 'health', ...eventSubject(record), health, reason: describeHealth(record.health!) });
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
    if (changed && isFinal(status)) {
      this.dequeue();
      this.schedules.runEnded(record);
    }
  }

  /** Each task's log files, made once: every state change and every stop stats them, and in lite mode a path.join costs as much as a stat. */
  private readonly logFilesById = new Map<string, LogPaths>();

  private logFiles(id: string): LogPaths {
    let files = this.logFilesById.get(id);
    if (!files) this.logFilesById.set(id, (files = logPaths(taskLogDir(this.paths, id))));
    return files;
  }

  private journalStateChange(record: TaskRecord, before?: TaskStatus): void {
    // A run that has just started: its monitor measured where its output begins (the
    // output before the change is that of the runs before), with no stat of two files.
    const started = before === 'starting' && record.status === 'running' ? record.process?.logStart : undefined;
    const sizes = this.sizesBeforeStop.get(record.id) ?? started ?? logSizes(this.logFiles(record.id));
    this.events.push({ type: 'state', ...eventSubject(record), status: record.status, reason: record.reason, logSizes: sizes, ...runEnd(record) });
  }

  private update(record: TaskRecord): void {
    // A mirrored run is over: the rest of its output is copied before a next run writes.
    if (record.status !== 'running' && record.status !== 'stopping') this.mirrors.finish(record.id);
    this.store.put(record);
    this.store.flushSoon();
    const { id, status } = record;
    if (this.actors.has(id) && status !== 'queued' && status !== 'waiting') this.slots.add(id);
    else this.slots.delete(id);
    if (status === 'queued') this.queue.add(id);
    else this.queue.delete(id);
    this.dependencies.evaluate(record);
    // No view is made for nobody (a stop of a thousand tasks changes each twice).
    const watching = this.watchers.get(id);
    if (watching === undefined && this.listenerCount('task') === 0) return;
    const view = this.view(record);
    this.emit('task', view);
    for (const watcher of watching ?? []) watcher(view);
  }

  /** A run goes on, or a schedule will start one. */
  isLive(id: string): boolean {
    return this.actors.has(id) || this.schedules.isFollowing(id);
  }

  liveCount(): number {
    return this.slots.size;
  }

  /** Queued tasks start in the order they were queued, as slots free up. */
  private dequeue(): void {
    for (const id of [...this.queue]) {
      if (this.liveCount() >= this.maxConcurrent) return;
      this.actors.get(id)?.send({ type: 'DEQUEUE' });
    }
  }

  // ---- policies ----------------------------------------------------------------------

  private onUsage(id: string, usage: Usage): void {
    const record = this.store.task(id);
    if (!record) return;
    // The same tick notes how far each log reaches, for reads by time, unless the task's
    // monitor does it (it wakes on the writes: an idle task then costs this tick no stat).
    if (record.process?.logTimes !== 'monitor') this.logTimes.note(id, usage.history.at(-1)?.at ?? this.clock.now());
    if (this.capsBySample) this.capLogs(record);
    const breach = memoryBreach(record.spec.limits, usage.memoryBytes);
    if (breach) this.stopForLimit(id, breach, true);
    this.history.checkAlerts(id);
  }

  /**
   * Stops a task. The state change this causes is stamped with the logs' sizes from before
   * the stop signal goes out: what the task writes on receiving it comes after its stopping.
   */
  private sendStop(id: string, stop: Omit<Extract<TaskEvent, { type: 'STOP' }>, 'type' | 'at'>): void {
    const actor = this.actors.get(id);
    if (!actor) return;
    this.sizesBeforeStop.set(id, logSizes(this.logFiles(id)));
    try {
      actor.send({ type: 'STOP', at: this.clock.now(), ...stop });
    } finally {
      this.sizesBeforeStop.delete(id);
    }
  }

  /** A limit stops the task; with `restart`, the restart policy decides whether it comes back (a user's stop never does). */
  private stopForLimit(id: string, reason: string, restart: boolean): void {
    this.log('warn', `${id}: ${reason}`);
    this.sendStop(id, { reason, ...(restart ? { restart: true } : {}) });
  }

  // ---- looking up ----------------------------------------------------------------------

  view(record: TaskRecord): TaskView {
    return viewOf(record, this.sampler.get(record.id));
  }

  resolve(ref: string): TaskRecord {
    const byId = TASK_ID.test(ref) ? this.store.task(ref) : undefined;
    if (byId) return byId;
    const lookup = lookUpName(this.store.tasks(), ref);
    if ('found' in lookup) return lookup.found;
    if ('ambiguous' in lookup) {
      const candidates = lookup.ambiguous.map((t) => `${qualifiedName(t)} (${t.id}, ${t.status})`).join(', ');
      throw usageError(`"${ref}" names several tasks: ${candidates}; give env/name or the id`);
    }
    const group = lookUpGroup(this.store.tasks(), ref);
    // A command that needs one task, given the name the copies of a task with replicas share.
    if ('copies' in group) throw usageError(oneTaskRefusal(ref, group.copies.map((t) => t.name ?? t.id)));
    throw notFound(`no task "${ref}": see ${see('list')} for ids and names`);
  }

  onChange(listener: (view: TaskView) => void): () => void {
    this.on('task', listener);
    return () => this.off('task', listener);
  }

  until(id: string, done: (view: TaskView) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<{ view: TaskView; timedOut: boolean }> {
    return new Promise((resolvePromise) => {
      const current = this.view(this.store.task(id)!);
      if (done(current)) return resolvePromise({ view: current, timedOut: false });
      if (signal?.aborted) return resolvePromise({ view: current, timedOut: true });
      const finish = (view: TaskView, timedOut: boolean) => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        stopListening();
        resolvePromise({ view, timedOut });
      };
      const onAbort = () => finish(this.view(this.store.task(id)!), true);
      signal?.addEventListener('abort', onAbort, { once: true });
      // No timer for a wait without end (a stop's): a stop of a thousand tasks arms and clears none.
      const timer = timeoutMs === Infinity ? undefined : this.clock.setTimeout(() => finish(this.view(this.store.task(id)!), true), timeoutMs);
      const watcher = (view: TaskView) => done(view) && finish(view, false);
      let watching = this.watchers.get(id);
      if (!watching) this.watchers.set(id, (watching = new Set()));
      watching.add(watcher);
      const stopListening = () => {
        watching.delete(watcher);
        if (watching.size === 0 && this.watchers.get(id) === watching) this.watchers.delete(id);
      };
    });
  }

  // ---- stopping ----------------------------------------------------------------------

  /** A stop on request: a watched task stops following its files too. */
  async stopOne(record: TaskRecord, signal?: string, graceMs?: number, reason?: string): Promise<TaskView> {
    this.watches.unfollow(record.id);
    this.schedules.end(record.id);
    return this.stopRun(record, signal, graceMs, reason);
  }

  /** Stops the task's current run (whole tree) and leaves its watch on: a restart follows. */
  async stopRun(record: TaskRecord, signal?: string, graceMs?: number, reason?: string): Promise<TaskView> {
    const actor = this.actors.get(record.id);
    if (actor) {
      this.sendStop(record.id, { ...(signal ? { signal } : {}), ...(graceMs !== undefined ? { graceMs } : {}), ...(reason !== undefined ? { reason } : {}) });
      // Until the tree is seen gone, however long that takes: the machine's grace bounds it.
      await this.until(record.id, (v) => isFinal(v.status), Infinity);
    } else if (record.process) {
      // Finished, but a descendant that daemonised itself may still be around: it goes too.
      await stopLeftovers(record.process, signal ?? record.spec.stopSignal, graceMs ?? record.spec.graceMs);
    }
    return this.view(this.store.task(record.id)!);
  }

  /** Finished, and no actor runs it: its record, logs and exit file can go. */
  isForgettable(id: string): boolean {
    const record = this.store.task(id);
    return record !== undefined && isFinal(record.status) && !this.actors.has(id);
  }

  /** Removes a finished task: its record, what is known of it, its log folder, exit file and stdin FIFO. */
  forget(record: TaskRecord): void {
    this.watches.unfollow(record.id);
    this.schedules.end(record.id);
    this.store.remove(record.id);
    this.sampler.forget(record.id);
    this.logTimes.forget(record.id);
    this.logFilesById.delete(record.id);
    this.uncappable.delete(record.id);
    this.history.forget(record.id);
    rmSync(taskLogDir(this.paths, record.id), { recursive: true, force: true });
    rmSync(taskExitFile(this.paths, record.id), { force: true });
    rmSync(taskStdinFifo(this.paths, record.id), { force: true });
  }

  /** Finished tasks whose trees still have processes (a daemonised child, a background job). */
  withLeftovers(records = this.store.tasks()): TaskRecord[] {
    return withLeftovers(records.filter((t) => isFinal(t.status) && !this.actors.has(t.id)));
  }

  /** Whether the task watches files, and its watchers have read their trees. */
  watchReady(id: string): boolean {
    return this.watches.hub.isReady(id);
  }

  /** A policy changed (`monitor`): the task's actor gets the new spec. */
  updateSpec(id: string, spec: TaskSpec): void {
    this.actors.get(id)?.send({ type: 'UPDATE_SPEC', spec });
  }

  /** Under the sh monitor, the daemon keeps a task's logs under their cap (logs/sampled-cap.ts). */
  private capLogs(record: TaskRecord): void {
    const cap = record.spec.logMaxBytes ?? this.logMaxBytes;
    if (!cap || this.uncappable.has(record.id)) return;
    const streams: Stream[] = record.spec.output === 'combined' ? ['stdout'] : ['stdout', 'stderr'];
    const failed = capBySample(taskLogDir(this.paths, record.id), streams, cap);
    if (failed) {
      this.uncappable.add(record.id);
      this.log('warn', `the log cap of ${record.id} is off: releasing log space fails here (${failed})`);
    }
  }

  /**
   * Removes the finished tasks retention lets go (records and logs). One whose tree left
   * processes behind stays, so that `kill` can still reach them; a live one is never a candidate.
   */
  async applyRetention(): Promise<TaskRecord[]> {
    const victims = retentionVictims(this.store.tasks(), this.clock.now(), this.retention, (id) => this.actors.has(id));
    if (victims.length === 0) return [];
    const held = new Set(this.withLeftovers(victims).map((t) => t.id));
    const removed = victims.filter((t) => !held.has(t.id) && this.isForgettable(t.id));
    for (const record of removed) this.forget(record);
    await this.store.flush();
    if (removed.length > 0) this.log('info', `retention removed ${removed.length} finished task${removed.length === 1 ? '' : 's'}`, { tasks: removed.map((t) => t.id) });
    return removed;
  }

  /** Stops watching without touching any task: they keep running for the next daemon. */
  async close(): Promise<void> {
    this.retentionTimer?.clear();
    this.schedules.close();
    await this.watches.close();
    this.dependencies.close();
    this.sampler.stop();
    this.history.close();
    this.limits.close();
    for (const actor of this.actors.values()) actor.stop();
    this.actors.clear();
    this.slots.clear();
    this.launcher.close();
    this.mirrors.close();
    this.events.close();
    await this.store.flush();
  }
}
