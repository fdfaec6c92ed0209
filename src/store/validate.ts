/**
 * The state file as read: checked field by field, so that whatever damaged it (a full disk,
 * a hand edit, a stray write) costs what it touched and nothing else. A file that is not
 * JSON, or not an object with a table of tasks, cannot be read at all; otherwise each task
 * record stands or falls alone, and a bad id counter, cursor table or environment table is
 * repaired. Records written by an older corral get the fields it did not know.
 */
import { DEFAULTS } from '../../machines/defaults.js';
import { DEPENDENCY_CONDITIONS } from '../../machines/policies/dependencies.js';
import { NO_LIMITS } from '../../machines/policies/limits.js';
import { defaultRestartPolicy, RESTART_POLICIES } from '../../machines/policies/restart.js';
import { SIGNALS } from '../../machines/signals.js';
import { MIN_EVERY_MS } from '../../machines/policies/schedule.js';
import type { RestartPolicy, TaskRecord, TaskSpec } from '../../machines/task.types.js';
import { TASK_ID } from '../home.js';

export interface StateData {
  version: 1;
  /** The number the next task id gets: bash_<nextId>. */
  nextId: number;
  tasks: Record<string, TaskRecord>;
  /** `consumer\u0000taskId\u0000stream` → the offset up to which that consumer has read. */
  cursors: Record<string, number>;
  /** Consumer → the seq of the last journal event it has read (`events --new`, `background_monitor`). */
  eventCursors: Record<string, number>;
}

export const emptyState = (): StateData => ({ version: 1, nextId: 1, tasks: {}, cursors: {}, eventCursors: {} });

/** What could still be read of a record that could not be taken: enough to name a task rebuilt from the home. */
export interface Salvage {
  name?: string;
  command?: string;
  cwd?: string;
  env?: Record<string, string>;
  createdAt?: string;
}

/** What reading the file cost. */
export interface StateDamage {
  /** Records that could not be taken, by id, with what was left of them. */
  badRecords: Map<string, Salvage>;
  /** Parts replaced by their empty or computed value: `the id counter`, `the read cursors`, `the environments of bash_3`. */
  repaired: string[];
}

export type ReadState = { ok: true; data: StateData; damage: StateDamage | null } | { ok: false; why: string };

/**
 * Checked by hand rather than with zod: the daemon runs in V8's lite mode, where zod took
 * ten times as long per record as these checks, and the state is read at every start.
 */
const BAD = new Error('bad record');
const REQUIRED = Symbol('required');

/** `o[key]` when `ok` takes it; the fallback when it is missing; a bad record otherwise. */
function take<T>(o: Record<string, unknown>, key: string, ok: (v: unknown) => boolean, fallback: T | typeof REQUIRED = REQUIRED): T {
  const v = o[key];
  if (v === undefined && fallback !== REQUIRED) return fallback;
  if (!ok(v)) throw BAD;
  return v as T;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';
const isWord = (v: unknown) => typeof v === 'string' && v.length > 0;
const isInt = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: unknown) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const isCount = isInt(0);
/** A pid corral may signal: 0 and negative numbers name process groups, or every process. */
const isPid = isInt(1, 4_194_304);
const isMs = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const oneOf = (values: readonly string[]) => (v: unknown) => typeof v === 'string' && values.includes(v);
const orNull = (ok: (v: unknown) => boolean) => (v: unknown) => v === null || ok(v);
const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every(isText);

/** Which copy of a task with replicas a record is: `{of, index}`, and `scaledDown: true` once a scale took it out. */
const isReplica = (v: unknown) =>
  isObject(v) && isWord(v.of) && isInt(1)(v.index) && (v.scaledDown === undefined || v.scaledDown === true) && Object.keys(v).every((k) => ['of', 'index', 'scaledDown'].includes(k));
const isTextOrNull = orNull(isText);
const isDateOrNull = orNull(isDate);
const isStatus = oneOf(['queued', 'waiting', 'starting', 'running', 'stopping', 'restarting', 'completed', 'failed', 'killed']);
const isOutput = oneOf(['separate', 'combined']);
const isNice = orNull(isInt(-20, 19));
const isExitCode = orNull(isInt(Number.MIN_SAFE_INTEGER));
const isBoolean = (v: unknown) => typeof v === 'boolean';
const isSignal = (v: unknown) => isText(v) && Object.hasOwn(SIGNALS, v);


