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

/** Bytes in each log; 0 for a log not made yet (a task still starting) or gone. */
export function logSizes(logDir: string): LogSizes {
  const size = (stream: string) => statSync(join(logDir, `${stream}.log`), { throwIfNoEntry: false })?.size ?? 0;
  return { stdout: size('stdout'), stderr: size('stderr') };
}
