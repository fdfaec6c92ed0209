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

/**
 * How a stop ended: `SIGTERM`, `exit 0 after SIGTERM`, `SIGKILL after 5s grace`; with a stop
 * command, `exit 0 after its stop command` (the signal was not sent, so it is not named).
 */
export function describeStop(context: TaskContext): string {
  const stop = context.stop!;
  const means = stop.command ? 'its stop command' : stop.signal;
  if (stop.escalated) return `SIGKILL after ${formatDuration(stop.graceMs)} grace`;
  if (context.signal) return context.signal === means ? means : `${context.signal} after ${means}`;
  if (context.exitCode !== null) return `exit ${context.exitCode} after ${means}`;
  return means;
}

/** `exit 1; restarting in 2s (restart 3/10)`: the count is of the restart window, not the lifetime. */
export function restartingReason(cause: string, delayMs: number, history: RestartHistory, maxRestarts: number): string {
  return `${cause}; restarting in ${formatDuration(delayMs)} (restart ${history.restartTimes.length}/${maxRestarts})`;
}
