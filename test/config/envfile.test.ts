/**
 * The env-file loader (src/config/envfile.ts): corral.yaml (`tasks:`), the workflow format
 * (`steps:`) and Procfiles. Valid files become an EnvSpec; a bad file is refused whole with
 * a usage error that starts with `file:line:col:` and says what is wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../machines/defaults.js';
import { loadEnvFile, parseEnvYaml, parseProcfile, slug, type EnvSpec, type EnvTaskDecl } from '../../src/config/envfile.js';
import { CorralError } from '../../src/errors.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url)).replace(/\/$/, '');
/** For files parsed from text: the path never has to exist. */
const FILE = '/srv/app/corral.yaml';
const DEP_TIMEOUT = DEFAULTS.dependencyTimeoutMs;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'corral-envfile-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** YAML text from lines, so that line numbers in the tests are easy to count. */
const y = (...lines: string[]) => `${lines.join('\n')}\n`;

function parse(text: string, callerEnv: Record<string, string> = {}, file = FILE): EnvSpec {
  return parseEnvYaml(file, text, { callerEnv });
}

function taskOf(spec: EnvSpec, name: string): EnvTaskDecl {
  const task = spec.tasks.find((t) => t.name === name);
  if (!task) throw new Error(`no task ${name} in ${spec.tasks.map((t) => t.name).join(', ')}`);
  return task;
}

