/**
 * The Supervisor owns one task actor per live task, persists the facts they emit as
 * TaskRecords, and answers the SupervisorApi. The daemon is a thin RPC layer over it;
 * tests and embedders can use it in-process.
 */
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createActor, type Actor } from 'xstate';
import { DEFAULTS } from '../../machines/defaults.js';
import { statusOf, taskMachine, type TaskInput, type TaskSnapshot } from '../../machines/task.machine.js';
import { isFinal, type TaskRecord } from '../../machines/task.types.js';
import { createHealthActor } from '../actors/health.actor.js';
import { createProcessActor } from '../actors/process.actor.js';
import { describeHealth } from '../../machines/policies/health.js';
import { loadEnvFile, slug, type EnvSpec } from '../config/envfile.js';
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
  TaskView,
  WaitResult,
  WaitUntil,
} from '../api.js';
import { compileFilter, normalizeRun, normalizeSignalOption, normalizeTimeout, parseHealthFlags, specFromDecl, TASK_NAME } from '../config/normalize.js';
import { failure, notFound, usageError } from '../errors.js';
import { ensureHome, homePaths, taskExitFile, taskLogDir, TASK_ID, type HomePaths } from '../home.js';
import { readSlice, filterLines, type Stream } from '../logs/read.js';
import { ExitWatcher } from '../process/exit-watch.js';
import { stopLeftovers } from '../process/leftovers.js';
import { Store } from '../store/store.js';
import { VERSION } from '../version.js';

type TaskActor = Actor<typeof taskMachine>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function viewOf(record: TaskRecord): TaskView {
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
    cpuPercent: null,
    memoryBytes: null,
  };
}

