/**
 * Environments: bringing one up (in dependency order, through the actors), applying its
 * file again once it is up, waiting until it is ready, and taking it down in reverse
 * order. Each bringing-up is a run; an environment is judged, listed and stopped by its latest run, and a new run removes
 * the ended tasks of the runs before the last few.
 */
import { DEFAULTS } from '../../machines/defaults.js';
import { culpritOf, judgeEnvironment, latestRunOf, nextEnvRun, outdatedRunTasks } from '../../machines/policies/environment.js';
import { checkNames, dependentsInOrder, selectPart, SelectionError } from '../../machines/policies/selection.js';
import { isFinal, type TaskRecord, type TaskSpec } from '../../machines/task.types.js';
import type { DownOptions, EnvReport, OrchestrateInput, OrchestrateResult, TaskView } from '../api.js';
import { normalizeStop, normalizeTimeout } from '../config/control.js';
import type { EnvSpec, EnvTaskDecl } from '../config/envfile/index.js';
import { sharedEnvs, specFromDecl } from '../config/normalize.js';
import { normalizeOrchestrate } from '../config/orchestrate.js';
import { withReplicas } from '../config/replicas.js';
import { notFound, usageError } from '../errors.js';
import { taskLogDir } from '../home.js';
import { lastLines } from '../logs/last-lines.js';
import { projectFinder } from '../project.js';
import { removedText } from '../text.js';
import { applyEnvFile } from './apply.js';
import { forgetEnded } from './forget-ended.js';
import { freshRun } from './records.js';
import type { SupervisorHost } from './host.js';
import { stopInOrder } from './shutdown.js';
import { Slices } from './slices.js';
import { Turns } from './turns.js';

export class Environments {
  /** Two bringing-ups (or applies) of one environment take turns. */
  private readonly turns = new Turns();

  constructor(private readonly host: SupervisorHost) {}

  tasksOf(env: string): TaskRecord[] {
    return latestRunOf(this.host.store.tasks(), env, (id) => this.host.isLive(id));
  }

  /** The latest run's tasks; a `not-found` error when the environment has none. */
  private existing(env: string): TaskRecord[] {
    const tasks = this.tasksOf(env);
    if (tasks.length === 0) throw notFound(`no environment "${env}"`);
    return tasks;
  }

  async list(env: string): Promise<TaskView[]> {
    return this.existing(env).map((r) => this.host.view(r));
  }

  async orchestrate(input: OrchestrateInput): Promise<OrchestrateResult> {
    const { host } = this;
    const env = { ...withReplicas(selectedPart(await normalizeOrchestrate(input), input.only ?? [], input.profiles ?? [])), ...(input.callerEnv ? { callerEnv: input.callerEnv } : {}) };
    return this.turns.take(env.name, async () => {
      const live = host.store.tasks().filter((t) => t.env === env.name && !isFinal(t.status));
      if (live.length > 0) return this.apply(env);
      const envRun = nextEnvRun(host.store.tasks(), env.name);
      const created = await this.createTasks(env.name, envRun, env.part, input.callerEnv, env.file);
      host.log('info', `orchestrating ${env.name}`, { tasks: created.map((r) => r.id), file: env.file });
      await this.startTasks(created);
      const tasks = created.map((r) => host.view(host.store.task(r.id)!));
      return { tasks, removedFromOlderRuns: await this.removeOutdatedRuns(env.name, envRun) };
    });
  }

  /** The environment is up (or partly): the file is applied to its run (see supervisor/apply.ts), as compose's `up` does. */
  private async apply(env: SelectedEnv): Promise<OrchestrateResult> {
    const { host } = this;
    const current = this.tasksOf(env.name);
    const run = current[0]!.envRun ?? 0;
    const applied = await applyEnvFile(host, { create: (decls) => this.createTasks(env.name, run, decls, env.callerEnv, env.file), start: (records) => this.startTasks(records) }, env, current);
    const wanted = new Set(env.part.map((t) => t.name));
    const tasks = this.tasksOf(env.name).filter((t) => wanted.has(t.name ?? '')).map((r) => host.view(r));
    return { tasks, removedFromOlderRuns: 0, applied };
  }

  /** Records for `decls` in run `envRun` of `env`, stored (not started yet). */
  private async createTasks(env: string, envRun: number, decls: EnvTaskDecl[], callerEnv: Record<string, string> | undefined, envFile: string | null): Promise<TaskRecord[]> {
    const { host } = this;
    const slices = new Slices();
    const specs: { decl: EnvTaskDecl; spec: TaskSpec }[] = [];
    const envOf = sharedEnvs(callerEnv);
    for (const decl of decls) {
      specs.push({ decl, spec: specFromDecl(decl, callerEnv, envOf) });
      await slices.next();
    }
    const projectOf = projectFinder();
    const created: TaskRecord[] = specs.map(({ decl, spec }) => ({
      id: host.store.allocateId(),
      name: decl.name,
      env,
      envRun,
      ...(envFile ? { envFile } : {}),
      spec,
      dependsOn: decl.dependsOn,
      background: decl.background,
      status: decl.dependsOn.length > 0 ? 'waiting' : 'starting',
      ...freshRun(host.clock.now()),
      project: projectOf(spec.cwd),
      ...(decl.replica ? { replica: decl.replica } : {}),
    }));
    for (const record of created) host.store.put(record);
    await host.store.flush();
    return created;
  }

