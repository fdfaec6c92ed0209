/**
 * The Supervisor owns one task actor per live task, persists the facts they emit as
 * TaskRecords, and answers the SupervisorApi. The daemon is a thin RPC layer over it;
 * tests and embedders can use it in-process.
 */
import { isUtf8 } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createActor, type Actor } from 'xstate';
import { DEFAULTS } from '../../machines/defaults.js';
import { statusOf, taskMachine, type TaskInput, type TaskSnapshot } from '../../machines/task.machine.js';
import { isFinal, type TaskRecord } from '../../machines/task.types.js';
import { createHealthActor } from '../actors/health.actor.js';
import { createProcessActor } from '../actors/process.actor.js';
import { describeHealth, describeProbe } from '../../machines/policies/health.js';
import type { EnvSpec } from '../config/envfile/index.js';
import { DependencyCoordinator } from './dependencies.js';
import { stopInOrder } from './shutdown.js';
import type {
  DaemonStatus,
  EnvReport,
  OrchestrateInput,
  KillInput,
  ReadInput,
  ReadResult,
  RunInput,
  StreamRead,
  SupervisorApi,
  TaskDetails,
  TaskView,
  WaitResult,
  WaitUntil,
} from '../api.js';
import { compileFilter, normalizeRun, normalizeSignalOption, normalizeTimeout, parseHealthFlags, specFromDecl, TASK_NAME } from '../config/normalize.js';
import { failure, notFound, usageError } from '../errors.js';
import { ensureHome, homePaths, taskExitFile, taskLogDir, TASK_ID, type HomePaths } from '../home.js';
import { readPage, readSlice, type Encoding, type Stream } from '../logs/read.js';
import { ExitWatcher } from '../process/exit-watch.js';
import { createLauncher, SPAWNER_PATH } from '../process/spawner.js';
import { stopLeftovers } from '../process/leftovers.js';
import { listeningPorts } from '../process/ports.js';
import { scanProcesses } from '../process/procfs.js';
import { treeOf } from '../process/tree.js';
import { Store } from '../store/store.js';
import { AlertWatcher } from '../policies/alerts.js';
import { Sampler, type Usage } from '../policies/sampler.js';
import { EventLog, type SupervisorEvent } from './events.js';
import { memoryBreach } from '../../machines/policies/limits.js';
import { formatDuration } from '../../machines/duration.js';
import { VERSION } from '../version.js';

type TaskActor = Actor<typeof taskMachine>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The fields of a task record that has not run yet. */
const FRESH_RUN = () => ({
  reason: null,
  process: null,
  exitCode: null,
  signal: null,
  restarts: 0,
  health: null,
  createdAt: new Date().toISOString(),
  startedAt: null,
  endedAt: null,
  restartAt: null,
});

export function viewOf(record: TaskRecord, usage?: Usage): TaskView {
  return {
    id: record.id,
    name: record.name,
    env: record.env,
    command: record.spec.command,
    cwd: record.spec.cwd,
    status: record.status,
    reason: record.reason,
    pid: record.process?.pid ?? null,
    exitCode: record.exitCode,
    signal: record.signal,
    restarts: record.restarts,
    // Health is a property of a running process: a stopped task has none.
    health: record.status === 'running' ? (record.health?.status ?? null) : null,
    healthReason: record.status === 'running' && record.health ? describeHealth(record.health) : null,
    dependsOn: record.dependsOn.map((e) => `${e.on}:${e.condition}`),
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    restartAt: record.restartAt,
    cpuPercent: record.status === 'running' && usage ? usage.cpuPercent : null,
    memoryBytes: record.status === 'running' && usage ? usage.memoryBytes : null,
  };
}

export interface SupervisorOptions {
  home: string;
  /** Called with notable events for the daemon's log. */
  /** Most tasks running at once; more wait in `queued`. */
  maxConcurrent?: number;
  /** How often CPU and memory are sampled (default 2 s). */
  sampleIntervalMs?: number;
  /** The umask tasks get; by default the process's umask when the supervisor opens. */
  taskUmask?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** Ready, as `--wait-healthy` means it: a service running (and healthy, with a check), a step done. */
const isReady = (t: TaskRecord): boolean =>
  t.background ? t.status === 'running' && (t.spec.health === null || t.health?.status === 'healthy') : t.status === 'completed';

export class Supervisor extends EventEmitter implements SupervisorApi {
  readonly paths: HomePaths;
  readonly startedAt = new Date();
  private readonly actors = new Map<string, TaskActor>();
  private readonly exits: ExitWatcher;
  private readonly launcher;
  private readonly processActor;
  private readonly healthActor;
  private readonly machine;
  private readonly log: NonNullable<SupervisorOptions['log']>;
  private readonly dependencies: DependencyCoordinator;
  readonly events = new EventLog();
  private readonly sampler: Sampler;
  private readonly alerts = new Map<string, AlertWatcher>();
  private readonly recentAlerts = new Map<string, { at: string; stream: string; line: string }[]>();
  private readonly limitTimers = new Map<string, NodeJS.Timeout[]>();
  private readonly maxConcurrent: number;
  private closed = false;

