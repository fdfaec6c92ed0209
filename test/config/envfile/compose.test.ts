/**
 * corral.yaml, the compose-like format (src/config/envfile/compose.ts): tasks, their
 * environment, dependency edges and the graph check, health checks, restart and stop.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../machines/defaults.js';
import { loadEnvFile, parseEnvYaml, type EnvSpec } from '../../../src/config/envfile/index.js';
import { bad, DEP_TIMEOUT, escapeRe, FILE, FIXTURES, parse, taskOf, usageOf, y } from './helpers.js';

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

  it('reads restart: true on an edge (compose\'s form), and leaves it off the others', () => {
    const spec = parse(
      y(
        'tasks:',
        '  db: { command: x, health: { tcp: 1 } }',
        '  cache: { command: x }',
        '  api:',
        '    command: y',
        '    depends_on: { db: { condition: healthy, restart: true }, cache: { restart: false } }',
      ),
    );
    expect(taskOf(spec, 'api').dependsOn).toEqual([
      { on: 'db', condition: 'healthy', timeoutMs: 300_000, restart: true },
      { on: 'cache', condition: 'started', timeoutMs: 300_000 },
    ]);
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
});

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
});

describe('image: the container image of an export, which corral itself ignores', () => {
  it('is kept as written, and null when the task has none', () => {
    const spec = parse(y('tasks:', '  api:', '    command: node api.js', '    image: ghcr.io/acme/api:1.2', '  web:', '    command: x'));
    expect(taskOf(spec, 'api').image).toBe('ghcr.io/acme/api:1.2');
    expect(taskOf(spec, 'web').image).toBeNull();
  });

  it('is refused where it is written when it is no image reference', () => {
    bad(y('tasks:', '  api:', '    command: x', '    image: "Node 20"'), 4, 12, '"Node 20" is not an image reference: write it like node:20');
  });
});

describe('fixed bugs', () => {
  it('a bad tcp address that is not the first key of health points at its own line', () => {
    bad(y('tasks:', '  a:', '    command: x', '    health:', '      interval: 1s', '      tcp: nope'), 6, 12, 'tcp: "nope" is not host:port');
  });

  it('"did you mean" never suggests the dependent task itself (a self-dependency)', () => {
    const message = usageOf(() => parse(y('tasks:', '  api:', '    command: x', '  web:', '    command: y', '    depends_on: [db]'))).message;
    expect(message).not.toContain('did you mean "web"');
  });
});
