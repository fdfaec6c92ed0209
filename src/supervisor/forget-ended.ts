/** Forgetting ended tasks of an environment (older runs, tasks its file no longer has). */
import type { TaskRecord } from '../../machines/task.types.js';
import type { SupervisorHost } from './host.js';

/**
 * Forgets the ended `records`, except those whose tree left a process behind (they stay,
 * so that `kill` can still reach them); returns those forgotten.
 */
export async function forgetEnded(host: SupervisorHost, records: TaskRecord[]): Promise<TaskRecord[]> {
  if (records.length === 0) return [];
  const leftovers = new Set(host.withLeftovers(records).map((t) => t.id));
  const removed = records.filter((t) => !leftovers.has(t.id));
  for (const record of removed) host.forget(record);
  await host.store.flush();
  return removed;
}