  private constructor(
    paths: HomePaths,
    private readonly store: Store,
    options: SupervisorOptions,
  ) {
    super();
    this.setMaxListeners(0);
    this.paths = paths;
    this.exits = new ExitWatcher(paths.run);
    this.launcher = createLauncher(process.env, SPAWNER_PATH, (why) => options.log?.('warn', why));
    options.log?.('info', `tasks start through ${this.launcher.name}`);
    const taskUmask = options.taskUmask ?? currentUmask();
    this.processActor = createProcessActor({ paths, exits: this.exits, launcher: this.launcher, taskUmask });
    this.healthActor = createHealthActor({ paths });
    this.machine = taskMachine.provide({ actors: { process: this.processActor, health: this.healthActor } });
    this.maxConcurrent = options.maxConcurrent ?? Infinity;
    this.sampler = new Sampler(
      () =>
        this.store
          .tasks()
          .filter((t) => t.status === 'running' && t.process && this.actors.has(t.id))
          .map((t) => ({ id: t.id, process: t.process! })),
      (id, usage) => this.onUsage(id, usage),
      options.sampleIntervalMs,
    );
    this.sampler.start();
    this.dependencies = new DependencyCoordinator({
      records: () => this.store.tasks(),
      // A dependent whose dependencies are met still takes its turn under the concurrency limit.
      send: (id, event) =>
        this.actors.get(id)?.send(event.type === 'DEPENDENCIES_READY' && this.liveCount() >= this.maxConcurrent ? { ...event, queue: true } : event),
    });
    this.log = options.log ?? (() => {});
  }

  static async open(options: SupervisorOptions): Promise<Supervisor> {
    const paths = homePaths(options.home);
    ensureHome(paths);
    const store = await Store.open(paths.state);
    const supervisor = new Supervisor(paths, store, options);
    if (store.recovered) supervisor.log('error', `the state file was damaged; kept it as ${store.recovered} and started afresh`);
    supervisor.resume();
    return supervisor;
  }

  /** Picks up the tasks a previous daemon left: live ones are adopted, never spawned again. */
  private resume(): void {
    for (const record of this.store.tasks()) {
      if (isFinal(record.status)) continue;
      if (record.process && ['running', 'stopping', 'starting'].includes(record.status)) {
        const startedAt = record.startedAt ? Date.parse(record.startedAt) : Date.now();
        this.startActor(record, { adopt: { process: record.process, startedAt } });
        if (record.status === 'stopping') this.actors.get(record.id)?.send({ type: 'STOP', at: Date.now() });
        this.log('info', `adopted ${record.id}`, { taskPid: record.process.pid });
      } else if (record.status === 'waiting') {
        this.startActor(record, { waitForDependencies: true });
      } else if (record.status === 'restarting' || record.status === 'queued') {
        this.startActor(record, {});
      } else {
        this.update({
          ...record,
          status: 'failed',
          reason: 'lost: the daemon stopped while starting it',
          endedAt: new Date().toISOString(),
        });
      }
    }
    void this.store.flush();
  }

  private startActor(record: TaskRecord, extra: Partial<TaskInput>): TaskActor {
    const actor = createActor(this.machine, {
      input: { id: record.id, spec: record.spec, restarts: record.restarts, ...extra },
    });
    this.actors.set(record.id, actor);
    actor.subscribe({
      next: (snapshot) => this.onSnapshot(record.id, snapshot),
      error: (error) => this.log('error', `task ${record.id} machine error`, { error: String(error) }),
    });
    actor.start();
    if (extra.waitForDependencies) this.dependencies.track(this.store.task(record.id)!);
    if (record.spec.alertOn && !this.alerts.has(record.id)) this.watchAlerts(record);
    return actor;
  }

