/**
 * `wait`: blocks in the supervisor (one call, no polling by the client) until the task
 * meets the condition, ends without meeting it, or the time runs out; then returns the
 * verdict with its evidence — the matching line, the port, the status code, the silence —
 * and what explains a failure: the first error line and last stderr lines of a task that
 * ended, the last lines and ports of one that timed out.
 */
import { join } from 'node:path';
import { isFinal, type TaskRecord } from '../../machines/task.types.js';
import type { TaskView, WaitOptions, WaitResult } from '../api.js';
import { conditionText, normalizeWait, normalizeWaitFrom } from '../config/wait.js';
import { taskLogDir } from '../home.js';
import { firstErrorLine } from '../logs/first-error.js';
import { lastLines } from '../logs/last-lines.js';
import { readSlice } from '../logs/read.js';
import { logSizes } from '../logs/sizes.js';
import { listeningPorts } from '../process/ports.js';
import { treeOf } from '../process/tree.js';
import type { SupervisorHost } from './host.js';
import { checkFor } from './wait-checks.js';

const LAST_LINES = 10;
const STDERR_LINES = 10;

export async function waitForTask(host: SupervisorHost, ref: string, until: string, timeout: string | number | undefined, options: WaitOptions = {}): Promise<WaitResult> {
  const { condition, timeoutMs } = normalizeWait(until, timeout);
  const from = normalizeWaitFrom(options.from);
  let record = host.resolve(ref);
  const id = record.id;
  const logDir = taskLogDir(host.paths, id);
  const start = from === 'start' ? { stdout: 0, stderr: 0 } : from === 'end' ? logSizes(logDir) : from === 'run' ? runStart(record, logDir) : from;
  const check = checkFor(condition, { logDir, from: start, now: () => host.clock.now() });
  const began = host.clock.now();
  const deadline = began + timeoutMs;

  let view: TaskView = host.view(record);
  let reached = false;
  let timedOut = false;
  for (;;) {
    const current = host.store.task(id);
    if (!current) break; // removed meanwhile (it had ended): the last view stands
    record = current;
    view = host.view(record);
    const remaining = deadline - host.clock.now();
    // Not awaited when the check answers at once: a state wait arms its timer in the call itself.
    const met = check.probe(view, record, remaining);
    if (met instanceof Promise ? await met : met) {
      reached = true;
      break;
    }
    if (isFinal(view.status) || options.signal?.aborted) break;
    if (remaining <= 0) {
      timedOut = true;
      break;
    }
    const probe = check.probe;
    const wake = check.intervalMs === null ? (v: TaskView) => isFinal(v.status) || (probe(v, record, 0) as boolean) : (v: TaskView) => isFinal(v.status);
    await host.until(id, wake, check.intervalMs === null ? remaining : Math.min(check.intervalMs, remaining), options.signal);
  }
  // An aborted wait answers nobody; it reports a time-out.
  if (!reached && options.signal?.aborted) timedOut = true;

  const result: WaitResult = { task: view, reached, timedOut, until: conditionText(condition), waitedMs: host.clock.now() - began, ...check.evidence() };
  if (condition.kind === 'exit' || isFinal(view.status)) Object.assign(result, endingOf(record, logDir));
  if (!reached) result.lastLines = lastLines(logDir, LAST_LINES);
  if (timedOut && view.status === 'running' && record.process) result.ports = listeningPorts(treeOf(record.process));
  return result;
}

/** Where the task's current run began writing; for one that has not started, where it will. */
function runStart(record: TaskRecord, logDir: string): { stdout: number; stderr: number } {
  return record.process?.logStart ?? logSizes(logDir);
}

/** How the last run ended, from its own output: its first error-looking line and its last lines of stderr. */
function endingOf(record: TaskRecord, logDir: string): Pick<WaitResult, 'firstError' | 'stderrTail'> {
  const from = record.process?.logStart ?? { stdout: 0, stderr: 0 };
  const tail = readSlice(join(logDir, 'stderr.log'), { tail: STDERR_LINES, from: from.stderr, maxBytes: 8 * 1024 });
  return {
    firstError: firstErrorLine(logDir, from),
    stderrTail: tail.bytes
      .toString('utf8')
      .split('\n')
      .map((l) => l.replace(/\r$/, ''))
      .filter((l) => l.length > 0),
  };
}
