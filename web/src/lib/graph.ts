/**
 * An environment's dependency graph: its tasks as nodes coloured by status and health, its
 * edges labelled with their condition and marked `waiting` while the dependent waits on a
 * condition its dependency does not meet yet. Laying it out is dagre's job; `layoutGraph`
 * takes dagre as an argument so that this module stays free of the page.
 */
import type { Env, Task } from './types.js';

export interface GraphNode {
  name: string;
  task: Task | null;
  /** Class for the node's colour: the status, or `unhealthy` over it. */
  tone: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  condition: string;
  met: boolean;
  waiting: boolean;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Whether `dep` meets `condition` now (started, healthy, completed, succeeded). */
export function conditionMet(dep: Task | null, condition: string): boolean {
  if (!dep) return false;
  const ended = ['completed', 'failed', 'killed'].includes(dep.status);
  switch (condition) {
    case 'started':
      return dep.status !== 'queued' && dep.status !== 'waiting';
    case 'healthy':
      return dep.status === 'running' && (dep.health === null || dep.health === 'healthy');
    case 'completed':
      return ended;
    case 'succeeded':
      return dep.status === 'completed' && (dep.exitCode === null || dep.exitCode === 0);
    default:
      return false;
  }
}

export function toneOf(task: Task | null): string {
  if (!task) return 'absent';
  if (task.status === 'running' && task.health === 'unhealthy') return 'unhealthy';
  if (task.status === 'running' && task.health === 'unknown') return 'starting';
  return task.status;
}

/** The graph of `env`, with each node's newest task of that name in `tasks`. */
export function buildGraph(env: Env, tasks: readonly Task[]): GraphModel {
  const byName = new Map<string, Task>();
  for (const t of tasks) {
    if (t.env !== env.name || t.name === null) continue;
    const seen = byName.get(t.name);
    if (!seen || (t.startedAt ?? '') >= (seen.startedAt ?? '')) byName.set(t.name, t);
  }
  const nodes = env.tasks.map((name) => {
    const task = byName.get(name) ?? null;
    return { name, task, tone: toneOf(task) };
  });
  const edges = env.edges.map((e) => {
    const met = conditionMet(byName.get(e.from) ?? null, e.condition);
    const dependent = byName.get(e.to);
    const waiting = !met && (dependent?.status === 'waiting' || dependent?.status === 'queued');
    return { ...e, met, waiting };
  });
  return { nodes, edges };
}

export interface Placed {
  width: number;
  height: number;
  nodes: { name: string; x: number; y: number; width: number; height: number }[];
  edges: { from: string; to: string; points: { x: number; y: number }[]; label: { x: number; y: number } }[];
}

/** The parts of dagre this uses. */
export interface DagreLike {
  graphlib: { Graph: new (options?: { multigraph?: boolean }) => any };
  layout: (graph: any) => void;
}

export const NODE_WIDTH = 150;
export const NODE_HEIGHT = 44;

/** Top-down layout: dependencies above their dependents. */
export function layoutGraph(model: GraphModel, dagre: DagreLike): Placed {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 60, edgesep: 15, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of model.nodes) g.setNode(n.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of model.edges) g.setEdge(e.from, e.to, { width: e.condition.length * 7 + 8, height: 14, labelpos: 'c' }, `${e.from}->${e.to}`);
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: model.nodes.map((n) => {
      const p = g.node(n.name);
      return { name: n.name, x: p.x, y: p.y, width: p.width, height: p.height };
    }),
    edges: model.edges.map((e) => {
      const p = g.edge(e.from, e.to, `${e.from}->${e.to}`);
      return { from: e.from, to: e.to, points: p.points, label: { x: p.x, y: p.y } };
    }),
  };
}
