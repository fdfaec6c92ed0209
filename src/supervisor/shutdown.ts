/**
 * Ordered shutdown: a task stops only after every task that depends on it (in its
 * environment) has stopped; tasks on the same level stop in parallel.
 */
import type { TaskRecord } from '../../machines/task.types.js';

export async function stopInOrder<T>(records: TaskRecord[], stopOne: (record: TaskRecord) => Promise<T>): Promise<T[]> {
  const key = (env: string | null, name: string | null) => `${env ?? ''}\u0000${name ?? ''}`;
  const dependents = new Map<string, TaskRecord[]>();
  for (const r of records) {
    if (r.env === null) continue;
    for (const edge of r.dependsOn) {
      const k = key(r.env, edge.on);
      dependents.set(k, [...(dependents.get(k) ?? []), r]);
    }
  }
  const stopping = new Map<string, Promise<T>>();
  const stop = (record: TaskRecord): Promise<T> => {
    let done = stopping.get(record.id);
    if (!done) {
      const first = record.env === null ? [] : (dependents.get(key(record.env, record.name)) ?? []);
      // Settle the dependents first, whatever their outcome.
      done = Promise.allSettled(first.map(stop)).then(() => stopOne(record));
      stopping.set(record.id, done);
    }
    return done;
  };
  return Promise.all(records.map(stop));
}