  private onSnapshot(id: string, snapshot: TaskSnapshot): void {
    const prev = this.store.task(id);
    if (!prev) return;
    const c = snapshot.context;
    const status = statusOf(snapshot);
    const record: TaskRecord = {
      ...prev,
      status,
      reason: c.reason,
      process: c.process ?? prev.process,
      exitCode: c.exitCode,
      signal: c.signal,
      restarts: c.restarts,
      health: c.health,
      startedAt: iso(c.startedAt) ?? prev.startedAt,
      endedAt: isFinal(status) ? (iso(c.endedAt) ?? new Date().toISOString()) : null,
      restartAt: status === 'restarting' ? iso(c.restartAt) : null,
    };
    const changed = record.status !== prev.status;
    if (changed) {
      this.log('info', `${id} ${record.status}`, { reason: record.reason });
      this.events.push({ type: 'state', id, name: record.name, env: record.env, status: record.status, reason: record.reason });
    }
    if (isFinal(status)) this.actors.delete(id);
    if (prev.status === 'waiting' && status !== 'waiting') this.dependencies.forget(id);
    if (changed && status === 'running') {
      this.armLimits(record);
      // Its log folder exists now (the monitor makes it): the alert rule starts watching it.
      this.alerts.get(id)?.check();
    }
    if (changed) this.noteRestart(record);
    // A liveness check that failed `retries` times in a row: the task is stuck, not starting.
    if (status === 'running' && record.health?.status === 'unhealthy' && prev.health?.status !== 'unhealthy' && record.spec.health?.liveness) {
      this.stopForLimit(record, `liveness check failed: ${describeHealth(record.health)}`);
    }
    if (changed && prev.status === 'running') this.disarmLimits(id);
    this.update(record);
    this.dependencies.evaluate(record.env);
    if (changed && isFinal(status)) this.dequeue();
  }

  view(record: TaskRecord): TaskView {
    return viewOf(record, this.sampler.get(record.id));
  }

  // ---- policies: limits, alerts, concurrency -----------------------------------------

  private onUsage(id: string, usage: Usage): void {
    const record = this.store.task(id);
    if (!record) return;
    const breach = memoryBreach(record.spec.limits, usage.memoryBytes);
    if (breach) this.stopForLimit(record, breach);
    this.alerts.get(id)?.check();
  }

  /** A limit stops the task; the restart policy decides whether it comes back (a user's stop never does). */
  private stopForLimit(record: TaskRecord, reason: string): void {
    this.log('warn', `${record.id}: ${reason}`);
    this.actors.get(record.id)?.send({ type: 'STOP', at: Date.now(), reason, restart: true });
  }

  private armLimits(record: TaskRecord): void {
    this.disarmLimits(record.id);
    const timers: NodeJS.Timeout[] = [];
    const { timeoutMs, idleMs, idleAction } = record.spec.limits;
    if (timeoutMs !== null) {
      const started = record.startedAt ? Date.parse(record.startedAt) : Date.now();
      timers.push(setTimeout(() => this.stopForLimit(this.store.task(record.id)!, `timeout ${formatDuration(timeoutMs)} reached`), Math.max(0, started + timeoutMs - Date.now())));
    }
    if (idleMs !== null) {
      const dir = taskLogDir(this.paths, record.id);
      const sizes = () => ['stdout', 'stderr'].map((s) => safeSize(join(dir, `${s}.log`))).join(':');
      let last = sizes();
      let quietSince = Date.now();
      let alerted = false;
      const every = Math.max(10, Math.min(1_000, Math.floor(idleMs / 4)));
      const timer = setInterval(() => {
        const now = sizes();
        if (now !== last) {
          last = now;
          quietSince = Date.now();
          alerted = false;
          return;
        }
        if (Date.now() - quietSince < idleMs || alerted) return;
        const reason = `no output for ${formatDuration(Date.now() - quietSince)}`;
        alerted = true;
        if (idleAction === 'stop') {
          this.log('warn', `${record.id}: ${reason}`);
          this.actors.get(record.id)?.send({ type: 'STOP', at: Date.now(), reason });
        } else {
          this.raiseAlert(record.id, 'idle', reason);
        }
      }, every);
      timers.push(timer);
    }
    this.limitTimers.set(record.id, timers);
  }

  private disarmLimits(id: string): void {
    for (const t of this.limitTimers.get(id) ?? []) clearTimeout(t);
    this.limitTimers.delete(id);
  }

  private raiseAlert(id: string, rule: string, line: string, stream = 'output'): void {
    const record = this.store.task(id);
    if (!record) return;
    const at = new Date().toISOString();
    const recent = [...(this.recentAlerts.get(id) ?? []), { at, stream, line }].slice(-20);
    this.recentAlerts.set(id, recent);
    this.events.push({ type: 'alert', id, name: record.name, env: record.env, stream, line, rule });
  }

  /** Watches the task's output for its alert rule (from now on: older lines never alert). */
  private watchAlerts(record: TaskRecord): void {
    this.alerts.get(record.id)?.close();
    this.alerts.delete(record.id);
    if (!record.spec.alertOn) return;
    const rule = record.spec.alertOn;
    this.alerts.set(
      record.id,
      new AlertWatcher(taskLogDir(this.paths, record.id), rule, (hit) => this.raiseAlert(record.id, rule, hit.line, hit.stream)),
    );
  }

  private readonly restartLog = new Map<string, { at: string; reason: string }[]>();

  /** The last restarts of a task with their reasons, for `status`. */
  private noteRestart(record: TaskRecord): void {
    if (record.status !== 'restarting' || !record.reason) return;
    const log = [...(this.restartLog.get(record.id) ?? []), { at: new Date().toISOString(), reason: record.reason }].slice(-10);
    this.restartLog.set(record.id, log);
  }

