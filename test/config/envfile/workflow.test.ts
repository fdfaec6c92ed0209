/**
 * The workflow format (src/config/envfile/workflow.ts): `steps:` in order, slugged names,
 * foreground steps chained, `monitor: true` for a watched service.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEnvFile, parseEnvYaml, slug, type EnvSpec } from '../../../src/config/envfile/index.js';
import { bad, DEP_TIMEOUT, FIXTURES, parse, taskOf, usageOf, y } from './helpers.js';

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

  it('refuses a step whose name would name its task like an id, at the name', () => {
    bad(y('steps:', '  - name: Bash_5', '    command: a'), 2, 11, '"Bash_5" would name the task bash_5: a name cannot look like a task id');
    bad(y('steps:', '  - name: Build', '    command: a', '  - name: BASH_7', '    command: b'), 4, 11, '"BASH_7" would name the task bash_7: a name cannot look like a task id');
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

describe('fixed bugs', () => {
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
});