function isProbe(v: unknown): boolean {
  if (!isObject(v)) return false;
  switch (v.kind) {
    case 'http':
      return isText(v.url);
    case 'tcp':
      return isText(v.host) && isInt(1, 65535)(v.port);
    case 'file':
    case 'socket':
      return isText(v.path);
    case 'exec':
      return isText(v.command);
    case 'log':
      return isText(v.pattern);
    case 'listen':
      return true;
    default:
      return false;
  }
}

const isHealthSpec = (v: unknown) =>
  isObject(v) &&
  Array.isArray(v.probes) &&
  v.probes.length > 0 &&
  v.probes.every(isProbe) &&
  (v.liveness === undefined || typeof v.liveness === 'boolean') &&
  isMs(v.intervalMs) &&
  (v.intervalMs as number) > 0 &&
  isMs(v.timeoutMs) &&
  (v.timeoutMs as number) > 0 &&
  isInt(1)(v.retries) &&
  isMs(v.startPeriodMs);

const isHealthStatus = oneOf(['unknown', 'healthy', 'unhealthy']);
const isHealthState = (v: unknown) => isObject(v) && isHealthStatus(v.status) && isCount(v.failures) && isTextOrNull(v.lastError);

const isMsOrNull = orNull(isMs);
const isIdleAction = oneOf(['alert', 'stop']);
const isLimits = (v: unknown) => isObject(v) && isMsOrNull(v.memoryBytes) && isMsOrNull(v.timeoutMs) && isMsOrNull(v.idleMs) && isIdleAction(v.idleAction);

const isIoClass = oneOf(['idle', 'best-effort', 'realtime']);
const isIoLevel = orNull(isInt(0, 7));
const isIonice = (v: unknown) => isObject(v) && isIoClass(v.class) && isIoLevel(v.level);

const isCondition = oneOf(DEPENDENCY_CONDITIONS);
const isEdges = (v: unknown) => Array.isArray(v) && v.every((e) => isObject(e) && isText(e.on) && isCondition(e.condition) && isMs(e.timeoutMs));

const isProcess = (v: unknown) =>
  isObject(v) &&
  isPid(v.pid) &&
  isCount(v.pidStart) &&
  isPid(v.monitorPid) &&
  isCount(v.monitorStart) &&
  isText(v.bootId) &&
  isWord(v.token) &&
  (v.logStart === undefined || (isObject(v.logStart) && isCount(v.logStart.stdout) && isCount(v.logStart.stderr))) &&
  (v.logTimes === undefined || v.logTimes === 'monitor');

const isHealthSpecOrNull = orNull(isHealthSpec);
const isTextList = (v: unknown) => Array.isArray(v) && v.every(isText);
const isWatchOrNull = orNull((v) => isObject(v) && isTextList(v.paths) && isTextList(v.ignore) && isMs(v.debounceMs) && isBoolean(v.cascade));
const isIoniceOrNull = orNull(isIonice);
/** `{every: ms}` (at least the 1 s the parsers allow) or `{cron: text}`; the scheduler refuses a cron expression that does not parse. */
const isScheduleOrNull = orNull((v) => isObject(v) && (isWord(v.cron) || (isMs(v.every) && (v.every as number) >= MIN_EVERY_MS)));
const isScheduleEntry = (v: unknown) =>
  isObject(v) &&
  ((v.kind === 'run' && isDate(v.startedAt) && isDate(v.endedAt) && isMs(v.durationMs) && isExitCode(v.exitCode) && isTextOrNull(v.signal)) ||
    (v.kind === 'skip' && isDate(v.at) && isText(v.reason)));
const isScheduleState = (v: unknown) => isObject(v) && isDateOrNull(v.nextRunAt) && Array.isArray(v.history) && v.history.every(isScheduleEntry);
const isProcessOrNull = orNull(isProcess);

const RESTART_CHECKS: Record<keyof RestartPolicy, (v: unknown) => boolean> = {
  policy: oneOf(RESTART_POLICIES),
  backoffMs: isMs,
  factor: (v) => isMs(v) && (v as number) >= 1,
  maxBackoffMs: isMs,
  jitter: (v) => isMs(v) && (v as number) <= 1,
  minUptimeMs: isMs,
  maxRestarts: isCount,
  windowMs: isMs,
  successExitCodes: (v) => Array.isArray(v) && v.every(isInt(0, 255)),
};

