/**
 * What the page knows: tasks, environments and ports, kept current by the event stream
 * (a journal event is applied to its task at once, then the list is fetched again to pick
 * up what events do not carry: pid, start time, ports, CPU, memory). Views subscribe to changes.
 */
import { api } from './api.js';
import { applyEvent, withSamples, type Samples, type Sort } from './lib/tasks.js';
import type { Env, JournalEvent, Task } from './lib/types.js';

export interface AppState {
  tasks: Task[];
  envs: Env[];
  filter: string;
  sort: Sort | null;
  selected: string | null;
  connected: boolean;
  loaded: boolean;
}

export const state: AppState = { tasks: [], envs: [], filter: '', sort: null, selected: null, connected: false, loaded: false };

type Listener = () => void;
const listeners = new Set<Listener>();
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
export function changed(): void {
  for (const l of [...listeners]) l();
}

export function setTasks(tasks: Task[]): void {
  state.tasks = tasks;
  state.loaded = true;
  changed();
}

/** Replaces the tasks an action answered with (kill, restart, up, down). */
export function mergeTasks(updated: Task[]): void {
  const byId = new Map(updated.map((t) => [t.id, t]));
  const known = new Set(state.tasks.map((t) => t.id));
  state.tasks = [...state.tasks.map((t) => byId.get(t.id) ?? t), ...updated.filter((t) => !known.has(t.id))];
  changed();
}

let refetchTimer: ReturnType<typeof setTimeout> | null = null;
let envsStale = false;

/** Fetches the list (and the environments, when asked) again, once for a burst of events. */
export function scheduleRefetch(withEnvs = false): void {
  envsStale ||= withEnvs;
  if (refetchTimer) return;
  refetchTimer = setTimeout(() => {
    refetchTimer = null;
    void refetch();
  }, 80);
}

export async function refetch(): Promise<void> {
  const withEnvs = envsStale || !state.loaded;
  envsStale = false;
  const [tasks, envs] = await Promise.all([api.tasks(), withEnvs ? api.envs() : Promise.resolve(state.envs)]);
  state.envs = envs;
  setTasks(tasks);
}

export function onJournalEvent(event: JournalEvent): void {
  const known = state.tasks.some((t) => t.id === event.id);
  state.tasks = state.tasks.map((t) => applyEvent(t, event));
  changed();
  scheduleRefetch(!known);
}

/**
 * A sampler tick's figures, into the tasks' CPU and memory, quietly: every two seconds, a
 * whole redraw would take the focus from a button and the text from a selection, so the
 * views that show these figures listen to the samples (live.ts) and change just those cells.
 */
export function applySamples(samples: Samples): void {
  state.tasks = state.tasks.map((t) => withSamples(t, samples));
}
