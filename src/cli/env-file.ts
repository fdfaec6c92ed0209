/** Which env file a command reads, and the variables its `${VAR}` expand from: shared by up, orchestrate and export. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const DEFAULT_FILES = ['corral.yaml', 'corral.yml', 'Procfile'];

/** -f, or the first default file in the current folder. */
export function findEnvFile(flag: string | undefined): string | null {
  if (flag) return resolve(flag);
  const found = DEFAULT_FILES.find((f) => existsSync(f));
  return found ? resolve(found) : null;
}

export function callerEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}
