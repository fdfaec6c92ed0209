/**
 * Dependency graphs of an environment: validation (unknown tasks, cycles, `healthy` on
 * a task without a check) and whether a condition is met or can never be met. Pure:
 * works on names and statuses only.
 */
import { DEFAULTS } from '../defaults.js';
import { isFinal, type TaskRecord, type TaskStatus } from '../task.types.js';

export type DependencyCondition = 'started' | 'healthy' | 'completed' | 'succeeded';
export const DEPENDENCY_CONDITIONS: readonly DependencyCondition[] = ['started', 'healthy', 'completed', 'succeeded'];
export const isDependencyCondition = (value: string): value is DependencyCondition => (DEPENDENCY_CONDITIONS as readonly string[]).includes(value);

export interface DependencyEdge {
  /** The task depended on. */
  on: string;
  condition: DependencyCondition;
  timeoutMs: number;
  /** `restart: true`: when an applied env file restarts the task depended on, this one restarts after it (compose's meaning). */
  restart?: boolean;
}

export interface GraphNode {
  name: string;
  dependsOn: DependencyEdge[];
  hasHealthCheck: boolean;
}

/** A dependency as written, in an env file or inline: a name, with a condition and a timeout when given. */
export interface DeclaredEdge {
  on: string;
  condition?: DependencyCondition | undefined;
  timeoutMs?: number | undefined;
  restart?: boolean | undefined;
}

/** What the condition a bare name means depends on. */
export interface EdgeTarget {
  background: boolean;
  hasHealthCheck: boolean;
}

/**
 * The edges of a task, the same whoever wrote them: a bare name means "succeeded" of a
 * one-shot step, "healthy" of a task with a health check, "started" of any other (or of
 * a name that is no task, which the graph's check then refuses).
 */
export function edgesOf(declared: DeclaredEdge[], targetOf: (name: string) => EdgeTarget | undefined): DependencyEdge[] {
  return declared.map((d) => ({
    on: d.on,
    condition: d.condition ?? defaultCondition(targetOf(d.on)),
    timeoutMs: d.timeoutMs ?? DEFAULTS.dependencyTimeoutMs,
    ...(d.restart ? { restart: true } : {}),
  }));
}

function defaultCondition(target: EdgeTarget | undefined): DependencyCondition {
  if (target?.background === false) return 'succeeded';
  return target?.hasHealthCheck ? 'healthy' : 'started';
}

interface GraphProblem {
  /** The task whose declaration is at fault, and the dependency (if one) it names. */
  task: string;
  on?: string;
  message: string;
}

/**
 * The problems of the graph, in declaration order, at most `limit` of them (a caller that
 * reports only the first need not pay for a "did you mean" on each of thousands of edges);
 * empty when it is sound. `known` says what a dependency must be (`a task of this file`).
 */
export function validateGraph(nodes: GraphNode[], limit = Infinity, known = 'a task of this file'): GraphProblem[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const problems: GraphProblem[] = [];
  for (const node of nodes) {
    for (const edge of node.dependsOn) {
      if (problems.length >= limit) return problems;
      const target = byName.get(edge.on);
      if (!target) {
        problems.push({ task: node.name, on: edge.on, message: `depends on "${edge.on}", which is not ${known}${suggestion(edge.on, [...byName.keys()].filter((n) => n !== node.name))}` });
      } else if (edge.on === node.name) {
        problems.push({ task: node.name, on: edge.on, message: `depends on itself` });
      } else if (edge.condition === 'healthy' && !target.hasHealthCheck) {
        problems.push({ task: node.name, on: edge.on, message: `waits for "${edge.on}" to be healthy, but ${edge.on} has no health check: add one, or use "started"` });
      }
    }
  }
  if (problems.length === 0 && limit > 0) {
    const cycle = findCycle(nodes);
    if (cycle) problems.push({ task: cycle[0]!, on: cycle[1]!, message: `dependency cycle${describeCycle(cycle)}` });
  }
  return problems;
}

/** Cycles longer than this are told by their ends: a message of 20,000 names helps nobody. */
const CYCLE_SHOWN = 12;

/** `: a -> b -> a`, or for a huge cycle ` of 20000 tasks: t0 -> t1 -> … -> t19999 -> t0`. */
export function describeCycle(cycle: string[]): string {
  const tasks = cycle.length - 1;
  if (tasks <= CYCLE_SHOWN) return `: ${cycle.join(' -> ')}`;
  return ` of ${tasks} tasks: ${[...cycle.slice(0, CYCLE_SHOWN - 2), '…', ...cycle.slice(-2)].join(' -> ')}`;
}

/**
 * A cycle as a path that ends where it starts (`api -> web -> api`), or null. A depth-first
 * walk with its own stack, not recursion: a chain of 20,000 tasks is as deep as it is long.
 */
export function findCycle(nodes: GraphNode[]): string[] | null {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  // The walk's path, each task with the index of the next edge to follow from it.
  const path: string[] = [];
  const next: number[] = [];
  const onPath = new Map<string, number>();
  for (const root of nodes) {
    if (state.has(root.name)) continue;
    state.set(root.name, 'visiting');
    onPath.set(root.name, 0);
    path.push(root.name);
    next.push(0);
    while (path.length > 0) {
      const top = path.length - 1;
      const edges = byName.get(path[top]!)!.dependsOn;
      const edge = edges[next[top]!];
      if (edge === undefined) {
        state.set(path[top]!, 'done');
        onPath.delete(path.pop()!);
        next.pop();
        continue;
      }
      next[top] = next[top]! + 1;
      if (!byName.has(edge.on)) continue;
      const seen = state.get(edge.on);
      if (seen === 'visiting') return [...path.slice(onPath.get(edge.on)!), edge.on];
      if (seen === 'done') continue;
      state.set(edge.on, 'visiting');
      onPath.set(edge.on, path.length);
      path.push(edge.on);
      next.push(0);
    }
  }
  return null;
}

/** What a dependency looks like to its dependent. */
export interface DependencyState {
  status: TaskStatus;
  health: 'unknown' | 'healthy' | 'unhealthy' | null;
  reason: string | null;
  /** True once the process was spawned at least once. */
  everStarted: boolean;
}

/** A task as its dependents see it. */
export const dependencyStateOf = (t: TaskRecord): DependencyState => ({
  status: t.status,
  health: t.health?.status ?? null,
  reason: t.reason,
  everStarted: t.startedAt !== null,
});

export type EdgeVerdict = { met: true } | { met: false; never: false } | { met: false; never: true; reason: string };

export function judgeEdge(edge: DependencyEdge, dep: DependencyState): EdgeVerdict {
  const final = isFinal(dep.status);
  const ended = `dependency ${edge.on} ${dep.status}${dep.reason ? `: ${dep.reason}` : ''}`;
  switch (edge.condition) {
    case 'started':
      if (dep.everStarted) return { met: true };
      return final ? { met: false, never: true, reason: ended } : { met: false, never: false };
    case 'healthy':
      if (dep.health === 'healthy' && !final) return { met: true };
      return final ? { met: false, never: true, reason: ended } : { met: false, never: false };
    case 'completed':
      return final && dep.everStarted ? { met: true } : final ? { met: false, never: true, reason: ended } : { met: false, never: false };
    case 'succeeded':
      if (dep.status === 'completed') return { met: true };
      return final ? { met: false, never: true, reason: ended } : { met: false, never: false };
  }
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** `; did you mean "api"?` when a candidate is close enough, else ''. */
export function suggestion(word: string, candidates: string[]): string {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? `; did you mean "${best}"?` : '';
}
