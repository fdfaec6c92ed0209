/**
 * Replicas: N copies of one task of an environment, `api.1` … `api.N`, each told its number
 * (CORRAL_REPLICA). Pure decisions on names and numbers: what a `scale NAME=N` argument
 * says, which copies a scale stops, starts again or adds, and how a dependency on the
 * whole group is judged (every copy has to meet the condition).
 */
import { judgeEdge, type DependencyEdge, type DependencyState, type EdgeVerdict } from './dependencies.js';

export const MAX_REPLICAS = 1000;

/** The variable each copy finds its number in (1 … N). */
export const REPLICA_VARIABLE = 'CORRAL_REPLICA';

export const REPLICAS_RULE = `replicas is a whole number from 0 to ${MAX_REPLICAS}`;

/** Which copy a task is: `{of: "api", index: 2}` is `api.2`. */
export interface ReplicaOf {
  of: string;
  index: number;
}

export const replicaName = (base: string, index: number): string => `${base}.${index}`;

/** `api.1` … `api.N`. */
export const replicaNames = (base: string, count: number): string[] => Array.from({ length: count }, (_, i) => replicaName(base, i + 1));

/** `api.2` → `{of: "api", index: 2}`; null for a name that is not one of a copy. */
export function parseReplicaName(name: string): ReplicaOf | null {
  const m = /^(.+)\.([1-9]\d*)$/.exec(name);
  return m ? { of: m[1]!, index: Number(m[2]) } : null;
}

/** Why `value` cannot be a count of replicas, or null when it can. */
export function replicasProblem(value: unknown): string | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_REPLICAS ? null : REPLICAS_RULE;
}

export class ScaleArgumentError extends Error {}

export interface ScaleRequest {
  name: string;
  count: number;
}

/** `["api=3", "web=2"]` → requests; one sentence naming the argument at fault otherwise. */
export function parseScaleArguments(args: readonly string[]): ScaleRequest[] {
  if (args.length === 0) throw new ScaleArgumentError('scale needs at least one NAME=N (api=3)');
  const seen = new Set<string>();
  return args.map((arg) => {
    const m = /^([^=\s]+)=(.*)$/.exec(arg);
    if (!m) throw new ScaleArgumentError(`"${arg}" is not NAME=N (api=3)`);
    const [, name, count] = m as unknown as [string, string, string];
    if (!/^\d+$/.test(count) || Number(count) > MAX_REPLICAS) throw new ScaleArgumentError(`"${arg}": ${REPLICAS_RULE}`);
    if (seen.has(name)) throw new ScaleArgumentError(`"${name}" is scaled twice`);
    seen.add(name);
    return { name, count: Number(count) };
  });
}

/** One existing copy, as a scale sees it. */
export interface ReplicaSlot {
  index: number;
  /** Its process runs (or is about to): not finished. */
  live: boolean;
  /** A scale down took it out of the group. */
  scaledDown: boolean;
}

export interface ScalePlan {
  /** Copies above the count that still run, highest number first. */
  stop: number[];
  /** Copies above the count that leave the group (the running ones, and the finished ones not out yet). */
  retire: number[];
  /** Copies within the count that finished (or were scaled down): they start again. */
  revive: number[];
  /** Numbers within the count that have no copy yet. */
  create: number[];
}

/** What `scale NAME=count` does to a group whose copies are `slots`. */
export function planScale(slots: readonly ReplicaSlot[], count: number): ScalePlan {
  const byIndex = new Map(slots.map((s) => [s.index, s]));
  const above = slots.filter((s) => s.index > count).sort((a, b) => b.index - a.index);
  const plan: ScalePlan = {
    stop: above.filter((s) => s.live).map((s) => s.index),
    retire: above.filter((s) => s.live || !s.scaledDown).map((s) => s.index),
    revive: [],
    create: [],
  };
  for (let index = 1; index <= count; index++) {
    const slot = byIndex.get(index);
    if (!slot) plan.create.push(index);
    else if (!slot.live) plan.revive.push(index);
  }
  return plan;
}

/**
 * A dependency on a group: met once every copy meets it; never met once one copy never will
 * (its reason names that copy). A group scaled down to nothing is nothing to wait for.
 */
export function judgeGroupEdge(edge: DependencyEdge, copies: readonly { name: string; state: DependencyState }[]): EdgeVerdict {
  let pending = false;
  for (const copy of copies) {
    const verdict = judgeEdge({ ...edge, on: copy.name }, copy.state);
    if (verdict.met) continue;
    if (verdict.never) return verdict;
    pending = true;
  }
  return pending ? { met: false, never: false } : { met: true };
}

/** The refusal of a command that needs one task, given the name of a group. */
export function oneTaskRefusal(base: string, names: readonly string[]): string {
  return `"${base}" has ${names.length} replica${names.length === 1 ? '' : 's'} (${names.join(', ')}): name one of them`;
}

export type GroupLookup<T> = { copies: T[] } | { ambiguous: string[] } | { missing: true };

/**
 * The copies a group name (`api`, `dev/api`) refers to: those of the latest run of the
 * environment that has the group. A bare name that groups in several environments is
 * ambiguous, as a bare task name is (see names.ts). `tasks` are in the order they were created.
 */
export function lookUpGroup<T extends { name: string | null; env: string | null; envRun?: number; replica?: ReplicaOf }>(tasks: readonly T[], ref: string): GroupLookup<T> {
  const slash = ref.indexOf('/');
  const env = slash < 0 ? undefined : ref.slice(0, slash);
  const base = slash < 0 ? ref : ref.slice(slash + 1);
  const byEnv = new Map<string, { run: number; copies: T[] }>();
  for (const t of tasks) {
    if (t.replica?.of !== base || t.env === null || (env !== undefined && t.env !== env)) continue;
    const run = t.envRun ?? 0;
    const seen = byEnv.get(t.env);
    if (!seen || run > seen.run) byEnv.set(t.env, { run, copies: [t] });
    else if (run === seen.run) seen.copies.push(t);
  }
  if (byEnv.size === 0) return { missing: true };
  if (byEnv.size > 1) return { ambiguous: [...byEnv.keys()].map((e) => `${e}/${base}`) };
  const { copies } = [...byEnv.values()][0]!;
  return { copies: copies.sort((a, b) => a.replica!.index - b.replica!.index) };
}
