/** The user-facing status of a task machine's snapshot. */
import type { SnapshotFrom } from 'xstate';
import type { taskMachine } from './task.machine.js';
import type { TaskStatus } from './task.types.js';

export type TaskSnapshot = SnapshotFrom<typeof taskMachine>;

/** `alive.running` is `running`, `alive.adopting` is `running` too, and so on. */
export function statusOf(snapshot: TaskSnapshot): TaskStatus {
  const value = snapshot.value;
  if (typeof value === 'string') {
    if (value === 'init') return 'starting';
    return value as TaskStatus;
  }
  const inner = (value as { alive?: string }).alive;
  if (inner === 'adopting') return 'running';
  return (inner ?? 'starting') as TaskStatus;
}
