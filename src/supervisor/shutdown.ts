/**
 * Ordered shutdown: a task stops only after every task that depends on it (in its
 * environment) has stopped; tasks on the same level stop in parallel.
 */
import type { TaskRecord } from '../../machines/task.types.js';

const key = (env: string | null, name: string | null) => `${env ?? ''}\u0000${name ?? ''}`;
/** Dependents name a task with replicas by the name its copies share. */
const nameOf = (r: TaskRecord) => r.replica?.of ?? r.name;

/**
 * The records, dependents before what they depend on (Kahn's order, without recursion: a
 * chain of 20,000 tasks is as deep as it is long). Tasks caught in a cycle, which runs of an
 * environment from different files could make, come last.
 */
function dependentsFirst(records: TaskRecord[]): { order: TaskRecord[]; dependents: Map<string, TaskRecord[]> } {
  const byKey = new Map<string, TaskRecord[]>();
  for (const r of records) {
    if (r.env === null) continue;
    const k = key(r.env, nameOf(r));
    const same = byKey.get(k);
    if (same) same.push(r);
    else byKey.set(k, [r]);
  }
  const dependents = new Map<string, TaskRecord[]>();
  const waitingOn = new Map<string, number>(records.map((r) => [r.id, 0]));
  for (const r of records) {
    if (r.env === null) continue;
    for (const edge of r.dependsOn) {
      const k = key(r.env, edge.on);
      const targets = byKey.get(k);
      if (!targets) continue;
      const list = dependents.get(k);
      if (list) list.push(r);
      else dependents.set(k, [r]);
      for (const t of targets) waitingOn.set(t.id, waitingOn.get(t.id)! + 1);
    }
  }
  const order = records.filter((r) => waitingOn.get(r.id) === 0);
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    if (r.env === null) continue;
    for (const edge of r.dependsOn) {
      for (const t of byKey.get(key(r.env, edge.on)) ?? []) {
        const left = waitingOn.get(t.id)! - 1;
        waitingOn.set(t.id, left);
        if (left === 0) order.push(t);
      }
    }
  }
  const placed = new Set(order.map((r) => r.id));
  return { order: [...order, ...records.filter((r) => !placed.has(r.id))], dependents };
}

export async function stopInOrder<T>(records: TaskRecord[], stopOne: (record: TaskRecord) => Promise<T>): Promise<T[]> {
  const unique = [...new Map(records.map((r) => [r.id, r])).values()];
  const { order, dependents } = dependentsFirst(unique);
  const stopping = new Map<string, Promise<T>>();
  for (const record of order) {
    const first = record.env === null ? [] : (dependents.get(key(record.env, nameOf(record))) ?? []);
    // Settle the dependents first, whatever their outcome (those of a cycle are not waited for).
    const before = first.map((d) => stopping.get(d.id)).filter((p): p is Promise<T> => p !== undefined);
    stopping.set(record.id, Promise.allSettled(before).then(() => stopOne(record)));
  }
  return Promise.all(records.map((r) => stopping.get(r.id)!));
}
