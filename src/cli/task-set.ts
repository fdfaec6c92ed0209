/** The tasks a command reads the logs of (`grep`, `logs` of several), and where `--since` starts in them. */
import type { SupervisorApi, TaskView } from '../api.js';
import { notFound, see, usageError } from '../errors.js';
import type { Stream } from '../logs/read.js';

/** Tasks named by id (an unknown one is exit 3), those of an environment, or with neither every task. */
export async function tasksOf(api: SupervisorApi, ids: string[], env: string | undefined, opts: { envMustExist?: boolean } = {}): Promise<TaskView[]> {
  if (ids.length > 0 && env !== undefined) throw usageError('give task ids or --env, not both');
  if (ids.length > 0) {
    const tasks = await Promise.all(ids.map((id) => api.get(id)));
    // One task named twice (by id and by name) is read once.
    return tasks.filter((t, i) => tasks.findIndex((u) => u.id === t.id) === i);
  }
  const tasks = await api.list(env !== undefined ? { env } : {});
  if (env !== undefined && tasks.length === 0 && opts.envMustExist) throw notFound(`no task is of an environment named ${env} (${see('list')} lists the tasks)`);
  return tasks;
}

/** Where `--since` (an ISO time) starts in a stream: the daemon turns the time into an offset, as for `logs --since`. */
export async function sinceOffset(api: SupervisorApi, id: string, stream: Stream, since: string | undefined): Promise<number> {
  if (since === undefined) return 0;
  const page = await api.read({ ref: id, stream, encoding: 'base64', maxBytes: 1, since });
  return page[stream]?.from ?? 0;
}
