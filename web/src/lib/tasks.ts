/** The task list's rows: which tasks a filter keeps, in which order, under which environment. */
import type { JournalEvent, Task } from './types.js';

export type SortKey = 'name' | 'status' | 'health' | 'pid' | 'uptime' | 'restarts' | 'cpu' | 'memory';

export interface Sort {
  key: SortKey;
  descending: boolean;
}

export const label = (t: Task): string => t.name ?? t.id;

/** Case-insensitive words, each of which must appear in the id, name, env, command or status. */
export function matchesFilter(task: Task, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [task.id, task.name ?? '', task.env ?? '', task.command, task.status, task.health ?? ''].join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

function sortValue(task: Task, key: SortKey, now: number): string | number {
  switch (key) {
    case 'name':
      return label(task).toLowerCase();
    case 'status':
      return task.status;
    case 'health':
      return task.health ?? '';
    case 'pid':
      return task.pid ?? -1;
    case 'uptime':
      return task.startedAt && !task.endedAt ? now - Date.parse(task.startedAt) : -1;
    case 'restarts':
      return task.restarts;
    case 'cpu':
      return task.cpuPercent ?? -1;
    case 'memory':
      return task.memoryBytes ?? -1;
  }
}

export function sortTasks(tasks: readonly Task[], sort: Sort | null, now: number): Task[] {
  if (sort === null) return [...tasks];
  const dir = sort.descending ? -1 : 1;
  return [...tasks].sort((a, b) => {
    const x = sortValue(a, sort.key, now);
    const y = sortValue(b, sort.key, now);
    return (x < y ? -1 : x > y ? 1 : 0) * dir || label(a).localeCompare(label(b));
  });
}

/** Clicking a column: sort by it, then the other way, then back to the daemon's order. */
export function nextSort(current: Sort | null, key: SortKey): Sort | null {
  if (current?.key !== key) return { key, descending: false };
  return current.descending ? null : { key, descending: true };
}

export interface Group {
  /** null: tasks started on their own, outside any environment. */
  env: string | null;
  tasks: Task[];
}

/** Environments in the order they first appear, tasks of no environment last. */
export function groupByEnv(tasks: readonly Task[]): Group[] {
  const groups = new Map<string | null, Task[]>();
  for (const t of tasks) {
    const list = groups.get(t.env) ?? [];
    list.push(t);
    groups.set(t.env, list);
  }
  const out = [...groups].map(([env, list]) => ({ env, tasks: list }));
  return [...out.filter((g) => g.env !== null), ...out.filter((g) => g.env === null)];
}

/** A task after a journal event about it: what the event says, without waiting for a refetch. */
export function applyEvent(task: Task, event: JournalEvent): Task {
  if (event.id !== task.id) return task;
  if (event.type === 'state' && event.status) {
    const next: Task = { ...task, status: event.status, reason: event.reason ?? null };
    if (event.exitCode !== undefined) next.exitCode = event.exitCode;
    if (event.signal !== undefined) next.signal = event.signal;
    if (event.endedAt !== undefined) next.endedAt = event.endedAt;
    if (['completed', 'failed', 'killed'].includes(event.status)) {
      next.pid = null;
      next.ports = [];
    }
    return next;
  }
  if (event.type === 'health' && event.health) return { ...task, health: event.health as Task['health'] };
  return task;
}

/** A `samples` event: one sampler tick's CPU (percent) and memory (RSS bytes) of each running task, at `t` (ms). */
export interface Samples {
  t: number;
  tasks: Record<string, { cpu: number; rss: number }>;
}

/** A task with the figures a samples event has for it (the same object when it has none, or the same ones). */
export function withSamples(task: Task, samples: Samples): Task {
  const s = Object.hasOwn(samples.tasks, task.id) ? samples.tasks[task.id] : undefined;
  if (!s || task.status !== 'running' || (task.cpuPercent === s.cpu && task.memoryBytes === s.rss)) return task;
  return { ...task, cpuPercent: s.cpu, memoryBytes: s.rss };
}
