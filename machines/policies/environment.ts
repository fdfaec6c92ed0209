/**
 * Pure decisions about one environment's tasks: whether it is ready, which task to blame when it is not ready, and
 * what of its earlier runs a new one leaves to be removed.
 */
import { DEFAULTS } from '../defaults.js';
import { counted } from '../counted.js';
import { dependencyStateOf, judgeEdge } from './dependencies.js';
import { describeHealth } from './health.js';
import { isFinal, type TaskRecord } from '../task.types.js';

/** When a running service without a check has run long enough to count as ready (null: it has a check, or is not running). */
function settlesAt(t: TaskRecord): number | null {
  if (!t.background || t.status !== 'running' || t.spec.health !== null || !t.startedAt) return null;
  return Date.parse(t.startedAt) + DEFAULTS.settleMs;
}

/**
 * Ready, as `--wait-healthy` means it at `now`: a service running (healthy, with a check;
 * for a moment already, without one), a step done.
 */
export const isReady = (t: TaskRecord, now: number): boolean => {
  // A scheduled step never finishes for good: its schedule being on is all it promises.
  if (t.spec.schedule) return t.status !== 'killed';
  if (!t.background) return t.status === 'completed';
  if (t.status !== 'running') return false;
  if (t.spec.health !== null) return t.health?.status === 'healthy';
  const at = settlesAt(t);
  // Written so that a start time that cannot be read (NaN) counts as long ago.
  return at === null || !(now < at);
};

/** Failed for good, as an environment's wait sees it: a service that ended, a step that failed or was killed. */
export const isBroken = (t: TaskRecord): boolean => (t.spec.schedule ? t.status === 'killed' : t.background ? isFinal(t.status) : t.status === 'failed' || t.status === 'killed');

/** Not a copy that a scale took out of its group. */
const inService = (t: TaskRecord): boolean => t.replica?.scaledDown !== true;

export interface EnvVerdict {
  ready: boolean;
  /** The first task that failed for good, if any. */
  broken: TaskRecord | undefined;
  /** When to judge again although nothing changes: a service without a check settles then. */
  judgeAgainAt: number | null;
}

export function judgeEnvironment(all: TaskRecord[], now: number): EnvVerdict {
  // A copy that a scale took out of its group is stopped on purpose: neither awaited nor broken.
  const tasks = all.filter(inService);
  const settling = tasks.map(settlesAt).filter((at): at is number => at !== null && at > now);
  return { ready: tasks.every((t) => isReady(t, now)), broken: tasks.find(isBroken), judgeAgainAt: settling.length > 0 ? Math.min(...settling) : null };
}

/**
 * The task to blame when an environment is not ready: one that failed; else one that is
 * not ready on its own account (unhealthy, starting, queued) rather than one waiting for it;
 * and of a task that never started for want of a dependency, that dependency (see rootOf).
 */
export function culpritOf(tasks: TaskRecord[], maxConcurrent: number, now: number): { task: TaskRecord; reason: string } | null {
  const { ready, broken } = judgeEnvironment(tasks, now);
  if (ready) return null;
  const notReady = tasks.filter((t) => inService(t) && !isReady(t, now));
  const found = broken ?? notReady.find((t) => t.status !== 'waiting') ?? notReady[0];
  if (!found) return null;
  const task = rootOf(found, tasks);
  if (task === found) return { task, reason: blame(task, maxConcurrent) };
  const dependent = `${found.name} ${found.status === 'waiting' ? 'waits for it' : `${found.status}: ${found.reason}`}`;
  return { task, reason: `${blame(task, maxConcurrent)}; ${dependent}` };
}

/**
 * Where the trouble of `task` comes from: while the task at hand never started for want of
 * a dependency (it waits, or failed waiting), the first dependency of its run that does not
 * meet its edge, and so on down. A loop, not recursion, and each task is visited once: a
 * chain of any length or a cycle (an old state file's) ends the walk.
 */
export function rootOf(task: TaskRecord, tasks: TaskRecord[]): TaskRecord {
  const key = (run: number | undefined, name: string) => `${run ?? 0}\u0000${name}`;
  const byName = new Map<string, TaskRecord>();
  for (const t of tasks) if (t.name !== null) byName.set(key(t.envRun, t.name), t);
  const seen = new Set([task.id]);
  let at = task;
  while (at.startedAt === null && (at.status === 'waiting' || at.status === 'failed')) {
    const from = at;
    const next = from.dependsOn
      .map((edge) => ({ edge, dep: byName.get(key(from.envRun, edge.on)) }))
      .find(({ edge, dep }) => dep !== undefined && !seen.has(dep.id) && !judgeEdge(edge, dependencyStateOf(dep)).met)?.dep;
    if (!next) break;
    seen.add(next.id);
    at = next;
  }
  return at;
}

function blame(task: TaskRecord, maxConcurrent: number): string {
  if (task.reason) return task.reason;
  const health = task.health;
  if (health && health.status !== 'healthy') {
    const last = health.lastError && health.status !== 'unhealthy' ? ` (last check: ${health.lastError})` : '';
    return `${health.status === 'unknown' ? 'health ' : ''}${describeHealth(health)}${last}`;
  }
  if (task.status === 'waiting') return `waiting for ${task.dependsOn.map((e) => `${e.on} (${e.condition})`).join(', ')}`;
  if (task.status === 'queued') return `queued: ${counted(maxConcurrent, 'task')} already ${maxConcurrent === 1 ? 'runs' : 'run'} (CORRAL_MAX_CONCURRENT)`;
  return task.status;
}

/** The run number of a new bringing-up of `env`: one past the latest its tasks carry. */
export function nextEnvRun(tasks: TaskRecord[], env: string): number {
  return tasks.reduce((max, t) => (t.env === env ? Math.max(max, t.envRun ?? 0) : max), 0) + 1;
}

/**
 * The tasks of an environment's latest run: those an earlier run left (killed by `down`,
 * say) are history, which `ls` without `--env` still shows. A task of an earlier run that
 * runs again (restarted by hand) is still the environment's.
 */
export function latestRunOf(tasks: TaskRecord[], env: string, isLive: (id: string) => boolean): TaskRecord[] {
  const all = tasks.filter((t) => t.env === env);
  const latest = all.reduce((max, t) => Math.max(max, t.envRun ?? 0), 0);
  return all.filter((t) => (t.envRun ?? 0) === latest || !isFinal(t.status) || isLive(t.id));
}

/**
 * What a new run (`nextRun`) of `env` leaves to be removed: the ended tasks of the runs
 * before the `kept` latest ones. A task of an old run that runs again (restarted by hand)
 * is not among them.
 */
export function outdatedRunTasks(tasks: TaskRecord[], env: string, nextRun: number, kept: number, isLive: (id: string) => boolean): TaskRecord[] {
  const oldestKept = nextRun - kept;
  return tasks.filter((t) => t.env === env && (t.envRun ?? 0) < oldestKept && isFinal(t.status) && !isLive(t.id));
}
