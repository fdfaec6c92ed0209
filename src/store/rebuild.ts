/**
 * What the home itself says about its tasks, for a state file that was lost, damaged or
 * behind (a write that failed on a full disk): every task that ever ran has a log folder,
 * one that ended has an exit file, and one still running has a monitor (find-monitors.ts).
 * A task the state does not know is rebuilt from these: re-adopted while its monitor runs,
 * ended with its exit status otherwise. And no id whose log folder exists is given again.
 */
import { readdirSync, statSync } from 'node:fs';
import { resumptionOf } from '../../machines/policies/resume.js';
import { defaultRestartPolicy } from '../../machines/policies/restart.js';
import { NO_LIMITS } from '../../machines/policies/limits.js';
import { DEFAULTS } from '../../machines/defaults.js';
import { describeExit } from '../../machines/task.reasons.js';
import type { ExitInfo, TaskRecord } from '../../machines/task.types.js';
import { TASK_ID, taskExitFile, taskLogDir, type HomePaths } from '../home.js';
import { findMonitors, type FoundMonitor } from '../process/find-monitors.js';
import { readExitFile } from '../process/monitor.js';
import { bootId, newTaskToken, startedAtMs } from '../process/procfs.js';
import type { Store } from './store.js';
import type { Salvage } from './validate.js';

/** What the rebuild did, by task id. */
export interface Rebuilt {
  /** Rebuilt and re-adopted: their monitors still run. */
  running: string[];
  /** Rebuilt as ended, with the status their exit files hold. */
  ended: string[];
  /** Rebuilt as ended, with no exit status to be had. */
  unknown: string[];
  /** Records that could not be read, of which the home holds nothing. */
  lost: string[];
  /** Records the state had as starting, without a process, whose process was found after all. */
  found: string[];
  /** Set when the id counter was behind the home: the first id given from now on. */
  nextId: number | null;
}

export const UNKNOWN_COMMAND = '(unknown)';
const UNKNOWN_EXIT = 'exit status unknown: its record was lost with the state file';

const idNumber = (id: string) => Number(id.slice('bash_'.length));

/** The ids that have a log folder or an exit file. */
function idsOnDisk(paths: HomePaths): Set<string> {
  const ids = new Set<string>();
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  for (const name of list(paths.logs)) if (TASK_ID.test(name)) ids.add(name);
  for (const name of list(paths.run)) {
    const id = name.replace(/\.exit$/, '');
    if (id !== name && TASK_ID.test(id)) ids.add(id);
  }
  return ids;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** When the log folder was made (its birth time where the file system keeps one): about when the task was created. */
function folderTime(paths: HomePaths, id: string): number | null {
  try {
    const st = statSync(taskLogDir(paths, id));
    return st.birthtimeMs > 0 ? Math.min(st.birthtimeMs, st.mtimeMs) : st.mtimeMs;
  } catch {
    return null;
  }
}

const ended = (exit: ExitInfo): Pick<TaskRecord, 'status' | 'reason' | 'exitCode' | 'signal'> => ({
  status: exit.exitCode === 0 ? 'completed' : 'failed',
  reason: describeExit(exit),
  exitCode: exit.exitCode,
  signal: exit.signal,
});

function processOf(monitor: FoundMonitor): NonNullable<TaskRecord['process']> {
  return {
    pid: monitor.pid,
    pidStart: monitor.pidStart,
    monitorPid: monitor.monitorPid,
    monitorStart: monitor.monitorStart,
    bootId: bootId(),
    // Without its token, the task's processes that left its group are not found; a fresh one matches nothing.
    token: monitor.token ?? newTaskToken(),
    logStart: { stdout: 0, stderr: 0 },
  };
}

/** A record for a task the state does not know, from what the home and /proc say of it. */
function rebuiltRecord(paths: HomePaths, id: string, salvage: Salvage, monitor: FoundMonitor | undefined, now: number): TaskRecord {
  const exit = monitor ? null : readExitFile(taskExitFile(paths, id));
  const startedAt = monitor ? startedAtMs(monitor.pidStart) : folderTime(paths, id);
  const createdAt = salvage.createdAt ?? iso(startedAt ?? now);
  return {
    id,
    name: salvage.name ?? null,
    env: null,
    spec: {
      command: monitor?.command ?? salvage.command ?? UNKNOWN_COMMAND,
      cwd: monitor?.cwd ?? salvage.cwd ?? paths.home,
      env: monitor?.env ?? salvage.env ?? {},
      stopSignal: DEFAULTS.stopSignal,
      graceMs: DEFAULTS.graceMs,
      stopCommand: null,
      restart: defaultRestartPolicy(),
      health: null,
      output: 'separate',
      nice: null,
      ionice: null,
      limits: { ...NO_LIMITS },
      alertOn: null,
    },
    dependsOn: [],
    background: true,
    ...(monitor
      ? { status: 'running', reason: null, exitCode: null, signal: null }
      : exit
        ? ended(exit)
        : { status: 'failed', reason: UNKNOWN_EXIT, exitCode: null, signal: null }),
    process: monitor ? processOf(monitor) : null,
    restarts: 0,
    health: null,
    createdAt,
    startedAt: startedAt === null ? null : iso(startedAt),
    endedAt: monitor ? null : iso(exit?.at ?? startedAt ?? now),
    restartAt: null,
  };
}

/**
 * Adds to the store what the home holds and the state does not, and moves the id counter
 * past every id on disk. `badRecords` are the records the state file had but could not be
 * read: what is left of them names the tasks rebuilt for them.
 */
export function rebuildFromHome(paths: HomePaths, store: Store, badRecords: ReadonlyMap<string, Salvage>, now: number): Rebuilt {
  const onDisk = idsOnDisk(paths);
  const unknown = [...onDisk].filter((id) => !store.task(id)).sort((a, b) => idNumber(a) - idNumber(b));
  // Caught between launch and pid by a daemon's end (or a write the disk refused): the process may run all the same.
  const lost = store.tasks().filter((r) => resumptionOf(r) === 'lost' && onDisk.has(r.id));
  const monitors = findMonitors(paths, new Set([...unknown, ...lost.map((r) => r.id)]));
  const rebuilt: Rebuilt = { running: [], ended: [], unknown: [], lost: [], found: [], nextId: null };

  for (const id of unknown) {
    const record = rebuiltRecord(paths, id, badRecords.get(id) ?? {}, monitors.get(id), now);
    store.put(record);
    (record.process ? rebuilt.running : record.exitCode !== null || record.signal !== null ? rebuilt.ended : rebuilt.unknown).push(id);
  }
  for (const record of lost) {
    const monitor = monitors.get(record.id);
    const exit = monitor ? null : readExitFile(taskExitFile(paths, record.id));
    if (monitor) store.put({ ...record, status: 'running', reason: null, process: processOf(monitor), startedAt: iso(startedAtMs(monitor.pidStart) ?? now) });
    else if (exit) store.put({ ...record, ...ended(exit), endedAt: iso(exit.at) });
    else continue;
    rebuilt.found.push(record.id);
  }
  rebuilt.lost = [...badRecords.keys()].filter((id) => !store.task(id));

  let highest = 0;
  for (const id of onDisk) highest = Math.max(highest, idNumber(id));
  const before = store.data.nextId;
  store.reserveIdsUpTo(highest);
  if (store.data.nextId !== before) rebuilt.nextId = store.data.nextId;
  return rebuilt;
}