  alertsOf(id: string): { at: string; stream: string; line: string }[] {
    return this.recentAlerts.get(id) ?? [];
  }

  private liveCount(): number {
    return this.store.tasks().filter((t) => this.actors.has(t.id) && t.status !== 'queued' && t.status !== 'waiting').length;
  }

  private dequeue(): void {
    for (const queued of this.store.tasks().filter((t) => t.status === 'queued')) {
      if (this.liveCount() >= this.maxConcurrent) return;
      this.actors.get(queued.id)?.send({ type: 'DEQUEUE' });
    }
  }

  /** Events after `since` (waits up to `timeoutMs` for one), optionally only of some tasks. */
  async eventsSince(since: number, timeoutMs: number, filter: { ids?: string[]; env?: string } = {}): Promise<{ events: SupervisorEvent[]; last: number }> {
    const ids = filter.ids ? new Set(filter.ids.map((ref) => this.resolve(ref).id)) : null;
    const accept = (e: SupervisorEvent) => (!ids || ids.has(e.id)) && (filter.env === undefined || e.env === filter.env);
    const events = await this.events.wait(since, Math.min(timeoutMs, 60_000), accept);
    return { events, last: events.length > 0 ? events[events.length - 1]!.seq : Math.max(since, this.events.last) };
  }

  /**
   * `monitor`: sets alert rules and restart-on-failure on the watched tasks, in the daemon,
   * where they stay after the monitor exits. Returns the tasks it applies to.
   */
  async monitor(input: { ids?: string[]; env?: string; alertOn?: string; restartOnFailure?: boolean; checkInterval?: string | number }): Promise<{ tasks: TaskView[]; last: number }> {
    if (input.alertOn !== undefined) compileFilter(input.alertOn, '--alert-on');
    let records = input.ids && input.ids.length > 0 ? input.ids.map((ref) => this.resolve(ref)) : this.store.tasks();
    if (input.env !== undefined) {
      records = records.filter((t) => t.env === input.env);
      if (records.length === 0) throw notFound(`no environment "${input.env}"`);
    }
    if (input.checkInterval !== undefined) this.sampler.setInterval(normalizeTimeout(input.checkInterval, 2_000, '--check-interval'));
    for (const record of records) {
      const spec = {
        ...record.spec,
        ...(input.alertOn !== undefined ? { alertOn: input.alertOn } : {}),
        ...(input.restartOnFailure && record.spec.restart.policy === 'no' ? { restart: { ...record.spec.restart, policy: 'on-failure' as const } } : {}),
      };
      const next = { ...record, spec };
      this.store.put(next);
      this.actors.get(record.id)?.send({ type: 'UPDATE_SPEC', spec });
      if (input.alertOn !== undefined) this.watchAlerts(next);
    }
    await this.store.flush();
    return { tasks: records.map((r) => this.view(this.store.task(r.id)!)), last: this.events.last };
  }

  private update(record: TaskRecord): void {
    this.store.put(record);
    this.store.flushSoon((error) => this.log('error', 'could not write the state file', { error: String(error) }));
    this.emit('task', this.view(record));
  }

  // ---- resolving references -------------------------------------------------------

  private resolve(ref: string): TaskRecord {
    const byId = TASK_ID.test(ref) ? this.store.task(ref) : undefined;
    if (byId) return byId;
    const named = this.store.tasks().filter((t) => t.name === ref);
    const found = named[named.length - 1];
    if (!found) throw notFound(`no task "${ref}": see \`corral ls\` for ids and names`);
    return found;
  }

  /** Resolves once the task's status satisfies `done` (checked now and on every change). */
  private until(id: string, done: (view: TaskView) => boolean, timeoutMs: number): Promise<{ view: TaskView; timedOut: boolean }> {
    return new Promise((resolvePromise) => {
      const current = this.view(this.store.task(id)!);
      if (done(current)) return resolvePromise({ view: current, timedOut: false });
      const onTask = (view: TaskView) => {
        if (view.id !== id || !done(view)) return;
        finish(view, false);
      };
      const timer = setTimeout(() => finish(this.view(this.store.task(id)!), true), timeoutMs);
      const finish = (view: TaskView, timedOut: boolean) => {
        clearTimeout(timer);
        this.off('task', onTask);
        resolvePromise({ view, timedOut });
      };
      this.on('task', onTask);
    });
  }

  // ---- SupervisorApi ---------------------------------------------------------------

