/**
 * The Supervisor answers the SupervisorApi over the task table (task-table.ts): it starts,
 * restarts, stops and forgets tasks, and hands environments and queries to their parts
 * (environments.ts, queries.ts). The daemon is a thin RPC layer over it; tests and
 * embedders use it in-process.
 */
import { globalHolder } from '../../machines/policies/names.js';
import { runningCopy } from '../../machines/policies/same-run.js';
import { isFinal, type TaskRecord } from '../../machines/task.types.js';
import type {
  DaemonStatus,
  DiskUse,
  DownOptions,
  EnvReport,
  EventBatch,
  EventFilter,
  KillInput,
  SendInput,
  SendResult,
  ListFilter,
  MonitorInput,
  OrchestrateInput,
  OrchestrateResult,
  PruneOptions,
  ReadInput,
  ScaleInput,
  ScaleResult,
  ReadResult,
  RunInput,
  SupervisorApi,
  TaskDetails,
  TaskDiskUse,
  TaskOwner,
  TaskView,
  WaitOptions,
  WaitResult,
  WaitUntil,
} from '../api.js';
import { durationOption, normalizeKill } from '../config/control.js';
import { endedBefore } from '../../machines/policies/retention.js';
import { logFolderUse, rotatedDisk } from '../logs/disk-use.js';
import { normalizeRun } from '../config/normalize.js';
import { failure, field, usageError } from '../errors.js';
import { ensureHome, homePaths, taskLogDir, taskStdinFifo, type HomePaths } from '../home.js';
import { endStdin, StdinError, writeStdin } from '../process/stdin.js';
import { rebuildFromHome } from '../store/rebuild.js';
import { describeRecovery } from '../store/recovery.js';
import { Store } from '../store/store.js';
import { projectOf } from '../project.js';
import { VERSION } from '../version.js';
import { systemClock } from './clock.js';
import { Environments } from './environments.js';
import type { EventLog } from './events.js';
import { restoreHome, type HomeRestore } from './home-restore.js';
import { Replicas } from './replicas.js';
import type { SupervisorOptions } from './options.js';
import { TaskQueries } from './queries.js';
import { ownersOf } from './owners.js';
import { freshRun, restartedRecord } from './records.js';
import { stopInOrder } from './shutdown.js';
import { TaskTable } from './task-table.js';

export type { SupervisorOptions } from './options.js';

export class Supervisor implements SupervisorApi {
  readonly startedAt = new Date();
  private readonly environments: Environments;
  private readonly queries: TaskQueries;
  private readonly replicas: Replicas;
  private closed = false;

  private constructor(
    private readonly table: TaskTable,
    /** What a damaged or stale state file cost, until a client has been told. */
    private recovery: string | null,
  ) {
    this.environments = new Environments(table);
    this.queries = new TaskQueries(table, table);
    this.replicas = new Replicas(table, this.environments);
  }

  static async open(options: SupervisorOptions): Promise<Supervisor> {
    const paths = homePaths(options.home);
    ensureHome(paths);
    const store = await Store.open(paths.state);
    const rebuilt = rebuildFromHome(paths, store, store.damage?.badRecords ?? new Map(), (options.clock ?? systemClock).now());
    const table = new TaskTable(paths, store, options);
    store.onWriteTrouble = (trouble) =>
      'failing' in trouble
        ? table.log('error', `could not write the state file (${trouble.failing.message}): kept in memory, written again once it can be`)
        : table.log('info', `the state file is written again, after ${Math.round(trouble.recovered.failedMs / 1000)} s of failed writes`);
    const recovery = describeRecovery(store.damage, rebuilt);
    if (recovery) table.log(store.damage ? 'error' : 'warn', recovery);
    table.resume();
    return new Supervisor(table, recovery);
  }

  /** The recovery sentence, once: the first client answered prints it. */
  takeNotice(): string | null {
    const notice = this.recovery;
    this.recovery = null;
    return notice;
  }

  get paths(): HomePaths {
    return this.table.paths;
  }

  /** State changes and alerts, in order, with sequence numbers. */
  get events(): EventLog {
    return this.table.events;
  }

  /** Calls `listener` with every task change, in-process, until the returned function is called. */
  onChange(listener: (view: TaskView) => void): () => void {
    return this.table.onChange(listener);
  }

  /**
   * Calls `listener` after every sampler tick with each running task's latest CPU and
   * memory (what the tick just read: no look at /proc of its own), until the returned
   * function is called.
   */
  onSamples(listener: (at: number, samples: { id: string; cpuPercent: number; memoryBytes: number }[]) => void): () => void {
    const sampler = this.table.sampler;
    return sampler.onTick((at, ids) => {
      const samples = [];
      for (const id of ids) {
        const usage = sampler.get(id);
        if (usage) samples.push({ id, cpuPercent: usage.cpuPercent, memoryBytes: usage.memoryBytes });
      }
      listener(at, samples);
    });
  }

  private get store(): Store {
    return this.table.store;
  }

  // ---- starting ------------------------------------------------------------------------

