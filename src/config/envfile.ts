/**
 * Env files: `corral.yaml` (tasks:), the workflow format agent users write (steps:), and
 * Procfiles. A bad file is refused whole, before anything starts, with `file:line:col`
 * and the fix. The result is an EnvSpec: plain, validated, with durations in ms.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode, type Pair } from 'yaml';
import { z } from 'zod';
import { DEFAULTS } from '../../machines/defaults.js';
import { DurationError, parseDuration } from '../../machines/duration.js';
import {
  DEPENDENCY_CONDITIONS,
  suggestion,
  validateGraph,
  type DependencyEdge,
} from '../../machines/policies/dependencies.js';
import { checkRegex, healthDefaults, HealthSpecError, parseProbe, tcpProbe, type HealthProbe, type HealthSpec } from '../../machines/policies/health.js';
import { LimitError, NO_LIMITS, parseBytes, parseIonice, parseLimitDuration, parseMemoryLimit, parseNice, type IoPriority, type Limits } from '../../machines/policies/limits.js';
import { normalizeSignal, SignalError } from '../../machines/signals.js';
import type { RestartPolicy } from '../../machines/task.types.js';
import { usageError } from '../errors.js';
import { TASK_NAME } from './normalize.js';
import { quoteWords } from '../process/shell.js';
import { userRegExp } from '../../machines/pattern.js';

export interface EnvTaskDecl {
  name: string;
  command: string;
  cwd: string;
  /** Variables the file sets for this task (shared, then the task's own); the caller's environment goes under them. */
  env: Record<string, string>;
  background: boolean;
  dependsOn: DependencyEdge[];
  health: HealthSpec | null;
  restart: Partial<RestartPolicy>;
  stopSignal: string | null;
  graceMs: number | null;
  stopCommand: string | null;
  output: 'separate' | 'combined';
  nice: number | null;
  ionice: IoPriority | null;
  limits: Limits;
  alertOn: string | null;
}

export interface EnvSpec {
  name: string;
  file: string | null;
  tasks: EnvTaskDecl[];
}

// ---- schema ---------------------------------------------------------------------------

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
const healthSchema = z.preprocess(healthShorthand, healthObject);

const conditionSchema = z.enum(DEPENDENCY_CONDITIONS as [string, ...string[]], {
  message: `a condition is one of ${DEPENDENCY_CONDITIONS.join(', ')}`,
});

const dependsOnSchema = z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.union([
  z.array(z.string()),
  z.record(z.string(), z.union([conditionSchema, z.strictObject({ condition: conditionSchema.optional(), timeout: duration.optional() })])),
]));

const restartSchema = z.union([
  z.enum(['no', 'on-failure', 'always', 'unless-stopped']),
  z.strictObject({
    policy: z.enum(['no', 'on-failure', 'always', 'unless-stopped']),
    backoff: duration.optional(),
    max_backoff: duration.optional(),
    factor: z.number().min(1).optional(),
    min_uptime: duration.optional(),
    max_restarts: z.number().int().min(0).optional(),
    window: duration.optional(),
    success_exit_codes: z.array(z.number().int()).optional(),
  }),
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

const taskSchema = z.strictObject({
  command: commandSchema,
  description: z.string().optional(),
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
      timeout: duration.superRefine(limitCheck((ms: number) => parseLimitDuration(ms, 'timeout'))).optional(),
      idle: duration.superRefine(limitCheck((ms: number) => parseLimitDuration(ms, 'idle'))).optional(),
      idle_action: z.enum(['alert', 'stop']).optional(),
    })
    .optional(),
  monitor: z.strictObject({ alert_on: regex.optional() }).optional(),
});

const autoBackgroundSchema = z.strictObject({
  enabled: z.boolean().optional(),
  patterns: z.array(z.string()).optional(),
  excludePatterns: z.array(z.string()).optional(),
});

const envFileSchema = z.strictObject({
  autoBackground: autoBackgroundSchema.optional(),
  name: z.string().regex(TASK_NAME, 'an environment name starts with a letter: letters, digits, ".", "_" and "-"').optional(),
  env: envMap.optional(),
  env_file: envFiles.optional(),
  tasks: z.record(z.string().regex(TASK_NAME, 'a task name starts with a letter: letters, digits, ".", "_" and "-"'), taskSchema),
});

const stepSchema = z.strictObject({
  name: z.string().min(1),
  command: commandSchema,
  background: z.boolean().optional(),
  monitor: z.boolean().optional(),
  depends_on: z.array(z.string()).optional(),
  cwd: z.string().optional(),
  env: envMap.optional(),
  health: healthSchema.optional(),
});

