/**
 * The loader (src/config/envfile/load.ts), the one part of the env-file reader that reads
 * the disk: the file itself, its format by name, the `env_file:` entries it names, and the
 * caller's environment from this process when none is given.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvFile } from '../../../src/config/envfile/index.js';
import { FIXTURES, refusedAt, useTempDir, usageOf, y } from './helpers.js';

const temp = useTempDir();

describe('loadEnvFile', () => {
  it('a path that does not exist', () => {
    const missing = join(temp(), 'no-such.yaml');
    const error = usageOf(() => loadEnvFile(missing));
    expect(error.message).toBe(`${missing}: no such file`);
    expect(usageOf(() => loadEnvFile('no/such/corral.yaml')).message).toBe('no/such/corral.yaml: no such file');
  });

  it('a folder', () => {
    expect(usageOf(() => loadEnvFile(temp())).message).toBe(`${temp()}: cannot be read (EISDIR)`);
  });

  it('reports errors in a loaded file with its absolute path', () => {
    const file = join(temp(), 'broken.yaml');
    writeFileSync(file, y('tasks:', '  a:', '    command: x', '    depends_on: [b]'));
    refusedAt(() => loadEnvFile(file, { callerEnv: {} }), file, 4, 18, 'a depends on "b", which is not a task of this file');
  });

  it('resolves a relative path to the file against the current folder', () => {
    const file = join(FIXTURES, 'corral.yaml');
    const CALLER = { HOME: '/home/dev' };
    const spec = loadEnvFile(file, { callerEnv: CALLER });
    const viaRelative = loadEnvFile(relative(process.cwd(), file), { callerEnv: CALLER });
    expect(viaRelative.file).toBe(file);
    expect(viaRelative.tasks.map((t) => t.name)).toEqual(spec.tasks.map((t) => t.name));
  });

  it('takes the caller environment from process.env when none is given', () => {
    const key = 'CORRAL_ENVFILE_TEST_VALUE';
    process.env[key] = 'from-process';
    try {
      const file = join(temp(), 'caller.yaml');
      writeFileSync(file, y('tasks:', '  a:', '    command: x', `    env: { V: "\${${key}}" }`));
      const spec = loadEnvFile(file);
      expect(spec.tasks[0]!.env.V).toBe('from-process');
    } finally {
      delete process.env[key];
    }
  });
});

describe('env_file entries, read from the disk', () => {
  it('are read next to the file (not in a task cwd), shared first, a later one winning', () => {
    const dir = join(temp(), 'project');
    mkdirSync(join(dir, 'config'), { recursive: true });
    writeFileSync(join(dir, 'shared.env'), 'A=shared\nB=shared\n');
    writeFileSync(join(dir, 'config', 'task.env'), 'B=task\n');
    writeFileSync(join(dir, 'corral.yaml'), y('env_file: shared.env', 'tasks:', '  a:', '    command: x', '    cwd: /tmp', '    env_file: config/task.env'));
    expect(loadEnvFile(join(dir, 'corral.yaml'), { callerEnv: {} }).tasks[0]!.env).toEqual({ A: 'shared', B: 'task' });
  });

  it('a missing one, or a folder, is refused at its entry in the file', () => {
    const file = join(temp(), 'uses-missing.yaml');
    writeFileSync(file, y('tasks:', '  a:', '    command: x', '    env_file: [nope.env]'));
    refusedAt(() => loadEnvFile(file, { callerEnv: {} }), file, 4, 15, 'env_file nope.env: no such file');
    mkdirSync(join(temp(), 'folder.env'), { recursive: true });
    writeFileSync(file, y('env_file: folder.env', 'tasks:', '  a:', '    command: x'));
    refusedAt(() => loadEnvFile(file, { callerEnv: {} }), file, 1, 11, 'env_file folder.env: no such file');
  });

  it('a bad line of one is refused at its line, in that file', () => {
    const file = join(temp(), 'uses-bad.yaml');
    writeFileSync(join(temp(), 'bad-line.env'), 'A=1\noops\n');
    writeFileSync(file, y('env_file: bad-line.env', 'tasks:', '  a:', '    command: x'));
    refusedAt(() => loadEnvFile(file, { callerEnv: {} }), join(temp(), 'bad-line.env'), 2, 1, 'an env file line is NAME=value');
  });
});

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
    const file = join(temp(), 'procs.txt');
    writeFileSync(file, 'web: npm run dev\n');
    // The unknown key is told before the missing "tasks" (it is usually the cause).
    expect(usageOf(() => loadEnvFile(file, { callerEnv: {} })).message).toContain('unknown key "web"');
  });

  it('a missing Procfile is a usage error from loadEnvFile', () => {
    const missing = join(temp(), 'Procfile');
    expect(usageOf(() => loadEnvFile(missing)).message).toBe(`${missing}: no such file`);
  });
});
