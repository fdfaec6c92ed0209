/**
 * The dashboard's JSON API: each route reads or acts through the same supervisor calls
 * the CLI's commands make over the socket (list, describe, read, kill, restart,
 * orchestrate, down). A CorralError answers with its kind's status: bad input 400, no
 * such task or environment 404, an operation that failed 409.
 */
import { join } from 'node:path';
import type { TaskRecord } from '../../machines/task.types.js';
import type { TaskView } from '../api.js';
import { compileFilter } from '../config/filter.js';
import { CorralError, field, usageError } from '../errors.js';
import { taskLogDir } from '../home.js';
import { readWindow } from '../logs/window.js';
import { listeningPortsOfEach } from '../process/ports.js';
import { scanProcesses } from '../process/procfs.js';
import { treeOf } from '../process/tree.js';
import type { Supervisor } from '../supervisor/supervisor.js';

export interface ApiRequest {
  supervisor: Supervisor;
  /** The decoded path parameters, in order. */
  params: string[];
  query: URLSearchParams;
}

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handle: (r: ApiRequest) => Promise<unknown>;
}

/** Most bytes one log window carries, and the default. */
export const MAX_WINDOW = 4 * 1024 * 1024;
export const DEFAULT_WINDOW = 64 * 1024;
/** Most events of one task that its details carry (the newest). */
const TASK_EVENTS = 200;
/** How far back in the event log a task's details look. */
const EVENTS_LOOKED_AT = 2_000;

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/api\/tasks$/, handle: async ({ supervisor }) => ({ tasks: withPorts(supervisor, await supervisor.list()) }) },
  { method: 'GET', pattern: /^\/api\/envs$/, handle: async ({ supervisor }) => ({ envs: environments(supervisor) }) },
  { method: 'GET', pattern: /^\/api\/tasks\/([^/]+)$/, handle: taskDetails },
  { method: 'GET', pattern: /^\/api\/tasks\/([^/]+)\/log$/, handle: logWindow },
  { method: 'POST', pattern: /^\/api\/tasks\/([^/]+)\/kill$/, handle: async ({ supervisor, params }) => ({ tasks: await supervisor.kill({ refs: [params[0]!] }) }) },
  { method: 'POST', pattern: /^\/api\/tasks\/([^/]+)\/restart$/, handle: async ({ supervisor, params }) => ({ task: await supervisor.restart(params[0]!) }) },
  { method: 'POST', pattern: /^\/api\/envs\/([^/]+)\/up$/, handle: envUp },
  { method: 'POST', pattern: /^\/api\/envs\/([^/]+)\/down$/, handle: async ({ supervisor, params }) => ({ tasks: await supervisor.down(params[0]!) }) },
];

export type RouteMatch = { handle: Route['handle']; params: string[] } | { wrongMethod: true } | null;

/** The route for a method and path; `wrongMethod` when the path is known but not with that method. */
export function findRoute(method: string, path: string): RouteMatch {
  let known = false;
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method !== method) {
      known = true;
      continue;
    }
    try {
      return { handle: route.handle, params: m.slice(1).map((p) => decodeURIComponent(p)) };
    } catch {
      return null;
    }
  }
  return known ? { wrongMethod: true } : null;
}

/** The HTTP status of an error a route threw. */
export function statusOf(error: unknown): number {
  if (!(error instanceof CorralError)) return 500;
  return error.kind === 'usage' ? 400 : error.kind === 'not-found' ? 404 : 409;
}

/**
 * The views of `corral ls --json`, each with the TCP ports its tree listens on (running
 * tasks; [] for the others): one scan of /proc and of the socket tables for them all.
 */
function withPorts(supervisor: Supervisor, views: TaskView[]): (TaskView & { ports: number[] })[] {
  const procs = views.some((v) => v.status === 'running') ? scanProcesses() : [];
  const trees = views.map((v) => {
    if (v.status !== 'running') return [];
    const info = supervisor.record(v.id).process;
    return info ? treeOf(info, procs) : [];
  });
  const ports = listeningPortsOfEach(trees);
  return views.map((v, i) => ({ ...v, ports: ports[i]! }));
}