const workflowSchema = z.strictObject({
  name: z.string().optional(),
  env: envMap.optional(),
  steps: z.array(stepSchema).min(1, 'a workflow needs at least one step'),
});

const KNOWN_KEYS: Record<string, string[]> = {
  top: ['name', 'env', 'env_file', 'tasks', 'autoBackground'],
  task: Object.keys(taskSchema.shape),
  health: ['http', 'tcp', 'listen', 'file', 'socket', 'exec', 'log', 'liveness', 'interval', 'timeout', 'retries', 'start_period'],
  stop: ['signal', 'grace', 'command'],
  limits: ['memory', 'timeout', 'idle', 'idle_action'],
  monitor: ['alert_on'],
  restart: ['policy', 'backoff', 'max_backoff', 'factor', 'min_uptime', 'max_restarts', 'window', 'success_exit_codes'],
  workflow: ['name', 'env', 'steps'],
  step: Object.keys(stepSchema.shape),
};

// ---- positions -----------------------------------------------------------------------

class Located {
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lines: LineCounter,
  ) {}

  /** `file:line:col` of the node at `path` (or of the key `key` in the map there). */
  at(path: (string | number)[], key?: string): string {
    let node: unknown = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    // Walk up to the nearest ancestor that exists (a missing key points at its map).
    for (let cut = path.length; node === undefined && cut > 0; cut--) {
      node = cut - 1 === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, cut - 1), true);
    }
    if (key !== undefined && isMap(node)) {
      const pair = (node.items as Pair[]).find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === key);
      if (pair?.key) node = pair.key;
    }
    const range = (node as YamlNode | undefined)?.range;
    const pos = this.lines.linePos(range ? range[0] : 0);
    return `${this.file}:${pos.line}:${pos.col}`;
  }

  fail(path: (string | number)[], message: string, key?: string): never {
    throw usageError(`${this.at(path, key)}: ${message}`);
  }
}

interface FlatIssue {
  path: (string | number)[];
  code: string;
  message: string;
  keys?: string[];
}

/** The issue to report, with its full path: inside a union, the branch the value was meant for. */
function flatten(issue: z.core.$ZodIssue, base: (string | number)[] = []): FlatIssue {
  const path = [...base, ...(issue.path as (string | number)[])];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const firsts = issue.errors.map((branch) => branch[0]).filter((i): i is z.core.$ZodIssue => i !== undefined);
    // A branch whose type matched failed for a reason worth telling; "expected object" from the others is not.
    // A deeper issue means the branch's shape matched; among shallow ones, a wrong value beats a wrong type.
    const meant = [...firsts].sort((x, y) => y.path.length - x.path.length)[0]!.path.length > 0
      ? [...firsts].sort((x, y) => y.path.length - x.path.length)[0]
      : firsts.find((i) => i.code !== 'invalid_type');
    if (meant) return flatten(meant, path);
    const expected = [...new Set(firsts.map((i) => (i as { expected?: string }).expected).filter(Boolean))];
    return { path, code: 'invalid_type', message: `expected ${expected.join(' or ')}` };
  }
  if (issue.code === 'invalid_key') {
    return { path, code: 'invalid_key', message: issue.issues[0]?.message ?? issue.message };
  }
  if (issue.code === 'unrecognized_keys') return { path, code: issue.code, message: issue.message, keys: issue.keys };
  return { path, code: issue.code, message: issue.message };
}

function zodFailure(loc: Located, error: z.ZodError, keysOf: (path: PropertyKey[]) => string[]): never {
  // An unknown key explains a "missing" one (a misspelt `comand:`), so it is told first.
  const issue = flatten(error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!);
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys![0]!;
    const valid = keysOf(path);
    loc.fail(path, `unknown key "${key}"${suggestion(key, valid)} (valid: ${valid.join(', ')})`, key);
  }
  if (issue.code === 'invalid_key') {
    loc.fail(path.slice(0, -1), `"${path[path.length - 1]}": ${issue.message}`, String(path[path.length - 1]));
  }
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    const missing = String(path[path.length - 1]);
    loc.fail(path.slice(0, -1), `"${missing}" is required`);
  }
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  loc.fail(path, `${where}${issue.message}`);
}