  async run(input: RunInput): Promise<TaskView> {
    const { spec, name } = normalizeRun(input);
    if (name) {
      const holder = this.store.tasks().find((t) => t.name === name && !isFinal(t.status));
      if (holder) throw usageError(`--name: "${name}" is taken by ${holder.id}, which is ${holder.status}`);
    }
    const id = this.store.allocateId();
    const record: TaskRecord = {
      id,
      name,
      env: null,
      spec,
      dependsOn: [],
      background: true,
      status: 'starting',
      ...FRESH_RUN(),
    };
    const queued = this.liveCount() >= this.maxConcurrent;
    if (queued) record.status = 'queued';
    this.store.put(record);
    this.startActor(record, { queued });
    const { view } = await this.until(id, (v) => v.status !== 'starting', 30_000);
    // The pid is on disk before the caller hears the id: a daemon killed now still finds the task.
    await this.store.flush();
    return view;
  }

  /**
   * The tasks of an environment's latest run: those an earlier run left (killed by `down`,
   * say) are history, which `ls` without `--env` still shows.
   */
  private envTasks(env: string): TaskRecord[] {
    const all = this.store.tasks().filter((t) => t.env === env);
    const latest = all.reduce((max, t) => Math.max(max, t.envRun ?? 0), 0);
    // A task of an earlier run that runs again (restarted by hand) is still the environment's.
    return all.filter((t) => (t.envRun ?? 0) === latest || !isFinal(t.status) || this.actors.has(t.id));
  }

  async list(filter: { env?: string } = {}): Promise<TaskView[]> {
    const tasks = filter.env === undefined ? this.store.tasks() : this.envTasks(filter.env);
    if (filter.env !== undefined && tasks.length === 0) throw notFound(`no environment "${filter.env}"`);
    return tasks.map((r) => this.view(r));
  }

  // ---- environments ----------------------------------------------------------------

  async orchestrate(input: OrchestrateInput): Promise<TaskView[]> {
    // The env-file loader (yaml and its schemas) is loaded only by the daemons that read env files.
    const envfile = await import('../config/envfile/index.js');
    const env = input.file
      ? envfile.loadEnvFile(input.file, { callerEnv: input.callerEnv ?? {}, ...(input.name ? { name: input.name } : {}) })
      : this.inlineEnv(input, envfile);
    const live = this.store.tasks().filter((t) => t.env === env.name && !isFinal(t.status));
    if (live.length > 0) {
      // The same environment, already up (every service alive, every step done): nothing to
      // start, as with compose. One that differs, or is half down, has to go first.
      const current = this.envTasks(env.name);
      const same =
        current.length === env.tasks.length &&
        env.tasks.every((decl) =>
          current.some((t) => t.name === decl.name && t.spec.command === decl.command && t.spec.cwd === decl.cwd && (t.background ? !isFinal(t.status) : t.status !== 'failed' && t.status !== 'killed')),
        );
      if (same) {
        this.log('info', `${env.name} is already up`);
        return current.map((r) => this.view(r));
      }
      throw failure(
        `environment ${env.name} is already up (${live.map((t) => `${t.name} ${t.status}`).join(', ')}) and differs from this one, or is partly down: \`corral down ${env.name}\` first`,
      );
    }
    const specs = env.tasks.map((decl) => ({ decl, spec: specFromDecl(decl, input.callerEnv) }));
    for (const { decl } of specs) {
      const holder = this.store.tasks().find((t) => t.name === decl.name && !isFinal(t.status));
      if (holder) throw usageError(`task name "${decl.name}" is taken by ${holder.id}, which is ${holder.status}`);
    }
    const envRun = this.store.tasks().reduce((max, t) => (t.env === env.name ? Math.max(max, t.envRun ?? 0) : max), 0) + 1;
    const created: TaskRecord[] = specs.map(({ decl, spec }) => ({
      id: this.store.allocateId(),
      name: decl.name,
      env: env.name,
      envRun,
      spec,
      dependsOn: decl.dependsOn,
      background: decl.background,
      status: decl.dependsOn.length > 0 ? 'waiting' : 'starting',
      ...FRESH_RUN(),
    }));
    for (const record of created) this.store.put(record);
    await this.store.flush();
    this.log('info', `orchestrating ${env.name}`, { tasks: created.map((r) => r.id), file: env.file });
    for (const record of created) {
      const waits = record.dependsOn.length > 0;
      const queued = !waits && this.liveCount() >= this.maxConcurrent;
      if (queued) this.store.put({ ...record, status: 'queued' });
      this.startActor(record, { waitForDependencies: waits, queued });
    }
    return created.map((r) => this.view(this.store.task(r.id)!));
  }

