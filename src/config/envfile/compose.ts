/**
 * corral.yaml, the compose-like format: `tasks:` by name, each with its command, environment
 * (`env_file:` and `env:`), dependency edges, health check, restart policy, stop and limits.
 * The dependency graph is checked whole before anything starts.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { isSeq } from 'yaml';
import { edgesOf, validateGraph, type DependencyCondition, type DependencyEdge } from '../../../machines/policies/dependencies.js';
import { checkRegex, healthDefaults, HealthSpecError, tcpProbe, type HealthProbe, type HealthSpec } from '../../../machines/policies/health.js';
import { parseBytes, parseIonice, parseLogCap } from '../../../machines/policies/limits.js';
import { normalizeSignal } from '../../../machines/signals.js';
import type { RestartPolicy } from '../../../machines/task.types.js';
import { normalizeWatch, WatchSpecError, type WatchSpec } from '../../../machines/policies/watch.js';
import { scheduleProblem, type ScheduleSpec } from '../../../machines/policies/schedule.js';
import { parseReplicaName } from '../../../machines/policies/replicas.js';
import { envFromFiles } from './dotenv.js';
import { zodFailure, type Located, type NodePath } from './located.js';
import { envFileKeys, envFileSchema, type DependsOnDecl, type HealthDecl, type RestartDecl, type TaskDecl, type WatchDecl } from './schema.js';
import { defaultEnvName, plainTask, type EnvSpec, type EnvTaskDecl, type ParseOptions } from './spec.js';

/** The EnvSpec of corral.yaml, from its document (`raw`, variables expanded) at `loc`. */
export function parseTasksFile(loc: Located, raw: unknown, options: ParseOptions): EnvSpec {
  const parsed = envFileSchema.safeParse(raw);
  if (!parsed.success) zodFailure(loc, parsed.error, envFileKeys);
  const data = parsed.data;
  if (Object.keys(data.tasks).length === 0) loc.fail(['tasks'], 'the file has no tasks');

  const base = dirname(loc.file);
  const read = options.readEnvFile ?? (() => undefined);
  const shared = { ...envFromFiles(loc, ['env_file'], data.env_file ?? [], base, read), ...(data.env ?? {}) };
  const tasks: EnvTaskDecl[] = Object.entries(data.tasks).map(([name, t]) => {
    const at = ['tasks', name];
    const cwd = t.cwd ? (isAbsolute(t.cwd) ? t.cwd : resolve(base, t.cwd)) : base;
    const env = {
      ...shared,
      ...envFromFiles(loc, [...at, 'env_file'], t.env_file ?? [], base, read),
      ...(t.env ?? {}),
    };
    const schedule = scheduleOf(loc, at, t);
    return {
      ...plainTask(name, t.command, cwd),
      env,
      // A scheduled task is a one-shot step: it runs and exits, tick after tick.
      background: t.background ?? schedule === null,
      dependsOn: edges(t.depends_on, data.tasks),
      health: t.health ? healthOf(loc, [...at, 'health'], t.health) : null,
      restart: restartOf(t.restart),
      stopSignal: t.stop?.signal ? normalizeSignal(t.stop.signal) : null,
      graceMs: t.stop?.grace ?? null,
      stopCommand: t.stop?.command ?? null,
      output: t.output ?? 'separate',
      nice: t.nice ?? null,
      ionice: t.ionice ? parseIonice(t.ionice) : null,
      limits: {
        memoryBytes: t.limits?.memory !== undefined ? parseBytes(t.limits.memory) : null,
        timeoutMs: t.limits?.timeout ?? null,
        idleMs: t.limits?.idle ?? null,
        idleAction: t.limits?.idle_action ?? 'alert',
      },
      alertOn: t.monitor?.alert_on ?? null,
      logMaxBytes: t.logs?.max_size !== undefined ? parseLogCap(t.logs.max_size) : null,
      color: t.color ?? false,
      image: t.image ?? null,
      watch: t.watch ? watchOf(loc, [...at, 'watch'], t.watch, cwd) : null,
      schedule,
      profiles: t.profiles ?? [],
      stdin: t.stdin === 'pipe' ? 'pipe' : null,
      replicas: t.replicas ?? null,
    };
  });
  checkReplicaNames(loc, tasks);
  checkGraph(loc, tasks);
  return { name: options.name ?? data.name ?? defaultEnvName(loc.file), file: loc.file, tasks };
}

function edges(dependsOn: DependsOnDecl | undefined, all: Record<string, TaskDecl>): DependencyEdge[] {
  if (!dependsOn) return [];
  const targetOf = (on: string) => (all[on] ? { background: all[on].background ?? (all[on].schedule === undefined && all[on].every === undefined), hasHealthCheck: Boolean(all[on].health) } : undefined);
  if (Array.isArray(dependsOn)) return edgesOf(dependsOn.map((on) => ({ on })), targetOf);
  const declared = Object.entries(dependsOn).map(([on, v]) => {
    const condition = (typeof v === 'string' ? v : v.condition) as DependencyCondition | undefined;
    return typeof v === 'string' ? { on, condition } : { on, condition, timeoutMs: v.timeout, restart: v.restart };
  });
  return edgesOf(declared, targetOf);
}

