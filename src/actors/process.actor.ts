/**
 * The real `process` actor of the task machine: spawns the command under its monitor
 * (or adopts one a previous daemon started), reports SPAWNED / EXITED, signals the whole
 * tree when asked, and, once asked to watch, reports TREE_EMPTY when no process of the
 * task is left. Stopping the actor only stops watching: tasks outlive their daemon.
 */
import { existsSync } from 'node:fs';
import { fromCallback } from 'xstate';
import type { ProcessActorInput, ProcessCommand, ProcessReport } from '../../machines/task.contracts.js';
import type { ExitInfo, ProcessInfo } from '../../machines/task.types.js';
import { taskExitFile, taskLogDir, taskStdinFifo, type HomePaths } from '../home.js';
import { libraryTimeout } from '../long-timer.js';
import type { ExitWatcher } from '../process/exit-watch.js';
import { parseExitStatus, readExitFile, type Launcher } from '../process/monitor.js';
import { bootId, isAlive, readStat, scanProcesses, type ProcEntry } from '../process/procfs.js';
import { findRunningCopy, runToken } from '../process/running-copy.js';
import { watchTrees } from '../process/ticker.js';
import { monitorRunning, signalTree, treeOf } from '../process/tree.js';

interface ProcessActorDeps {
  paths: HomePaths;
  exits: ExitWatcher;
  launcher: Launcher;
  /** The umask tasks run with (the user's, not the daemon's private one). */
  taskUmask: number;
  /** The log cap of a task that sets none (the home's); 0 for no cap. */
  logMaxBytes: number;
  /** The time its reports carry: the supervisor's clock. */
  now?: () => number;
}

/** What programs that colour only on a terminal read as "colour anyway" (chalk, supports-color, clicolors). */
const COLOR_ENV = { FORCE_COLOR: '1', CLICOLOR_FORCE: '1' };

const UNKNOWN_MONITOR = 'exit status unknown: the monitor was killed';
const UNKNOWN_AWAY = 'exit status unknown: it ended while no daemon was watching';

/** A task's own way to stop (`redis-cli shutdown`): run with its folder and environment, bounded by its grace. */
/**
 * A task's own stop command. It sees the task's id and pid, but not its token: it is not
 * part of the tree it stops.
 */
async function runStopCommand(command: string, spec: ProcessActorInput['spec'], taskId: string, pid: number | undefined): Promise<void> {
  const { execa } = await import('execa');
  await execa('/bin/sh', ['-c', command], {
    cwd: spec.cwd,
    env: { ...spec.env, CORRAL_TASK: taskId, ...(pid !== undefined ? { CORRAL_TASK_PID: String(pid) } : {}) },
    extendEnv: false,
    timeout: libraryTimeout(spec.graceMs),
    reject: false,
    stdio: 'ignore',
  });
}

