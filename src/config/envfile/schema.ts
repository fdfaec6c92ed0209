/**
 * The zod schemas of corral.yaml (`tasks:`) and of the workflow format (`steps:`), and the
 * keys each place of a file accepts, for "unknown key" messages with the nearest valid one.
 */
// zod's v3 API, which the daemon has loaded already (see src/config/normalize.ts): zod 4's
// own entry cost more to load (about 120 ms under the daemon's lite mode) than reading a
// hundred-task file, on the first `up` of every daemon.
import { z } from 'zod/v3';
import { DurationError, parseDuration } from '../../../machines/duration.js';
import { DEPENDENCY_CONDITIONS } from '../../../machines/policies/dependencies.js';
import { parseProbe, type HealthProbe } from '../../../machines/policies/health.js';
import { checkLimitDuration, LimitError, parseIonice, parseLogCap, parseMemoryLimit, parseNice } from '../../../machines/policies/limits.js';
import { normalizeSignal, SignalError } from '../../../machines/signals.js';
import { userRegExp } from '../../../machines/pattern.js';
import { quoteWords } from '../../../machines/shell-words.js';
import { ID_LIKE_RULE, looksLikeTaskId, TASK_NAME } from '../../../machines/policies/names.js';
import { imageProblem } from '../../../machines/policies/image.js';
import { everyProblem } from '../../../machines/policies/schedule.js';
import { cronProblem } from '../cron.js';
import { RECORD_KEY } from './located.js';
import { MAX_REPLICAS, REPLICAS_RULE } from '../../../machines/policies/replicas.js';

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as DurationError).message });
    return z.NEVER;
  }
});