/** Each environment's latest run: its tasks, and its dependency edges from the task depended on to its dependent. */
function environments(supervisor: Supervisor) {
  return [...supervisor.environmentRuns()].map(([name, run]) => ({
    name,
    file: run.find((r) => r.envFile)?.envFile ?? null,
    tasks: run.map((r) => r.name ?? r.id),
    edges: run.flatMap((r) => r.dependsOn.map((e) => ({ from: e.on, to: r.name ?? r.id, condition: e.condition }))),
  }));
}

async function taskDetails({ supervisor, params }: ApiRequest) {
  const details = await supervisor.describe(params[0]!);
  const record = supervisor.record(details.id);
  const log = supervisor.events;
  const seen = log.read(Math.max(0, log.last - EVENTS_LOOKED_AT), (e) => e.id === details.id, EVENTS_LOOKED_AT);
  return {
    ...details,
    definition: definitionOf(record),
    samples: details.samples.map((s) => ({ t: s.at, cpu: s.cpuPercent, rss: s.memoryBytes })),
    events: seen.events.slice(-TASK_EVENTS),
  };
}

/**
 * The task as it was declared: its spec, with only the variables set for it (not the
 * whole environment it inherited, which may hold anything of the caller's), its
 * dependencies, and the env file it came from.
 */
function definitionOf(record: TaskRecord) {
  const { env, envSet, ...spec } = record.spec;
  const set = envSet ?? [];
  return {
    ...spec,
    env: Object.fromEntries(set.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!])),
    dependsOn: record.dependsOn,
    background: record.background,
    envFile: record.envFile ?? null,
  };
}

async function logWindow({ supervisor, params, query }: ApiRequest) {
  const record = supervisor.record(params[0]!);
  const combined = record.spec.output === 'combined';
  const stream = query.get('stream') ?? (combined ? 'combined' : 'stdout');
  if (stream !== 'stdout' && stream !== 'stderr' && stream !== 'combined') throw usageError(`${field('stream')}: "${stream}" is not stdout, stderr or combined`);
  if (stream === 'combined' && !combined) throw usageError(`${record.id} writes stdout and stderr to separate logs: ask for stdout or stderr`);
  if (stream !== 'combined' && combined) throw usageError(`${record.id} writes stdout and stderr to one log: ask for combined`);
  const offset = count(query, 'offset');
  const before = count(query, 'before');
  if (offset !== undefined && before !== undefined) throw usageError(`give ${field('offset')} or ${field('before')}, not both`);
  const max = count(query, 'max') ?? DEFAULT_WINDOW;
  if (max < 1 || max > MAX_WINDOW) throw usageError(`${field('max')}: ${max} is not between 1 and ${MAX_WINDOW}`);
  const filter = compileFilter(query.get('filter') ?? undefined);
  const path = join(taskLogDir(supervisor.paths, record.id), stream === 'stderr' ? 'stderr.log' : 'stdout.log');
  const window = readWindow(path, { maxBytes: max, ...(offset !== undefined ? { offset } : {}), ...(before !== undefined ? { before } : {}), ...(filter ? { filter } : {}) });
  return { stream, ...window };
}

function count(query: URLSearchParams, key: string): number | undefined {
  const text = query.get(key);
  if (text === null) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw usageError(`${field(key)}: "${text}" is not a whole number`);
  return Number(text);
}

/**
 * Brings an environment up again from the env file it came from, as `corral orchestrate
 * NAME -f FILE` does: ended tasks start again, a stopped environment starts a new run. The
 * variables its tasks inherit are those its last run inherited.
 */
async function envUp({ supervisor, params }: ApiRequest) {
  const name = params[0]!;
  const run = supervisor.environmentRuns().get(name);
  if (!run || run.length === 0) throw new CorralError('not-found', `no environment "${name}"`);
  const file = run.find((r) => r.envFile)?.envFile;
  if (!file) throw new CorralError('failed', `environment ${name} was not brought up from an env file: bring it up again with corral orchestrate`);
  const { env, envSet } = run[0]!.spec;
  const own = new Set(envSet ?? []);
  const callerEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !own.has(k)));
  return supervisor.orchestrate({ file, name, callerEnv });
}
