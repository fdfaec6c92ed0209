/**
 * THE entry for task options: whatever a front end gathered (CLI flags, MCP arguments,
 * later env files) becomes a validated TaskSpec here, with one clear error when not.
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
// zod's v3 API: the daemon loads this module at start, and zod 4's main entry parses all
// of its ~50 locales on import (about 5 MB of the daemon's RSS). Env files use it too.
import { z } from 'zod/v3';
import { DEFAULTS } from '../../machines/defaults.js';
import { DurationError } from '../../machines/duration.js';
import { healthDefaults, HealthSpecError, parseProbe, type HealthSpec } from '../../machines/policies/health.js';
import { LimitError, parseIonice, parseLimitDuration, parseLogCap, parseMemoryLimit, parseNice, type Limits } from '../../machines/policies/limits.js';
import { defaultRestartPolicy, RESTART_POLICIES } from '../../machines/policies/restart.js';
import { taskNameProblem } from '../../machines/policies/names.js';
import { normalizeSignal, SignalError } from '../../machines/signals.js';
import { normalizeWatch, WatchSpecError, type WatchSpec } from '../../machines/policies/watch.js';
import type { TaskSpec } from '../../machines/task.types.js';
import { everyProblem, scheduleProblem, type ScheduleSpec } from '../../machines/policies/schedule.js';
import { cronProblem } from './cron.js';
import type { EnvTaskDecl } from './envfile/index.js';
import type { RunInput } from '../api.js';
import { field, usageError } from '../errors.js';
import { zodToUsage } from './errors.js';
import { durationOption } from './control.js';
import { compileFilter } from './filter.js';


/** `bash_5` names no task: it would be read as the id of another one. */
export const looksLikeTaskId = (name: string): boolean => /^bash_\d+$/.test(name);
export const ID_LIKE_NAME = 'a name cannot look like a task id (bash_N)';

const runInputSchema = z.object({
  command: z.string().trim().min(1, 'the command is empty'),
  cwd: z.string().optional(),
  baseEnv: z.record(z.string(), z.string()).optional(),
  env: z.record(z.string().regex(/^[^=\0]+$/, 'a variable name has no "=" in it'), z.string()).optional(),
  name: z
    .string()
    .superRefine((n, ctx) => {
      const problem = taskNameProblem(n);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    })
    .optional(),
  restart: z.enum(RESTART_POLICIES as ['no', 'on-failure', 'always', 'unless-stopped']).optional(),
  maxRestarts: z.number().int().min(0).optional(),
  stopSignal: z.string().optional(),
  grace: z.union([z.string(), z.number()]).optional(),
  health: z.array(z.string()).optional(),
  backoff: z.union([z.string(), z.number()]).optional(),
  maxBackoff: z.union([z.string(), z.number()]).optional(),
  minUptime: z.union([z.string(), z.number()]).optional(),
  restartWindow: z.union([z.string(), z.number()]).optional(),
  successExitCodes: z.array(z.number().int().min(0).max(255)).optional(),
  nice: z.number().optional(),
  ionice: z.string().optional(),
  maxMemory: z.string().optional(),
  timeout: z.union([z.string(), z.number()]).optional(),
  idle: z.union([z.string(), z.number()]).optional(),
  idleAction: z.enum(['alert', 'stop']).optional(),
  alertOn: z.string().optional(),
  logMaxSize: z.union([z.string(), z.number()]).optional(),
  color: z.boolean().optional(),
  session: z.string().trim().min(1, 'the session is empty').max(256, 'a session is at most 256 characters').optional(),
  keep: z.boolean().optional(),
  once: z.boolean().optional(),
  watch: z.array(z.string()).optional(),
  stdin: z.boolean().optional(),
  schedule: z.string().optional(),
  every: z.union([z.string(), z.number()]).optional(),
});

interface NormalizedRun {
  spec: TaskSpec;
  name: string | null;
  session: string | null;
  keep: boolean;
  once: boolean;
}