function keysForPath(path: PropertyKey[], workflow: boolean): string[] {
  const p = path.map(String);
  if (workflow) return p.length === 0 ? KNOWN_KEYS.workflow! : p.at(-1) === 'health' ? KNOWN_KEYS.health! : KNOWN_KEYS.step!;
  if (p.length === 0) return KNOWN_KEYS.top!;
  if (p[0] === 'tasks' && p.length === 2) return KNOWN_KEYS.task!;
  if (p[0] === 'tasks' && p.length === 4 && p[2] === 'depends_on') return ['condition', 'timeout'];
  const last = p.at(-1)!;
  if (p[0] === 'tasks' && p.length === 3 && ['health', 'stop', 'restart', 'limits', 'monitor'].includes(last)) return KNOWN_KEYS[last]!;
  return [];
}

// ---- loading -------------------------------------------------------------------------

export interface LoadOptions {
  /** The caller's environment, for ${VAR} expansion. */
  callerEnv?: Record<string, string | undefined>;
  /** Overrides the file's `name:`. */
  name?: string;
}

export function loadEnvFile(path: string, options: LoadOptions = {}): EnvSpec {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot be read (${code})`);
  }
  if (/^Procfile/.test(basename(file))) return parseProcfile(file, text, options);
  return parseEnvYaml(file, text, options);
}

export function parseProcfile(file: string, text: string, options: LoadOptions = {}): EnvSpec {
  const tasks: EnvTaskDecl[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const m = /^([A-Za-z0-9_.-]+):\s*(.+)$/.exec(line);
    if (!m) throw usageError(`${file}:${i + 1}:1: a Procfile line is "name: command"`);
    const name = m[1]!;
    if (!TASK_NAME.test(name)) throw usageError(`${file}:${i + 1}:1: "${name}" is not a task name (it starts with a letter)`);
    if (seen.has(name)) throw usageError(`${file}:${i + 1}:1: "${name}" is defined twice`);
    seen.add(name);
    tasks.push(plainTask(name, m[2]!.trim(), dirname(file)));
  });
  if (tasks.length === 0) throw usageError(`${file}:1:1: the Procfile has no processes`);
  return { name: options.name ?? defaultEnvName(file), file, tasks };
}

export function plainTask(name: string, command: string, cwd: string): EnvTaskDecl {
  return {
    name,
    command,
    cwd,
    env: {},
    background: true,
    dependsOn: [],
    health: null,
    restart: {},
    stopSignal: null,
    graceMs: null,
    stopCommand: null,
    output: 'separate',
    nice: null,
    ionice: null,
    limits: NO_LIMITS,
    alertOn: null,
  };
}

function defaultEnvName(file: string): string {
  const folder = basename(dirname(file)).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z]+/, '');
  return folder || 'env';
}

export function parseEnvYaml(file: string, text: string, options: LoadOptions = {}): EnvSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const loc = new Located(file, doc, lines);
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0] ?? lines.linePos(syntax.pos[0]);
    throw usageError(`${file}:${pos.line}:${pos.col}: ${syntax.message.split('\n')[0]}`);
  }
  const plain = doc.toJS() as unknown;
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    loc.fail([], 'an env file is a mapping with "tasks:" (or "steps:" for a workflow)');
  }
  const raw = interpolate(plain, [], expander(loc, options.callerEnv ?? process.env));
  const base = dirname(file);
  if ('steps' in (raw as object)) return parseWorkflow(loc, raw, base, options);

  const parsed = envFileSchema.safeParse(raw);
  if (!parsed.success) zodFailure(loc, parsed.error, (p) => keysForPath(p, false));
  const data = parsed.data;
  if (Object.keys(data.tasks).length === 0) loc.fail(['tasks'], 'the file has no tasks');

  const shared = { ...readEnvFiles(loc, ['env_file'], data.env_file ?? [], base), ...(data.env ?? {}) };
  const tasks: EnvTaskDecl[] = Object.entries(data.tasks).map(([name, t]) => {
    const at = ['tasks', name];
    const cwd = t.cwd ? (isAbsolute(t.cwd) ? t.cwd : resolve(base, t.cwd)) : base;
    const env = {
      ...shared,
      ...readEnvFiles(loc, [...at, 'env_file'], t.env_file ?? [], base),
      ...(t.env ?? {}),
    };
    return {
      ...plainTask(name, t.command, cwd),
      env,
      background: t.background ?? true,
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
    };
  });
  checkGraph(loc, tasks);
  return { name: options.name ?? data.name ?? defaultEnvName(file), file, tasks };
}

function edges(dependsOn: z.infer<typeof dependsOnSchema> | undefined, all: Record<string, z.infer<typeof taskSchema>>): DependencyEdge[] {
  if (!dependsOn) return [];
  // A bare name means "healthy" when that task has a check, "started" otherwise; a one-shot step, "succeeded".
  const defaultCondition = (on: string): DependencyEdge['condition'] => {
    const target = all[on];
    if (target?.background === false) return 'succeeded';
    return target?.health ? 'healthy' : 'started';
  };
  if (Array.isArray(dependsOn)) {
    return dependsOn.map((on) => ({ on, condition: defaultCondition(on), timeoutMs: DEFAULTS.dependencyTimeoutMs }));
  }
  return Object.entries(dependsOn).map(([on, v]) => {
    if (typeof v === 'string') return { on, condition: v as DependencyEdge['condition'], timeoutMs: DEFAULTS.dependencyTimeoutMs };
    return {
      on,
      condition: (v.condition as DependencyEdge['condition'] | undefined) ?? defaultCondition(on),
      timeoutMs: v.timeout ?? DEFAULTS.dependencyTimeoutMs,
    };
  });
}

/** Where a task is declared: `tasks.<name>` in an env file, `steps.<index>` in a workflow. */
type DeclaredAt = (task: string) => (string | number)[];

function checkGraph(loc: Located, tasks: EnvTaskDecl[], declaredAt: DeclaredAt = (name) => ['tasks', name]): void {
  const problems = validateGraph(
    tasks.map((t) => ({ name: t.name, dependsOn: t.dependsOn, hasHealthCheck: t.health !== null })),
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

function healthOf(loc: Located, at: (string | number)[], h: z.infer<typeof healthSchema>): HealthSpec {
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

function restartOf(r: z.infer<typeof restartSchema> | undefined): Partial<RestartPolicy> {
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

// ---- variables -----------------------------------------------------------------------

type Expand = (value: string, at: (string | number)[]) => string;

/** Where the `}` closing a `${` that starts before `from` is, counting nested `${…}`; -1 when none. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let k = from; k < text.length; k++) {
    if (text[k] === '$' && text[k + 1] === '{') {
      depth++;
      k++;
    } else if (text[k] === '}') {
      if (depth === 0) return k;
      depth--;
    }
  }
  return -1;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$VAR` from the caller's environment;
 * `$$` is a `$`. A default is itself expanded, and only when it is used (`${A:-${B}}`).
 */
function expander(loc: Located, callerEnv: Record<string, string | undefined>): Expand {
  return (value, at) => {
    const notAReference = (whole: string): never =>
      loc.fail(at, `"${whole}" is not a variable reference (write \${NAME}, or $$ for a dollar sign)`);
    const braced = (inner: string, whole: string): string => {
      const fallback = /^([A-Za-z_][A-Za-z0-9_]*)(:?-)([\s\S]*)$/.exec(inner);
      if (fallback) {
        const v = callerEnv[fallback[1]!];
        return v === undefined || (fallback[2] === ':-' && v === '') ? expand(fallback[3]!) : v;
      }
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(inner)) notAReference(whole);
      return callerEnv[inner] ?? '';
    };
    const expand = (text: string): string => {
      let out = '';
      let i = 0;
      while (i < text.length) {
        const dollar = text.indexOf('$', i);
        if (dollar < 0) return out + text.slice(i);
        out += text.slice(i, dollar);
        const next = text[dollar + 1];
        if (next === '$') {
          out += '$';
          i = dollar + 2;
        } else if (next === '{') {
          const end = closingBrace(text, dollar + 2);
          if (end < 0) loc.fail(at, `"${text.slice(dollar)}" has no closing brace (write $$ for a dollar sign)`);
          out += braced(text.slice(dollar + 2, end), text.slice(dollar, end + 1));
          i = end + 1;
        } else {
          const name = NAME.exec(text.slice(dollar + 1))?.[0];
          out += name ? (callerEnv[name] ?? '') : '$';
          i = dollar + 1 + (name?.length ?? 0);
        }
      }
      return out;
    };
    return expand(value);
  };
}

