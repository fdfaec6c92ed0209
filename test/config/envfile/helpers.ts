/**
 * Shared by the env-file reader's tests: YAML text from lines, parsing from text (no disk:
 * `env_file:` contents are given as a map), and assertions on `file:line:col` usage errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { DEFAULTS } from '../../../machines/defaults.js';
import { parseEnvYaml, type EnvSpec, type EnvTaskDecl } from '../../../src/config/envfile/index.js';
import { CorralError } from '../../../src/errors.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url)).replace(/\/$/, '');
/** For files parsed from text: the path never has to exist. */
export const FILE = '/srv/app/corral.yaml';
export const DEP_TIMEOUT = DEFAULTS.dependencyTimeoutMs;

/** YAML text from lines, so that line numbers in the tests are easy to count. */
export const y = (...lines: string[]) => `${lines.join('\n')}\n`;

/** `text` parsed as `file`; `envFiles` holds the `.env` files there are, by absolute path. */
export function parse(text: string, callerEnv: Record<string, string> = {}, file = FILE, envFiles: Record<string, string> = {}): EnvSpec {
  return parseEnvYaml(file, text, { callerEnv, readEnvFile: (path) => envFiles[path] });
}

export function taskOf(spec: EnvSpec, name: string): EnvTaskDecl {
  const task = spec.tasks.find((t) => t.name === name);
  if (!task) throw new Error(`no task ${name} in ${spec.tasks.map((t) => t.name).join(', ')}`);
  return task;
}

/** The usage error `fn` throws (kind usage, exit code 2). */
export function usageOf(fn: () => unknown): CorralError {
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

export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `fn` is refused with a message that starts with `file:line:col: ` and contains every part. */
export function refusedAt(fn: () => unknown, file: string, line: number, col: number, ...parts: (string | RegExp)[]): string {
  const { message } = usageOf(fn);
  expect(message).toMatch(new RegExp(`^${escapeRe(`${file}:${line}:${col}: `)}`));
  for (const part of parts) {
    if (typeof part === 'string') expect(message).toContain(part);
    else expect(message).toMatch(part);
  }
  return message;
}

/** `text`, parsed as FILE, is refused at line:col. */
export const bad = (text: string, line: number, col: number, ...parts: (string | RegExp)[]) =>
  refusedAt(() => parse(text), FILE, line, col, ...parts);

/** A temporary folder for the tests of this file that need one on disk; it is removed after them. */
export function useTempDir(): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'corral-envfile-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}
