/**
 * The real `process` actor of the task machine: spawns the command under its monitor
 * (or adopts one a previous daemon started), reports SPAWNED / EXITED, signals the whole
 * tree when asked, and, once asked to watch, reports TREE_EMPTY when no process of the
 * task is left. Stopping the actor only stops watching: tasks outlive their daemon.
 */
import { fromCallback } from 'xstate';
import type { ProcessActorInput, ProcessCommand, ProcessReport } from '../../machines/task.contracts.js';
import type { ExitInfo, ProcessInfo } from '../../machines/task.types.js';
import { taskExitFile, taskLogDir, type HomePaths } from '../home.js';
import { libraryTimeout } from '../long-timer.js';
import type { ExitWatcher } from '../process/exit-watch.js';
import { readExitFile, type Launcher } from '../process/monitor.js';
import { bootId, isAlive, newTaskToken, readStat, type ProcEntry } from '../process/procfs.js';
import { watchTrees } from '../process/ticker.js';
import { monitorRunning, signalTree, treeOf } from '../process/tree.js';

interface ProcessActorDeps {
  paths: HomePaths;
  exits: ExitWatcher;
  launcher: Launcher;
  /** The umask tasks run with (the user's, not the daemon's private one). */
  taskUmask: number;
  /** The time its reports carry: the supervisor's clock. */
  now?: () => number;
}

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
    let info: ProcessInfo | null = input.adopt;
    let ended = false;
    let disposed = false;
    let watching = false;
    let killing = false;
    let pending: string[] = [];
    let unwatchTree: (() => void) | null = null;
    let unwatchExit: (() => void) | null = null;

    const send = (report: ProcessReport) => {
      if (!disposed) sendBack(report);
    };

    const finish = (exit: (ExitInfo & { at?: number }) | null, note: string) => {
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
      });
    };

    const signal = (sig: string) => {
      if (sig === 'SIGKILL') killing = true;
      if (!info) pending.push(sig);
      else signalTree(info, sig);
    };

    const tick = (procs: ProcEntry[]) => {
      if (disposed || !info) return;
      if (!ended && !monitorRunning(info, procs)) finish(readExitFile(exitFile), UNKNOWN_MONITOR);
      const members = treeOf(info, procs);
      if (killing && members.length > 0) signalTree(info, 'SIGKILL', procs);
      if (ended && members.length === 0) {
        unwatchTree?.();
        unwatchTree = null;
        send({ type: 'TREE_EMPTY', at: now(), random: Math.random() });
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

    /** For monitors that are not ours to hear from: the exit file, or the monitor found gone. */
    const watchExitFile = (monitorPid: number, monitorStart: number) => {
      const check = () => {
        const exit = readExitFile(exitFile);
        if (exit || !isAlive(monitorPid, monitorStart)) finish(exit, UNKNOWN_AWAY);
      };
      unwatchExit = deps.exits.watch(input.taskId, check);
      check();
    };

    if (input.adopt) {
      const adopted = input.adopt;
      // Reported from a microtask: the machine is still entering its state while this runs.
      queueMicrotask(() => {
        if (adopted.bootId !== bootId()) return finish(null, 'exit status unknown: the machine restarted');
        send({ type: 'SPAWNED', process: { ...adopted, logStart: adopted.logStart ?? { stdout: 0, stderr: 0 } }, at: now() });
        watchExitFile(adopted.monitorPid, adopted.monitorStart);
      });
    } else {
      const token = newTaskToken();
      const spec = input.spec;
      const launch = deps.launcher.launch({
        command: spec.command,
        cwd: spec.cwd,
        env: { ...spec.env, CORRAL_TASK: input.taskId, CORRAL_TASK_TOKEN: token },
        logDir: taskLogDir(deps.paths, input.taskId),
        exitFile,
        umask: deps.taskUmask.toString(8).padStart(3, '0'),
        combined: spec.output === 'combined',
        priority: { nice: spec.nice, ionice: spec.ionice },
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
      launch.ended.then((how) => {
        if (ended || disposed || !info) return;
        if (how === 'exited') finish(readExitFile(exitFile), UNKNOWN_MONITOR);
        else watchExitFile(info.monitorPid, info.monitorStart);
      });
    }

    return () => {
      disposed = true;
      unwatchTree?.();
      unwatchExit?.();
    };
  });
}
