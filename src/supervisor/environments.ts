/**
 * Environments: bringing one up (in dependency order, through the actors), waiting until
 * it is ready, and taking it down in reverse order. Each bringing-up is a run; an
 * environment is judged, listed and stopped by its latest run.
 */
import { DEFAULTS } from '../../machines/defaults.js';
import { culpritOf, isSameEnvironment, judgeEnvironment, latestRunOf, nextEnvRun } from '../../machines/policies/environment.js';
import { isFinal, type TaskRecord, type TaskSpec } from '../../machines/task.types.js';
import type { EnvReport, OrchestrateInput, TaskView } from '../api.js';
import { normalizeStop, normalizeTimeout } from '../config/control.js';
import type { EnvTaskDecl } from '../config/envfile/index.js';
import { sharedEnvs, specFromDecl } from '../config/normalize.js';
import { normalizeOrchestrate } from '../config/orchestrate.js';
import { failure, notFound, see, usageError } from '../errors.js';
import { taskLogDir } from '../home.js';
import { lastLines } from '../logs/last-lines.js';
import { freshRun } from './records.js';
import type { SupervisorHost } from './host.js';
import { stopInOrder } from './shutdown.js';
import { Slices } from './slices.js';

export class Environments {
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

  async orchestrate(input: OrchestrateInput): Promise<TaskView[]> {
    const { host } = this;
    const env = await normalizeOrchestrate(input);
    const live = host.store.tasks().filter((t) => t.env === env.name && !isFinal(t.status));
    if (live.length > 0) {
      // The same environment, already up: nothing to start, as with compose. One that
      // differs, or is half down, has to go first.
      const current = this.tasksOf(env.name);
      if (isSameEnvironment(current, env.tasks)) {
        host.log('info', `${env.name} is already up`);
        return current.map((r) => host.view(r));
      }
      const states = live.map((t) => `${t.name} ${t.status}`).join(', ');
      throw failure(`environment ${env.name} is already up (${states}) and differs from this one, or is partly down: ${see('down', env.name)} first`);
    }
    const slices = new Slices();
    const specs: { decl: EnvTaskDecl; spec: TaskSpec }[] = [];
    const envOf = sharedEnvs(input.callerEnv);
    for (const decl of env.tasks) {
      specs.push({ decl, spec: specFromDecl(decl, input.callerEnv, envOf) });
      await slices.next();
    }
    const holders = new Map(host.store.tasks().filter((t) => t.name !== null && !isFinal(t.status)).map((t) => [t.name, t]));
    for (const { decl } of specs) {
      const holder = holders.get(decl.name);
      if (holder) throw usageError(`task name "${decl.name}" is taken by ${holder.id}, which is ${holder.status}`);
    }
    const envRun = nextEnvRun(host.store.tasks(), env.name);
    const created: TaskRecord[] = specs.map(({ decl, spec }) => ({
      id: host.store.allocateId(),
      name: decl.name,
      env: env.name,
      envRun,
      spec,
      dependsOn: decl.dependsOn,
      background: decl.background,
      status: decl.dependsOn.length > 0 ? 'waiting' : 'starting',
      ...freshRun(host.clock.now()),
    }));
    for (const record of created) host.store.put(record);
    await host.store.flush();
    host.log('info', `orchestrating ${env.name}`, { tasks: created.map((r) => r.id), file: env.file });
    for (const record of created) {
      const waits = record.dependsOn.length > 0;
      const queued = !waits && host.liveCount() >= host.maxConcurrent;
      if (queued) host.store.put({ ...record, status: 'queued' });
      host.startActor(record, { waitForDependencies: waits, queued });
      await slices.next();
    }
    return created.map((r) => host.view(host.store.task(r.id)!));
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
    const settled = () => {
      const { ready, broken } = judgeEnvironment(this.tasksOf(env));
      return ready || broken !== undefined;
    };
    const timedOut = await new Promise<boolean>((resolvePromise) => {
      if (settled()) return resolvePromise(false);
      let finished = false;
      const finish = (late: boolean) => {
        if (finished) return;
        finished = true;
        host.clock.clearTimeout(timer);
        stopListening();
        resolvePromise(late);
      };
      const timer = host.clock.setTimeout(() => finish(true), timeoutMs);
      // Judged once per turn of the event loop, not once per change: a look is a pass over
      // the environment, and bringing up 10,000 tasks makes tens of thousands of changes.
      let looking = false;
      const stopListening = host.onChange(() => {
        if (looking) return;
        looking = true;
        setImmediate(() => {
          looking = false;
          if (settled()) finish(false);
        });
      });
    });
    const tasks = this.tasksOf(env);
    const { ready } = judgeEnvironment(tasks);
    const blamed = culpritOf(tasks, host.maxConcurrent);
    const culprit = blamed && {
      id: blamed.task.id,
      name: blamed.task.name,
      status: blamed.task.status,
      reason: blamed.reason,
      lastLines: lastLines(taskLogDir(host.paths, blamed.task.id), 10),
    };
    return { env, ready, timedOut: timedOut && !ready, tasks: tasks.map((r) => host.view(r)), culprit };
  }

  async down(env: string, options: { signal?: string; grace?: string | number } = {}): Promise<TaskView[]> {
    const records = this.existing(env);
    const { signal, graceMs } = normalizeStop(options);
    this.host.log('info', `stopping environment ${env}`);
    return stopInOrder(records, (r) => this.host.stopOne(r, signal, graceMs));
  }
}
