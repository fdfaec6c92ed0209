/**
 * Loading an env file from the disk: the one place of the env-file reader that reads files.
 * It reads the file, picks its format by name (Procfile*, else YAML) and gives the parser
 * what it needs from outside: the caller's environment and a reader for `env_file:` entries.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { usageError } from '../../errors.js';
import { parseEnvYaml } from './document.js';
import { parseProcfile } from './procfile.js';
import type { EnvSpec, LoadOptions } from './spec.js';

/** A `.env` file's text, or undefined when it cannot be read (the parser says "no such file" where it is named). */
function readEnvFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The EnvSpec of the file at `path` (relative to the current folder); the caller's environment defaults to this process's. */
export function loadEnvFile(path: string, options: LoadOptions = {}): EnvSpec {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot be read (${code})`);
  }
  if (/^Procfile/.test(basename(file))) return parseProcfile(file, text, options);
  return parseEnvYaml(file, text, { ...options, callerEnv: options.callerEnv ?? process.env, readEnvFile });
}
