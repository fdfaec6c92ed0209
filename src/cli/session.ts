/** The agent session a CLI call acts for: `--session ID`, else `CORRAL_SESSION`. */
import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import { projectOf } from '../project.js';

export function currentSession(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flag !== undefined) return flag;
  return env.CORRAL_SESSION ? env.CORRAL_SESSION : undefined;
}

/** The options of `run` and `exec` that say whose task it is: `{session, keep}` as given. */
export function ownership(flags: { session?: string; keep?: boolean }): { session?: string; keep?: boolean } {
  const session = currentSession(flags.session);
  return { ...(session !== undefined ? { session } : {}), ...(flags.keep ? { keep: true } : {}) };
}

/** `ls`'s narrowing: `--mine` is the current session; `--project DIR` is the project DIR is in. */
export function listScope(flags: { session?: string; project?: string; mine?: boolean }): { session?: string; project?: string } {
  let session = flags.session;
  if (flags.mine) {
    if (flags.session !== undefined) throw usageError('--mine is the current session: give --mine or --session, not both');
    session = currentSession(undefined);
    if (session === undefined) throw usageError('--mine needs a session: set CORRAL_SESSION (or give --session ID)');
  }
  return { ...(session !== undefined ? { session } : {}), ...(flags.project !== undefined ? { project: projectOf(resolve(flags.project)) } : {}) };
}