const RESTART_KEYS = Object.keys(RESTART_CHECKS) as (keyof RestartPolicy)[];

function restartPolicy(raw: Record<string, unknown>): RestartPolicy {
  let complete = true;
  for (const key of RESTART_KEYS) {
    if (raw[key] === undefined) complete = false;
    else if (!RESTART_CHECKS[key](raw[key])) throw BAD;
  }
  if (complete) return raw as unknown as RestartPolicy;
  const given = Object.fromEntries(RESTART_KEYS.filter((key) => raw[key] !== undefined).map((key) => [key, raw[key]]));
  return defaultRestartPolicy(given as Partial<RestartPolicy>);
}

function taskSpec(raw: Record<string, unknown>, env: Record<string, string>): TaskSpec {
  // Only describes the task: a bad list is dropped rather than costing the record.
  const { envSet, ...rest } = raw;
  return {
    ...rest,
    ...(Array.isArray(envSet) && envSet.every(isText) ? { envSet: envSet as string[] } : {}),
    command: take(raw, 'command', isWord),
    cwd: take(raw, 'cwd', isWord),
    env,
    stopSignal: take(raw, 'stopSignal', isSignal, DEFAULTS.stopSignal),
    graceMs: take(raw, 'graceMs', isMs, DEFAULTS.graceMs),
    stopCommand: take(raw, 'stopCommand', isTextOrNull, null),
    restart: restartPolicy(take(raw, 'restart', isObject, {})),
    health: take(raw, 'health', isHealthSpecOrNull, null),
    output: take(raw, 'output', isOutput, 'separate'),
    nice: take(raw, 'nice', isNice, null),
    ionice: take(raw, 'ionice', isIoniceOrNull, null),
    limits: take(raw, 'limits', isLimits, { ...NO_LIMITS }),
    alertOn: take(raw, 'alertOn', isTextOrNull, null),
    watch: take(raw, 'watch', isWatchOrNull, null),
    stdin: take(raw, 'stdin', orNull(oneOf(['pipe'])), null),
    schedule: take(raw, 'schedule', isScheduleOrNull, null),
  };
}

/** The record under `id`, with its environment resolved; throws BAD when it cannot be taken. */
function taskRecord(raw: unknown, id: string, env: Record<string, string>): TaskRecord {
  if (!isObject(raw) || raw.id !== id || !TASK_ID.test(id)) throw BAD;
  return {
    ...raw,
    id,
    name: take(raw, 'name', isTextOrNull, null),
    env: take(raw, 'env', isTextOrNull, null),
    ...(raw.envRun !== undefined ? { envRun: take<number>(raw, 'envRun', isCount) } : {}),
    ...(raw.envFile !== undefined ? { envFile: take<string>(raw, 'envFile', isWord) } : {}),
    ...(raw.session !== undefined ? { session: take<string>(raw, 'session', isWord) } : {}),
    ...(raw.project !== undefined ? { project: take<string>(raw, 'project', isWord) } : {}),
    ...(raw.keep !== undefined ? { keep: take<boolean>(raw, 'keep', isBoolean) } : {}),
    ...(raw.replica !== undefined ? { replica: take<TaskRecord['replica']>(raw, 'replica', isReplica) } : {}),
    spec: taskSpec(take(raw, 'spec', isObject), env),
    dependsOn: take(raw, 'dependsOn', isEdges, []),
    background: take(raw, 'background', isBoolean, true),
    status: take(raw, 'status', isStatus),
    reason: take(raw, 'reason', isTextOrNull, null),
    process: take(raw, 'process', isProcessOrNull, null),
    exitCode: take(raw, 'exitCode', isExitCode, null),
    signal: take(raw, 'signal', isTextOrNull, null),
    restarts: take(raw, 'restarts', isCount, 0),
    // Older records kept other things here: they start with no health.
    health: isHealthState(raw.health) ? (raw.health as TaskRecord['health']) : null,
    createdAt: take(raw, 'createdAt', isDate),
    startedAt: take(raw, 'startedAt', isDateOrNull, null),
    endedAt: take(raw, 'endedAt', isDateOrNull, null),
    restartAt: take(raw, 'restartAt', isDateOrNull, null),
    // Only describes the runs: a damaged one is dropped (the next tick comes from the schedule) rather than costing the record.
    ...(raw.scheduled !== undefined ? { scheduled: isScheduleState(raw.scheduled) ? (raw.scheduled as TaskRecord['scheduled']) : undefined } : {}),
  };
}

