/**
 * The SupervisorApi: what every front end (CLI, MCP server, terminal UI) may ask of a
 * supervisor. The Supervisor implements it in-process; the client implements it over the
 * daemon's socket. Types only, so front ends load nothing heavy by importing it.
 */
import type { TaskStatus } from '../machines/task.types.js';

export type { TaskStatus };

/** A task as clients see it (the JSON contract). Times are ISO strings. */
export interface TaskView {
  id: string;
  name: string | null;
  env: string | null;
  command: string;
  cwd: string;
  status: TaskStatus;
  reason: string | null;
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  restarts: number;
  health: 'unknown' | 'healthy' | 'unhealthy' | null;
  /** `unhealthy (3 failures: tcp:127.0.0.1:6390 not ready within 2000ms)`; null without a check. */
  healthReason: string | null;
  /** Names of the tasks it depends on (in its environment), with the condition: `db:healthy`. */
  dependsOn: string[];
  startedAt: string | null;
  endedAt: string | null;
  restartAt: string | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
}

/** Options of `run`, as any front end gathers them; normalised and validated by the supervisor. */
export interface RunInput {
  command: string;
  /** Absolute, or relative to the supervisor's folder. */
  cwd?: string;
  /** The base environment (a CLI sends its own); the supervisor's when absent. */
  baseEnv?: Record<string, string>;
  /** Variables set over the base environment (`--env K=V`). */
  env?: Record<string, string>;
  name?: string;
  restart?: string;
  maxRestarts?: number;
  stopSignal?: string;
  /** A duration: `5s`, `500ms`, or seconds as a number. */
  grace?: string | number;
  /** Health probes in short form: `tcp:6390`, `http://…`, `log:ready`, `exec:CMD`, `file:PATH`. */
  health?: string[];
  backoff?: string | number;
  maxBackoff?: string | number;
  minUptime?: string | number;
  restartWindow?: string | number;
  successExitCodes?: number[];
  nice?: number;
  /** `idle`, `best-effort[:0-7]`, `realtime[:0-7]`. */
  ionice?: string;
  /** `500M`, `2G`. */
  maxMemory?: string;
  /** Longest run time. */
  timeout?: string | number;
  /** No output for this long raises an alert (or stops, with idleAction 'stop'). */
  idle?: string | number;
  idleAction?: 'alert' | 'stop';
  alertOn?: string;
}

export interface InlineTask {
  name?: string;
  command: string;
  health?: string[];
  dependsOn?: string[];
}

export interface OrchestrateInput {
  /** An env file (absolute path): corral.yaml, a workflow (steps:) or a Procfile. */
  file?: string;
  /** The environment's name (over the file's `name:`). */
  name?: string;
  /** Ad-hoc tasks, instead of a file. */
  tasks?: InlineTask[];
  /** For ${VAR} in the file and as the tasks' base environment. */
  callerEnv?: Record<string, string>;
  /** Folder of ad-hoc tasks. */
  cwd?: string;
}

export interface OrchestrateResult {
  /** The tasks of the run that started (or of the one already up). */
  tasks: TaskView[];
  /** Ended tasks of older runs of the environment, removed as this run started (see DEFAULTS.envRunsKept). */
  removedFromOlderRuns: number;
}

export interface EnvReport {
  env: string;
  ready: boolean;
  timedOut: boolean;
  tasks: TaskView[];
  /** Set when not ready: the task at fault, why, and the last lines of its output. */
  culprit: { id: string; name: string | null; status: string; reason: string; lastLines: string[] } | null;
}

export type StreamChoice = 'stdout' | 'stderr' | 'both';

export interface ReadInput {
  ref: string;
  stream?: StreamChoice;
  /** Start at this byte offset (per stream). */
  offset?: number;
  /** Read from the named cursor of this consumer and advance it (`--new --as NAME`). */
  newAs?: string;
  tail?: number;
  filter?: string;
  maxBytes?: number;
  /** `auto`: UTF-8 text when the bytes are text, base64 otherwise (`encoding` in the answer says which). */
  encoding?: 'utf8' | 'base64' | 'auto';
}