/** Refuses a task whose name is that of another task's copy (`api.2` beside `api` with `replicas: 3`), at the copy's count. */
function checkReplicaNames(loc: Located, tasks: EnvTaskDecl[]): void {
  const counts = new Map(tasks.filter((t) => t.replicas !== null).map((t) => [t.name, t.replicas!]));
  if (counts.size === 0) return;
  for (const t of tasks) {
    const copy = parseReplicaName(t.name);
    if (copy && copy.index <= (counts.get(copy.of) ?? 0)) {
      loc.fail(['tasks', copy.of, 'replicas'], `${copy.of} has ${counts.get(copy.of)} replicas, and the name of its copy ${t.name} is taken by another task`);
    }
  }
}

/** Where a task is declared: `tasks.<name>` in an env file, `steps.<index>` in a workflow. */
type DeclaredAt = (task: string) => NodePath;

/** Refuses the first problem of the dependency graph (unknown task, cycle, healthy without a check) at its edge. */
export function checkGraph(loc: Located, tasks: EnvTaskDecl[], declaredAt: DeclaredAt = (name) => ['tasks', name]): void {
  const problems = validateGraph(
    tasks.map((t) => ({ name: t.name, dependsOn: t.dependsOn, hasHealthCheck: t.health !== null })),
    1,
  );
  const first = problems[0];
  if (!first) return;
  const declared = declaredAt(first.task);
  const depends = [...declared, 'depends_on'];
  const node = loc.doc.getIn(depends, true);
  const message = `${first.task} ${first.message}`;
  if (node === undefined) loc.fail(declared, message);
  if (first.on !== undefined && isSeq(node)) {
    // The edge's place in the task's list is its place in the file's list.
    const index = tasks.find((t) => t.name === first.task)!.dependsOn.findIndex((e) => e.on === first.on);
    loc.fail(index >= 0 && index < node.items.length ? [...depends, index] : depends, message);
  }
  loc.fail(depends, message, first.on);
}

/** The health check declared at `at`, its probes checked where each is written. */
export function healthOf(loc: Located, at: NodePath, h: HealthDecl): HealthSpec {
  const probes: HealthProbe[] = [];
  const probe = (key: string, make: () => HealthProbe) => {
    try {
      probes.push(make());
    } catch (error) {
      if (error instanceof HealthSpecError) loc.fail([...at, key], error.message);
      throw error;
    }
  };
  if (h.http) probe('http', () => ({ kind: 'http', url: h.http! }));
  if (h.tcp !== undefined) probe('tcp', () => tcpProbe(String(h.tcp)));
  if (h.file) probe('file', () => ({ kind: 'file', path: h.file! }));
  if (h.socket) probe('socket', () => ({ kind: 'socket', path: h.socket! }));
  if (h.exec) probe('exec', () => ({ kind: 'exec', command: h.exec! }));
  if (h.listen) probe('listen', () => ({ kind: 'listen' }));
  if (h.log !== undefined) {
    probe('log', () => {
      checkRegex(h.log!);
      return { kind: 'log', pattern: h.log! };
    });
  }
  return healthDefaults(probes, {
    ...(h.liveness !== undefined ? { liveness: h.liveness } : {}),
    ...(h.interval !== undefined ? { intervalMs: h.interval } : {}),
    ...(h.timeout !== undefined ? { timeoutMs: h.timeout } : {}),
    ...(h.retries !== undefined ? { retries: h.retries } : {}),
    ...(h.start_period !== undefined ? { startPeriodMs: h.start_period } : {}),
  });
}

/** The watch declared at `at`, its paths made absolute against the task's folder. */
function watchOf(loc: Located, at: NodePath, w: WatchDecl, cwd: string): WatchSpec {
  const decl = Array.isArray(w) ? { paths: w } : { paths: w.paths, ignore: w.ignore, debounceMs: w.debounce, cascade: w.cascade };
  try {
    return normalizeWatch(decl, cwd);
  } catch (error) {
    if (error instanceof WatchSpecError) loc.fail(Array.isArray(w) ? at : [...at, 'paths'], error.message);
    throw error;
  }
}

/** The schedule declared on the task at `at` (`schedule:` or `every:`), refused at its key when the task cannot have one. */
function scheduleOf(loc: Located, at: NodePath, t: TaskDecl): ScheduleSpec | null {
  if (t.schedule === undefined && t.every === undefined) return null;
  const restart = typeof t.restart === 'string' ? t.restart : t.restart?.policy;
  const problem = scheduleProblem({ every: t.every, schedule: t.schedule, ...(restart ? { restart } : {}), ...(t.background !== undefined ? { background: t.background } : {}) });
  if (problem) loc.fail(at, problem.message, problem.key);
  return t.every !== undefined ? { every: t.every } : { cron: t.schedule! };
}

function restartOf(r: RestartDecl | undefined): Partial<RestartPolicy> {
  if (!r) return {};
  if (typeof r === 'string') return { policy: r };
  return {
    policy: r.policy,
    ...(r.backoff !== undefined ? { backoffMs: r.backoff } : {}),
    ...(r.max_backoff !== undefined ? { maxBackoffMs: r.max_backoff } : {}),
    ...(r.factor !== undefined ? { factor: r.factor } : {}),
    ...(r.min_uptime !== undefined ? { minUptimeMs: r.min_uptime } : {}),
    ...(r.max_restarts !== undefined ? { maxRestarts: r.max_restarts } : {}),
    ...(r.window !== undefined ? { windowMs: r.window } : {}),
    ...(r.success_exit_codes !== undefined ? { successExitCodes: r.success_exit_codes } : {}),
  };
}
