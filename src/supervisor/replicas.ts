/**
 * The copies of tasks with `replicas:` (`api.1` … `api.N`): reaching them all by the name
 * they share (`kill api`, `rm api`), and `scale api=N` on a running environment. A scale
 * stops the copies above N, highest number first, and starts the missing ones: those that
 * ended start again, the numbers never used get a new task made from a sibling (the same
 * command, environment and dependencies, with their own CORRAL_REPLICA). The decisions are
 * in machines/policies/replicas.ts.
 */
import { lookUpGroup, parseScaleArguments, planScale, REPLICA_VARIABLE, replicaName, ScaleArgumentError, type ScaleRequest } from '../../machines/policies/replicas.js';
import { isFinal, type TaskRecord } from '../../machines/task.types.js';
import type { ScaleInput, ScaleResult, TaskView } from '../api.js';
import { notFound, usageError } from '../errors.js';
import type { Environments } from './environments.js';
import type { SupervisorHost } from './host.js';
import { freshRun, restartedRecord } from './records.js';

/** One target of a scale, found: the environment, the shared name and its copies as they are. */
interface Target {
  env: string;
  name: string;
  count: number;
  copies: TaskRecord[];
}

export class Replicas {
  constructor(
    private readonly host: SupervisorHost,
    private readonly environments: Environments,
  ) {}

  /** The tasks `ref` reaches when a command acts on several: every copy of a group, or the one task. */
  resolveMany(ref: string): TaskRecord[] {
    const lookup = lookUpGroup(this.host.store.tasks(), ref);
    if ('copies' in lookup) {
      // A task named so (outside any environment, or one of another file) still wins, as a bare name does.
      try {
        return [this.host.resolve(ref)];
      } catch {
        return lookup.copies;
      }
    }
    return [this.host.resolve(ref)];
  }

  async scale(input: ScaleInput): Promise<ScaleResult> {
    let requests: ScaleRequest[];
    try {
      requests = parseScaleArguments(input.targets);
    } catch (error) {
      if (error instanceof ScaleArgumentError) throw usageError(error.message);
      throw error;
    }
    // Every target is found before any is touched: one unknown name scales none.
    const targets = requests.map((r) => this.target(r, input.env));
    const result: ScaleResult = { groups: [], stopped: [], started: [] };
    for (const target of targets) {
      const { stopped, started } = await this.scaleOne(target);
      result.stopped.push(...stopped);
      result.started.push(...started);
      const copies = this.copiesNow(target);
      result.groups.push({ env: target.env, name: target.name, replicas: target.count, tasks: copies.map((r) => this.host.view(r)) });
    }
    await this.host.store.flush();
    return result;
  }

  private target(request: ScaleRequest, env: string | undefined): Target {
    const { host } = this;
    const ref = env !== undefined && !request.name.includes('/') ? `${env}/${request.name}` : request.name;
    const lookup = lookUpGroup(host.store.tasks(), ref);
    if ('ambiguous' in lookup) throw usageError(`"${request.name}" has replicas in several environments: give env/name (${lookup.ambiguous.join(', ')}) or --env`);
    if ('copies' in lookup) {
      const first = lookup.copies[0]!;
      return { env: first.env!, name: first.replica!.of, count: request.count, copies: lookup.copies };
    }
    const slash = ref.indexOf('/');
    const envName = slash < 0 ? undefined : ref.slice(0, slash);
    if (envName !== undefined && !host.store.tasks().some((t) => t.env === envName)) throw notFound(`no environment "${envName}"`);
    const plain = host.store.tasks().find((t) => t.env !== null && (envName === undefined || t.env === envName) && t.name === ref.slice(slash + 1));
    if (plain) throw usageError(`${plain.env}/${plain.name} has no replicas: set replicas: on it in the env file to scale it`);
    throw notFound(`no task "${request.name}" with replicas${envName !== undefined ? ` in environment ${envName}` : ''}`);
  }

  private copiesNow(target: Target): TaskRecord[] {
    const lookup = lookUpGroup(this.host.store.tasks(), `${target.env}/${target.name}`);
    return 'copies' in lookup ? lookup.copies : [];
  }

  private async scaleOne(target: Target): Promise<{ stopped: string[]; started: string[] }> {
    const { host } = this;
    const { copies, count } = target;
    const byIndex = new Map(copies.map((r) => [r.replica!.index, r]));
    const live = (r: TaskRecord) => host.isLive(r.id) || !isFinal(r.status);
    const plan = planScale(
      copies.map((r) => ({ index: r.replica!.index, live: live(r), scaledDown: r.replica!.scaledDown === true })),
      count,
    );
    // Out of the group first: neither its dependents nor the environment's wait count it while it stops.
    for (const index of plan.retire) {
      const record = host.store.task(byIndex.get(index)!.id)!;
      host.store.put({ ...record, replica: { of: target.name, index, scaledDown: true } });
    }
    if (plan.retire.length > 0) host.log('info', `scaling ${target.env}/${target.name} down to ${count}`, { out: plan.retire.map((i) => byIndex.get(i)!.id) });
    // Signalled highest number first, and stopped together: a hundred copies with a 5 s grace
    // each take one grace, not a hundred.
    const stopped = plan.stop.map((index) => byIndex.get(index)!.id);
    await Promise.all(stopped.map((id) => host.stopOne(host.store.task(id)!, undefined, undefined, `scaled down to ${count}`)));
    const revived = plan.revive.map((index) => {
      const record = host.store.task(byIndex.get(index)!.id)!;
      const again: TaskRecord = { ...restartedRecord(record), status: record.dependsOn.length > 0 ? 'waiting' : 'starting', replica: { of: target.name, index } };
      host.store.put(again);
      return again;
    });
    const template = copies[0];
    const created = template ? plan.create.map((index) => this.newCopy(template, target.name, index)) : [];
    for (const record of created) host.store.put(record);
    const starting = [...revived, ...created];
    if (starting.length > 0) {
      host.log('info', `scaling ${target.env}/${target.name} up to ${count}`, { again: revived.map((r) => r.id), added: created.map((r) => r.id) });
      await host.store.flush();
      await this.environments.startTasks(starting);
      // Past `starting`, as `run` answers: the pids are on disk before the caller hears the ids.
      await Promise.all(starting.map((r) => host.until(r.id, (v: TaskView) => v.status !== 'starting', 30_000)));
    }
    return { stopped, started: starting.map((r) => r.id) };
  }

  /** A new task for copy `index`, made from a sibling: same command, environment and dependencies, its own number. */
  private newCopy(sibling: TaskRecord, name: string, index: number): TaskRecord {
    const { host } = this;
    const spec = { ...sibling.spec, env: { ...sibling.spec.env, [REPLICA_VARIABLE]: String(index) } };
    return {
      id: host.store.allocateId(),
      name: replicaName(name, index),
      env: sibling.env,
      ...(sibling.envRun !== undefined ? { envRun: sibling.envRun } : {}),
      ...(sibling.envFile !== undefined ? { envFile: sibling.envFile } : {}),
      spec,
      dependsOn: sibling.dependsOn,
      background: sibling.background,
      status: sibling.dependsOn.length > 0 ? 'waiting' : 'starting',
      ...freshRun(host.clock.now()),
      ...(sibling.project !== undefined ? { project: sibling.project } : {}),
      replica: { of: name, index },
    };
  }
}