export interface StreamRead {
  data: string;
  encoding: 'utf8' | 'base64';
  from: number;
  next: number;
  size: number;
  /** Bytes of the requested range not returned: read again from `next` (or before `from` for a tail). */
  omitted: number;
  /**
   * Why a read returned nothing when that is not just "no output": an offset past the end,
   * a log file that was deleted. One sentence, without the stream's name.
   */
  note?: string;
  /** The log file of a task that started was deleted: its output cannot be read. */
  gone?: true;
}

export interface ReadResult {
  id: string;
  status: TaskStatus;
  exitCode: number | null;
  stdout?: StreamRead;
  stderr?: StreamRead;
  at: string;
}

export type WaitUntil = 'exit' | 'running' | 'healthy';

export interface WaitResult {
  task: TaskView;
  reached: boolean;
  timedOut: boolean;
  /** When the wait failed: the task's last lines of output (stderr ones marked `stderr: `). */
  lastLines?: string[];
}

export interface KillInput {
  refs?: string[];
  all?: boolean;
  signal?: string;
  grace?: string | number;
}

export interface DaemonStatus {
  running: boolean;
  pid: number | null;
  home: string;
  socket: string;
  startedAt: string | null;
  tasks: number;
  version: string;
  /** How tasks start: `the native spawner (…)` or `the sh monitor`. */
  launcher?: string;
}

export interface TaskDetails extends TaskView {
  restartPolicy: string;
  maxRestarts: number;
  stopSignal: string;
  /** Runs instead of the stop signal when set. */
  stopCommand: string | null;
  graceMs: number;
  nice: number | null;
  ionice: string | null;
  limits: { memoryBytes: number | null; timeoutMs: number | null; idleMs: number | null; idleAction: 'alert' | 'stop' };
  alertOn: string | null;
  healthChecks: string[];
  peakMemoryBytes: number | null;
  /** Recent CPU and memory samples of the whole tree, oldest first. */
  samples: { at: number; cpuPercent: number; memoryBytes: number }[];
  alerts: { at: string; stream: string; line: string }[];
  /** TCP ports the task's processes listen on. */
  ports: number[];
  /** The last restarts, with why. */
  restartHistory: { at: string; reason: string }[];
}

export type CorralEvent =
  | { seq: number; at: string; type: 'state'; id: string; name: string | null; env: string | null; status: string; reason: string | null; logSizes: { stdout: number; stderr: number } }
  | { seq: number; at: string; type: 'alert'; id: string; name: string | null; env: string | null; stream: string; line: string; rule: string };

export interface MonitorInput {
  ids?: string[];
  env?: string;
  alertOn?: string;
  restartOnFailure?: boolean;
  checkInterval?: string | number;
}

/**
 * The task a process belongs to, as `ports` and the hook name it. `session` and `project`
 * are there when the task's record has them.
 */
export interface TaskOwner {
  id: string;
  name: string | null;
  env: string | null;
  session?: string | null;
  project?: string | null;
}

export interface SupervisorApi {
  run(input: RunInput): Promise<TaskView>;
  list(filter?: { env?: string }): Promise<TaskView[]>;
  orchestrate(input: OrchestrateInput): Promise<OrchestrateResult>;
  waitEnv(env: string, timeout?: string | number): Promise<EnvReport>;
  down(env: string, options?: { signal?: string; grace?: string | number }): Promise<TaskView[]>;
  get(ref: string): Promise<TaskView>;
  describe(ref: string): Promise<TaskDetails>;
  monitor(input: MonitorInput): Promise<{ tasks: TaskView[]; last: number }>;
  eventsSince(since: number, timeoutMs: number, filter?: { ids?: string[]; env?: string }): Promise<{ events: CorralEvent[]; last: number }>;
  read(input: ReadInput): Promise<ReadResult>;
  wait(ref: string, until: WaitUntil, timeout?: string | number): Promise<WaitResult>;
  kill(input: KillInput): Promise<TaskView[]>;
  restart(ref: string): Promise<TaskView>;
  /** Removes finished tasks: all of them, or (when one is unknown or still running) none. */
  remove(refs: string[]): Promise<TaskView[]>;
  prune(): Promise<TaskView[]>;
  /** For each pid, the task whose tree it belongs to (a finished task's leftovers too), or null. */
  owners(pids: number[]): Promise<(TaskOwner | null)[]>;
  status(): Promise<DaemonStatus>;
}
