/**
 * The shapes shared by the task machine, the supervisor and every client.
 * Pure data and predicates on it: nothing that needs node.
 */
import type { DependencyEdge } from './policies/dependencies.js';
import type { HealthSpec, HealthState } from './policies/health.js';
import type { IoPriority, Limits } from './policies/limits.js';
import type { ScheduleSpec, ScheduleState } from './policies/schedule.js';
import type { WatchSpec } from './policies/watch.js';
import type { ReplicaOf } from './policies/replicas.js';

export type TaskStatus =
  | 'queued'
  | 'waiting'
  | 'starting'
  | 'running'
  | 'stopping'
  | 'restarting'
  | 'completed'
  | 'failed'
  | 'killed';

/** The statuses a task does not leave by itself (a restart makes it a new run). */
const FINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'killed'];
/** Takes any string, so that front ends can ask it of an event's status too. */
export const isFinal = (status: string): boolean => (FINAL_STATUSES as readonly string[]).includes(status);

export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

export interface RestartPolicy {
  policy: RestartPolicyName;
  backoffMs: number;
  factor: number;
  maxBackoffMs: number;
  jitter: number;
  minUptimeMs: number;
  maxRestarts: number;
  windowMs: number;
  /** Exit codes that count as success (besides nothing else: 0 is in it by default). */
  successExitCodes: number[];
}

/** Everything needed to (re)start a task. Normalised and validated before it gets here. */
export interface TaskSpec {
  command: string;
  cwd: string;
  /** The complete environment of the command (the caller's environment plus overrides). */
  env: Record<string, string>;
  /** Names of the variables set for the task over the caller's environment (`--env`, an env file's `env`); absent in older records. */
  envSet?: string[];
  stopSignal: string;
  graceMs: number;
  /** Run instead of sending the stop signal (the grace and SIGKILL still apply). */
  stopCommand: string | null;
  restart: RestartPolicy;
  health: HealthSpec | null;
  /** `combined` sends stderr into stdout.log, for exact interleaving. */
  output: 'separate' | 'combined';
  /** Scheduling priority of every process of the task (-20..19), null = inherited. */
  nice: number | null;
  ionice: IoPriority | null;
  limits: Limits;
  /** Output lines matching this regex raise alerts (`monitor`, `status`). */
  alertOn: string | null;
  /** The most bytes each log keeps on disk; 0 for no cap; absent or null for the home's default. */
  logMaxBytes?: number | null;
  /** Sets FORCE_COLOR and CLICOLOR_FORCE, so that programs colour their output in the log. */
  color?: boolean;
  /** `pipe`: stdin is a FIFO that `send` writes to (`stdin: pipe`, `run --stdin`); absent or null: /dev/null. */
  stdin?: 'pipe' | null;
  /** Files whose changes restart the task (`watch:`, `run --watch`); absent or null: none. */
  watch?: WatchSpec | null;
  /** A one-shot step run on a schedule (`schedule:`/`every:`, `run --schedule`/`--every`); absent or null: once. */
  schedule?: ScheduleSpec | null;
}

/** What identifies one running instance of a task, enough to find it again after a daemon restart. */
export interface ProcessInfo {
  /** The command's pid; it leads its own session and process group. */
  pid: number;
  /** Start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22): tells a recycled pid apart. */
  pidStart: number;
  /** The tiny monitor that waits for the command and writes its exit status to a file. */
  monitorPid: number;
  monitorStart: number;
  bootId: string;
  /** Inherited by every descendant as CORRAL_TASK_TOKEN, so processes that left the group are found. */
  token: string;
  /** Sizes of the log files when this run started: where its own output begins. */
  logStart: { stdout: number; stderr: number };
  /** 'monitor': the monitor notes the logs' time index itself (native spawner, protocol 6);
   *  absent: the daemon notes it at its sample (the sh monitor, and runs an older monitor started). */
  logTimes?: 'monitor';
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
}

/** The persisted truth about a task; a new daemon resumes from it (never from a machine snapshot). */
export interface TaskRecord extends ExitInfo {
  id: string;
  name: string | null;
  env: string | null;
  /** Which bringing-up of its environment made it (1, 2, …): a later `orchestrate` starts a new run. */
  envRun?: number;
  /** The env file its environment was brought up from (absolute); absent for ad-hoc environments and older records. */
  envFile?: string;
  /** The agent session that started it (`--session`, CORRAL_SESSION, a hook's session_id, an MCP client's name); env-file tasks have none. */
  session?: string;
  /** The git root of its folder, else the folder. */
  project?: string;
  /** It outlives its session: the end of the session leaves it running. */
  keep?: boolean;
  spec: TaskSpec;
  /** Within its environment: what it waits for before it starts. */
  dependsOn: DependencyEdge[];
  /** False for a one-shot step (a migration): it is expected to exit 0. */
  background: boolean;
  status: TaskStatus;
  /** Why the task is in its state: `exit 3`, `SIGKILL after 5s grace`, `restarting in 2s (2/5)`. */
  reason: string | null;
  process: ProcessInfo | null;
  restarts: number;
  /** Null when the task has no health check. */
  health: HealthState | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** When a task in `restarting` will start again. */
  restartAt: string | null;
  /** The change of a watched file that restarted it last. */
  lastChange?: WatchChange;
  /** A scheduled task's next tick and its last runs and skips. */
  scheduled?: ScheduleState;
  /** One copy of a task with `replicas:` (`api.2`); `scaledDown` once a scale took it out of its group. */
  replica?: ReplicaOf & { scaledDown?: true };
}

export interface WatchChange {
  /** The last path that changed before the restart. */
  path: string;
  /** How many changes that restart answered (a burst is one restart). */
  changes: number;
  at: string;
}