  async run(input: RunInput): Promise<TaskView> {
    const { spec, name, session, keep, once } = normalizeRun(input);
    const { table, store } = this;
    if (once) {
      const copy = runningCopy(store.tasks(), spec, name);
      if (copy) return { ...table.view(copy), reused: true };
    }
    if (name) {
      // Names outside any environment share one scope; an environment's tasks are named within it.
      const holder = globalHolder(store.tasks(), name, (t) => !isFinal(t.status));
      if (holder) throw usageError(`${field('name')}: "${name}" is taken by ${holder.id}, which is ${holder.status}`);
    }
    const queued = table.liveCount() >= table.maxConcurrent;
    const record: TaskRecord = {
      id: store.allocateId(),
      name,
      env: null,
      spec,
      dependsOn: [],
      // A scheduled task is a one-shot step, run tick after tick.
      background: !spec.schedule,
      status: queued ? 'queued' : 'starting',
      ...freshRun(table.clock.now()),
      ...(session !== null ? { session } : {}),
      project: projectOf(spec.cwd),
      ...(keep ? { keep } : {}),
    };
    store.put(record);
    table.startActor(record, { queued });
    return this.started(record.id);
  }

  async restart(ref: string): Promise<TaskView> {
    const record = this.table.resolve(ref);
    if (this.table.isLive(record.id)) await this.table.stopRun(record);
    const next = restartedRecord(this.store.task(record.id)!);
    this.store.put(next);
    this.table.startActor(next, {});
    return this.started(record.id);
  }

  /** Once the task is past `starting`: its pid is on disk before the caller hears the id, so a daemon killed now still finds it. */
  private async started(id: string): Promise<TaskView> {
    const { view } = await this.table.until(id, (v) => v.status !== 'starting', 30_000);
    await this.store.flush();
    return view;
  }

  // ---- environments and queries: their parts answer -------------------------------------

  async list(filter: ListFilter = {}): Promise<TaskView[]> {
    const { env, session, project } = filter;
    // An unknown environment is an error (not-found); a session or project without tasks just has none.
    const views = env !== undefined ? await this.environments.list(env) : this.store.tasks().map((r) => this.table.view(r));
    if (session === undefined && project === undefined) return views;
    return views.filter((t) => (session === undefined || t.session === session) && (project === undefined || t.project === project));
  }

  orchestrate(input: OrchestrateInput): Promise<OrchestrateResult> {
    return this.environments.orchestrate(input);
  }

  waitEnv(env: string, timeout?: string | number): Promise<EnvReport> {
    return this.environments.wait(env, timeout);
  }

  down(env: string, options: DownOptions = {}): Promise<TaskView[]> {
    return this.environments.down(env, options);
  }

  /** The stored record of a task (its spec, its dependency edges), for in-process readers such as the dashboard. */
  record(ref: string): TaskRecord {
    return this.table.resolve(ref);
  }

  /** Every environment's latest run, by name, in the order the environments were first seen. */
  environmentRuns(): Map<string, TaskRecord[]> {
    const names = new Set(this.store.tasks().flatMap((t) => (t.env === null ? [] : [t.env])));
    return new Map([...names].map((name) => [name, this.environments.tasksOf(name)]));
  }

  scale(input: ScaleInput): Promise<ScaleResult> {
    return this.replicas.scale(input);
  }

  async get(ref: string): Promise<TaskView> {
    return this.table.view(this.table.resolve(ref));
  }

  describe(ref: string): Promise<TaskDetails> {
    return this.queries.describe(ref);
  }

  read(input: ReadInput): Promise<ReadResult> {
    return this.queries.read(input);
  }

  wait(ref: string, until: WaitUntil, timeout?: string | number, options?: WaitOptions): Promise<WaitResult> {
    return this.queries.wait(ref, until, timeout, options);
  }

  eventsSince(since: number, timeoutMs: number, filter: EventFilter = {}, signal?: AbortSignal): Promise<EventBatch> {
    return this.queries.eventsSince(since, timeoutMs, filter, signal);
  }

  eventsNew(consumer: string, timeoutMs: number, filter: EventFilter = {}, signal?: AbortSignal): Promise<EventBatch> {
    return this.queries.eventsNew(consumer, timeoutMs, filter, signal);
  }

  monitor(input: MonitorInput): Promise<{ tasks: TaskView[]; last: number }> {
    return this.queries.monitor(input);
  }

  // ---- stopping and forgetting ---------------------------------------------------------

  async kill(input: KillInput): Promise<TaskView[]> {
    const { signal, graceMs, refs, all } = normalizeKill(input);
    const { table } = this;
    const records = all
      ? [...this.store.tasks().filter((t) => !isFinal(t.status) || table.isLive(t.id)), ...table.withLeftovers()]
      : refs.flatMap((ref) => this.replicas.resolveMany(ref));
    return stopInOrder(records, (record) => table.stopOne(record, signal, graceMs));
  }