export function createProcessActor(deps: ProcessActorDeps) {
  const now = deps.now ?? Date.now;
  return fromCallback<ProcessCommand, ProcessActorInput>(({ input, sendBack, receive }) => {
    const exitFile = taskExitFile(deps.paths, input.taskId);
    const logDir = taskLogDir(deps.paths, input.taskId);
    const identity = { home: deps.paths.home, taskId: input.taskId, command: input.spec.command };
    let info: ProcessInfo | null = input.adopt;
    let ended = false;
    let disposed = false;
    let watching = false;
    let killing = false;
    let pending: string[] = [];
    /** The end the monitor reported while a stop watches the tree: sent with the next look, which tells whether the tree is empty too. */
    let reportedExit: { exit: ExitInfo & { at?: number }; note: string } | null = null;
    let unwatchTree: (() => void) | null = null;
    let unwatchExit: (() => void) | null = null;

    const send = (report: ProcessReport) => {
      if (!disposed) sendBack(report);
    };

    const finish = (exit: (ExitInfo & { at?: number }) | null, note: string, treeEmpty = false) => {
      if (ended || disposed) return;
      ended = true;
      unwatchExit?.();
      send({
        type: 'EXITED',
        exitCode: exit?.exitCode ?? null,
        signal: exit?.signal ?? null,
        // Its exit file says when it ended: a task that ended while no daemon ran is not
        // reported as ending when the next daemon looked.
        at: Math.min(exit?.at ?? now(), now()),
        random: Math.random(),
        ...(exit ? {} : { note }),
        ...(treeEmpty ? { treeEmpty } : {}),
      });
    };

    const signal = (sig: string) => {
      if (sig === 'SIGKILL') killing = true;
      if (!info) pending.push(sig);
      else signalTree(info, sig);
    };

    /**
     * Without its monitor and without a status, a task has ended only once its tree has:
     * a command whose monitor was killed still runs, and a task is never started again
     * while it does.
     */
    const endedUnseen = (procs: ProcEntry[]) => !monitorRunning(info!, procs) && treeOf(info!, procs).length === 0;

    const tick = (procs: ProcEntry[]) => {
      if (disposed || !info) return;
      // One tree per scan: a stop of a thousand tasks calls this for each of them on every scan.
      const members = treeOf(info, procs);
      const empty = members.length === 0;
      if (!ended && reportedExit) {
        finish(reportedExit.exit, reportedExit.note, empty);
      } else if (!ended && !monitorRunning(info, procs)) {
        const exit = readExitFile(exitFile);
        if (exit || empty) finish(exit, UNKNOWN_MONITOR, empty);
      } else if (ended && empty) {
        send({ type: 'TREE_EMPTY', at: now(), random: Math.random() });
      }
      if (killing && !empty) signalTree(info, 'SIGKILL', procs);
      if (ended && empty) {
        unwatchTree?.();
        unwatchTree = null;
      }
    };

    const watch = () => {
      if (unwatchTree === null && !disposed && info) unwatchTree = watchTrees(tick);
    };

    receive((command) => {
      if (command.type === 'SIGNAL') signal(command.signal);
      else if (command.type === 'STOP_COMMAND') void runStopCommand(command.command, input.spec, input.taskId, info?.pid);
      else if (command.type === 'WATCH_TREE') {
        watching = true;
        watch();
      }
    });

    /** For monitors that are not ours to hear from: the exit file, or the monitor and its tree found gone. */
    const watchExitFile = (note: string) => {
      const check = () => {
        const exit = readExitFile(exitFile);
        if (exit) return finish(exit, note);
        if (info && !isAlive(info.monitorPid, info.monitorStart) && endedUnseen(scanProcesses())) finish(null, note);
      };
      unwatchExit = deps.exits.watch(input.taskId, check);
      check();
    };

    if (input.adopt) {
      const adopted = input.adopt;
      // Reported from a microtask: the machine is still entering its state while this runs.
      queueMicrotask(() => {
        if (adopted.bootId !== bootId()) return finish(null, 'exit status unknown: the machine restarted');
        info = { ...adopted, logStart: adopted.logStart ?? { stdout: 0, stderr: 0 } };
        // The record may be older than the run (a state file not written on a full disk):
        // the run that goes on is the one watched.
        if (!readExitFile(exitFile) && !isAlive(adopted.monitorPid, adopted.monitorStart)) {
          const copy = findRunningCopy(identity, logDir, adopted.token);
          if (copy) info = copy;
        }
        send({ type: 'SPAWNED', process: info, at: now() });
        watchExitFile(UNKNOWN_AWAY);
      });
    } else if (existsSync(logDir) && !readExitFile(exitFile) && (info = findRunningCopy(identity, logDir))) {
      // An earlier run goes on with no status written (its monitor killed, or a record that
      // missed it): it is that run the task has, never a second one. (Processes an ended
      // run left behind are leftovers, not a run: its exit file holds its status. A task
      // without a log folder never ran: neither its exit file nor /proc is looked at on a
      // first start, where the exit file's absence costs an error thrown and caught.)
      const copy = info;
      queueMicrotask(() => {
        send({ type: 'SPAWNED', process: copy, at: now() });
        watchExitFile(UNKNOWN_MONITOR);
      });
    } else {
      const token = runToken(identity);
      const spec = input.spec;
      const launch = deps.launcher.launch({
        command: spec.command,
        cwd: spec.cwd,
        env: { ...spec.env, ...(spec.color ? COLOR_ENV : {}), CORRAL_TASK: input.taskId, CORRAL_TASK_TOKEN: token },
        logDir,
        exitFile,
        umask: deps.taskUmask.toString(8).padStart(3, '0'),
        combined: spec.output === 'combined',
        priority: { nice: spec.nice, ionice: spec.ionice },
        logMaxBytes: (spec.logMaxBytes ?? deps.logMaxBytes) || null,
        ...(spec.stdin === 'pipe' ? { stdinFifo: taskStdinFifo(deps.paths, input.taskId) } : {}),
      });
      launch.started.then(
        (started) => {
          if (disposed) return;
          info = {
            pid: started.commandPid,
            pidStart: readStat(started.commandPid)?.start ?? 0,
            monitorPid: started.monitorPid,
            monitorStart: readStat(started.monitorPid)?.start ?? 0,
            bootId: bootId(),
            token,
            logStart: started.logStart,
            ...(started.logTimes ? { logTimes: started.logTimes } : {}),
          };
          send({ type: 'SPAWNED', process: info, at: now() });
          const queued = pending;
          pending = [];
          for (const sig of queued) signal(sig);
          if (watching) watch();
        },
        (error: Error) => {
          ended = true;
          send({ type: 'SPAWN_FAILED', message: error.message, at: now(), random: Math.random() });
        },
      );
      launch.ended.then((end) => {
        if (!ended && !disposed && info) {
          // The exit file, or else the status the monitor passed on (a disk too full for the file).
          const exit = readExitFile(exitFile) ?? (end.how === 'exited' && end.status !== null ? parseExitStatus(String(end.status)) : null);
          // A stop is watching: the next look says whether the tree went with the command, in the same report.
          if (exit && watching) reportedExit = { exit, note: UNKNOWN_MONITOR };
          else if (exit) finish(exit, UNKNOWN_MONITOR);
          else watchExitFile(end.how === 'exited' ? UNKNOWN_MONITOR : UNKNOWN_AWAY);
        }
      });
    }

    return () => {
      disposed = true;
      unwatchTree?.();
      unwatchExit?.();
    };
  });
}
