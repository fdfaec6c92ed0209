/**
 * Finds the monitors of a home's tasks among the running processes, without any record of
 * them: what a daemon needs when its state file is lost or behind. A monitor names its task
 * in a way no other process does:
 *
 * - the native one (spawner.c) is a fork of the spawner, so its arguments are the spawner's,
 *   and its stdout is the task's log, `<home>/logs/<id>/stdout.log` (the spawner's own stdout
 *   is a pipe to the daemon);
 * - the sh one (monitor.ts) has `corral-monitor` as its $0 and the task's exit file,
 *   `<home>/run/<id>.exit`, as its $2.
 *
 * Both paths are the home's own, so a task of another home is never taken. The command is
 * the monitor's child: it leads a session of its own (setsid), and carries the task's token.
 */
import { basename, dirname } from 'node:path';
import { quoteWords, simpleWords } from '../../machines/shell-words.js';
import { TASK_ID, type HomePaths } from '../home.js';
import { readCmdline, readEnviron, readProcLink, scanProcesses, type ProcEntry } from './procfs.js';

export interface FoundMonitor {
  monitorPid: number;
  monitorStart: number;
  pid: number;
  pidStart: number;
  /** The task's CORRAL_TASK_TOKEN, as the command carries it; null when it no longer does. */
  token: string | null;
  /** The command line, as near to what the user wrote as the processes tell; null when unreadable. */
  command: string | null;
  /** The monitor's folder: the task's working folder. */
  cwd: string | null;
  /** The command's environment without corral's own markers; null when unreadable. */
  env: Record<string, string> | null;
}

/** The task a process monitors, when it is a monitor of this home's `ids`; with the sh monitor's copy of the command. */
function monitoredTask(paths: HomePaths, proc: ProcEntry, argv: string[], ids: ReadonlySet<string>): { id: string; shCommand: string | null } | null {
  if (argv[1] === '-c' && argv[3] === 'corral-monitor' && argv.length >= 6) {
    const exitFile = argv[5]!;
    const id = basename(exitFile).replace(/\.exit$/, '');
    if (dirname(exitFile) !== paths.run || !ids.has(id) || !TASK_ID.test(id)) return null;
    return { id, shCommand: argv[4] ?? null };
  }
  if (basename(argv[0] ?? '') === 'corral-spawner') {
    const out = readProcLink(proc.pid, 'fd/1');
    if (out === null || basename(out) !== 'stdout.log' || dirname(dirname(out)) !== paths.logs) return null;
    const id = basename(dirname(out));
    return ids.has(id) ? { id, shCommand: null } : null;
  }
  return null;
}

/** What the sh monitor was given (commandForShell's `exec` undone), or what the command runs now. */
function commandLine(shCommand: string | null, argv: string[] | null): string | null {
  if (shCommand !== null) {
    const bare = shCommand.replace(/^exec /, '');
    return bare !== shCommand && simpleWords(bare) ? bare : shCommand;
  }
  if (!argv || argv.length === 0) return null;
  if (argv.length === 3 && /(^|\/)sh$/.test(argv[0]!) && argv[1] === '-c') return argv[2]!;
  return quoteWords(argv);
}

/** The running monitors of those of `ids` that still have one, by task id. */
export function findMonitors(paths: HomePaths, ids: ReadonlySet<string>): Map<string, FoundMonitor> {
  const found = new Map<string, FoundMonitor>();
  if (ids.size === 0) return found;
  const procs = scanProcesses(0);
  const monitors = new Map<number, { id: string; shCommand: string | null }>();
  for (const proc of procs) {
    const argv = readCmdline(proc.pid);
    const task = argv && monitoredTask(paths, proc, argv, ids);
    if (task) monitors.set(proc.pid, task);
  }
  for (const proc of procs) {
    const task = monitors.get(proc.pid);
    // A native monitor's child is a fork of it too until it has exec'd the command: the monitor is the one whose parent is not.
    if (!task || monitors.get(proc.ppid)?.id === task.id) continue;
    const children = procs.filter((p) => p.ppid === proc.pid);
    const command = children.find((p) => p.sid === p.pid) ?? children[0];
    if (!command) continue; // the command has ended: the monitor is writing its exit file
    const env = readEnviron(command.pid);
    if (env) {
      delete env.CORRAL_TASK;
      delete env.CORRAL_TASK_TOKEN;
    }
    found.set(task.id, {
      monitorPid: proc.pid,
      monitorStart: proc.start,
      pid: command.pid,
      pidStart: command.start,
      token: command.token,
      command: commandLine(task.shCommand, task.shCommand === null ? readCmdline(command.pid) : null),
      cwd: readProcLink(proc.pid, 'cwd'),
      env,
    });
  }
  return found;
}