/** Runs a parser of `key`'s value; its complaint becomes a usage error naming the field. */
function wrap<T>(fn: () => T, key: string): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof DurationError || error instanceof SignalError || error instanceof HealthSpecError || error instanceof LimitError) {
      throw usageError(`${field(key)}: ${error.message}`);
    }
    throw error;
  }
}

export function normalizeRun(raw: RunInput, baseCwd = process.cwd()): NormalizedRun {
  const parsed = runInputSchema.safeParse(raw);
  if (!parsed.success) throw zodToUsage(parsed.error);
  const input = parsed.data;
  const cwd = input.cwd ? (isAbsolute(input.cwd) ? input.cwd : resolve(baseCwd, input.cwd)) : baseCwd;
  let isDir = false;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw usageError(`${field('cwd')}: ${cwd} is not a folder`);
  const env = taskEnv(input.baseEnv, input.env);
  const ms = (v: string | number | undefined, key: string) => (v === undefined ? undefined : durationOption(v, key));
  const backoffMs = ms(input.backoff, 'backoff');
  const maxBackoffMs = ms(input.maxBackoff, 'maxBackoff');
  const minUptimeMs = ms(input.minUptime, 'minUptime');
  const windowMs = ms(input.restartWindow, 'restartWindow');
  const restart = defaultRestartPolicy({
    ...(input.restart ? { policy: input.restart } : {}),
    ...(input.maxRestarts !== undefined ? { maxRestarts: input.maxRestarts } : {}),
    ...(backoffMs !== undefined ? { backoffMs } : {}),
    ...(maxBackoffMs !== undefined ? { maxBackoffMs } : {}),
    ...(minUptimeMs !== undefined ? { minUptimeMs } : {}),
    ...(windowMs !== undefined ? { windowMs } : {}),
    ...(input.successExitCodes !== undefined ? { successExitCodes: input.successExitCodes } : {}),
  });
  if (input.alertOn !== undefined) compileFilter(input.alertOn, 'alertOn');
  if (input.idleAction !== undefined && input.idle === undefined) throw usageError(`${field('idleAction')} says what ${field('idle')} does: give ${field('idle')} too`);
  const limits: Limits = {
    memoryBytes: input.maxMemory === undefined ? null : wrap(() => parseMemoryLimit(input.maxMemory!), 'maxMemory'),
    timeoutMs: input.timeout === undefined ? null : wrap(() => parseLimitDuration(input.timeout!, 'timeout'), 'timeout'),
    idleMs: input.idle === undefined ? null : wrap(() => parseLimitDuration(input.idle!, 'idle'), 'idle'),
    idleAction: input.idleAction ?? 'alert',
  };
  return {
    name: input.name ?? null,
    session: input.session ?? null,
    keep: input.keep === true,
    once: input.once === true,
    spec: {
      command: input.command,
      cwd,
      env,
      envSet: Object.keys(input.env ?? {}),
      stopSignal: wrap(() => normalizeSignal(input.stopSignal ?? DEFAULTS.stopSignal), 'stopSignal'),
      graceMs: input.grace === undefined ? DEFAULTS.graceMs : durationOption(input.grace, 'grace'),
      stopCommand: null,
      restart,
      health: parseHealthFlags(input.health),
      output: 'separate',
      nice: input.nice === undefined ? null : wrap(() => parseNice(input.nice!), 'nice'),
      ionice: input.ionice === undefined ? null : wrap(() => parseIonice(input.ionice!), 'ionice'),
      limits,
      alertOn: input.alertOn ?? null,
      ...(input.logMaxSize !== undefined ? { logMaxBytes: wrap(() => parseLogCap(input.logMaxSize!), 'logMaxSize') } : {}),
      ...(input.color ? { color: true } : {}),
      stdin: input.stdin ? 'pipe' : null,
      watch: input.watch === undefined || input.watch.length === 0 ? null : watchOption(input.watch, cwd),
      ...scheduleOption(input.schedule, input.every, restart.policy),
    },
  };
}

