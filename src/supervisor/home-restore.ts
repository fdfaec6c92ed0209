/**
 * The supervisor's part when its home was deleted under it (the daemon notices: see
 * daemon/home-guard.ts). Everything the daemon holds in memory comes back: the home's
 * folders (0700), the state file with every task and read cursor, the log folder of each
 * running task with its output so far (copied from the deleted files it still writes, see
 * logs/mirror.ts). What was only on disk is gone: the logs of finished tasks.
 */
import { mkdirSync } from 'node:fs';
import { isFinal } from '../../machines/task.types.js';
import { ensureHome, taskLogDir } from '../home.js';
import type { TaskTable } from './task-table.js';

export interface HomeRestore {
  /** Running tasks whose output so far, and from now on, is copied back from the deleted files they write. */
  mirrored: string[];
  /** Running tasks whose output could not be copied back: what they write until they restart cannot be read. */
  unreadable: string[];
  /** Finished tasks whose logs went with the home. */
  logsGone: string[];
}

export async function restoreHome(table: TaskTable): Promise<HomeRestore> {
  ensureHome(table.paths);
  table.rewatchHome();
  const report: HomeRestore = { mirrored: [], unreadable: [], logsGone: [] };
  for (const record of table.store.tasks()) {
    if (isFinal(record.status) && !table.isLive(record.id)) {
      if (record.process) report.logsGone.push(record.id);
      continue;
    }
    if (!record.process || (record.status !== 'running' && record.status !== 'stopping')) continue;
    // A read finds an empty log rather than no task folder, whatever the mirror can do.
    mkdirSync(taskLogDir(table.paths, record.id), { recursive: true, mode: 0o700 });
    const outcome = Object.values(table.mirrorIfDeleted(record));
    if (outcome.includes('lost')) report.unreadable.push(record.id);
    else if (outcome.includes('mirrored')) report.mirrored.push(record.id);
  }
  await table.store.flush();
  return report;
}