  /** `--background "npm run api" --background "npm run dev"`: an environment without a file. */
  private inlineEnv(input: OrchestrateInput, { slug, plainTask }: typeof import('../config/envfile/index.js')): EnvSpec {
    if (!input.name || !TASK_NAME.test(input.name)) throw usageError(`"${input.name ?? ''}" is not an environment name (it starts with a letter)`);
    if (!input.tasks || input.tasks.length === 0) throw usageError('an environment needs an env file (-f) or at least one --background command');
    const names = new Set<string>();
    const cwd = input.cwd ?? process.cwd();
    const given = new Set(input.tasks.map((t) => t.name).filter((n): n is string => n !== undefined));
    for (const t of input.tasks) {
      for (const on of t.dependsOn ?? []) {
        if (!given.has(on)) throw usageError(`task ${t.name ?? t.command} depends on "${on}", which is not one of the tasks given`);
      }
    }
    return {
      name: input.name,
      file: null,
      tasks: input.tasks.map((t) => {
        let name = t.name ?? slug(t.command.split(/\s+/).slice(0, 3).join(' '));
        for (let n = 2; names.has(name); n++) name = `${t.name ?? slug(t.command.split(/\s+/).slice(0, 3).join(' '))}-${n}`;
        names.add(name);
        return {
          ...plainTask(name, t.command, cwd),
          dependsOn: (t.dependsOn ?? []).map((on) => ({ on, condition: 'started' as const, timeoutMs: DEFAULTS.dependencyTimeoutMs })),
          health: parseHealthFlags(t.health),
        };
      }),
    };
  }

  /**
   * Waits until every background task of the environment is healthy (or running, without
   * a check) and every one-shot step succeeded; returns early, with the culprit, when a
   * task fails for good.
   */
  async waitEnv(env: string, timeout?: string | number): Promise<EnvReport> {
    const timeoutMs = normalizeTimeout(timeout, DEFAULTS.waitTimeoutMs);
    if (!this.store.tasks().some((t) => t.env === env)) throw notFound(`no environment "${env}"`);
    const judge = () => {
      const tasks = this.envTasks(env);
      const bad = tasks.find((t) => (t.background ? isFinal(t.status) : t.status === 'failed' || t.status === 'killed'));
      const ready = tasks.every(isReady);
      return { tasks, bad, ready };
    };
    const outcome = await new Promise<{ timedOut: boolean }>((resolvePromise) => {
      const check = () => {
        const { bad, ready } = judge();
        if (bad || ready) finish(false);
      };
      const timer = setTimeout(() => finish(true), timeoutMs);
      const finish = (timedOut: boolean) => {
        clearTimeout(timer);
        this.off('task', check);
        resolvePromise({ timedOut });
      };
      this.on('task', check);
      check();
    });
    const { tasks, bad, ready } = judge();
    let culprit: EnvReport['culprit'] = null;
    // The one to blame: a task that failed; else one that is not ready on its own account
    // (unhealthy, starting, queued) rather than one waiting for it.
    const notReady = tasks.filter((t) => !isReady(t));
    const atFault = bad ?? (ready ? undefined : (notReady.find((t) => t.status !== 'waiting') ?? notReady[0]));
    if (!ready && atFault) {
      const reason =
        atFault.reason ??
        (atFault.health && atFault.health.status !== 'healthy'
          ? `${describeHealth(atFault.health)}${atFault.health.lastError && atFault.health.status !== 'unhealthy' ? ` (last check: ${atFault.health.lastError})` : ''}`
          : atFault.status === 'waiting'
            ? `waiting for ${atFault.dependsOn.map((e) => `${e.on} (${e.condition})`).join(', ')}`
            : atFault.status === 'queued'
              ? `queued: ${this.maxConcurrent} tasks already run (CORRAL_MAX_CONCURRENT)`
              : atFault.status);
      culprit = { id: atFault.id, name: atFault.name, status: atFault.status, reason, lastLines: this.lastLines(atFault, 10) };
    }
    return { env, ready, timedOut: outcome.timedOut && !ready, tasks: tasks.map((r) => this.view(r)), culprit };
  }

  private lastLines(record: TaskRecord, n: number): string[] {
    const dir = taskLogDir(this.paths, record.id);
    const lines: string[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const slice = readSlice(join(dir, `${stream}.log`), { tail: n, maxBytes: 16 * 1024 });
      lines.push(...slice.bytes.toString('utf8').split('\n').filter((l) => l.length > 0).map((l) => (stream === 'stderr' ? `stderr: ${l}` : l)));
    }
    return lines.slice(-n);
  }

  async down(env: string, options: { signal?: string; grace?: string | number } = {}): Promise<TaskView[]> {
    const records = this.envTasks(env);
    if (records.length === 0) throw notFound(`no environment "${env}"`);
    const signal = normalizeSignalOption(options.signal);
    const graceMs = options.grace === undefined ? undefined : normalizeTimeout(options.grace, DEFAULTS.graceMs, '--grace');
    this.log('info', `stopping environment ${env}`);
    return stopInOrder(records, (r) => this.stopOne(r, signal, graceMs));
  }

  async get(ref: string): Promise<TaskView> {
    return this.view(this.resolve(ref));
  }

