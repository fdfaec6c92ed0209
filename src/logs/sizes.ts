/**
 * How far each of a task's logs reaches now: a state change is stamped with it, so that a
 * client can show the output written before the change ahead of the change itself.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';

export interface LogSizes {
  stdout: number;
  stderr: number;
}

/** The two log files of a log folder. */
export interface LogPaths {
  stdout: string;
  stderr: string;
}

export const logPaths = (logDir: string): LogPaths => ({ stdout: join(logDir, 'stdout.log'), stderr: join(logDir, 'stderr.log') });

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