/** Commands are left to the shell, which expands their variables itself (with the task's environment). */
function isShellCommand(at: (string | number)[]): boolean {
  const p = at.map(String);
  if ((p[0] === 'tasks' || p[0] === 'steps') && p.length === 3 && p[2] === 'command') return true;
  return (p[0] === 'tasks' || p[0] === 'steps') && p.length === 4 && ((p[2] === 'stop' && p[3] === 'command') || (p[2] === 'health' && p[3] === 'exec'));
}

function interpolate(value: unknown, at: (string | number)[], expand: Expand): unknown {
  if (typeof value === 'string') return isShellCommand(at) ? value : expand(value, at);
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, [...at, i], expand));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, [...at, k], expand)]));
  }
  return value;
}

/** `.env` files: NAME=value lines, `#` comments, optional `export`, single or double quotes. */
function readEnvFiles(loc: Located, at: (string | number)[], files: string[], base: string): Record<string, string> {
  const env: Record<string, string> = {};
  files.forEach((f, i) => {
    const path = isAbsolute(f) ? f : resolve(base, f);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      loc.fail(files.length > 1 ? [...at, i] : at, `env_file ${f}: no such file`);
    }
    text.split('\n').forEach((line, n) => {
      const t = line.trim();
      if (!t || t.startsWith('#')) return;
      const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(t);
      if (!m) throw usageError(`${path}:${n + 1}:1: an env file line is NAME=value`);
      let v = m[2]!;
      const double = /^"((?:[^"\\]|\\.)*)"(\s+#.*)?$/.exec(v);
      const single = /^'([^']*)'(\s+#.*)?$/.exec(v);
      if (double) v = double[1]!.replace(/\\n/g, '\n').replace(/\\"/g, '"');
      else if (single) v = single[1]!;
      else v = v.replace(/\s+#.*$/, '');
      env[m[1]!] = v;
    });
  });
  return env;
}

