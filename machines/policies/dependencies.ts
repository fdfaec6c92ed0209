/**
 * Dependency graphs of an environment: validation (unknown tasks, cycles, `healthy` on
 * a task without a check) and whether a condition is met or can never be met. Pure:
 * works on names and statuses only.
 */
import { isFinal, type TaskStatus } from '../task.types.js';

export type DependencyCondition = 'started' | 'healthy' | 'completed' | 'succeeded';
export const DEPENDENCY_CONDITIONS: readonly DependencyCondition[] = ['started', 'healthy', 'completed', 'succeeded'];

export interface DependencyEdge {
  /** The task depended on. */
  on: string;
  condition: DependencyCondition;
  timeoutMs: number;
}

export interface GraphNode {
  name: string;
  dependsOn: DependencyEdge[];
  hasHealthCheck: boolean;
}

interface GraphProblem {
  /** The task whose declaration is at fault, and the dependency (if one) it names. */
  task: string;
  on?: string;
  message: string;
}

/** Every problem of the graph, in declaration order; empty when it is sound. */
export function validateGraph(nodes: GraphNode[]): GraphProblem[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const problems: GraphProblem[] = [];
  for (const node of nodes) {
    for (const edge of node.dependsOn) {
      const target = byName.get(edge.on);
      if (!target) {
        problems.push({ task: node.name, on: edge.on, message: `depends on "${edge.on}", which is not a task of this file${suggestion(edge.on, [...byName.keys()].filter((n) => n !== node.name))}` });
      } else if (edge.on === node.name) {
        problems.push({ task: node.name, on: edge.on, message: `depends on itself` });
      } else if (edge.condition === 'healthy' && !target.hasHealthCheck) {
        problems.push({ task: node.name, on: edge.on, message: `waits for "${edge.on}" to be healthy, but ${edge.on} has no health check: add one, or use "started"` });
      }
    }
  }
  if (problems.length === 0) {
    const cycle = findCycle(nodes);
    if (cycle) problems.push({ task: cycle[0]!, on: cycle[1]!, message: `dependency cycle: ${cycle.join(' -> ')}` });
  }
  return problems;
}

/** A cycle as a path that ends where it starts (`api -> web -> api`), or null. */
export function findCycle(nodes: GraphNode[]): string[] | null {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    const seen = state.get(name);
    if (seen === 'done') return null;
    if (seen === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const edge of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(edge.on)) continue;
      const found = visit(edge.on);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return null;
  };
  for (const node of nodes) {
    const found = visit(node.name);
    if (found) return found;
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
