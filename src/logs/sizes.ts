/**
 * How far each of a task's logs reaches now: a state change is stamped with it, so that a
 * client can show the output written before the change ahead of the change itself.
 */
import { statSync } from 'node:fs';

export interface LogSizes {
  stdout: number;
  stderr: number;
}

/** The two log files of a log folder. */
export interface LogPaths {
  stdout: string;
  stderr: string;
}

/** By concatenation (a log folder's path is made normal by taskLogDir): in lite mode a join costs as much as a stat, and a mass stop makes a thousand. */
export const logPaths = (logDir: string): LogPaths => {
  const dir = logDir.endsWith('/') ? logDir.slice(0, -1) : logDir;
  return { stdout: `${dir}/stdout.log`, stderr: `${dir}/stderr.log` };
};

const sizeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

/**
 * Bytes in each log; 0 for a log not made yet (a task still starting) or gone. Callers that
 * look again and again (every sample of every task) pass the paths made once: in the
 * daemon's lite mode a `path.join` costs as much as the `stat`.
 */
export function logSizes(logDir: string | LogPaths): LogSizes {
  const paths = typeof logDir === 'string' ? logPaths(logDir) : logDir;
  return { stdout: sizeOf(paths.stdout), stderr: sizeOf(paths.stderr) };
}