/** The usage error `fn` throws (kind usage, exit code 2). */
function usageOf(fn: () => unknown): CorralError {
  let thrown: unknown = undefined;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a usage error, nothing was thrown').toBeDefined();
  expect(thrown).toBeInstanceOf(CorralError);
  const error = thrown as CorralError;
  expect(error.kind).toBe('usage');
  expect(error.exitCode).toBe(2);
  return error;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `fn` is refused with a message that starts with `file:line:col: ` and contains every part. */
function refusedAt(fn: () => unknown, file: string, line: number, col: number, ...parts: (string | RegExp)[]): string {
  const { message } = usageOf(fn);
  expect(message).toMatch(new RegExp(`^${escapeRe(`${file}:${line}:${col}: `)}`));
  for (const part of parts) {
    if (typeof part === 'string') expect(message).toContain(part);
    else expect(message).toMatch(part);
  }
  return message;
}

/** `text`, parsed as FILE, is refused at line:col. */
const bad = (text: string, line: number, col: number, ...parts: (string | RegExp)[]) =>
  refusedAt(() => parse(text), FILE, line, col, ...parts);

// ---- a valid corral.yaml -------------------------------------------------------------------

describe('a valid corral.yaml (fixtures/corral.yaml)', () => {
  const CALLER = { HOME: '/home/dev', API_URL: 'http://127.0.0.1:4000', API_PORT: '4100', PATH: '/usr/bin' };
  const file = join(FIXTURES, 'corral.yaml');
  let spec: EnvSpec;
  const task = (name: string) => taskOf(spec, name);
  beforeAll(() => {
    spec = loadEnvFile(file, { callerEnv: CALLER });
  });

  it('keeps the tasks in declaration order, with the environment name and the absolute file', () => {
    expect(spec.name).toBe('dev-env');
    expect(spec.file).toBe(file);
    expect(spec.tasks.map((t) => t.name)).toEqual(['db', 'migrate', 'api', 'cache', 'worker']);
  });

  it('resolves a relative path to the file against the current folder', () => {
    const viaRelative = loadEnvFile(relative(process.cwd(), file), { callerEnv: CALLER });
    expect(viaRelative.file).toBe(file);
    expect(viaRelative.tasks.map((t) => t.name)).toEqual(spec.tasks.map((t) => t.name));
  });

  it('leaves commands to the shell: no variable expansion in command or stop.command', () => {
    expect(task('db').command).toBe('redis-server --port 6390');
    expect(task('migrate').command).toBe('./migrate.sh --home $HOME');
    expect(task('api').command).toBe('node api.js --url ${API_URL}');
    expect(task('api').stopCommand).toBe('kill -USR2 $$PPID');
  });

  it('runs a task in the folder of the file, or in cwd resolved against that folder', () => {
    expect(task('db').cwd).toBe(FIXTURES);
    expect(task('migrate').cwd).toBe(join(FIXTURES, 'tools'));
    expect(task('api').cwd).toBe(join(FIXTURES, 'srv/api'));
    expect(task('cache').cwd).toBe('/var/tmp');
  });

  it('merges env: the shared env_file, then the shared env, then the task env_file, then the task env', () => {
    expect(task('db').env).toEqual({
      SHARED: 'from-env-map',
      FROM_SHARED_FILE: 'yes',
      LEVEL: 'shared',
      NODE_ENV: 'development',
    });
    expect(task('cache').env).toEqual(task('db').env);
    expect(task('api').env).toEqual({
      NODE_ENV: 'development',
      SHARED: 'from-env-map',
      FROM_SHARED_FILE: 'yes',
      API_KEY: 'abc123',
      QUOTED: 'two words',
      SINGLE: 'no $expansion here',
      ESCAPED: 'line1\nline2 "q"',
      PLAIN: 'value',
      HASH: 'a#b',
      SPACED: 'padded',
      EMPTY: '',
      LEVEL: 'task',
      PORT: '4000',
      DEBUG: 'true',
      DB_URL: 'redis://127.0.0.1:6390',
      HOME_DIR: '/home/dev/code',
      PRICE: '$5',
    });
  });

  it('does not put the caller environment into the task env (it goes under it at spawn time)', () => {
    expect(task('api').env).not.toHaveProperty('PATH');
    expect(task('api').env).not.toHaveProperty('HOME');
  });

  it('reads .env files relative to the file, not to the task cwd', () => {
    // api has cwd ./srv/api, and its env_file api.env is found next to corral.yaml.
    expect(task('api').env.API_KEY).toBe('abc123');
  });

  it('expands ${VAR}, ${VAR:-default} and $$ from the caller in values that are not commands', () => {
    expect(task('api').env.DB_URL).toBe('redis://127.0.0.1:6390');
    expect(task('api').env.HOME_DIR).toBe('/home/dev/code');
    expect(task('api').env.PRICE).toBe('$5');
    expect(task('api').health?.probes).toEqual([{ kind: 'http', url: 'http://127.0.0.1:4100/health' }]);
  });

  it('runs tasks in the background unless background: false', () => {
    expect(spec.tasks.map((t) => [t.name, t.background])).toEqual([
      ['db', true],
      ['migrate', false],
      ['api', true],
      ['cache', true],
      ['worker', false],
    ]);
  });

  it('gives a bare depends_on name the condition healthy (target has a check), succeeded (one-shot) or started', () => {
    expect(task('db').dependsOn).toEqual([]);
    expect(task('migrate').dependsOn).toEqual([{ on: 'db', condition: 'healthy', timeoutMs: DEP_TIMEOUT }]);
    expect(task('worker').dependsOn).toEqual([
      { on: 'migrate', condition: 'succeeded', timeoutMs: DEP_TIMEOUT },
      { on: 'cache', condition: 'started', timeoutMs: DEP_TIMEOUT },
    ]);
  });

  it('reads the map form of depends_on: a condition, or an object with condition and a per-edge timeout', () => {
    expect(task('api').dependsOn).toEqual([
      { on: 'db', condition: 'healthy', timeoutMs: DEP_TIMEOUT },
      { on: 'migrate', condition: 'succeeded', timeoutMs: DEP_TIMEOUT },
      { on: 'cache', condition: 'started', timeoutMs: 500 },
      { on: 'worker', condition: 'completed', timeoutMs: 120_000 },
    ]);
  });

  it('reads health checks with interval, timeout, retries and start_period, and defaults the rest', () => {
    expect(task('db').health).toEqual({
      probes: [{ kind: 'tcp', host: '127.0.0.1', port: 6390 }],
      intervalMs: DEFAULTS.health.intervalMs,
      timeoutMs: DEFAULTS.health.timeoutMs,
      retries: DEFAULTS.health.retries,
      startPeriodMs: DEFAULTS.health.startPeriodMs,
    });
    expect(task('api').health).toEqual({
      probes: [{ kind: 'http', url: 'http://127.0.0.1:4100/health' }],
      intervalMs: 1_000,
      timeoutMs: 2_000,
      retries: 5,
      startPeriodMs: 90_000,
    });
    expect(task('cache').health).toBeNull();
  });

  it('reads restart as a policy name or as an object with durations in ms', () => {
    expect(task('api').restart).toEqual({
      policy: 'on-failure',
      backoffMs: 1_000,
      maxBackoffMs: 30_000,
      factor: 1.5,
      minUptimeMs: 10_000,
      maxRestarts: 5,
      windowMs: 120_000,
      successExitCodes: [0, 143],
    });
    expect(task('worker').restart).toEqual({ policy: 'always' });
    expect(task('db').restart).toEqual({});
  });

  it('normalises stop signals (TERM → SIGTERM, int → SIGINT) and reads grace and command', () => {
    expect(task('api')).toMatchObject({ stopSignal: 'SIGTERM', graceMs: 10_000, stopCommand: 'kill -USR2 $$PPID' });
    expect(task('worker')).toMatchObject({ stopSignal: 'SIGINT', graceMs: null, stopCommand: null });
    expect(task('db')).toMatchObject({ stopSignal: null, graceMs: null, stopCommand: null });
  });

  it('reads output: combined, and separate by default', () => {
    expect(task('api').output).toBe('combined');
    expect(task('db').output).toBe('separate');
  });
});

describe('corral.yaml details', () => {
  it('names the environment after its folder when the file has no name:, and options.name wins over both', () => {
    const tasks = y('tasks:', '  a:', '    command: x');
    expect(parseEnvYaml('/srv/my-app/corral.yaml', tasks, { callerEnv: {} }).name).toBe('my-app');
    expect(parseEnvYaml('/srv/2 My App!/corral.yaml', tasks, { callerEnv: {} }).name).toBe('My-App-');
    expect(parseEnvYaml('/srv/123/corral.yaml', tasks, { callerEnv: {} }).name).toBe('env');
    expect(parseEnvYaml(FILE, y('name: from-file', ...tasks.trim().split('\n')), { callerEnv: {}, name: 'override' }).name).toBe('override');
  });

  it('reads stop signals given as SIGKILL, kill or a number in a string', () => {
    const spec = parse(
      y(
        'tasks:',
        '  a: { command: x, stop: { signal: SIGKILL } }',
        '  b: { command: x, stop: { signal: hup } }',
        '  c: { command: x, stop: { signal: "9" } }',
      ),
    );
    expect(spec.tasks.map((t) => t.stopSignal)).toEqual(['SIGKILL', 'SIGHUP', 'SIGKILL']);
  });

  it('reads the per-edge timeout as seconds when it is a number', () => {
    const spec = parse(
      y('tasks:', '  db: { command: x }', '  api:', '    command: y', '    depends_on: { db: { condition: started, timeout: 30 } }'),
    );
    expect(taskOf(spec, 'api').dependsOn).toEqual([{ on: 'db', condition: 'started', timeoutMs: 30_000 }]);
  });

  it('lets an explicit condition override the default, also "completed" and "succeeded" on background tasks', () => {
    const spec = parse(
      y(
        'tasks:',
        '  db: { command: x, health: { tcp: 1 } }',
        '  job: { command: x }',
        '  api:',
        '    command: y',
        '    depends_on: { db: started, job: completed }',
      ),
    );
    expect(taskOf(spec, 'api').dependsOn.map((e) => [e.on, e.condition])).toEqual([
      ['db', 'started'],
      ['job', 'completed'],
    ]);
  });

  it('gives a one-shot step with a health check "succeeded" for a bare dependency', () => {
    const spec = parse(
      y('tasks:', '  seed: { command: x, background: false, health: { file: /tmp/seeded } }', '  api: { command: y, depends_on: [seed] }'),
    );
    expect(taskOf(spec, 'api').dependsOn).toEqual([{ on: 'seed', condition: 'succeeded', timeoutMs: DEP_TIMEOUT }]);
  });

  it('trims the command', () => {
    expect(parse(y('tasks:', '  a:', '    command: "  npm start  "')).tasks[0]!.command).toBe('npm start');
  });

  it('keeps an absolute cwd and resolves ../ against the folder of the file', () => {
    const spec = parse(y('tasks:', '  a: { command: x, cwd: /opt/a }', '  b: { command: x, cwd: ../shared }', '  c: { command: x, cwd: . }'));
    expect(spec.tasks.map((t) => t.cwd)).toEqual(['/opt/a', '/srv/shared', '/srv/app']);
  });

  it('reads a task env_file given as a single string, and CRLF .env files', () => {
    writeFileSync(join(tmp, 'crlf.env'), 'A=1\r\nB="two words"\r\n# comment\r\n\r\nexport C=3\r\n');
    const spec = parse(y('tasks:', '  a:', '    command: x', '    env_file: crlf.env'), {}, join(tmp, 'corral.yaml'));
    expect(spec.tasks[0]!.env).toEqual({ A: '1', B: 'two words', C: '3' });
  });

  it('lets a later env_file override an earlier one', () => {
    writeFileSync(join(tmp, 'one.env'), 'A=1\nB=1\n');
    writeFileSync(join(tmp, 'two.env'), 'B=2\n');
    const spec = parse(y('tasks:', '  a:', '    command: x', '    env_file: [one.env, two.env]'), {}, join(tmp, 'corral.yaml'));
    expect(spec.tasks[0]!.env).toEqual({ A: '1', B: '2' });
  });

  it('takes the caller environment from process.env when none is given', () => {
    const key = 'CORRAL_ENVFILE_TEST_VALUE';
    process.env[key] = 'from-process';
    try {
      const spec = parseEnvYaml(FILE, y('tasks:', '  a:', '    command: x', `    env: { V: "\${${key}}" }`));
      expect(spec.tasks[0]!.env.V).toBe('from-process');
    } finally {
      delete process.env[key];
    }
  });
});

// ---- health checks -----------------------------------------------------------------------

describe('health checks', () => {
  const health = (h: string, callerEnv: Record<string, string> = {}) =>
    parse(y('tasks:', '  a:', '    command: x', `    health: ${h}`), callerEnv).tasks[0]!.health!;

  it.each([
    ['"127.0.0.1:6390"', { host: '127.0.0.1', port: 6390 }],
    ['"localhost:5432"', { host: 'localhost', port: 5432 }],
    ['6390', { host: '127.0.0.1', port: 6390 }],
    ['"8080"', { host: '127.0.0.1', port: 8080 }],
    ['":8080"', { host: '127.0.0.1', port: 8080 }],
    ['"[::1]:5432"', { host: '::1', port: 5432 }],
    ['65535', { host: '127.0.0.1', port: 65535 }],
  ])('tcp: %s', (tcp, expected) => {
    expect(health(`{ tcp: ${tcp} }`).probes).toEqual([{ kind: 'tcp', ...expected }]);
  });

  it('http and https URLs', () => {
    expect(health('{ http: "http://127.0.0.1:4000/health" }').probes).toEqual([{ kind: 'http', url: 'http://127.0.0.1:4000/health' }]);
    expect(health('{ http: "https://example.test/ready?x=1" }').probes).toEqual([{ kind: 'http', url: 'https://example.test/ready?x=1' }]);
  });

  it('file and socket paths', () => {
    expect(health('{ file: /tmp/ready }').probes).toEqual([{ kind: 'file', path: '/tmp/ready' }]);
    expect(health('{ socket: /run/app.sock }').probes).toEqual([{ kind: 'socket', path: '/run/app.sock' }]);
  });

  it('exec, left to the shell like a command', () => {
    expect(health('{ exec: "pg_isready -h $PGHOST && test $$ -gt 0" }', { PGHOST: 'db' }).probes).toEqual([
      { kind: 'exec', command: 'pg_isready -h $PGHOST && test $$ -gt 0' },
    ]);
  });

  it('log: a regular expression, kept as written', () => {
    expect(health("{ log: 'listening on port \\d+' }").probes).toEqual([{ kind: 'log', pattern: 'listening on port \\d+' }]);
    expect(health('{ log: "ready|started" }').probes).toEqual([{ kind: 'log', pattern: 'ready|started' }]);
  });

  it('several probes in one check, all kept', () => {
    const probes = health('{ http: "http://h/", tcp: 80, file: /f, socket: /s, exec: "true", log: ok }').probes;
    expect(probes).toHaveLength(6);
    expect(probes).toEqual(
      expect.arrayContaining([
        { kind: 'http', url: 'http://h/' },
        { kind: 'tcp', host: '127.0.0.1', port: 80 },
        { kind: 'file', path: '/f' },
        { kind: 'socket', path: '/s' },
        { kind: 'exec', command: 'true' },
        { kind: 'log', pattern: 'ok' },
      ]),
    );
  });

  it.each([
    ['500ms', 500],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['"10"', 10_000],
    ['2', 2_000],
    ['0.25', 250],
    ['0', 0],
  ])('durations: %s → %i ms', (text, ms) => {
    const h = health(`{ tcp: 1, interval: ${text}, timeout: ${text}, start_period: ${text} }`);
    expect(h).toMatchObject({ intervalMs: ms, timeoutMs: ms, startPeriodMs: ms });
  });

  it('retries', () => {
    expect(health('{ tcp: 1, retries: 1 }').retries).toBe(1);
    expect(health('{ tcp: 1, retries: 10 }').retries).toBe(10);
  });
});

// ---- variables ---------------------------------------------------------------------------

describe('variables in values', () => {
  const CALLER = { X: 'x', EMPTY: '', PORT: '4000', DIR: 'work' };
  const value = (v: string) => parse(y('tasks:', '  a:', '    command: x', `    env: { V: ${JSON.stringify(v)} }`), CALLER).tasks[0]!.env.V;

  it.each([
    ['${X}', 'x'],
    ['$X', 'x'],
    ['a-${X}-b', 'a-x-b'],
    ['$X/$PORT', 'x/4000'],
    ['${MISSING}', ''],
    ['$MISSING', ''],
    ['${MISSING:-fallback}', 'fallback'],
    ['${MISSING:-}', ''],
    ['${MISSING:-a b c}', 'a b c'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${X:-fallback}', 'x'],
    ['${MISSING-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['$$', '$'],
    ['$$X', '$X'],
    ['$${X}', '${X}'],
    ['price: $5', 'price: $5'],
    ['50%$', '50%$'],
    ['no variables', 'no variables'],
  ])('%s → %s', (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it('are expanded in name, cwd, depends_on, health, stop.signal and env_file, not in commands', () => {
    writeFileSync(join(tmp, 'vars.env'), 'FROM_FILE=1\n');
    const spec = parse(
      y(
        'name: ${ENVNAME}',
        'tasks:',
        '  db:',
        '    command: redis-server --port ${PORT}',
        '    health: { tcp: "127.0.0.1:${PORT}", file: "/tmp/${X}", log: "on ${PORT}$$" }',
        '  api:',
        '    command: node $DIR/api.js ${PORT} $$',
        '    cwd: ${DIR}',
        '    env_file: ${ENVFILE}',
        '    depends_on: [$DEP]',
        '    stop: { signal: "${SIG}", command: "kill ${PID}" }',
        '    health: { exec: "curl localhost:$PORT" }',
      ),
      { ...CALLER, ENVNAME: 'from-var', DEP: 'db', SIG: 'INT', ENVFILE: 'vars.env' },
      join(tmp, 'corral.yaml'),
    );
    expect(spec.name).toBe('from-var');
    const db = taskOf(spec, 'db');
    const api = taskOf(spec, 'api');
    expect(db.command).toBe('redis-server --port ${PORT}');
    expect(db.health!.probes).toEqual(
      expect.arrayContaining([
        { kind: 'tcp', host: '127.0.0.1', port: 4000 },
        { kind: 'file', path: '/tmp/x' },
        { kind: 'log', pattern: 'on 4000$' },
      ]),
    );
    expect(api.command).toBe('node $DIR/api.js ${PORT} $$');
    expect(api.cwd).toBe(join(tmp, 'work'));
    expect(api.env).toEqual({ FROM_FILE: '1' });
    expect(api.dependsOn).toEqual([{ on: 'db', condition: 'healthy', timeoutMs: DEP_TIMEOUT }]);
    expect(api.stopSignal).toBe('SIGINT');
    expect(api.stopCommand).toBe('kill ${PID}');
    expect(api.health!.probes).toEqual([{ kind: 'exec', command: 'curl localhost:$PORT' }]);
  });

  it('are not expanded inside .env files', () => {
    writeFileSync(join(tmp, 'literal.env'), 'A=${X}\nB="$X"\n');
    const spec = parse(y('tasks:', '  a:', '    command: x', '    env_file: literal.env'), CALLER, join(tmp, 'corral.yaml'));
    expect(spec.tasks[0]!.env).toEqual({ A: '${X}', B: '$X' });
  });

  it('turn numbers and booleans in env into strings', () => {
    const spec = parse(y('tasks:', '  a:', '    command: x', '    env: { PORT: 4000, RATIO: 0.5, DEBUG: true, OFF: false }'));
    expect(spec.tasks[0]!.env).toEqual({ PORT: '4000', RATIO: '0.5', DEBUG: 'true', OFF: 'false' });
  });

  it('a reference that is not a variable name is refused where it is written', () => {
    bad(y('tasks:', '  a:', '    command: x', '    env:', '      V: "${1abc}"'), 5, 10, '"${1abc}" is not a variable reference', '$$ for a dollar sign');
    bad(y('tasks:', '  a:', '    command: x', '    health:', '      http: "http://${}/"'), 5, 13, '"${}" is not a variable reference');
    bad(y('name: "${A B}"', 'tasks:', '  a:', '    command: x'), 1, 7, '"${A B}" is not a variable reference');
  });
});

// ---- refused files -------------------------------------------------------------------------

describe('a bad corral.yaml is refused with file:line:col and what is wrong', () => {
  describe('dependencies', () => {
    it('an unknown task in a depends_on list, with "did you mean"', () => {
      bad(
        y('tasks:', '  api:', '    command: x', '  web:', '    command: y', '    depends_on: [api, apii]'),
        6,
        23,
        'web depends on "apii", which is not a task of this file; did you mean "api"?',
      );
    });

    it('an unknown task in a block list, without a suggestion when nothing is close', () => {
      const message = bad(
        y('tasks:', '  api:', '    command: x', '  web:', '    command: y', '    depends_on:', '      - api', '      - zzzzzzzz'),
        8,
        9,
        'web depends on "zzzzzzzz", which is not a task of this file',
      );
      expect(message).not.toContain('did you mean');
    });

    it('an unknown task in the map form points at its key', () => {
      bad(
        y('tasks:', '  api:', '    command: x', '  web:', '    command: y', '    depends_on:', '      api: started', '      ap: started'),
        8,
        7,
        'web depends on "ap", which is not a task of this file; did you mean "api"?',
      );
    });

    it('a cycle, printed as a -> b -> a, at the first edge of the cycle', () => {
      bad(
        y(
          'tasks:',
          '  x:',
          '    command: x',
          '    depends_on: [api]',
          '  api:',
          '    command: x',
          '    depends_on: [web]',
          '  web:',
          '    command: y',
          '    depends_on: [api]',
        ),
        7,
        18,
        'dependency cycle: api -> web -> api',
      );
    });

    it('a cycle in the map form', () => {
      bad(
        y('tasks:', '  a:', '    command: x', '    depends_on: {b: started}', '  b:', '    command: y', '    depends_on: {a: started}'),
        4,
        18,
        'dependency cycle: a -> b -> a',
      );
    });

    it('a longer cycle', () => {
      bad(
        y('tasks:', '  a: {command: x, depends_on: [b]}', '  b: {command: x, depends_on: [c]}', '  c: {command: x, depends_on: [a]}'),
        2,
        32,
        'dependency cycle: a -> b -> c -> a',
      );
    });

    it('a task that depends on itself', () => {
      bad(y('tasks:', '  api:', '    command: x', '    depends_on: [api]'), 4, 18, 'api depends on itself');
    });

    it('healthy on a task without a health check (map form, string and object)', () => {
      const expected = 'api waits for "db" to be healthy, but db has no health check: add one, or use "started"';
      bad(y('tasks:', '  db:', '    command: x', '  api:', '    command: y', '    depends_on:', '      db: healthy'), 7, 7, expected);
      bad(
        y('tasks:', '  db:', '    command: x', '  api:', '    command: y', '    depends_on:', '      db: { condition: healthy, timeout: 5s }'),
        7,
        7,
        expected,
      );
    });

    it('a condition that is not one (a usage error; see the BUG tests for its message and position)', () => {
      const { message } = usageOf(() => parse(y('tasks:', '  db:', '    command: x', '  api:', '    command: y', '    depends_on:', '      db: health')));
      expect(message).toMatch(new RegExp(`^${escapeRe(FILE)}:7:\\d+: `));
    });

    it('depends_on that is neither a name, a list nor a map', () => {
      bad(y('tasks:', '  db:', '    command: x', '  api:', '    command: y', '    depends_on: 3'), 6, 17, 'tasks.api.depends_on');
    });
  });

  describe('unknown keys, with the nearest valid key', () => {
    it('at the top level', () => {
      bad(y('name: x', 'envs: {}', 'tasks:', '  a:', '    command: x'), 2, 1, 'unknown key "envs"; did you mean "env"? (valid: name, env, env_file, tasks');
    });

    it('in a task', () => {
      bad(y('tasks:', '  a:', '    command: x', '    helth: { tcp: 1 }'), 4, 5, 'unknown key "helth"; did you mean "health"?', '(valid: command, ');
      bad(y('tasks:', '  a:', '    command: x', '    depends-on: [b]'), 4, 5, 'unknown key "depends-on"; did you mean "depends_on"?');
      bad(y('tasks:', '  a:', '    command: x', '    workdir: /tmp'), 4, 5, 'unknown key "workdir"', 'cwd');
    });

    it('in a task, without a suggestion when nothing is close', () => {
      const message = bad(y('tasks:', '  a:', '    command: x', '    zzzzzzzzzzzz: 1'), 4, 5, 'unknown key "zzzzzzzzzzzz"', '(valid: command');
      expect(message).not.toContain('did you mean');
    });

    it('in health', () => {
      bad(
        y('tasks:', '  a:', '    command: x', '    health:', '      tcp: 80', '      intervl: 1s'),
        6,
        7,
        'unknown key "intervl"; did you mean "interval"? (valid: http, tcp, listen, file, socket, exec, log, liveness, interval, timeout, retries, start_period',
      );
      bad(y('tasks:', '  a:', '    command: x', '    health: { tcp: 80, star_period: 1s }'), 4, 24, 'unknown key "star_period"; did you mean "start_period"?');
    });

    it('in stop', () => {
      bad(y('tasks:', '  a:', '    command: x', '    stop:', '      signl: INT'), 5, 7, 'unknown key "signl"; did you mean "signal"? (valid: signal, grace, command');
    });

    it('in restart', () => {
      bad(
        y('tasks:', '  a:', '    command: x', '    restart:', '      policy: always', '      backof: 1s'),
        6,
        7,
        'unknown key "backof"; did you mean "backoff"?',
      );
    });

    it('in a depends_on edge', () => {
      bad(
        y('tasks:', '  db:', '    command: x', '  api:', '    command: y', '    depends_on:', '      db: { condition: started, timout: 5s }'),
        7,
        33,
        'unknown key "timout"; did you mean "timeout"? (valid: condition, timeout',
      );
    });
  });

  describe('values', () => {
    it('a bad duration', () => {
      bad(
        y('tasks:', '  a:', '    command: x', '    health:', '      tcp: 80', '      interval: 5 seconds'),
        6,
        17,
        'tasks.a.health.interval',
        'duration "5 seconds" is not a duration: write it like 500ms, 5s, 2m or 1h',
      );
      bad(y('tasks:', '  a:', '    command: x', '    stop:', '      grace: soon'), 5, 14, 'tasks.a.stop.grace', '"soon" is not a duration');
      bad(y('tasks:', '  a:', '    command: x', '    stop: { grace: -1 }'), 4, 20, 'tasks.a.stop.grace', 'non-negative');
    });

    it('an invalid regular expression in health.log', () => {
      bad(y('tasks:', '  a:', '    command: x', '    health:', '      log: "("'), 5, 12, 'tasks.a.health.log', '"(" is not a valid regular expression');
      bad(y('tasks:', '  a:', '    command: x', '    health: { log: "[a-" }'), 4, 20, '"[a-" is not a valid regular expression');
    });

    it('a tcp address that is not host:port', () => {
      bad(y('tasks:', '  a:', '    command: x', '    health:', '      tcp: "host:port"'), 5, 12, 'tcp: "host:port" is not host:port');
      bad(y('tasks:', '  a:', '    command: x', '    health: { tcp: 70000 }'), 4, 20, 'tcp: "70000" is not host:port');
      bad(y('tasks:', '  a:', '    command: x', '    health: { tcp: 0 }'), 4, 20, 'tcp: "0" is not host:port');
    });

    it('an http check that is not a URL', () => {
      bad(y('tasks:', '  a:', '    command: x', '    health: { http: "localhost:4000" }'), 4, 21, 'tasks.a.health.http', 'an http check is a URL');
    });

    it('a health check without a probe', () => {
      bad(y('tasks:', '  a:', '    command: x', '    health: { interval: 1s }'), 4, 13, 'a health check needs one of http, tcp, listen, file, socket, exec or log');
    });

    it('retries below 1', () => {
      bad(y('tasks:', '  a:', '    command: x', '    health: { tcp: 1, retries: 0 }'), 4, 32, 'tasks.a.health.retries');
    });

    it('a bad signal', () => {
      bad(y('tasks:', '  a:', '    command: x', '    stop:', '      signal: SIGFOO'), 5, 15, 'tasks.a.stop.signal', '"SIGFOO" is not a signal');
      bad(y('tasks:', '  a:', '    command: x', '    stop: { signal: "99" }'), 4, 21, '"99" is not a signal');
    });

    it('a missing command', () => {
      bad(y('tasks:', '  a:', '    cwd: /tmp'), 3, 5, '"command" is required');
      bad(y('tasks:', '  a: { cwd: /tmp }'), 2, 6, '"command" is required');
    });

    it('an empty command', () => {
      bad(y('tasks:', '  a:', '    command: ""'), 3, 14, 'tasks.a.command: the command is empty');
      bad(y('tasks:', '  a:', '    command: "   "'), 3, 14, 'tasks.a.command: the command is empty');
      bad(y('tasks:', '  a:', '    command:', '    cwd: /tmp'), 3, 13, 'tasks.a.command');
    });

    it('a command that is neither a string nor a list of words', () => {
      bad(y('tasks:', '  a:', '    command: { npm: start }'), 3, 14, 'tasks.a.command');
      bad(y('tasks:', '  a:', '    command: [npm, 3]'), 3, 14, 'tasks.a.command');
      bad(y('tasks:', '  a:', '    command: []'), 3, 14, 'tasks.a.command: the command is empty');
    });

    it('takes a health check written as --health writes it, and a lone dependency as a name', () => {
      const spec = parse(y('tasks:', '  db:', '    command: x', '    health: "tcp:6390"', '  api:', '    command: y', '    depends_on: db', '    health: http://127.0.0.1:4000/health'));
      expect(spec.tasks[0]!.health!.probes).toEqual([{ kind: 'tcp', host: '127.0.0.1', port: 6390 }]);
      expect(spec.tasks[1]!.health!.probes).toEqual([{ kind: 'http', url: 'http://127.0.0.1:4000/health' }]);
      expect(spec.tasks[1]!.dependsOn.map((e) => [e.on, e.condition])).toEqual([['db', 'healthy']]);
      bad(y('tasks:', '  a:', '    command: x', '    health: "sometimes"'), 4, 13, 'tasks.a.health');
    });

    it('a command as a list of words (as in compose) is quoted word by word', () => {
      const spec = parse(y('tasks:', '  a:', `    command: [python3, -c, "print('hi there')"]`));
      expect(spec.tasks[0]!.command).toBe(`python3 -c 'print('\\''hi there'\\'')'`);
    });

    it('background that is not a boolean', () => {
      bad(y('tasks:', '  a:', '    command: x', '    background: "yes"'), 4, 17, 'tasks.a.background', 'boolean');
    });

    it('an unknown output mode', () => {
      bad(y('tasks:', '  a:', '    command: x', '    output: both'), 4, 13, 'tasks.a.output');
    });

    it('an unknown restart policy (a usage error at restart)', () => {
      bad(y('tasks:', '  a:', '    command: x', '    restart: sometimes'), 4, 14, 'tasks.a.restart');
    });

    it('an env value that is not a scalar', () => {
      bad(y('tasks:', '  a:', '    command: x', '    env:', '      LIST: [1, 2]'), 5, 13, 'tasks.a.env.LIST');
    });

    it('a bad environment name', () => {
      bad(y('name: 1x', 'tasks:', '  a:', '    command: x'), 1, 7, 'name: an environment name starts with a letter');
    });
  });

  describe('the shape of the file', () => {
    it('a YAML syntax error is a usage error with the parser message', () => {
      const message = usageOf(() => parse(y('tasks:', '  a:', '    command: x', '  a:', '    command: y'))).message;
      expect(message).toMatch(new RegExp(`^${escapeRe(FILE)}:\\d+:\\d+: Map keys must be unique`));
      const tab = usageOf(() => parse(y('tasks:', '  a:', '    command: x', '\tcwd: y'))).message;
      expect(tab).toMatch(new RegExp(`^${escapeRe(FILE)}:\\d+:\\d+: `));
      const unclosed = usageOf(() => parse(y('tasks:', '  a: { command: x', '  b: 1'))).message;
      expect(unclosed).toMatch(new RegExp(`^${escapeRe(FILE)}:\\d+:\\d+: `));
    });

    it('a file that is a list', () => {
      bad(y('- name: a', '  command: x'), 1, 1, 'an env file is a mapping with "tasks:" (or "steps:" for a workflow)');
      bad(y('# my tasks', '- a', '- b'), 2, 1, 'an env file is a mapping');
    });

    it('a file that is a scalar, empty, or only comments', () => {
      bad('npm run dev\n', 1, 1, 'an env file is a mapping');
      bad('', 1, 1, 'an env file is a mapping');
      bad('# nothing yet\n', 1, 1, 'an env file is a mapping');
    });

    it('no tasks', () => {
      bad(y('tasks: {}'), 1, 8, 'the file has no tasks');
      bad(y('name: x', 'tasks:'), 2, 7, 'tasks');
      bad(y('name: x', 'env: { A: 1 }'), 1, 1, '"tasks" is required');
    });

    it('a task name that is not a name (still a usage error)', () => {
      usageOf(() => parse(y('tasks:', '  1api:', '    command: x')));
      usageOf(() => parse(y('tasks:', '  "my api":', '    command: x')));
      usageOf(() => parse(y('tasks:', `  ${'a'.repeat(65)}:`, '    command: x')));
    });

    it('two tasks with the same name', () => {
      const message = usageOf(() => parse(y('tasks:', '  a:', '    command: x', '  a:', '    command: y'))).message;
      expect(message).toContain('Map keys must be unique');
    });
  });

  describe('env files', () => {
    it('a shared env_file that does not exist', () => {
      const file = join(tmp, 'corral.yaml');
      refusedAt(() => parse(y('env_file: nope.env', 'tasks:', '  a:', '    command: x'), {}, file), file, 1, 11, 'env_file nope.env: no such file');
    });

    it('a task env_file that does not exist, at its entry in a list', () => {
      writeFileSync(join(tmp, 'exists.env'), 'A=1\n');
      const file = join(tmp, 'corral.yaml');
      refusedAt(
        () => parse(y('tasks:', '  a:', '    command: x', '    env_file: [exists.env, missing.env]'), {}, file),
        file,
        4,
        28,
        'env_file missing.env: no such file',
      );
      refusedAt(
        () => parse(y('tasks:', '  a:', '    command: x', '    env_file:', '      - exists.env', '      - missing.env'), {}, file),
        file,
        6,
        9,
        'env_file missing.env: no such file',
      );
      refusedAt(() => parse(y('tasks:', '  a:', '    command: x', '    env_file: missing.env'), {}, file), file, 4, 15, 'env_file missing.env: no such file');
    });

    it('a line of an env_file that is not NAME=value, at its own line', () => {
      const envFile = join(tmp, 'bad.env');
      writeFileSync(envFile, '# ok\nA=1\nnot a line\n');
      refusedAt(() => parse(y('env_file: bad.env', 'tasks:', '  a:', '    command: x'), {}, join(tmp, 'corral.yaml')), envFile, 3, 1, 'an env file line is NAME=value');
    });
  });

  describe('loadEnvFile', () => {
    it('a path that does not exist', () => {
      const missing = join(tmp, 'no-such.yaml');
      const error = usageOf(() => loadEnvFile(missing));
      expect(error.message).toBe(`${missing}: no such file`);
      expect(usageOf(() => loadEnvFile('no/such/corral.yaml')).message).toBe('no/such/corral.yaml: no such file');
    });

    it('a folder', () => {
      expect(usageOf(() => loadEnvFile(tmp)).message).toBe(`${tmp}: cannot be read (EISDIR)`);
    });

    it('reports errors in a loaded file with its absolute path', () => {
      const file = join(tmp, 'broken.yaml');
      writeFileSync(file, y('tasks:', '  a:', '    command: x', '    depends_on: [b]'));
      refusedAt(() => loadEnvFile(file, { callerEnv: {} }), file, 4, 18, 'a depends on "b", which is not a task of this file');
    });
  });
});

// ---- workflow format ---------------------------------------------------------------------

describe('slug', () => {
  it.each([
    ['Start Frontend', 'start-frontend'],
    ['Install Dependencies', 'install-dependencies'],
    ['  Run   DB migrations!! ', 'run-db-migrations'],
    ['api_v2.1', 'api_v2.1'],
    ['Wait for: http://localhost:3000', 'wait-for-http-localhost-3000'],
    ['2nd step', 'step-2nd-step'],
    ['web', 'web'],
  ])('%j → %s', (name, expected) => {
    expect(slug(name)).toBe(expected);
  });

  it('is at most 64 characters', () => {
    expect(slug('x'.repeat(100))).toHaveLength(64);
    expect(slug(`9${'x'.repeat(100)}`)).toHaveLength(64);
  });
});

describe('the workflow format (fixtures/workflow.yaml)', () => {
  let spec: EnvSpec;
  const task = (name: string) => taskOf(spec, name);
  beforeAll(() => {
    spec = loadEnvFile(join(FIXTURES, 'workflow.yaml'), { callerEnv: {} });
  });

  it('slugs the environment name and the step names, in file order', () => {
    expect(spec.name).toBe('development-setup');
    expect(spec.file).toBe(join(FIXTURES, 'workflow.yaml'));
    expect(spec.tasks.map((t) => t.name)).toEqual([
      'install-dependencies',
      'start-database',
      'start-frontend',
      'wait-for-services',
      'run-migrations',
      'seed',
    ]);
  });

  it('keeps commands as written', () => {
    expect(task('wait-for-services').command).toBe('npx wait-on http://localhost:3000 http://localhost:4000');
  });

  it('runs steps in the foreground unless background: true', () => {
    expect(spec.tasks.map((t) => t.background)).toEqual([false, true, true, false, false, false]);
  });

  it('makes a step without depends_on wait for the previous foreground step to succeed', () => {
    expect(task('install-dependencies').dependsOn).toEqual([]);
    for (const name of ['start-database', 'start-frontend', 'wait-for-services']) {
      expect(task(name).dependsOn).toEqual([{ on: 'install-dependencies', condition: 'succeeded', timeoutMs: DEP_TIMEOUT }]);
    }
  });

  it('follows an explicit depends_on by step name or by slug: healthy, started or succeeded by target', () => {
    expect(task('run-migrations').dependsOn).toEqual([{ on: 'start-database', condition: 'healthy', timeoutMs: DEP_TIMEOUT }]);
    expect(task('seed').dependsOn).toEqual([
      { on: 'run-migrations', condition: 'succeeded', timeoutMs: DEP_TIMEOUT },
      { on: 'start-frontend', condition: 'started', timeoutMs: DEP_TIMEOUT },
    ]);
  });

  it('turns monitor: true into the restart policy on-failure', () => {
    expect(task('start-frontend').restart).toEqual({ policy: 'on-failure' });
    expect(task('start-database').restart).toEqual({});
  });

  it('reads health, cwd and env of a step', () => {
    expect(task('start-database').health).toMatchObject({ probes: [{ kind: 'tcp', host: '127.0.0.1', port: 6390 }] });
    expect(task('start-frontend').cwd).toBe(join(FIXTURES, 'frontend'));
    expect(task('install-dependencies').cwd).toBe(FIXTURES);
    expect(task('start-frontend').env).toEqual({ NODE_ENV: 'development', PORT: '3000' });
    expect(task('seed').env).toEqual({ NODE_ENV: 'development' });
  });
});

describe('the workflow format (inline)', () => {
  it('chains foreground steps, and background steps wait for the foreground step before them', () => {
    const spec = parse(
      y(
        'steps:',
        '  - { name: A, command: a }',
        '  - { name: B, command: b, background: true }',
        '  - { name: C, command: c }',
        '  - { name: D, command: d, background: true }',
        '  - { name: E, command: e }',
      ),
    );
    expect(spec.tasks.map((t) => [t.name, t.dependsOn.map((e) => `${e.on}:${e.condition}`)])).toEqual([
      ['a', []],
      ['b', ['a:succeeded']],
      ['c', ['a:succeeded']],
      ['d', ['c:succeeded']],
      ['e', ['c:succeeded']],
    ]);
  });

  it('names the environment after the slugged folder when the workflow has no name', () => {
    expect(parseEnvYaml('/srv/My Project/steps.yaml', y('steps:', '  - { name: A, command: a }'), { callerEnv: {} }).name).toBe('my-project');
  });

  it('expands variables in env, not in commands', () => {
    const spec = parse(y('env: { HOST: "${H:-localhost}" }', 'steps:', '  - name: A', '    command: echo $H', '    env: { URL: "http://${H}/" }'), { H: 'h' });
    expect(spec.tasks[0]).toMatchObject({ command: 'echo $H', env: { HOST: 'h', URL: 'http://h/' } });
  });

  it('refuses an unknown step in depends_on, at its entry, with "did you mean"', () => {
    bad(
      y('steps:', '  - name: Start Database', '    command: db', '  - name: Migrate', '    command: m', '    depends_on: [Start Databse]'),
      6,
      18,
      'depends on "Start Databse", which is not a step of this file; did you mean "Start Database"?',
    );
  });

  it('refuses two steps whose names slug the same, at the second name', () => {
    bad(y('steps:', '  - name: Start App', '    command: a', '  - name: start-app', '    command: b'), 4, 11, 'two steps are named "start-app"');
  });

  it('refuses a workflow without steps', () => {
    bad(y('name: x', 'steps: []'), 2, 8, 'a workflow needs at least one step');
  });

  it('refuses a step without a name or a command', () => {
    bad(y('steps:', '  - command: x'), 2, 5, '"name" is required');
    bad(y('steps:', '  - name: A', '    background: true'), 2, 5, '"command" is required');
    bad(y('steps:', '  - name: A', '    command: ""'), 3, 14, 'the command is empty');
  });

  it('refuses unknown keys in a step and in its health, with the nearest valid key', () => {
    bad(y('steps:', '  - name: A', '    command: x', '    backgrond: true'), 4, 5, 'unknown key "backgrond"; did you mean "background"?');
    bad(y('steps:', '  - name: A', '    command: x', '    health: { tcp: 1, intrval: 1s }'), 4, 23, 'unknown key "intrval"; did you mean "interval"?');
    bad(y('name: x', 'stepz: []', 'steps:', '  - { name: A, command: x }'), 2, 1, 'unknown key "stepz"; did you mean "steps"?');
  });

  it('refuses a bad health check of a step', () => {
    bad(y('steps:', '  - name: A', '    command: x', '    health:', '      tcp: nope'), 5, 12, 'tcp: "nope" is not host:port');
  });

  it('refuses a cycle between steps (a usage error that prints the cycle)', () => {
    const message = usageOf(() =>
      parse(y('steps:', '  - name: A', '    command: x', '    depends_on: [B]', '  - name: B', '    command: y', '    depends_on: [A]')),
    ).message;
    expect(message).toContain('dependency cycle: a -> b -> a');
  });

  it('refuses a step that depends on itself (a usage error)', () => {
    expect(usageOf(() => parse(y('steps:', '  - name: A', '    command: x', '    depends_on: [A]'))).message).toContain('a depends on itself');
  });
});

// ---- Procfiles ---------------------------------------------------------------------------

describe('Procfiles', () => {
  it('loadEnvFile reads a file named Procfile as a Procfile: name: command lines, comments, blank lines', () => {
    const spec = loadEnvFile(join(FIXTURES, 'Procfile'));
    expect(spec.name).toBe('fixtures');
    expect(spec.file).toBe(join(FIXTURES, 'Procfile'));
    expect(spec.tasks.map((t) => [t.name, t.command])).toEqual([
      ['web', 'npm run dev -- --port $PORT'],
      ['worker', 'node worker.js --queue=default'],
      ['release.1', './bin/release: now'],
    ]);
    for (const t of spec.tasks) {
      expect(t).toMatchObject({
        cwd: FIXTURES,
        env: {},
        background: true,
        dependsOn: [],
        health: null,
        restart: {},
        stopSignal: null,
        graceMs: null,
        stopCommand: null,
        output: 'separate',
      });
    }
  });

  it('loadEnvFile reads Procfile.dev as a Procfile too, and options.name names the environment', () => {
    const spec = loadEnvFile(join(FIXTURES, 'Procfile.dev'), { name: 'dev' });
    expect(spec.name).toBe('dev');
    expect(spec.tasks.map((t) => [t.name, t.command])).toEqual([
      ['web', 'npm run dev'],
      ['css', 'tailwindcss --watch'],
    ]);
  });

  it('loadEnvFile reads any other file name as YAML', () => {
    const file = join(tmp, 'procs.txt');
    writeFileSync(file, 'web: npm run dev\n');
    // The unknown key is told before the missing "tasks" (it is usually the cause).
    expect(usageOf(() => loadEnvFile(file, { callerEnv: {} })).message).toContain('unknown key "web"');
  });

  it('trims commands and accepts a missing space and no final newline', () => {
    const spec = parseProcfile('/app/Procfile', 'web:npm start\n\nworker:    node w.js   \n# done\napi: node api.js');
    expect(spec.tasks.map((t) => [t.name, t.command])).toEqual([
      ['web', 'npm start'],
      ['worker', 'node w.js'],
      ['api', 'node api.js'],
    ]);
    expect(spec.name).toBe('app');
    expect(spec.tasks[0]!.cwd).toBe('/app');
  });

  it('refuses a line that is not "name: command", with its line number', () => {
    refusedAt(() => parseProcfile('/app/Procfile', 'web: npm start\n# c\nworker node w.js\n'), '/app/Procfile', 3, 1, 'a Procfile line is "name: command"');
    refusedAt(() => parseProcfile('/app/Procfile', 'web:\n'), '/app/Procfile', 1, 1, 'a Procfile line is "name: command"');
    refusedAt(() => parseProcfile('/app/Procfile', 'web: x\n  worker: y\n'), '/app/Procfile', 2, 1, 'a Procfile line is "name: command"');
    refusedAt(() => parseProcfile('/app/Procfile', 'my web: x\n'), '/app/Procfile', 1, 1, 'a Procfile line is "name: command"');
  });

  it('refuses a name defined twice, at the second line', () => {
    refusedAt(() => parseProcfile('/app/Procfile', 'web: a\nworker: b\n\nweb: c\n'), '/app/Procfile', 4, 1, '"web" is defined twice');
  });

  it('refuses a name that is not a task name', () => {
    refusedAt(() => parseProcfile('/app/Procfile', 'web: a\n1worker: b\n'), '/app/Procfile', 2, 1, '"1worker" is not a task name');
  });

  it('refuses a Procfile without processes', () => {
    refusedAt(() => parseProcfile('/app/Procfile', ''), '/app/Procfile', 1, 1, 'the Procfile has no processes');
    refusedAt(() => parseProcfile('/app/Procfile', '# nothing\n\n'), '/app/Procfile', 1, 1, 'the Procfile has no processes');
  });

  it('a missing Procfile is a usage error from loadEnvFile', () => {
    const missing = join(tmp, 'Procfile');
    expect(usageOf(() => loadEnvFile(missing)).message).toBe(`${missing}: no such file`);
  });
});

// ---- bugs found and fixed ----------------------------------------------------------------

describe('fixed bugs', () => {
  it('a YAML syntax error points at the line of the error, not 1:1', () => {
    bad(y('tasks:', '  a:', '    command: x', '  a:', '    command: y'), 4, 3, 'Map keys must be unique');
  });

  it('a tab used as indentation points at its line, not 1:1', () => {
    bad(y('tasks:', '  a:', '    command: x', '\tcwd: y'), 4, 1, 'Tabs are not allowed');
  });

  it('a bad condition name says which conditions exist and points at it', () => {
    bad(
      y('tasks:', '  db:', '    command: x', '  api:', '    command: y', '    depends_on:', '      db: health'),
      7,
      11,
      'a condition is one of started, healthy, completed, succeeded',
    );
  });

  it('a bad condition in the object form says which conditions exist', () => {
    bad(
      y('tasks:', '  db:', '    command: x', '  api:', '    command: y', '    depends_on:', '      db: { condition: up }'),
      7,
      24,
      'a condition is one of started, healthy, completed, succeeded',
    );
  });

  it('an unknown restart policy lists the policies', () => {
    bad(y('tasks:', '  a:', '    command: x', '    restart: sometimes'), 4, 14, 'on-failure');
  });

  it('a bad task name says what a name is and points at the name', () => {
    bad(y('tasks:', '  1api:', '    command: x'), 2, 3, 'a task name starts with a letter');
  });

  it('a misspelt required key is reported as unknown, with the suggestion (in a task)', () => {
    bad(y('tasks:', '  a:', '    comand: x'), 3, 5, 'unknown key "comand"; did you mean "command"?');
  });

  it('a misspelt "tasks:" is reported as unknown, with the suggestion', () => {
    bad(y('task:', '  a:', '    command: x'), 1, 1, 'unknown key "task"; did you mean "tasks"?');
  });

  it('a misspelt "command" in a workflow step is reported as unknown, with the suggestion', () => {
    bad(y('steps:', '  - name: A', '    comand: x'), 3, 5, 'unknown key "comand"; did you mean "command"?');
  });

  it('a cycle between workflow steps points at the step, not 1:1', () => {
    bad(
      y('steps:', '  - name: A', '    command: x', '    depends_on: [B]', '  - name: B', '    command: y', '    depends_on: [A]'),
      4,
      18,
      'dependency cycle: a -> b -> a',
    );
  });

  it('a workflow step that depends on itself points at the step, not 1:1', () => {
    bad(y('steps:', '  - name: A', '    command: x', '    depends_on: [A]'), 4, 18, 'depends on itself');
  });

  it('a bad tcp address that is not the first key of health points at its own line', () => {
    bad(y('tasks:', '  a:', '    command: x', '    health:', '      interval: 1s', '      tcp: nope'), 6, 12, 'tcp: "nope" is not host:port');
  });

  it('a stop signal given as a number (the error message itself suggests "15") is read', () => {
    const spec = parse(y('tasks:', '  a:', '    command: x', '    stop: { signal: 15 }'));
    expect(spec.tasks[0]!.stopSignal).toBe('SIGTERM');
  });

  it('a quoted .env value followed by a comment loses its quotes', () => {
    writeFileSync(join(tmp, 'quoted-comment.env'), 'A="quoted" # comment\nB=\'single\' # comment\n');
    const spec = parse(y('tasks:', '  a:', '    command: x', '    env_file: quoted-comment.env'), {}, join(tmp, 'corral.yaml'));
    expect(spec.tasks[0]!.env).toEqual({ A: 'quoted', B: 'single' });
  });

  it('a task named "command" or "exec" gets its values expanded like any other task', () => {
    const spec = parse(
      y('tasks:', '  command:', '    command: x', '    env: { A: "${X}", B: "$$" }', '  exec:', '    command: x', '    cwd: "${X}"'),
      { X: 'x' },
    );
    expect(taskOf(spec, 'command').env).toEqual({ A: 'x', B: '$' });
    expect(taskOf(spec, 'exec').cwd).toBe('/srv/app/x');
  });

  it('env variables named "command" or "exec" are expanded like other env values', () => {
    const spec = parse(y('tasks:', '  a:', '    command: x', '    env: { command: "${X}", exec: "$$" }'), { X: 'x' });
    expect(spec.tasks[0]!.env).toEqual({ command: 'x', exec: '$' });
  });

  it('an unknown key in a task named "health" (or stop, restart, limits, monitor) lists the task keys', () => {
    bad(y('tasks:', '  health:', '    command: x', '    helth: 1'), 4, 5, 'did you mean "health"?', '(valid: command');
  });

  it('an unknown key in a depends_on edge on a task named "health" lists condition and timeout', () => {
    bad(
      y('tasks:', '  health:', '    command: x', '  api:', '    command: y', '    depends_on:', '      health: { condtion: started }'),
      7,
      17,
      'did you mean "condition"? (valid: condition, timeout)',
    );
  });

  it('"did you mean" never suggests the dependent task itself (a self-dependency)', () => {
    const message = usageOf(() => parse(y('tasks:', '  api:', '    command: x', '  web:', '    command: y', '    depends_on: [db]'))).message;
    expect(message).not.toContain('did you mean "web"');
  });

  it('a bad duration in a depends_on edge says so and points at it', () => {
    bad(
      y('tasks:', '  db:', '    command: x', '  a:', '    command: x', '    depends_on:', '      db: { timeout: forever }'),
      7,
      22,
      '"forever" is not a duration',
    );
  });

  it('a bad duration in a restart object says so and points at it', () => {
    bad(y('tasks:', '  a:', '    command: x', '    restart: { policy: always, backoff: 1 sec }'), 4, 41, '"1 sec" is not a duration');
  });

  it('a run-time or idle limit of 0 is refused: it would stop the task at once', () => {
    bad(y('tasks:', '  a:', '    command: x', '    limits: { timeout: 0 }'), 4, 24, 'a timeout of 0 would stop the task at once');
    bad(y('tasks:', '  a:', '    command: x', '    limits: { idle: 0s }'), 4, 21, 'an idle limit of 0', 'leave it out for no limit');
  });

  it('a Procfile with CRLF line ends is read', () => {
    const spec = parseProcfile('/app/Procfile', 'web: npm start\r\nworker: node w.js\r\n');
    expect(spec.tasks.map((t) => [t.name, t.command])).toEqual([
      ['web', 'npm start'],
      ['worker', 'node w.js'],
    ]);
  });

  it('a nested default ${A:-${B}} expands B, and only when A is unset or empty', () => {
    const env = (value: string, caller: Record<string, string>) =>
      parse(y('tasks:', '  a:', '    command: x', `    env: { V: "${value}" }`), caller).tasks[0]!.env.V;
    expect(env('${MISSING:-${OTHER}}', { OTHER: 'o' })).toBe('o');
    expect(env('${SET:-${OTHER}}', { SET: 's', OTHER: 'o' })).toBe('s');
    expect(env('${A:-x${B:-${C}}y}', { C: 'c' })).toBe('xcy');
    expect(env('${EMPTY-${OTHER}}', { EMPTY: '', OTHER: 'o' })).toBe('');
    expect(env('$$${OTHER}$', { OTHER: 'o' })).toBe('$o$');
  });

  it('refuses a ${ with no closing brace, with its position', () => {
    bad(y('tasks:', '  a:', '    command: x', '    env: { V: "${OPEN" }'), 4, 15, 'has no closing brace');
  });
});
