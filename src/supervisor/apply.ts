/**
 * Applying an env file to an environment that is up (the effects; machines/policies/apply.ts
 * decides): the tasks the file no longer has stop and go, the changed ones restart under
 * their ids with the new definition (and the dependents that ask for it after them), the
 * new ones join the run, those of the run that ended start again; the rest keep running.
 * Every spec is built before anything is touched, so a file that cannot be applied changes
 * nothing.
 */
import { isBroken } from '../../machines/policies/environment.js';
import { definitionOf, planApply, type AppliedTask, type FileTask, type RunTask } from '../../machines/policies/apply.js';
import type { TaskRecord, TaskSpec } from '../../machines/task.types.js';
import type { EnvTaskDecl } from '../config/envfile/index.js';
import { sharedEnvs, specFromDecl } from '../config/normalize.js';
import { forgetEnded } from './forget-ended.js';
import type { SupervisorHost } from './host.js';
import { restartedRecord } from './records.js';
import { stopInOrder } from './shutdown.js';

/** The file's tasks, the part of them asked for, and the caller's environment. */
export interface EnvToApply {
  name: string;
  tasks: EnvTaskDecl[];
  part: EnvTaskDecl[];
  callerEnv?: Record<string, string>;
}

/** What applying needs of the environments' code: storing new tasks in the run, and starting stored records. */
export interface RunTasks {
  create(decls: EnvTaskDecl[]): Promise<TaskRecord[]>;
  start(records: TaskRecord[]): Promise<void>;
}

/** Applies `env` to `run`, the latest run of the environment (some of it up); says what it did to each task. */
export async function applyEnvFile(host: SupervisorHost, tasks: RunTasks, env: EnvToApply, run: TaskRecord[]): Promise<AppliedTask[]> {
  const wanted = env.part.map((t) => t.name);
  const inRun = new Map(run.map((t) => [t.name ?? '', t]));
  const asked = new Set(wanted);
  // Specs of the tasks that can be compared or started: one the file has but nobody asked for is not looked at.
  const envOf = sharedEnvs(env.callerEnv);
  const specs = new Map<string, TaskSpec>();
  for (const decl of env.tasks) if (asked.has(decl.name) || inRun.has(decl.name)) specs.set(decl.name, specFromDecl(decl, env.callerEnv, envOf));

  const current: RunTask[] = run.map((t) => ({
    name: t.name ?? '',
    definition: definitionOf(t.spec, t.dependsOn, t.background),
    ended: isBroken(t) ? t.status : null,
  }));
  const declared: FileTask[] = env.tasks
    .filter((d) => specs.has(d.name))
    .map((d) => ({ name: d.name, definition: definitionOf(specs.get(d.name)!, d.dependsOn, d.background) }));
  const applied = planApply(current, declared, wanted);
  const doing = (action: AppliedTask['action']) => new Set(applied.filter((a) => a.action === action).map((a) => a.name));
  const [stopping, restarting, starting] = [doing('stopped'), doing('restarted'), doing('started')];
  if (stopping.size + restarting.size + starting.size === 0) return applied;
  host.log('info', `applying the file of ${env.name}`, { applied: applied.filter((a) => a.action !== 'kept') });

  const removed = run.filter((t) => stopping.has(t.name ?? ''));
  await stopInOrder(removed, (r) => host.stopOne(r));
  await forgetEnded(host, removed.map((r) => host.store.task(r.id)!));

  const toRestart = run.filter((t) => restarting.has(t.name ?? ''));
  // Dependents first, as a `down` stops them; they start again after what they depend on.
  await stopInOrder(toRestart.filter((t) => host.isLive(t.id)), (r) => host.stopOne(r));
  const declOf = new Map(env.tasks.map((d) => [d.name, d]));
  const again = [...toRestart, ...run.filter((t) => starting.has(t.name ?? ''))].map((t) => {
    const decl = declOf.get(t.name ?? '')!;
    const record: TaskRecord = {
      ...restartedRecord(host.store.task(t.id)!),
      spec: specs.get(decl.name)!,
      dependsOn: decl.dependsOn,
      background: decl.background,
      status: decl.dependsOn.length > 0 ? 'waiting' : 'starting',
    };
    host.store.put(record);
    return record;
  });
  const added = await tasks.create(env.part.filter((d) => starting.has(d.name) && !inRun.has(d.name)));
  // Every record is stored before any actor starts: a dependent waits for its dependency's new run, not its stopped one.
  await tasks.start([...again, ...added]);
  return applied;
}
