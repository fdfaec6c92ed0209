/**
 * Shared by the exports' tests: an export of env-file text (parsed as `up` parses it, no
 * disk), the CLI's export of a file, golden files, and the engines' own validators.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseEnvYaml } from '../../src/config/envfile/index.js';
import { exportEnv, type Engine, type ExportResult } from '../../src/export/index.js';
import { cli, makeHome, ROOT, type CliResult } from '../helpers.js';

export const EXPORT_FIXTURES = join(ROOT, 'test/export/fixtures');
export const EVERY_KEY = 'test/export/fixtures/every-key.yaml';
export const DEV_ENV = 'examples/dev-env.yaml';
const GOLDEN = join(ROOT, 'test/export/golden');

/** YAML text from lines. */
export const y = (...lines: string[]) => `${lines.join('\n')}\n`;

/** The export of env-file text, as if it were /srv/app/corral.yaml. */
export function exportOf(engine: Engine, text: string, options: { image?: string; namespace?: string } = {}): ExportResult {
  const spec = parseEnvYaml('/srv/app/corral.yaml', text, { callerEnv: {} });
  return exportEnv(engine, { spec, source: 'corral.yaml', ...options });
}

/** The (only or named) file of an export, parsed as YAML. */
export function yamlOf(result: ExportResult, path?: string): any {
  const file = path ? result.files.find((f) => f.path === path) : result.files[0];
  if (!file) throw new Error(`no file ${path} in ${result.files.map((f) => f.path).join(', ')}`);
  return parseYaml(file.content, { version: '1.1' });
}

export const warningKeys = (result: ExportResult): string[] => result.warnings.map((w) => `${w.task}: ${w.key}`);

/** The CLI's environment for exports: none of the example's port variables, so its defaults are what is exported. */
export const EXPORT_ENV = { KV_PORT: '', API_PORT: '', WEB_PORT: '' };

/**
 * `text` equals the golden file `name`, with the checkout's folder written as <ROOT> (the
 * exports name absolute folders). UPDATE_GOLDEN=1 writes the file instead.
 */
export function expectGolden(name: string, text: string): void {
  const path = join(GOLDEN, name);
  const normalised = text.split(ROOT.replace(/\/$/, '')).join('<ROOT>');
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, normalised);
  expect(existsSync(path), `no golden file ${name}: run with UPDATE_GOLDEN=1 once, and review it`).toBe(true);
  expect(normalised).toBe(readFileSync(path, 'utf8'));
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'corral-export-'));
}

export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** A validator's verdict: its exit code and everything it printed. */
export function validate(command: string, args: string[], cwd: string): { code: number; output: string } {
  try {
    const out = execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, output: out };
  } catch (error) {
    const e = error as { status: number | null; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/**
 * The export CLI of one test file, on a home of its own (an export starts no daemon), and
 * folders for its files; all removed after the file's tests.
 */
export function useExportCli(): { run: (...args: string[]) => Promise<CliResult>; folder: () => string } {
  const home = makeHome();
  const dirs = [home];
  afterAll(() => dirs.forEach(removeDir));
  return {
    run: (...args) => cli(home, ['export', ...args], { env: EXPORT_ENV }),
    folder: () => {
      const dir = tempDir();
      dirs.push(dir);
      return dir;
    },
  };
}

/** The example environment and the file that uses every key: what each engine's golden files and validator see. */
export const GOLDEN_CASES = [
  ['dev-env', DEV_ENV],
  ['every-key', EVERY_KEY],
] as const;
