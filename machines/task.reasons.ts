/** The words of a task's `reason`: how a run ended, how a stop ended, when it restarts. */
import { formatDuration } from './duration.js';
import type { RestartHistory } from './policies/restart.js';
import type { TaskContext } from './task.contracts.js';
import type { ExitInfo } from './task.types.js';

/** `exit 3`, `SIGSEGV`, or the monitor's note when the status could not be learned. */
export function describeExit(exit: ExitInfo & { note?: string }): string {
  if (exit.signal) return exit.signal;
  if (exit.exitCode !== null) return `exit ${exit.exitCode}`;
  return exit.note ?? 'exit status unknown';
}

/** How a stop ended: `SIGTERM`, `exit 0 after SIGTERM`, `SIGKILL after 5s grace`. */
export function describeStop(context: TaskContext): string {
  const stop = context.stop!;
  if (stop.escalated) return `SIGKILL after ${formatDuration(stop.graceMs)} grace`;
  if (context.signal) return context.signal === stop.signal ? stop.signal : `${context.signal} after ${stop.signal}`;
  if (context.exitCode !== null) return `exit ${context.exitCode} after ${stop.signal}`;
  return stop.signal;
}

/** `exit 1; restarting in 2s (restart 3/10)`: the count is of the restart window, not the lifetime. */
export function restartingReason(cause: string, delayMs: number, history: RestartHistory, maxRestarts: number): string {
  return `${cause}; restarting in ${formatDuration(delayMs)} (restart ${history.restartTimes.length}/${maxRestarts})`;
}
