/**
 * Which task each process belongs to, for `ports`, `kill --port` and the hook that reads
 * broad kills: the trees of every task the home knows, from one scan of /proc. A task's
 * monitor counts as the task's (it is corral's, never a stranger's), and so do a finished
 * task's leftovers (a daemonised child), which `kill ID` stops.
 */
import type { TaskRecord } from '../../machines/task.types.js';
import type { TaskOwner, TaskView } from '../api.js';
import { scanProcesses } from '../process/procfs.js';
import { monitorRunning, treeOf } from '../process/tree.js';

/** What `ports` shows of a task. */
export function taskOwner(view: TaskView): TaskOwner {
  return { id: view.id, name: view.name, env: view.env, session: view.session, project: view.project };
}

export function ownersOf(records: TaskRecord[], view: (record: TaskRecord) => TaskView, pids: number[]): (TaskOwner | null)[] {
  const wanted = new Set(pids);
  const owner = new Map<number, TaskRecord>();
  const claim = (pid: number, record: TaskRecord) => {
    if (wanted.has(pid) && !owner.has(pid)) owner.set(pid, record);
  };
  const procs = scanProcesses(0);
  for (const record of records) {
    const info = record.process;
    if (!info) continue;
    for (const pid of treeOf(info, procs)) claim(pid, record);
    if (info.monitorPid > 0 && monitorRunning(info, procs)) claim(info.monitorPid, record);
  }
  const owners = new Map<string, TaskOwner>();
  return pids.map((pid) => {
    const record = owner.get(pid);
    if (!record) return null;
    if (!owners.has(record.id)) owners.set(record.id, taskOwner(view(record)));
    return owners.get(record.id)!;
  });
}
