/**
 * Environments: bringing one up (in dependency order, through the actors), waiting until
 * it is ready, and taking it down in reverse order. Each bringing-up is a run; an
 * environment is judged, listed and stopped by its latest run, and a new run removes
 * the ended tasks of the runs before the last few.
 */
import { DEFAULTS } from '../../machines/defaults.js';
import { culpritOf, isSameEnvironment, judgeEnvironment, latestRunOf, nextEnvRun, outdatedRunTasks } from '../../machines/policies/environment.js';
import { isFinal, type TaskRecord, type TaskSpec } from '../../machines/task.types.js';
import type { EnvReport, OrchestrateInput, OrchestrateResult, TaskView } from '../api.js';
import { normalizeStop, normalizeTimeout } from '../config/control.js';
import type { EnvTaskDecl } from '../config/envfile/index.js';
import { sharedEnvs, specFromDecl } from '../config/normalize.js';
import { normalizeOrchestrate } from '../config/orchestrate.js';
import { failure, notFound, see } from '../errors.js';
import { taskLogDir } from '../home.js';
import { lastLines } from '../logs/last-lines.js';
import { projectFinder } from '../project.js';
import { removedText } from '../text.js';
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

  async orchestrate(input: OrchestrateInput): Promise<OrchestrateResult> {
    const { host } = this;
    const env = await normalizeOrchestrate(input);
    const live = host.store.tasks().filter((t) => t.env === env.name && !isFinal(t.status));
    if (live.length > 0) {
      // The same environment, already up: nothing to start, as with compose. One that
      // differs, or is half down, has to go first.
      const current = this.tasksOf(env.name);
      if (isSameEnvironment(current, env.tasks)) {
        host.log('info', `${env.name} is already up`);
        return { tasks: current.map((r) => host.view(r)), removedFromOlderRuns: 0 };
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
    const envRun = nextEnvRun(host.store.tasks(), env.name);
    const projectOf = projectFinder();
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
      project: projectOf(spec.cwd),
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
    const tasks = created.map((r) => host.view(host.store.task(r.id)!));
    return { tasks, removedFromOlderRuns: await this.removeOutdatedRuns(env.name, envRun) };
  }

  /**
   * Every up/down is a run: the ended tasks of runs before the last few go as a new one
   * starts (after it started, so they never delay it). A task whose tree left processes
   * behind stays, so that `kill` can still reach them.
   */
  private async removeOutdatedRuns(env: string, newRun: number): Promise<number> {
    const { host } = this;
    const outdated = outdatedRunTasks(host.store.tasks(), env, newRun, DEFAULTS.envRunsKept, (id) => host.isLive(id));
    if (outdated.length === 0) return 0;
    const leftovers = new Set(host.withLeftovers(outdated).map((t) => t.id));
    const removed = outdated.filter((t) => !leftovers.has(t.id));
    for (const record of removed) host.forget(record);
    await host.store.flush();
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

  async down(env: string, options: { signal?: string; grace?: string | number } = {}): Promise<TaskView[]> {
    const records = this.existing(env);
    const { signal, graceMs } = normalizeStop(options);
    this.host.log('info', `stopping environment ${env}`);
    return stopInOrder(records, (r) => this.host.stopOne(r, signal, graceMs));
  }
}