  async send(input: SendInput): Promise<SendResult> {
    const record = this.table.resolve(input.ref);
    const { id, status } = record;
    if (record.spec.stdin !== 'pipe') throw usageError(`${id} has no stdin pipe: start it with run --stdin (stdin: pipe in an env file)`);
    if (input.text === undefined && !input.eof) throw usageError('send needs a text, --eof, or both');
    if (status !== 'running' || !record.process || !this.table.isLive(id)) throw failure(`${id} is ${status}: only a running task reads its input`);
    const fifo = taskStdinFifo(this.paths, id);
    let bytes = 0;
    try {
      if (input.text !== undefined) bytes = writeStdin(fifo, Buffer.from(`${input.text}\n`));
    } catch (error) {
      if (error instanceof StdinError) throw failure(`could not write to ${id}: ${error.message}`);
      throw error;
    }
    if (input.eof) endStdin(fifo, record.process);
    this.table.log('info', `${id}: ${bytes} bytes sent to its stdin${input.eof ? ', then its end' : ''}`);
    return { task: this.table.view(record), bytes, eof: input.eof === true };
  }

  async remove(refs: string[]): Promise<TaskView[]> {
    // Every one is checked before any goes: an unknown or running one removes none.
    const records = [...new Map(refs.flatMap((ref) => this.replicas.resolveMany(ref)).map((r) => [r.id, r])).values()];
    const live = records.find((r) => !this.table.isForgettable(r.id));
    if (live) throw usageError(`${live.id} is ${live.status}: kill it before removing it`);
    // Once forgotten, nothing could reach what a task left running: that goes first.
    await Promise.all(this.table.withLeftovers(records).map((record) => this.table.stopOne(record)));
    // One may have been restarted meanwhile: then it is not finished any more.
    const restarted = records.find((r) => !this.table.isForgettable(r.id));
    if (restarted) throw usageError(`${restarted.id} was restarted while its leftovers were stopped: kill it before removing it`);
    for (const record of records) this.table.forget(record);
    await this.store.flush();
    return records.map((r) => this.table.view(r));
  }

  async prune(options: PruneOptions = {}): Promise<TaskView[]> {
    const cutoff = options.olderThan === undefined ? Infinity : this.table.clock.now() - durationOption(options.olderThan, 'olderThan');
    const done = endedBefore(this.store.tasks(), cutoff, (id) => !this.table.isForgettable(id));
    await Promise.all(this.table.withLeftovers(done).map((record) => this.table.stopOne(record)));
    const still = done.filter((t) => this.table.isForgettable(t.id));
    for (const record of still) this.table.forget(record);
    await this.store.flush();
    return still.map((r) => this.table.view(r));
  }

  async diskUse(): Promise<DiskUse> {
    const tasks: TaskDiskUse[] = this.store.tasks().map((t) => ({ id: t.id, name: t.name, env: t.env, status: this.table.view(t).status, ...logFolderUse(taskLogDir(this.table.paths, t.id)) }));
    const journalBytes = rotatedDisk(this.table.paths.journal);
    const daemonLogBytes = rotatedDisk(this.table.paths.daemonLog);
    const totalBytes = tasks.reduce((sum, t) => sum + t.diskBytes, journalBytes + daemonLogBytes);
    return { tasks, journalBytes, daemonLogBytes, totalBytes };
  }

  async endSession(session: string): Promise<TaskView[]> {
    const { table } = this;
    const started = this.store.tasks().filter((t) => t.session === session && t.keep !== true);
    const records = [...started.filter((t) => table.isLive(t.id)), ...table.withLeftovers(started)];
    if (records.length > 0) table.log('info', `session ${session} ended: stopping ${records.map((r) => r.id).join(', ')}`);
    // The stops go on in the daemon: an agent's exit gives its hook a second or two, less than a grace.
    stopInOrder(records, (record) => table.stopOne(record)).catch((error) => table.log('error', `could not stop the tasks of session ${session}`, { error: String(error) }));
    return records.map((r) => table.view(r));
  }

  async owners(pids: number[]): Promise<(TaskOwner | null)[]> {
    return ownersOf(this.store.tasks(), (r) => this.table.view(r), pids);
  }

  async status(): Promise<DaemonStatus> {
    return {
      running: true,
      pid: process.pid,
      home: this.paths.home,
      socket: this.paths.socket,
      startedAt: this.startedAt.toISOString(),
      tasks: this.store.size,
      version: VERSION,
      launcher: this.table.launcher.name,
    };
  }

  /** Makes the home anew from what the supervisor holds, after it was deleted under it (see home-restore.ts). */
  restoreHome(): Promise<HomeRestore> {
    return restoreHome(this.table);
  }

  /** Stops every live task (waiting until each tree is gone), then closes. */
  /** Readies the launcher, so that the first task a client starts does not wait for it. */
  prepareLaunches(): void {
    if (!this.closed) this.table.launcher.prepare?.();
  }

  async shutdown(): Promise<TaskView[]> {
    const { table } = this;
    const live = this.store.tasks().filter((t) => table.isLive(t.id));
    const views = await stopInOrder([...live, ...table.withLeftovers()], (t) => table.stopOne(t));
    // Every task is stopped: a state file that cannot be written (its home is gone) changes nothing of that.
    await this.close().catch((error) => table.log('error', 'could not write the state file', { error: String(error) }));
    return views;
  }

  /** Stops watching without touching any task: they keep running for the next daemon. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.table.close();
  }
}