  /** Everything known about a task: the view, its policies, resource history and recent alerts. */
  async describe(ref: string): Promise<TaskDetails> {
    const record = this.resolve(ref);
    const usage = this.sampler.get(record.id);
    const spec = record.spec;
    return {
      ...this.view(record),
      restartPolicy: spec.restart.policy,
      maxRestarts: spec.restart.maxRestarts,
      stopSignal: spec.stopSignal,
      graceMs: spec.graceMs,
      nice: spec.nice,
      ionice: spec.ionice ? `${spec.ionice.class}${spec.ionice.level !== null ? `:${spec.ionice.level}` : ''}` : null,
      limits: spec.limits,
      alertOn: spec.alertOn,
      healthChecks: spec.health?.probes.map(describeProbe) ?? [],
      peakMemoryBytes: usage?.peakMemoryBytes ?? null,
      samples: usage?.history ?? [],
      alerts: this.alertsOf(record.id),
      restartHistory: this.restartLog.get(record.id) ?? [],
      ports: record.status === 'running' && record.process ? listeningPorts(treeOf(record.process)) : [],
    };
  }

  async read(input: ReadInput): Promise<ReadResult> {
    const record = this.resolve(input.ref);
    const filter = compileFilter(input.filter);
    if (input.tail !== undefined && (!Number.isInteger(input.tail) || input.tail < 0)) {
      throw usageError(`--tail: "${input.tail}" is not a number of lines`);
    }
    if (input.offset !== undefined && (!Number.isInteger(input.offset) || input.offset < 0)) {
      throw usageError(`--offset: "${input.offset}" is not a byte offset`);
    }
    const maxBytes = input.maxBytes ?? DEFAULTS.readMaxBytes;
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw usageError(`--max-bytes: "${input.maxBytes}" is not a positive number`);
    const encoding = input.encoding ?? 'utf8';
    const streams: Stream[] = input.stream === 'stdout' || input.stream === 'stderr' ? [input.stream] : ['stdout', 'stderr'];
    const dir = taskLogDir(this.paths, record.id);
    const result: ReadResult = {
      id: record.id,
      status: record.status,
      exitCode: record.exitCode,
      at: new Date().toISOString(),
    };
    let moved = false;
    for (const stream of streams) {
      const page = readPage(join(dir, `${stream}.log`), {
        from: input.newAs !== undefined ? this.store.cursor(input.newAs, record.id, stream) : (input.offset ?? 0),
        maxBytes,
        ...(input.tail !== undefined ? { tail: input.tail } : {}),
        newOnly: input.newAs !== undefined,
        ...(filter ? { filter } : {}),
        growing: !isFinal(record.status),
      });
      // Asked for `auto`, bytes that are not UTF-8 (binary output) come as base64, so that none is lost.
      const as: Encoding = encoding === 'auto' ? (isUtf8(page.bytes) ? 'utf8' : 'base64') : encoding;
      const read: StreamRead = {
        data: page.bytes.toString(as),
        encoding: as,
        from: page.from,
        next: page.next,
        size: page.size,
        omitted: page.omitted,
      };
      result[stream] = read;
      if (input.newAs !== undefined) {
        this.store.setCursor(input.newAs, record.id, stream, page.next);
        moved = true;
      }
    }
    if (moved) await this.store.flush();
    return result;
  }

  async wait(ref: string, until: WaitUntil, timeout?: string | number): Promise<WaitResult> {
    const record = this.resolve(ref);
    const timeoutMs = normalizeTimeout(timeout, DEFAULTS.waitTimeoutMs);
    // `healthy` without a health check means running.
    const ready = (v: TaskView) => v.status === 'running' && (until === 'running' || v.health === null || v.health === 'healthy');
    const done = until === 'exit' ? (v: TaskView) => isFinal(v.status) : (v: TaskView) => isFinal(v.status) || ready(v);
    const { view, timedOut } = await this.until(record.id, done, timeoutMs);
    const reached = !timedOut && (until === 'exit' ? view.status === 'completed' : ready(view));
    return { task: view, reached, timedOut, ...(reached ? {} : { lastLines: this.lastLines(this.store.task(record.id)!, 10) }) };
  }

  async kill(input: KillInput): Promise<TaskView[]> {
    const signal = normalizeSignalOption(input.signal);
    const graceMs = input.grace === undefined ? undefined : normalizeTimeout(input.grace, DEFAULTS.graceMs, '--grace');
    let records: TaskRecord[];
    if (input.all) records = [...this.store.tasks().filter((t) => !isFinal(t.status) || this.actors.has(t.id)), ...this.withLeftovers()];
    else {
      if (!input.refs || input.refs.length === 0) throw usageError('kill needs a task id or name, or --all');
      records = input.refs.map((ref) => this.resolve(ref));
    }
    return stopInOrder(records, (record) => this.stopOne(record, signal, graceMs));
  }

