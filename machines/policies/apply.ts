/**
 * Applying a (possibly changed) env file to an environment that is up, as compose's `up`
 * does on a changed compose file: what each task's definition is, what changed in it, and
 * what to do with each task — restart the changed ones, start the added ones (and those of
 * the run that ended), stop the ones the file no longer has, keep the rest. Pure: names,
 * definitions and statuses only; the effects are src/supervisor/apply.ts.
 */
import type { DependencyEdge } from './dependencies.js';
import type { TaskSpec } from '../task.types.js';

/**
 * A task's definition, normalised, by the env-file key each part comes from: two tasks with
 * equal definitions run the same way. `env` is only what the file sets (the caller's own
 * environment under it is not the file's, and changes from one shell to the next).
 */
export interface TaskDefinition {
  command: string;
  cwd: string;
  env: Record<string, string>;
  background: boolean;
  depends_on: DependencyEdge[];
  health: unknown;
  restart: unknown;
  stop: unknown;
  output: unknown;
  nice: unknown;
  ionice: unknown;
  limits: unknown;
  monitor: unknown;
  logs: unknown;
  color: unknown;
  watch: unknown;
  stdin: unknown;
  schedule: unknown;
}

export type DefinitionKey = keyof TaskDefinition;

/** The definition of a task from its spec and edges: the same whether it comes from a stored record or from the file. */
export function definitionOf(spec: TaskSpec, dependsOn: DependencyEdge[], background: boolean): TaskDefinition {
  const env: Record<string, string> = {};
  for (const name of [...(spec.envSet ?? [])].sort()) if (spec.env[name] !== undefined) env[name] = spec.env[name]!;
  return {
    command: spec.command,
    cwd: spec.cwd,
    env,
    background,
    depends_on: dependsOn,
    health: spec.health,
    restart: spec.restart,
    stop: { signal: spec.stopSignal, graceMs: spec.graceMs, command: spec.stopCommand },
    output: spec.output,
    nice: spec.nice,
    ionice: spec.ionice,
    limits: spec.limits,
    monitor: spec.alertOn,
    logs: spec.logMaxBytes ?? null,
    color: spec.color ?? false,
    watch: spec.watch ?? null,
    stdin: spec.stdin ?? null,
    schedule: spec.schedule ?? null,
  };
}

/** JSON with the keys of every object sorted, and absent and undefined alike: equal text, equal value. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** The keys whose values differ between two definitions, in the order of TaskDefinition. */
export function changedKeys(before: TaskDefinition, after: TaskDefinition): DefinitionKey[] {
  return (Object.keys(after) as DefinitionKey[]).filter((key) => canonical(before[key]) !== canonical(after[key]));
}

/** A task of the environment's latest run, as it is. */
export interface RunTask {
  name: string;
  definition: TaskDefinition;
  /** Its status (`running`, `killed`, …) when it ended for good (a service that stopped, a step that failed); null otherwise. */
  ended: string | null;
}

/** A task as the file declares it. */
export interface FileTask {
  name: string;
  definition: TaskDefinition;
}

export type ApplyAction = 'restarted' | 'started' | 'stopped' | 'kept';

/** What applying the file did to one task, and why. */
export interface AppliedTask {
  name: string;
  action: ApplyAction;
  why: string;
  /** The keys of its definition that changed (restarted for a change); empty otherwise. */
  changed: string[];
}

/**
 * What applying `declared` (the file's tasks, in file order) does to the run `current`, for
 * the part `wanted` (the names asked for, with their dependencies):
 * - a task of the run the file no longer has is stopped;
 * - a wanted task the run lacks is started; one of the run that ended starts again;
 * - a wanted task whose definition changed is restarted with the new one;
 * - a task that depends on a restarted one with `restart: true` on that edge is restarted
 *   after it (and so on down), as compose's `depends_on: {db: {restart: true}}`;
 * - every other wanted task is kept, with its process. Tasks of the run outside the part
 *   are left alone and not reported.
 * The result is in file order, the stopped ones last.
 */
export function planApply(current: RunTask[], declared: FileTask[], wanted: string[]): AppliedTask[] {
  const inRun = new Map(current.map((t) => [t.name, t]));
  const inFile = new Map(declared.map((t) => [t.name, t]));
  const asked = new Set(wanted);
  const plan = new Map<string, AppliedTask>();
  for (const decl of declared) {
    const now = inRun.get(decl.name);
    if (!asked.has(decl.name)) continue;
    if (!now) {
      plan.set(decl.name, { name: decl.name, action: 'started', why: 'not in the environment yet', changed: [] });
      continue;
    }
    const changed = changedKeys(now.definition, decl.definition);
    if (changed.length > 0) plan.set(decl.name, { name: decl.name, action: 'restarted', why: `its ${changed.join(', ')} changed`, changed });
    else if (now.ended !== null) plan.set(decl.name, { name: decl.name, action: 'started', why: `it had ended (${now.ended})`, changed: [] });
  }
  cascade(declared, inRun, plan);
  for (const name of wanted) {
    if (inRun.has(name) && inFile.has(name) && !plan.has(name)) plan.set(name, { name, action: 'kept', why: 'unchanged', changed: [] });
  }
  const stopped: AppliedTask[] = current
    .filter((t) => !inFile.has(t.name) && t.ended === null)
    .map((t) => ({ name: t.name, action: 'stopped', why: 'no longer in the file', changed: [] }));
  const ordered = declared.map((d) => plan.get(d.name)).filter((a): a is AppliedTask => a !== undefined);
  return [...ordered, ...stopped];
}

/**
 * Adds the dependents that ask for it (`restart: true` on their edge to a restarted task):
 * a task of the run that the file still has, running or done (a step that succeeded), not
 * already restarted or started. Repeated until nothing is added, so a chain of such edges restarts whole.
 */
function cascade(declared: FileTask[], inRun: Map<string, RunTask>, plan: Map<string, AppliedTask>): void {
  const restarted = (name: string) => plan.get(name)?.action === 'restarted';
  for (let grew = true; grew; ) {
    grew = false;
    for (const decl of declared) {
      const now = inRun.get(decl.name);
      if (!now || now.ended !== null || plan.has(decl.name)) continue;
      const edge = decl.definition.depends_on.find((e) => e.restart === true && restarted(e.on));
      if (!edge) continue;
      plan.set(decl.name, { name: decl.name, action: 'restarted', why: `it depends on ${edge.on} (restart: true), which restarted`, changed: [] });
      grew = true;
    }
  }
}

/** One line for a person: `api restarted: its command changed`. */
export function appliedText(a: AppliedTask): string {
  return `${a.name} ${a.action}${a.action === 'kept' ? '' : `: ${a.why}`}`;
}
