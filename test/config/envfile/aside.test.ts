/**
 * Big env files are read by a process of their own (src/config/envfile/aside.ts), so that
 * the daemon keeps nothing of their reading. Run from the build, as the daemon runs it: the
 * answer is the one reading in place gives, a refusal keeps its `file:line:col`, and the
 * daemon's code reaches neither yaml nor the reader's modules by static imports (small
 * files load them when first read).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CorralError } from '../../../src/errors.js';
import { loadEnvFile } from '../../../src/config/envfile/index.js';
import { ROOT } from '../../helpers.js';
import { useTempDir, y } from './helpers.js';

/** A comment at the end makes a file big enough to be read aside, without moving any line. */
const big = (text: string) => `${text}\n${'#'.repeat(70 * 1024)}\n`;

const DIST = join(ROOT, 'dist/src');
const temp = useTempDir();
const built = async (): Promise<typeof import('../../../src/config/envfile/aside.js')> =>
  import(pathToFileURL(join(DIST, 'config/envfile/aside.js')).href);

describe('a big env file read aside', () => {
  it('gives what reading in place gives, with the caller environment and a relative path', async () => {
    const file = join(temp(), 'corral.yaml');
    writeFileSync(join(temp(), '.env'), 'FROM_FILE=1\n');
    writeFileSync(file, big(y('name: app', 'tasks:', '  api:', '    command: serve ${PORT}', '    env_file: .env', '    env: { PORT: "${PORT}" }', '    health: { log: "ready (\\\\d+)" }', '  web:', '    command: web', '    depends_on: { api: healthy }')));
    const options = { callerEnv: { PORT: '8080' } };
    const { loadEnvFileAside } = await built();
    const aside = await loadEnvFileAside(file, options);
    expect(aside).toEqual(loadEnvFile(file, options));
    expect(aside.tasks.find((t) => t.name === 'api')!.env).toEqual({ FROM_FILE: '1', PORT: '8080' });
    const cwd = process.cwd();
    try {
      process.chdir(temp());
      expect(await loadEnvFileAside('corral.yaml', options)).toEqual(aside);
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses a bad file with the reader’s own sentence and kind', async () => {
    const file = join(temp(), 'broken.yaml');
    writeFileSync(file, big(y('tasks:', '  a:', '    command: x', '    depends_on: [b]')));
    const { loadEnvFileAside } = await built();
    const error = await loadEnvFileAside(file, { callerEnv: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorralError);
    expect((error as CorralError).kind).toBe('usage');
    expect((error as Error).message).toBe(`${file}:4:18: a depends on "b", which is not a task of this file`);
    const missing = await loadEnvFileAside(join(temp(), 'none.yaml'), {}).catch((e: unknown) => e);
    expect((missing as Error).message).toBe(`${join(temp(), 'none.yaml')}: no such file`);
  });
});

describe('which files are read aside', () => {
  it('reads a small file in place and a big one in a process of its own', async () => {
    const small = join(temp(), 'small.yaml');
    const large = join(temp(), 'large.yaml');
    writeFileSync(small, y('tasks:', '  a:', '    command: x'));
    writeFileSync(large, big(y('tasks:', '  a:', '    command: x')));
    const { loadEnvFileAside } = await built();
    // A node that cannot start: only a read in place still answers.
    const execPath = process.execPath;
    process.execPath = '/bin/false';
    try {
      expect((await loadEnvFileAside(small, {})).tasks.map((t) => t.name)).toEqual(['a']);
      const error = await loadEnvFileAside(large, {}).catch((e: unknown) => e);
      expect((error as Error).message).toBe(`${large}: could not be read (the reader exited 1)`);
    } finally {
      process.execPath = execPath;
    }
  });
});

/** Static imports, in the compiler's output and in the bundle (no space before `from`); not `import(…)`. */
const STATIC = /(?:^|[;\s}])(?:import|export)(?!\s*\()\b[^;'"()]*?(?:from\s*)?['"]([^'"]+)['"]/gm;

it('reaches neither yaml nor the reader from what the daemon loads to start and to orchestrate', () => {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = ['daemon/main.js', 'daemon/server.js', 'supervisor/supervisor.js', 'config/orchestrate.js', 'config/envfile/aside.js'].map((f) => join(DIST, f));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC)) {
      if (spec!.startsWith('.')) {
        if (spec!.endsWith('.js')) queue.push(resolve(dirname(file), spec!));
      } else packages.add(spec!);
    }
  }
  // The walk follows imports: the orchestrate path and the RPC schemas (zod 3) are in it.
  expect(seen.has(join(DIST, 'config/envfile/spec.js'))).toBe(true);
  expect(packages.has('zod/v3')).toBe(true);
  expect([...packages].filter((p) => p === 'yaml' || p === 'zod' || p.startsWith('zod/v4'))).toEqual([]);
  expect([...seen].filter((f) => /envfile\/(load|document|schema)\.js$/.test(f))).toEqual([]);
});