  /** Starts the actors of stored records: those with dependencies wait for them. */
  async startTasks(records: TaskRecord[]): Promise<void> {
    const { host } = this;
    const slices = new Slices();
    for (const record of records) {
      const waits = record.dependsOn.length > 0;
      const queued = !waits && host.liveCount() >= host.maxConcurrent;
      if (queued) host.store.put({ ...record, status: 'queued' });
      host.startActor(record, { waitForDependencies: waits, queued });
      await slices.next();
    }
  }

  /**
   * Every up/down is a run: the ended tasks of runs before the last few go as a new one
   * starts (after it started, so they never delay it). A task whose tree left processes
   * behind stays, so that `kill` can still reach them.
   */
  private async removeOutdatedRuns(env: string, newRun: number): Promise<number> {
    const { host } = this;
    const outdated = outdatedRunTasks(host.store.tasks(), env, newRun, DEFAULTS.envRunsKept, (id) => host.isLive(id));
    const removed = await forgetEnded(host, outdated);
    if (removed.length > 0) host.log('info', removedText(removed.length, env), { tasks: removed.map((t) => t.id) });
    return removed.length;
  }

  /**
   * Waits until every background task of the environment is healthy (or running, without
   * a check) and every one-shot step succeeded; returns early, with the culprit, when a
   * task fails for good.
   */
  async wait(env: string, timeout?: string | number): Promise<EnvReport> {
    const { host } = this;
    const timeoutMs = normalizeTimeout(timeout, DEFAULTS.waitTimeoutMs);
    if (!host.store.tasks().some((t) => t.env === env)) throw notFound(`no environment "${env}"`);
    const timedOut = await new Promise<boolean>((resolvePromise) => {
      let finished = false;
      let again: unknown = null;
      let deadline: unknown = null;
      let stopListening = () => {};
      const finish = (late: boolean) => {
        finished = true;
        for (const t of [deadline, again]) if (t !== null) host.clock.clearTimeout(t);
        stopListening();
        resolvePromise(late);
      };
      const judge = () => {
        if (finished) return;
        const now = host.clock.now();
        const { ready, broken, judgeAgainAt } = judgeEnvironment(this.tasksOf(env), now);
        if (ready || broken !== undefined) return finish(false);
        // A service without a check becomes ready by time alone, with no change to hear of.
        if (judgeAgainAt !== null && again === null) {
          again = host.clock.setTimeout(() => {
            again = null;
            judge();
          }, judgeAgainAt - now);
        }
      };
      judge();
      if (finished) return;
      deadline = host.clock.setTimeout(() => finish(true), timeoutMs);
      // Judged once per turn of the event loop, not once per change: a look is a pass over
      // the environment, and bringing up 10,000 tasks makes tens of thousands of changes.
      let looking = false;
      stopListening = host.onChange(() => {
        if (looking) return;
        looking = true;
        setImmediate(() => {
          looking = false;
          judge();
        });
      });
    });
    const tasks = this.tasksOf(env);
    const now = host.clock.now();
    const { ready } = judgeEnvironment(tasks, now);
    const blamed = culpritOf(tasks, host.maxConcurrent, now);
    const culprit = blamed && {
      id: blamed.task.id,
      name: blamed.task.name,
      status: blamed.task.status,
      reason: blamed.reason,
      lastLines: lastLines(taskLogDir(host.paths, blamed.task.id), 10),
    };
    return { env, ready, timedOut: timedOut && !ready, tasks: tasks.map((r) => host.view(r)), culprit };
  }

  async down(env: string, options: DownOptions = {}): Promise<TaskView[]> {
    const all = this.existing(env);
    const { signal, graceMs } = normalizeStop(options);
    const records = options.tasks && options.tasks.length > 0 ? partToStop(all, options.tasks, env) : all;
    this.host.log('info', options.tasks?.length ? `stopping ${records.map((r) => r.name).join(', ')} of ${env}` : `stopping environment ${env}`);
    return stopInOrder(records, (r) => this.host.stopOne(r, signal, graceMs));
  }
}

/** An env file's tasks, and the part of them asked for. */
interface SelectedEnv extends EnvSpec {
  part: EnvTaskDecl[];
  callerEnv?: Record<string, string>;
}

/** The part of `env` that `only` and `profiles` pick (every task without profiles when neither is given). */
function selectedPart(env: EnvSpec, only: string[], profiles: string[]): SelectedEnv {
  const names = asked(() =>
    selectPart(
      env.tasks.map((t) => ({ name: t.name, dependsOn: t.dependsOn.map((e) => e.on), profiles: t.profiles })),
      only,
      profiles,
      env.file ?? env.name,
    ),
  );
  const picked = new Set(names);
  return { ...env, part: env.tasks.filter((t) => picked.has(t.name)) };
}

/** `down ENV api`: api and every task of the run that depends on it. */
function partToStop(run: TaskRecord[], names: string[], env: string): TaskRecord[] {
  // The copies of a task with replicas are one node of the graph, under the name they share.
  const nameOf = (t: TaskRecord) => t.replica?.of ?? t.name;
  const graph = [...new Map(run.filter((t) => t.name !== null).map((t) => [nameOf(t)!, { name: nameOf(t)!, dependsOn: t.dependsOn.map((e) => e.on), profiles: [] }])).values()];
  asked(() => checkNames(graph, names, env));
  const stopping = new Set(names.flatMap((n) => [n, ...dependentsInOrder(graph, n)]));
  return run.filter((t) => stopping.has(nameOf(t) ?? ''));
}

/** A selection's refusal as the error of its kind: an unknown task is not found (exit 3), an unknown profile bad input (2). */
function asked<T>(select: () => T): T {
  try {
    return select();
  } catch (error) {
    if (error instanceof SelectionError) throw error.kind === 'task' ? notFound(error.message) : usageError(error.message);
    throw error;
  }
}