  /**
   * Finished tasks that left processes behind (a daemonised child, a background job): one
   * scan of /proc for all of them.
   */
  private withLeftovers(records = this.store.tasks()): TaskRecord[] {
    const finished = records.filter((t) => isFinal(t.status) && !this.actors.has(t.id) && t.process);
    if (finished.length === 0) return [];
    const procs = scanProcesses(0);
    return finished.filter((t) => treeOf(t.process!, procs).length > 0);
  }

  private async stopOne(record: TaskRecord, signal?: string, graceMs?: number): Promise<TaskView> {
    const actor = this.actors.get(record.id);
    if (actor) {
      actor.send({ type: 'STOP', at: Date.now(), ...(signal ? { signal } : {}), ...(graceMs !== undefined ? { graceMs } : {}) });
      await this.until(record.id, (v) => isFinal(v.status), 24 * 3_600_000);
    } else if (record.process) {
      // Finished, but a descendant that daemonised itself may still be around: it goes too.
      await stopLeftovers(record.process, signal ?? record.spec.stopSignal, graceMs ?? record.spec.graceMs);
    }
    return this.view(this.store.task(record.id)!);
  }

  async restart(ref: string): Promise<TaskView> {
    const record = this.resolve(ref);
    if (this.actors.has(record.id)) await this.stopOne(record);
    const current = this.store.task(record.id)!;
    const next: TaskRecord = {
      ...current,
      status: 'starting',
      reason: null,
      exitCode: null,
      signal: null,
      restarts: current.restarts + 1,
      endedAt: null,
      restartAt: null,
    };
    this.store.put(next);
    this.startActor(next, {});
    const { view } = await this.until(record.id, (v) => v.status !== 'starting', 30_000);
    await this.store.flush();
    return view;
  }

  async remove(refs: string[]): Promise<TaskView[]> {
    // Every one is checked before any goes: an unknown or running one removes none.
    const records = [...new Map(refs.map((ref) => this.resolve(ref)).map((r) => [r.id, r])).values()];
    const live = records.find((r) => !this.isForgettable(r.id));
    if (live) throw usageError(`${live.id} is ${live.status}: kill it before removing it`);
    // Once forgotten, nothing could reach what a task left running: that goes first.
    await Promise.all(this.withLeftovers(records).map((record) => this.stopOne(record)));
    // One may have been restarted meanwhile: then it is not finished any more.
    const restarted = records.find((r) => !this.isForgettable(r.id));
    if (restarted) throw usageError(`${restarted.id} was restarted while its leftovers were stopped: kill it before removing it`);
    for (const record of records) this.forget(record);
    await this.store.flush();
    return records.map((r) => this.view(r));
  }

  async prune(): Promise<TaskView[]> {
    const done = this.store.tasks().filter((t) => this.isForgettable(t.id));
    await Promise.all(this.withLeftovers(done).map((record) => this.stopOne(record)));
    const still = done.filter((t) => this.isForgettable(t.id));
    for (const record of still) this.forget(record);
    await this.store.flush();
    return still.map((r) => this.view(r));
  }

  /** Finished, and no actor runs it: its record, logs and exit file can go. */
  private isForgettable(id: string): boolean {
    const record = this.store.task(id);
    return record !== undefined && isFinal(record.status) && !this.actors.has(id);
  }

  private forget(record: TaskRecord): void {
    this.store.remove(record.id);
    this.sampler.forget(record.id);
    this.alerts.get(record.id)?.close();
    this.alerts.delete(record.id);
    this.recentAlerts.delete(record.id);
    rmSync(taskLogDir(this.paths, record.id), { recursive: true, force: true });
    rmSync(taskExitFile(this.paths, record.id), { force: true });
    this.emit('removed', record.id);
  }

  async status(): Promise<DaemonStatus> {
    return {
      running: true,
      pid: process.pid,
      home: this.paths.home,
      socket: this.paths.socket,
      startedAt: this.startedAt.toISOString(),
      tasks: this.store.tasks().length,
      version: VERSION,
      launcher: this.launcher.name,
    };
  }

  /** Stops every live task (waiting until each tree is gone), then closes. */
  async shutdown(): Promise<TaskView[]> {
    const live = this.store.tasks().filter((t) => this.actors.has(t.id));
    const views = await stopInOrder([...live, ...this.withLeftovers()], (t) => this.stopOne(t));
    await this.close();
    return views;
  }

  /** Stops watching without touching any task: they keep running for the next daemon. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.dependencies.close();
    this.sampler.stop();
    for (const watcher of this.alerts.values()) watcher.close();
    for (const id of [...this.limitTimers.keys()]) this.disarmLimits(id);
    for (const actor of this.actors.values()) actor.stop();
    this.actors.clear();
    this.launcher.close();
    await this.store.flush();
  }
}

function safeSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function currentUmask(): number {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
}

