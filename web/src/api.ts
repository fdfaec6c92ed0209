/** The daemon's HTTP API (docs/dashboard-api.md), same-origin: the token is a cookie. */
import type { Env, LogWindow, Task } from './lib/types.js';

export class ApiError extends Error {}

async function call<T>(method: 'GET' | 'POST', path: string): Promise<T> {
  const res = await fetch(path, { method, headers: { Accept: 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(body.error ?? `${method} ${path}: HTTP ${res.status}`);
  return body as T;
}

const task = (id: string) => `/api/tasks/${encodeURIComponent(id)}`;

export const api = {
  tasks: () => call<{ tasks: Task[] }>('GET', '/api/tasks').then((r) => r.tasks),
  envs: () => call<{ envs: Env[] }>('GET', '/api/envs').then((r) => r.envs),
  details: (id: string) => call<Details>('GET', task(id)),
  log: (id: string, query: { stream?: string; offset?: number; before?: number; max?: number; filter?: string }) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
    return call<LogWindow>('GET', `${task(id)}/log?${params}`);
  },
  kill: (id: string) => call<{ tasks: Task[] }>('POST', `${task(id)}/kill`),
  restart: (id: string) => call<{ task: Task }>('POST', `${task(id)}/restart`),
  envUp: (name: string) => call<{ tasks: Task[] }>('POST', `/api/envs/${encodeURIComponent(name)}/up`),
  envDown: (name: string) => call<{ tasks: Task[] }>('POST', `/api/envs/${encodeURIComponent(name)}/down`),
};

export interface Details extends Task {
  ports: number[];
  output?: string;
  definition: Record<string, unknown> & { output?: string };
  samples: { t: number; cpu: number; rss: number }[];
  events: { seq: number; at: string; type: string; status?: string; reason?: string | null; line?: string; health?: string }[];
}
