/**
 * Variables in an env file's values (src/config/envfile/interpolate.ts): `${VAR}`, `$VAR`,
 * defaults (nested, as in docker compose) and `$$`, expanded from the caller's environment
 * everywhere but in commands.
 */
import { describe, expect, it } from 'vitest';
import { expandValue } from '../../../src/config/envfile/interpolate.js';
import { bad, DEP_TIMEOUT, FILE, parse, refusedAt, taskOf, usageOf, y } from './helpers.js';

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
      FILE,
      { '/srv/app/vars.env': 'FROM_FILE=1\n' },
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
    expect(api.cwd).toBe('/srv/app/work');
    expect(api.env).toEqual({ FROM_FILE: '1' });
    expect(api.dependsOn).toEqual([{ on: 'db', condition: 'healthy', timeoutMs: DEP_TIMEOUT }]);
    expect(api.stopSignal).toBe('SIGINT');
    expect(api.stopCommand).toBe('kill ${PID}');
    expect(api.health!.probes).toEqual([{ kind: 'exec', command: 'curl localhost:$PORT' }]);
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

describe('fixed bugs', () => {
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

  it('a nested default ${A:-${B}} expands B, and only when A is unset or empty', () => {
    const env = (value: string, caller: Record<string, string>) =>
      parse(y('tasks:', '  a:', '    command: x', `    env: { V: "${value}" }`), caller).tasks[0]!.env.V;
    expect(env('${MISSING:-${OTHER}}', { OTHER: 'o' })).toBe('o');
    expect(env('${SET:-${OTHER}}', { SET: 's', OTHER: 'o' })).toBe('s');
    expect(env('${A:-x${B:-${C}}y}', { C: 'c' })).toBe('xcy');
    expect(env('${EMPTY-${OTHER}}', { EMPTY: '', OTHER: 'o' })).toBe('');
    expect(env('$$${OTHER}$', { OTHER: 'o' })).toBe('$o$');
  });

  it('names the unset variable that emptied a value it refuses, and only there', () => {
    const text = y('tasks:', '  db:', '    command: x', '    env: { V: "${NOT_SET}" }', '    health: { tcp: "127.0.0.1:${PORT}" }');
    bad(text, 5, 20, 'tcp: "127.0.0.1:" is not host:port; ${PORT} is not set (an unset variable expands to nothing: set it, or give a default with ${PORT:-value})');
    bad(y('tasks:', '  db:', '    command: x', '    health: { log: ready, interval: "${EVERY}s" }'), 4, 37, '"s" is not a duration', '${EVERY} is not set');
    const message = bad(y('tasks:', '  db:', '    command: x', '    env: { V: "${NOT_SET}" }', '    stop: { signal: "SIG${A}${B}" }'), 5, 21, '${A}, ${B} are not set');
    expect(message).not.toContain('NOT_SET');
    // Set, the same value is refused for what it is, with no word of variables.
    expect(usageOf(() => parse(text, { PORT: 'x' })).message).not.toContain('not set');
  });

  it('refuses a ${ with no closing brace, with its position', () => {
    bad(y('tasks:', '  a:', '    command: x', '    env: { V: "${OPEN" }'), 4, 15, 'has no closing brace');
  });
});

describe('nested defaults, as in docker compose', () => {
  const refuse = (message: string): never => {
    throw new Error(message);
  };
  const expand = (text: string, caller: Record<string, string>) => expandValue(text, caller, refuse);

  it.each([
    // ${A:-${B}}: A unset or empty takes B, itself maybe unset or empty.
    ['${A:-${B}}', {}, ''],
    ['${A:-${B}}', { B: 'b' }, 'b'],
    ['${A:-${B}}', { A: '', B: 'b' }, 'b'],
    ['${A:-${B}}', { A: 'a', B: 'b' }, 'a'],
    ['${A:-${B}}', { A: '', B: '' }, ''],
    // ${A:-${B:-x}}: both levels fall through to the innermost default.
    ['${A:-${B:-x}}', {}, 'x'],
    ['${A:-${B:-x}}', { A: '', B: '' }, 'x'],
    ['${A:-${B:-x}}', { B: 'b' }, 'b'],
    ['${A:-${B:-x}}', { A: 'a' }, 'a'],
    // ${A-${B}}: only an unset A takes the default; an empty one is kept.
    ['${A-${B}}', { B: 'b' }, 'b'],
    ['${A-${B}}', { A: '', B: 'b' }, ''],
    ['${A-${B-x}}', { B: '' }, ''],
    ['${A-${B-x}}', {}, 'x'],
    ['${A:-${B-x}}', { A: '', B: '' }, ''],
    ['${A-${B:-x}}', { B: '' }, 'x'],
    // Text around the inner reference, and several of them.
    ['${A:-http://${H:-localhost}:${P:-80}/}', { P: '8080' }, 'http://localhost:8080/'],
    ['pre-${A:-${B}}-post', { B: 'b' }, 'pre-b-post'],
    // $$ inside a default is a dollar sign, at any depth.
    ['${A:-$$}', {}, '$'],
    ['${A:-a$$b}', {}, 'a$b'],
    ['${A:-${B:-$$HOME}}', { HOME: '/home/x' }, '$HOME'],
    ['${A:-$$}', { A: 'a' }, 'a'],
  ] as [string, Record<string, string>, string][])('%s with %j → %j', (text, caller, expected) => {
    expect(expand(text, caller)).toBe(expected);
  });

  it('refuses a bad reference inside a default that is used', () => {
    expect(() => expand('${A:-${1x}}', {})).toThrow('"${1x}" is not a variable reference');
    expect(() => expand('${A:-${B:-${}}}', {})).toThrow('"${}" is not a variable reference');
    expect(() => expand('${A:-${B:-x}', {})).toThrow('has no closing brace');
  });

  it('a bad inner reference is refused at the value in the file, line and column', () => {
    bad(y('tasks:', '  a:', '    command: x', '    env:', '      OK: "${A:-${B}}"', '      V: "${A:-${1x}}"'), 6, 10, '"${1x}" is not a variable reference');
    bad(y('name: x', 'tasks:', '  a:', '    command: x', '    cwd: "${A:-${B:-${C}"'), 5, 10, 'has no closing brace');
    refusedAt(
      () => parse(y('tasks:', '  a:', '    command: x', '    health: { http: "http://${H:-${}}/" }'), {}, '/elsewhere/corral.yaml'),
      '/elsewhere/corral.yaml',
      4,
      21,
      '"${}" is not a variable reference',
    );
  });

  it('expands nested defaults anywhere a value is expanded: name, cwd, env, health', () => {
    const spec = parse(
      y('name: ${ENV:-${USER_ENV:-dev}}', 'tasks:', '  a:', '    command: x', '    cwd: ${DIR:-${HOME_DIR}/app}', '    env: { V: "${A:-${B}}" }', '    health: { tcp: "${PORT:-${FALLBACK_PORT}}" }'),
      { HOME_DIR: '/home/x', B: 'b', FALLBACK_PORT: '7000' },
    );
    expect(spec.name).toBe('dev');
    expect(spec.tasks[0]).toMatchObject({ cwd: '/home/x/app', env: { V: 'b' } });
    expect(spec.tasks[0]!.health!.probes).toEqual([{ kind: 'tcp', host: '127.0.0.1', port: 7000 }]);
  });
});
