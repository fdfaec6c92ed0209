/**
 * `.env` files named by `env_file:`: NAME=value lines, `#` comments, an optional `export`,
 * single or double quotes. Their values are taken as written (no variable expansion).
 */
import { isAbsolute, resolve } from 'node:path';
import { usageError } from '../../errors.js';
import type { Located, NodePath } from './located.js';
import type { ReadEnvFile } from './spec.js';

/** The variables of the `.env` text read from `path` (named in errors, which point at its lines). */
export function parseDotenv(path: string, text: string): Record<string, string> {
  const env: Record<string, string> = {};
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
  return env;
}

/** The absolute path of an `env_file:` entry: relative ones are next to the env file, not in a task's cwd. */
function envFilePath(entry: string, base: string): string {
  return isAbsolute(entry) ? entry : resolve(base, entry);
}

/**
 * The variables of the `env_file:` list at `at` (a later file wins), read through `read`;
 * a missing file is refused at its entry.
 */
export function envFromFiles(loc: Located, at: NodePath, files: string[], base: string, read: ReadEnvFile): Record<string, string> {
  const env: Record<string, string> = {};
  files.forEach((entry, i) => {
    const path = envFilePath(entry, base);
    const text = read(path);
    if (text === undefined) loc.fail(files.length > 1 ? [...at, i] : at, `env_file ${entry}: no such file`);
    Object.assign(env, parseDotenv(path, text));
  });
  return env;
}
