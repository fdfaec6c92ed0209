/**
 * The contracts of the task machine: what its process and health actors receive and
 * report, what the supervisor may send it, how it is started, and what it remembers.
 * The real actors (src/actors/) and the supervisor are written against these types.
 */
import type { HealthState } from './policies/health.js';
import type { RestartHistory } from './policies/restart.js';
import type { ExitInfo, ProcessInfo, TaskSpec } from './task.types.js';

/** Commands the machine sends to its process actor. */
export type ProcessCommand =
  | { type: 'SIGNAL'; signal: string }
  /** Run the task's stop command (instead of the stop signal). */
  | { type: 'STOP_COMMAND'; command: string }
  | { type: 'WATCH_TREE' };

/** What the process actor reports back. Times are epoch ms, measured by the actor. */
export type ProcessReport =
  | { type: 'SPAWNED'; process: ProcessInfo; at: number }
  | { type: 'SPAWN_FAILED'; message: string; at: number; random?: number }
  /**
   * The command ended. `random` in [0,1) feeds the restart jitter; `note` explains an unknown status.
   * `treeEmpty`: after WATCH_TREE, the same look found no process of the task left (TREE_EMPTY in the same step).
   */
  | { type: 'EXITED'; exitCode: number | null; signal: string | null; at: number; random: number; note?: string; treeEmpty?: boolean }
  /** After WATCH_TREE: no process of the task is left, the monitor included. */
  | { type: 'TREE_EMPTY'; at: number; random: number }
  /** From the health actor: the readiness changed. */
  | { type: 'HEALTH'; health: HealthState; at: number };

export type ExitedEvent = Extract<ProcessReport, { type: 'EXITED' }>;
export type TreeEmptyEvent = Extract<ProcessReport, { type: 'TREE_EMPTY' }>;

/** What the supervisor sends. */
type TaskControl =
  /**
   * Stop the task. `reason` says why when it is not the user (`memory 612 MB over limit 500 MB`);
   * `restart` lets the restart policy start it again afterwards (a limit, not a user's stop).
   */
  | { type: 'STOP'; signal?: string; graceMs?: number; at: number; reason?: string; restart?: boolean }
  | { type: 'DEQUEUE' }
  /** New policies for a live task (`monitor --restart-on-failure`, alert rules): they apply from now on. */
  | { type: 'UPDATE_SPEC'; spec: TaskSpec }
  /** `queue`: the concurrency limit is reached, so the task waits in `queued` for a slot. */
  | { type: 'DEPENDENCIES_READY'; queue?: boolean }
  | { type: 'DEPENDENCY_FAILED'; reason: string; at: number };

export type TaskEvent = ProcessReport | TaskControl;

export interface ProcessActorInput {
  taskId: string;
  spec: TaskSpec;
  /** Set when a new daemon resumes a task that was running: watch this process instead of spawning. */
  adopt: ProcessInfo | null;
}

export interface HealthActorInput {
  taskId: string;
  spec: TaskSpec;
  logStart: ProcessInfo['logStart'];
  process: ProcessInfo | null;
}

export interface TaskInput {
  id: string;
  spec: TaskSpec;
  restarts?: number;
  /** Resume a running task found in the store. */
  adopt?: { process: ProcessInfo; startedAt: number };
  /** Start in `queued` until DEQUEUE (concurrency limit). */
  queued?: boolean;
  /** Start in `waiting` until DEPENDENCIES_READY. */
  waitForDependencies?: boolean;
}

export interface TaskContext extends ExitInfo {
  id: string;
  spec: TaskSpec;
  process: ProcessInfo | null;
  adopt: ProcessInfo | null;
  reason: string | null;
  restarts: number;
  startedAt: number | null;
  endedAt: number | null;
  history: RestartHistory;
  restartDelayMs: number;
  restartAt: number | null;
  /** `command`: the stop command that ran instead of the signal (the spec's, when the stop began). */
  stop: { signal: string; graceMs: number; escalated: boolean; reason: string | null; restart: boolean; command: string | null } | null;
  health: HealthState | null;
  startIn: 'now' | 'queued' | 'waiting';
}