/** The fields of a bad record that can still serve to describe its task. */
function salvage(raw: unknown, env: Record<string, string> | undefined): Salvage {
  const found: Salvage = {};
  if (!isObject(raw)) return found;
  const rawSpec = isObject(raw.spec) ? raw.spec : {};
  if (typeof raw.name === 'string') found.name = raw.name;
  if (typeof rawSpec.command === 'string' && rawSpec.command) found.command = rawSpec.command;
  if (typeof rawSpec.cwd === 'string' && rawSpec.cwd) found.cwd = rawSpec.cwd;
  if (env) found.env = env;
  if (isDate(raw.createdAt)) found.createdAt = raw.createdAt as string;
  return found;
}

/**
 * The state in `text`. Each distinct environment is stored once, in `envs`, and records
 * name it by key (store.ts): a key that names nothing leaves that task an empty environment.
 */
export function readState(text: string): ReadState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  if (!isObject(raw)) return { ok: false, why: 'not a JSON object' };
  if (raw.version !== undefined && raw.version !== 1) return { ok: false, why: `version ${JSON.stringify(raw.version)} is not one this corral reads` };
  if (raw.tasks !== undefined && !isObject(raw.tasks)) return { ok: false, why: 'its tasks are not a table' };

  const data = emptyState();
  const damage: StateDamage = { badRecords: new Map(), repaired: [] };
  const envs = raw.envs === undefined ? {} : isObject(raw.envs) && Object.values(raw.envs).every(isStringMap) ? (raw.envs as Record<string, Record<string, string>>) : null;
  const lostEnvs: string[] = [];
  for (const [id, rawRecord] of Object.entries(raw.tasks ?? {})) {
    let env: Record<string, string> | undefined;
    const rawEnv = isObject(rawRecord) && isObject(rawRecord.spec) ? rawRecord.spec.env : undefined;
    if (typeof rawEnv === 'string') {
      env = envs?.[rawEnv];
      if (env === undefined) lostEnvs.push(id);
    } else if (isStringMap(rawEnv)) env = rawEnv;
    try {
      data.tasks[id] = taskRecord(rawRecord, id, env ?? {});
    } catch (error) {
      if (error !== BAD) throw error;
      damage.badRecords.set(id, TASK_ID.test(id) ? salvage(rawRecord, env) : {});
    }
  }
  if (lostEnvs.some((id) => data.tasks[id])) damage.repaired.push(`the environment of ${lostEnvs.filter((id) => data.tasks[id]).join(', ')}`);

  let highest = 0;
  // Ids are never given twice: not even those of records that could not be read.
  for (const id of Object.keys(raw.tasks ?? {})) if (TASK_ID.test(id)) highest = Math.max(highest, Number(id.slice('bash_'.length)));
  if (typeof raw.nextId === 'number' && Number.isSafeInteger(raw.nextId) && raw.nextId >= 1) data.nextId = Math.max(raw.nextId, highest + 1);
  else {
    data.nextId = highest + 1;
    if (raw.nextId !== undefined) damage.repaired.push('the id counter');
  }
  if (raw.cursors !== undefined) {
    const cursors = isObject(raw.cursors) ? Object.entries(raw.cursors) : null;
    const good = cursors?.filter(([key, offset]) => key.split('\u0000').length === 3 && Number.isSafeInteger(offset) && (offset as number) >= 0) ?? [];
    data.cursors = Object.fromEntries(good) as Record<string, number>;
    if (cursors === null || good.length < cursors.length) damage.repaired.push('the read cursors');
  }
  if (raw.eventCursors !== undefined) {
    const cursors = isObject(raw.eventCursors) ? Object.entries(raw.eventCursors) : null;
    const good = cursors?.filter(([, seq]) => Number.isSafeInteger(seq) && (seq as number) >= 0) ?? [];
    data.eventCursors = Object.fromEntries(good) as Record<string, number>;
    if (cursors === null || good.length < cursors.length) damage.repaired.push('the event cursors');
  }
  return { ok: true, data, damage: damage.badRecords.size > 0 || damage.repaired.length > 0 ? damage : null };
}
