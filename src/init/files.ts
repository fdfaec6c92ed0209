/** Small readers the detectors share: they never throw on a missing or broken file. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function readText(path: string): string | null {
  try {
    return statSync(path).isFile() ? readFileSync(path, 'utf8') : null;
  } catch {
    return null;
  }
}

export function readJsonFile(path: string): unknown {
  const text = readText(path);
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function firstExisting(dir: string, names: string[]): string | null {
  return names.find((name) => existsSync(join(dir, name))) ?? null;
}

/** Files of `dir` (not recursive) whose names end with one of `extensions`, sorted. */
export function filesWith(dir: string, extensions: string[]): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => extensions.some((ext) => name.endsWith(ext)))
      .filter((name) => statSync(join(dir, name)).isFile())
      .sort();
  } catch {
    return [];
  }
}

/** The project's Python: its virtualenv's when it has one. */
export function pythonOf(dir: string): string {
  for (const venv of ['.venv', 'venv']) {
    if (existsSync(join(dir, venv, 'bin', 'python'))) return `${venv}/bin/python`;
  }
  return 'python3';
}

/** A task name from any word: `db:migrate` → `db-migrate`, `2fa` → `task-2fa`. */
export function taskName(word: string): string {
  const name = word.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return /^[A-Za-z]/.test(name) ? name : `task-${name || 'x'}`;
}