const regex = z.string().superRefine((value, ctx) => {
  try {
    userRegExp(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})` });
  }
});

function limitCheck(parse: (v: never) => unknown) {
  return (value: unknown, ctx: z.RefinementCtx) => {
    try {
      parse(value as never);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as LimitError).message });
    }
  };
}

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const envMap = z.record(z.string(), scalar);
const envFiles = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));

/**
 * `health: "tcp:6390"`, as `--health` writes a check: the object form of the same check.
 * A string that names no check is left as it is, and refused with the object form's message.
 */
function healthShorthand(value: unknown): unknown {
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  let probe: HealthProbe;
  try {
    probe = parseProbe(String(value));
  } catch {
    return value;
  }
  switch (probe.kind) {
    case 'http':
      return { http: probe.url };
    case 'tcp':
      return { tcp: `${probe.host}:${probe.port}` };
    case 'file':
    case 'socket':
      return { [probe.kind]: probe.path };
    case 'exec':
      return { exec: probe.command };
    case 'log':
      return { log: probe.pattern };
    default:
      return { listen: true };
  }
}

const healthObject = z
  .strictObject({
    http: z.string().regex(/^https?:\/\//, 'an http check is a URL: http://127.0.0.1:4000/health').optional(),
    tcp: z.union([z.string(), z.number()]).optional(),
    file: z.string().optional(),
    socket: z.string().optional(),
    exec: z.string().optional(),
    log: regex.optional(),
    listen: z.literal(true).optional(),
    liveness: z.boolean().optional(),
    interval: duration.optional(),
    timeout: duration.optional(),
    retries: z.number().int().min(1).optional(),
    start_period: duration.optional(),
  })
  .refine((h) => h.http || h.tcp !== undefined || h.file || h.socket || h.exec || h.log || h.listen, {
    message: 'a health check needs one of http, tcp, listen, file, socket, exec or log',
  });
export const healthSchema = z.preprocess(healthShorthand, healthObject);

const conditionSchema = z.enum(DEPENDENCY_CONDITIONS as [string, ...string[]], {
  message: `a condition is one of ${DEPENDENCY_CONDITIONS.join(', ')}`,
});

/** `restart: true` on an edge: this task restarts after the one it depends on restarts (compose's meaning). */
const restartEdge = z.boolean({ message: 'restart is true (restart after it, when an applied file restarts it) or false' });

export const dependsOnSchema = z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.union([
  z.array(z.string()),
  z.record(z.string(), z.union([conditionSchema, z.object({ condition: conditionSchema.optional(), timeout: duration.optional(), restart: restartEdge.optional() }).strict()])),
]));

export const restartSchema = z.union([
  z.enum(['no', 'on-failure', 'always', 'unless-stopped']),
  z.object({
    policy: z.enum(['no', 'on-failure', 'always', 'unless-stopped']),
    backoff: duration.optional(),
    max_backoff: duration.optional(),
    factor: z.number().min(1).optional(),
    min_uptime: duration.optional(),
    max_restarts: z.number().int().min(0).optional(),
    window: duration.optional(),
    success_exit_codes: z.array(z.number().int()).optional(),
  }).strict(),
]);

const signal = z.union([z.string(), z.number().int()]).transform(String).superRefine((value, ctx) => {
  try {
    normalizeSignal(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as SignalError).message });
  }
});

/** A shell command line, or (as in compose) an argv list, quoted word by word as `run -- a b` is. */
const commandSchema = z.preprocess(
  (value) => (Array.isArray(value) && value.every((word) => typeof word === 'string') ? quoteWords(value) : value),
  z.string().trim().min(1, 'the command is empty'),
);

/** The container image a task runs in once exported (`corral export`); corral itself ignores it. */
const imageSchema = z.string().superRefine((value, ctx) => {
  const problem = imageProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const pathList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));

/** `watch: src`, `watch: [src, lib]`, or the object form with ignores, debounce and cascade. */
export const watchSchema = z.union([
  pathList,
  z.object({
    paths: pathList,
    ignore: pathList.optional(),
    debounce: duration.optional(),
    cascade: z.boolean().optional(),
  }).strict(),
]);

export const taskSchema = z.object({
  command: commandSchema,
  description: z.string().optional(),
  image: imageSchema.optional(),
  cwd: z.string().optional(),
  env: envMap.optional(),
  env_file: envFiles.optional(),
  background: z.boolean().optional(),
  depends_on: dependsOnSchema.optional(),
  health: healthSchema.optional(),
  restart: restartSchema.optional(),
  stop: z.strictObject({ signal: signal.optional(), grace: duration.optional(), command: z.string().optional() }).optional(),
  output: z.enum(['separate', 'combined']).optional(),
  nice: z.number().superRefine(limitCheck(parseNice)).optional(),
  ionice: z.string().superRefine(limitCheck(parseIonice)).optional(),
  limits: z
    .strictObject({
      memory: z.union([z.string(), z.number()]).superRefine(limitCheck(parseMemoryLimit)).optional(),
      timeout: duration.superRefine(limitCheck((ms: number) => checkLimitDuration(ms, 'timeout'))).optional(),
      idle: duration.superRefine(limitCheck((ms: number) => checkLimitDuration(ms, 'idle'))).optional(),
      idle_action: z.enum(['alert', 'stop']).optional(),
    })
    .optional(),
  monitor: z.strictObject({ alert_on: regex.optional() }).optional(),
  logs: z.strictObject({ max_size: z.union([z.string(), z.number()]).superRefine(limitCheck(parseLogCap)).optional() }).optional(),
  color: z.boolean().optional(),
  watch: watchSchema.optional(),
  schedule: z
    .string()
    .superRefine((value, ctx) => {
      const problem = cronProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  every: duration
    .superRefine((ms, ctx) => {
      const problem = everyProblem(ms);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  stdin: z.enum(['pipe'], { message: 'stdin is pipe (send writes to it), or null for /dev/null (the default)' }).nullable().optional(),
  replicas: z.number({ message: REPLICAS_RULE }).int(REPLICAS_RULE).min(0, REPLICAS_RULE).max(MAX_REPLICAS, REPLICAS_RULE).optional(),
  profiles: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().regex(TASK_NAME, 'a profile starts with a letter: letters, digits, ".", "_" and "-"')))
    .optional(),
}).strict();

const autoBackgroundSchema = z.object({
  enabled: z.boolean().optional(),
  patterns: z.array(z.string()).optional(),
  excludePatterns: z.array(z.string()).optional(),
  rules: z.array(z.strictObject({ pattern: z.string().min(1), background: z.boolean() })).optional(),
}).strict();

export const envFileSchema = z.object({
  autoBackground: autoBackgroundSchema.optional(),
  name: z.string().regex(TASK_NAME, 'an environment name starts with a letter: letters, digits, ".", "_" and "-"').optional(),
  env: envMap.optional(),
  env_file: envFiles.optional(),
  tasks: z.record(
    z.string().superRefine((name, ctx) => {
      const problem = !TASK_NAME.test(name) ? 'a task name starts with a letter: letters, digits, ".", "_" and "-"' : looksLikeTaskId(name) ? ID_LIKE_RULE : null;
      if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { [RECORD_KEY]: true } });
    }),
    taskSchema,
  ),
}).strict();

const stepSchema = z.object({
  name: z.string().min(1),
  command: commandSchema,
  background: z.boolean().optional(),
  monitor: z.boolean().optional(),
  depends_on: z.array(z.string()).optional(),
  cwd: z.string().optional(),
  env: envMap.optional(),
  health: healthSchema.optional(),
}).strict();

export const workflowSchema = z.object({
  name: z.string().optional(),
  env: envMap.optional(),
  steps: z.array(stepSchema).min(1, 'a workflow needs at least one step'),
}).strict();

export type TaskDecl = z.infer<typeof taskSchema>;
export type HealthDecl = z.infer<typeof healthSchema>;
export type RestartDecl = z.infer<typeof restartSchema>;
export type DependsOnDecl = z.infer<typeof dependsOnSchema>;
export type WatchDecl = z.infer<typeof watchSchema>;

const KNOWN_KEYS: Record<string, string[]> = {
  top: ['name', 'env', 'env_file', 'tasks', 'autoBackground'],
  task: Object.keys(taskSchema.shape),
  health: ['http', 'tcp', 'listen', 'file', 'socket', 'exec', 'log', 'liveness', 'interval', 'timeout', 'retries', 'start_period'],
  stop: ['signal', 'grace', 'command'],
  limits: ['memory', 'timeout', 'idle', 'idle_action'],
  monitor: ['alert_on'],
  logs: ['max_size'],
  watch: ['paths', 'ignore', 'debounce', 'cascade'],
  restart: ['policy', 'backoff', 'max_backoff', 'factor', 'min_uptime', 'max_restarts', 'window', 'success_exit_codes'],
  workflow: ['name', 'env', 'steps'],
  step: Object.keys(stepSchema.shape),
};

/** The keys valid in the map at `path` of corral.yaml. */
export function envFileKeys(path: PropertyKey[]): string[] {
  const p = path.map(String);
  if (p.length === 0) return KNOWN_KEYS.top!;
  if (p[0] === 'autoBackground' && p.length === 1) return Object.keys(autoBackgroundSchema.shape);
  if (p[0] === 'autoBackground' && p[1] === 'rules' && p.length === 3) return ['pattern', 'background'];
  if (p[0] === 'tasks' && p.length === 2) return KNOWN_KEYS.task!;
  if (p[0] === 'tasks' && p.length === 4 && p[2] === 'depends_on') return ['condition', 'timeout', 'restart'];
  const last = p.at(-1)!;
  if (p[0] === 'tasks' && p.length === 3 && ['health', 'stop', 'restart', 'limits', 'monitor', 'logs', 'watch'].includes(last)) return KNOWN_KEYS[last]!;
  return [];
}

/** The keys valid in the map at `path` of a workflow. */
export function workflowKeys(path: PropertyKey[]): string[] {
  const p = path.map(String);
  return p.length === 0 ? KNOWN_KEYS.workflow! : p.at(-1) === 'health' ? KNOWN_KEYS.health! : KNOWN_KEYS.step!;
}
