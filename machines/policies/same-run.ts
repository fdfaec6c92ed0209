/**
 * "Start once": a second start of a command that already runs answers with the task that
 * runs it, instead of a second dev server fighting the first for its port. Two starts are
 * the same run when they run the same command in the same folder with the same variables
 * set over the caller's environment (the rest of the environment differs between any two
 * shells and says nothing). Pure: the supervisor asks `runningCopy` only.
 */
import { isFinal, type TaskRecord, type TaskSpec } from '../task.types.js';

type RunIdentity = Pick<TaskSpec, 'command' | 'cwd' | 'env' | 'envSet'>;

/** The variables set for a run, by name, sorted: what tells two runs of one command apart. */
function setVariables(spec: RunIdentity): string {
  const names = [...new Set(spec.envSet ?? [])].filter((n) => n in spec.env).sort();
  return JSON.stringify(names.map((n) => [n, spec.env[n]]));
}

export function sameRun(a: RunIdentity, b: RunIdentity): boolean {
  return a.command === b.command && a.cwd === b.cwd && setVariables(a) === setVariables(b);
}

/** A live task that already runs `spec` (and carries `name`, when one is asked for); the oldest when there are several. */
export function runningCopy(records: Iterable<TaskRecord>, spec: RunIdentity, name: string | null): TaskRecord | undefined {
  let found: TaskRecord | undefined;
  for (const record of records) {
    // A task on its way out is no answer: the caller would get a task that stops.
    if (isFinal(record.status) || record.status === 'stopping') continue;
    if (name !== null && record.name !== name) continue;
    if (!sameRun(record.spec, spec)) continue;
    if (found === undefined || idNumber(record.id) < idNumber(found.id)) found = record;
  }
  return found;
}

const idNumber = (id: string): number => Number(/\d+$/.exec(id)?.[0] ?? Number.MAX_SAFE_INTEGER);