/** `--schedule CRON` or `--every DURATION`: a spec's schedule, refused as the env file refuses it. */
function scheduleOption(cron: string | undefined, every: string | number | undefined, restart: string): { schedule?: ScheduleSpec } {
  if (cron === undefined && every === undefined) return {};
  const problem = scheduleProblem({ schedule: cron, every, restart });
  if (problem) throw usageError(`${field(problem.key)}: ${problem.message}`);
  if (every !== undefined) {
    const ms = durationOption(every, 'every');
    const tooOften = everyProblem(ms);
    if (tooOften) throw usageError(`${field('every')}: ${tooOften}`);
    return { schedule: { every: ms } };
  }
  const bad = cronProblem(cron!);
  if (bad) throw usageError(`${field('schedule')}: ${bad}`);
  return { schedule: { cron: cron! } };
}

/** `--watch PATH` (repeatable): the paths, with every other setting at its default. */
function watchOption(paths: string[], cwd: string): WatchSpec {
  try {
    return normalizeWatch({ paths }, cwd);
  } catch (error) {
    if (error instanceof WatchSpecError) throw usageError(`${field('watch')}: ${error.message}`);
    throw error;
  }
}

/** `--health tcp:6390 --health log:ready`: every probe must pass. */
export function parseHealthFlags(flags: string[] | undefined): HealthSpec | null {
  if (!flags || flags.length === 0) return null;
  return healthDefaults(flags.map((f) => wrap(() => parseProbe(f), 'health')));
}

/** The caller's environment with the overrides on top, minus the marker of any task the caller runs in. */
function taskEnv(base: Record<string, string> | undefined, overrides: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { ...(base ?? (process.env as Record<string, string>)), ...overrides };
  // A task started from inside another task is not part of that task's tree.
  delete env.CORRAL_TASK;
  delete env.CORRAL_TASK_TOKEN;
  return env;
}

type EnvOf = (decl: EnvTaskDecl) => Record<string, string>;

/**
 * Each task's environment, one object for the tasks of a file whose variables are the same:
 * the state file stores each distinct object once, and 10,000 copies of the caller's
 * environment would cost megabytes and a serialisation each.
 */
export function sharedEnvs(callerEnv: Record<string, string> | undefined): EnvOf {
  const byContent = new Map<string, Record<string, string>>();
  return (decl) => {
    const key = JSON.stringify(decl.env);
    let env = byContent.get(key);
    if (!env) byContent.set(key, (env = taskEnv(callerEnv, decl.env)));
    return env;
  };
}

/** A task of an env file, validated by the loader, as a TaskSpec. */
export function specFromDecl(decl: EnvTaskDecl, callerEnv: Record<string, string> | undefined, envOf: EnvOf = (d) => taskEnv(callerEnv, d.env)): TaskSpec {
  let isDir = false;
  try {
    isDir = statSync(decl.cwd).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw usageError(`task ${decl.name}: cwd ${decl.cwd} is not a folder`);
  return {
    command: decl.command,
    cwd: decl.cwd,
    env: envOf(decl),
    envSet: Object.keys(decl.env),
    stopSignal: decl.stopSignal ?? DEFAULTS.stopSignal,
    graceMs: decl.graceMs ?? DEFAULTS.graceMs,
    stopCommand: decl.stopCommand,
    restart: defaultRestartPolicy(decl.restart),
    health: decl.health,
    output: decl.output,
    nice: decl.nice,
    ionice: decl.ionice,
    limits: decl.limits,
    alertOn: decl.alertOn,
    ...(decl.logMaxBytes !== null ? { logMaxBytes: decl.logMaxBytes } : {}),
    ...(decl.color ? { color: true } : {}),
    watch: decl.watch,
    stdin: decl.stdin,
    ...(decl.schedule ? { schedule: decl.schedule } : {}),
  };
}