// ---- workflow format -----------------------------------------------------------------

/** "Start Frontend" → "start-frontend": step names become task names. */
export function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(s) ? s.slice(0, 64) : `step-${s}`.slice(0, 64);
}

const WORKFLOW_ALERTS = '[Ee]rror|ERROR|[Ff]ailed|FAILED|[Ee]xception|EXCEPTION';

function parseWorkflow(loc: Located, raw: unknown, base: string, options: LoadOptions): EnvSpec {
  const parsed = workflowSchema.safeParse(raw);
  if (!parsed.success) zodFailure(loc, parsed.error, (p) => keysForPath(p, true));
  const data = parsed.data;
  const shared = data.env ?? {};
  const byStepName = new Map<string, string>();
  data.steps.forEach((step, i) => {
    const name = slug(step.name);
    if ([...byStepName.values()].includes(name)) loc.fail(['steps', i, 'name'], `two steps are named "${step.name}"`);
    byStepName.set(step.name, name);
  });
  let previousForeground: string | null = null;
  const tasks: EnvTaskDecl[] = data.steps.map((step, i) => {
    const name = byStepName.get(step.name)!;
    const background = step.background ?? false;
    let dependsOn: DependencyEdge[];
    if (step.depends_on) {
      dependsOn = step.depends_on.map((dep, j) => {
        const target = byStepName.get(dep) ?? (byStepName.has(dep) ? dep : [...byStepName.values()].find((v) => v === dep));
        if (!target) {
          loc.fail(['steps', i, 'depends_on', j], `depends on "${dep}", which is not a step of this file${suggestion(dep, [...byStepName.keys()])}`);
        }
        const targetStep = data.steps.find((s) => byStepName.get(s.name) === target)!;
        const condition: DependencyEdge['condition'] = targetStep.background ? (targetStep.health ? 'healthy' : 'started') : 'succeeded';
        return { on: target, condition, timeoutMs: DEFAULTS.dependencyTimeoutMs };
      });
    } else {
      // Steps without depends_on run in file order: each waits for the previous foreground step.
      dependsOn = previousForeground ? [{ on: previousForeground, condition: 'succeeded', timeoutMs: DEFAULTS.dependencyTimeoutMs }] : [];
    }
    if (!background) previousForeground = name;
    return {
      ...plainTask(name, step.command, step.cwd ? resolve(base, step.cwd) : base),
      env: { ...shared, ...(step.env ?? {}) },
      background,
      dependsOn,
      health: step.health ? healthOf(loc, ['steps', i, 'health'], step.health) : null,
      // `monitor: true` asks for a watched service: alert on error lines, restart it when it fails.
      restart: step.monitor ? { policy: 'on-failure' } : {},
      alertOn: step.monitor ? WORKFLOW_ALERTS : null,
    };
  });
  checkGraph(loc, tasks, (name) => ['steps', tasks.findIndex((t) => t.name === name)]);
  return { name: options.name ?? slug(data.name ?? defaultEnvName(loc.file)), file: loc.file, tasks };
}