export interface SupervisorOptions {
  home: string;
  /** Called with notable events for the daemon's log. */
  /** The umask tasks get; by default the process's umask when the supervisor opens. */
  taskUmask?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export class Supervisor extends EventEmitter implements SupervisorApi {
  readonly paths: HomePaths;
  readonly startedAt = new Date();
  private readonly actors = new Map<string, TaskActor>();
  private readonly exits: ExitWatcher;
  private readonly processActor;
  private readonly healthActor;
  private readonly log: NonNullable<SupervisorOptions['log']>;
  private readonly dependencies: DependencyCoordinator;
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
    const taskUmask = options.taskUmask ?? currentUmask();
    this.processActor = createProcessActor({ paths, exits: this.exits, taskUmask });
    this.healthActor = createHealthActor({ paths });
    this.dependencies = new DependencyCoordinator({
      records: () => this.store.tasks(),
      send: (id, event) => this.actors.get(id)?.send(event),
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
        this.log('info', `adopted ${record.id}`, { pid: record.process.pid });
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
    const machine = taskMachine.provide({ actors: { process: this.processActor, health: this.healthActor } });
    const actor = createActor(machine, {
      input: { id: record.id, spec: record.spec, restarts: record.restarts, ...extra },
    });
    this.actors.set(record.id, actor);
    actor.subscribe({
      next: (snapshot) => this.onSnapshot(record.id, snapshot),
      error: (error) => this.log('error', `task ${record.id} machine error`, { error: String(error) }),
    });
    actor.start();
    if (extra.waitForDependencies) this.dependencies.track(this.store.task(record.id)!);
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
    if (record.status !== prev.status) this.log('info', `${id} ${record.status}`, { reason: record.reason });
    if (isFinal(status)) this.actors.delete(id);
    if (prev.status === 'waiting' && status !== 'waiting') this.dependencies.forget(id);
    this.update(record);
    this.dependencies.evaluate(record.env);
  }

  private update(record: TaskRecord): void {
    this.store.put(record);
    this.store.flush().catch((error) => this.log('error', 'could not write the state file', { error: String(error) }));
    this.emit('task', viewOf(record));
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
      const current = viewOf(this.store.task(id)!);
      if (done(current)) return resolvePromise({ view: current, timedOut: false });
      const onTask = (view: TaskView) => {
        if (view.id !== id || !done(view)) return;
        finish(view, false);
      };
      const timer = setTimeout(() => finish(viewOf(this.store.task(id)!), true), timeoutMs);
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
    };
    this.store.put(record);
    this.startActor(record, {});
    const { view } = await this.until(id, (v) => v.status !== 'starting', 30_000);
    // The pid is on disk before the caller hears the id: a daemon killed now still finds the task.
    await this.store.flush();
    return view;
  }

  async list(filter: { env?: string } = {}): Promise<TaskView[]> {
    const tasks = this.store.tasks().filter((t) => filter.env === undefined || t.env === filter.env);
    if (filter.env !== undefined && tasks.length === 0) throw notFound(`no environment "${filter.env}"`);
    return tasks.map(viewOf);
  }

  // ---- environments ----------------------------------------------------------------

  async orchestrate(input: OrchestrateInput): Promise<TaskView[]> {
    const env = input.file
      ? loadEnvFile(input.file, { callerEnv: input.callerEnv ?? {}, ...(input.name ? { name: input.name } : {}) })
      : this.inlineEnv(input);
    const live = this.store.tasks().filter((t) => t.env === env.name && !isFinal(t.status));
    if (live.length > 0) {
      throw failure(
        `environment ${env.name} is already up (${live.map((t) => `${t.name} ${t.status}`).join(', ')}): \`corral down ${env.name}\` first`,
      );
    }
    const specs = env.tasks.map((decl) => ({ decl, spec: specFromDecl(decl, input.callerEnv) }));
    for (const { decl } of specs) {
      const holder = this.store.tasks().find((t) => t.name === decl.name && !isFinal(t.status));
      if (holder) throw usageError(`task name "${decl.name}" is taken by ${holder.id}, which is ${holder.status}`);
    }
    const created: TaskRecord[] = specs.map(({ decl, spec }) => ({
      id: this.store.allocateId(),
      name: decl.name,
      env: env.name,
      spec,
      dependsOn: decl.dependsOn,
      background: decl.background,
      status: decl.dependsOn.length > 0 ? 'waiting' : 'starting',
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
    }));
    for (const record of created) this.store.put(record);
    await this.store.flush();
    this.log('info', `orchestrating ${env.name}`, { tasks: created.map((r) => r.id), file: env.file });
    for (const record of created) this.startActor(record, { waitForDependencies: record.dependsOn.length > 0 });
    return created.map((r) => viewOf(this.store.task(r.id)!));
  }

  /** `--background "npm run api" --background "npm run dev"`: an environment without a file. */
  private inlineEnv(input: OrchestrateInput): EnvSpec {
    if (!input.name || !TASK_NAME.test(input.name)) throw usageError(`"${input.name ?? ''}" is not an environment name (it starts with a letter)`);
    if (!input.tasks || input.tasks.length === 0) throw usageError('an environment needs an env file (-f) or at least one --background command');
    const names = new Set<string>();
    const cwd = input.cwd ?? process.cwd();
    return {
      name: input.name,
      file: null,
      tasks: input.tasks.map((t) => {
        let name = t.name ?? slug(t.command.split(/\s+/).slice(0, 3).join(' '));
        for (let n = 2; names.has(name); n++) name = `${t.name ?? slug(t.command.split(/\s+/).slice(0, 3).join(' '))}-${n}`;
        names.add(name);
        return {
          name,
          command: t.command,
          cwd,
          env: {},
          background: true,
          dependsOn: (t.dependsOn ?? []).map((on) => ({ on, condition: 'started' as const, timeoutMs: DEFAULTS.dependencyTimeoutMs })),
          health: parseHealthFlags(t.health),
          restart: {},
          stopSignal: null,
          graceMs: null,
          stopCommand: null,
          output: 'separate' as const,
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
      const tasks = this.store.tasks().filter((t) => t.env === env);
      const bad = tasks.find((t) => (t.background ? isFinal(t.status) : t.status === 'failed' || t.status === 'killed'));
      const ready = tasks.every((t) =>
        t.background ? t.status === 'running' && (t.spec.health === null || t.health?.status === 'healthy') : t.status === 'completed',
      );
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
    const atFault =
      bad ??
      (ready ? undefined : tasks.find((t) => t.status !== 'running' && t.status !== 'completed') ?? tasks.find((t) => t.health?.status !== 'healthy' && t.spec.health !== null));
    if (!ready && atFault) {
      const reason =
        atFault.reason ??
        (atFault.health && atFault.health.status !== 'healthy'
          ? `${describeHealth(atFault.health)}${atFault.health.lastError && atFault.health.status !== 'unhealthy' ? ` (last check: ${atFault.health.lastError})` : ''}`
          : atFault.status === 'waiting'
            ? `waiting for ${atFault.dependsOn.map((e) => `${e.on} (${e.condition})`).join(', ')}`
            : atFault.status);
      culprit = { id: atFault.id, name: atFault.name, status: atFault.status, reason, lastLines: this.lastLines(atFault, 10) };
    }
    return { env, ready, timedOut: outcome.timedOut && !ready, tasks: tasks.map(viewOf), culprit };
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
    const records = this.store.tasks().filter((t) => t.env === env);
    if (records.length === 0) throw notFound(`no environment "${env}"`);
    const signal = normalizeSignalOption(options.signal);
    const graceMs = options.grace === undefined ? undefined : normalizeTimeout(options.grace, DEFAULTS.graceMs, '--grace');
    this.log('info', `stopping environment ${env}`);
    return stopInOrder(records, (r) => this.stopOne(r, signal, graceMs));
  }

  async get(ref: string): Promise<TaskView> {
    return viewOf(this.resolve(ref));
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
      const from = input.newAs !== undefined ? this.store.cursor(input.newAs, record.id, stream) : (input.offset ?? 0);
      const slice = readSlice(join(dir, `${stream}.log`), {
        from,
        maxBytes,
        ...(input.tail !== undefined && input.newAs === undefined ? { tail: input.tail } : {}),
      });
      let bytes = slice.bytes;
      let next = slice.next;
      if (filter && slice.omitted > 0 && input.tail === undefined) {
        // A filtered page ends at a whole line, so no line is tested half.
        const lastNewline = bytes.lastIndexOf(10);
        if (lastNewline >= 0) {
          bytes = bytes.subarray(0, lastNewline + 1);
          next = slice.from + bytes.length;
        }
      }
      let data: string;
      if (filter) data = filterLines(bytes.toString('utf8'), filter);
      else data = bytes.toString(encoding);
      if (input.tail !== undefined && input.newAs !== undefined) data = lastLines(data, input.tail);
      if (filter && encoding === 'base64') data = Buffer.from(data, 'utf8').toString('base64');
      const read: StreamRead = {
        data,
        encoding,
        from: slice.from,
        next,
        size: slice.size,
        omitted: input.tail !== undefined ? slice.omitted : slice.size - next,
      };
      result[stream] = read;
      if (input.newAs !== undefined) {
        this.store.setCursor(input.newAs, record.id, stream, next);
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
    return { task: view, reached, timedOut };
  }

  async kill(input: KillInput): Promise<TaskView[]> {
    const signal = normalizeSignalOption(input.signal);
    const graceMs = input.grace === undefined ? undefined : normalizeTimeout(input.grace, DEFAULTS.graceMs, '--grace');
    let records: TaskRecord[];
    if (input.all) records = this.store.tasks().filter((t) => !isFinal(t.status) || this.actors.has(t.id));
    else {
      if (!input.refs || input.refs.length === 0) throw usageError('kill needs a task id or name, or --all');
      records = input.refs.map((ref) => this.resolve(ref));
    }
    return stopInOrder(records, (record) => this.stopOne(record, signal, graceMs));
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
    return viewOf(this.store.task(record.id)!);
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

  async remove(ref: string): Promise<TaskView> {
    const record = this.resolve(ref);
    if (this.actors.has(record.id) || !isFinal(record.status)) {
      throw usageError(`${record.id} is ${record.status}: kill it before removing it`);
    }
    this.forget(record);
    await this.store.flush();
    return viewOf(record);
  }

  async prune(): Promise<TaskView[]> {
    const done = this.store.tasks().filter((t) => isFinal(t.status) && !this.actors.has(t.id));
    for (const record of done) this.forget(record);
    await this.store.flush();
    return done.map(viewOf);
  }

  private forget(record: TaskRecord): void {
    this.store.remove(record.id);
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
    };
  }

  /** Stops every live task (waiting until each tree is gone), then closes. */
  async shutdown(): Promise<TaskView[]> {
    const live = this.store.tasks().filter((t) => this.actors.has(t.id));
    const views = await stopInOrder(live, (t) => this.stopOne(t));
    await this.close();
    return views;
  }

  /** Stops watching without touching any task: they keep running for the next daemon. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.dependencies.close();
    for (const actor of this.actors.values()) actor.stop();
    this.actors.clear();
    await this.store.flush();
  }
}

function currentUmask(): number {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
}

function lastLines(text: string, n: number): string {
  if (n <= 0) return '';
  const lines = text.split('\n');
  const trailing = lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  return lines.slice(-n).join('\n') + (trailing ? '\n' : '');
}
