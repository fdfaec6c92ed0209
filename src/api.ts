/**
 * The SupervisorApi: what every front end (CLI, MCP server, terminal UI) may ask of a
 * supervisor. The Supervisor implements it in-process; the client implements it over the
 * daemon's socket. Types only, so front ends load nothing heavy by importing it.
 */
import type { AppliedTask } from '../machines/policies/apply.js';
import type { ScheduleEntry } from '../machines/policies/schedule.js';
import type { EventKind } from '../machines/event-kind.js';
import type { TaskStatus } from '../machines/task.types.js';

export type { AppliedTask, TaskStatus };

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
  /** When a scheduled task runs next; null for any other task. */
  nextRunAt: string | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  /** The agent session that started it; null for env-file tasks and tasks started outside any session. */
  session: string | null;
  /** The git root of its folder, else the folder. */
  project: string | null;
  /** It outlives its session. */
  keep: boolean;
  /** Set on a copy of a task with `replicas:`: `{of: "api", index: 2}` is `api.2`. */
  replica?: { of: string; index: number };
  /** In a reply to `run` with `once`: the task already ran this command, and none was started. */
  reused?: true;
}

export interface PruneOptions {
  /** Only tasks that ended longer ago than this duration (`7d`). */
  olderThan?: string;
}

export interface TaskDiskUse {
  id: string;
  name: string | null;
  env: string | null;
  status: TaskStatus;
  /** Bytes on disk of its log folder (logs and their side files), as `du` counts them. */
  diskBytes: number;
  /** Bytes its log cap released (offsets before each log's kept start). */
  releasedBytes: number;
}

export interface DiskUse {
  tasks: TaskDiskUse[];
  /** The event journal, both halves. */
  journalBytes: number;
  /** The daemon's own log, both halves. */
  daemonLogBytes: number;
  /** Everything above. */
  totalBytes: number;
}

/** Which tasks `list` returns: each given field narrows it. */
export interface ListFilter {
  env?: string;
  session?: string;
  /** A project as tasks record it (a git root, or a folder outside git). */
  project?: string;
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
  /** The most each log keeps on disk (`200M`, `off`); the home's default when absent. */
  logMaxSize?: string | number;
  /** Set FORCE_COLOR and CLICOLOR_FORCE for the task. */
  color?: boolean;
  /** The agent session starting it. */
  session?: string;
  /** It outlives its session. */
  keep?: boolean;
  /**
   * Start once: when a live task already runs the same command in the same folder with the
   * same variables set (and the same name, when one is given), answer with it, `reused: true`.
   */
  once?: boolean;
  /** Paths whose changes restart the task (relative to `cwd`). */
  watch?: string[];
  /** Keep a pipe to its stdin, for `send`. */
  stdin?: boolean;
  /** Run it on this cron schedule (`*\/5 * * * *`, 6 fields with seconds, `@hourly`); runs never overlap. */
  schedule?: string;
  /** Run it now and then every this long (`10m`, at least 1s); runs never overlap. */
  every?: string | number;
}

export interface InlineTask {
  name?: string;
  command: string;
  health?: string[];
  /** As in an env file: a bare name waits for `healthy` when that task has a check, else `started`; a condition is a DependencyCondition. */
  dependsOn?: (string | { name: string; condition?: string })[];
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
  /** Folder of ad-hoc tasks; with a file, the folder its tasks' relative folders start from (the file's own by default). */
  cwd?: string;
  /** Only these tasks, with what they depend on (`up api web`). */
  only?: string[];
  /** Profiles whose tasks start too (`--profile debug`). */
  profiles?: string[];
}

export interface ScaleInput {
  /** `api=3`, as many as asked (`scale api=3 web=2`); `env/api=3` names the environment too. */
  targets: string[];
  /** The environment of every target (`--env E`); needed only when a name has replicas in several. */
  env?: string;
}

export interface ScaleResult {
  /** Each target's copies after the scale, in number order (those scaled down included, stopped). */
  groups: { env: string; name: string; replicas: number; tasks: TaskView[] }[];
  /** Ids of the copies stopped by this scale, and of those started (again). */
  stopped: string[];
  started: string[];
}

export interface DownOptions {
  signal?: string;
  grace?: string | number;
  /** Only these tasks of the environment, and their dependents. */
  tasks?: string[];
}

export interface OrchestrateResult {
  /** The tasks of the run that started (or of the one already up). */
  tasks: TaskView[];
  /** Ended tasks of older runs of the environment, removed as this run started (see DEFAULTS.envRunsKept). */
  removedFromOlderRuns: number;
  /** Set when the environment was already up and the file was applied to it: what was done to each task, and why. */
  applied?: AppliedTask[];
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
  /** Start at the lines written after this time: a duration back from now (`10m`) or a date and time. */
  since?: string;
  /** Stop after the lines written until this time (same forms as `since`). */
  until?: string;
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
   * Bytes of the requested range the log's cap released before they were read: the read
   * starts at the first byte kept instead (`from`), and a `--new` cursor moves there.
   */
  trimmed?: number;
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

/** What a wait waits for: `exit`, `running`, `healthy`, `log:RE`, `port:N`, `http:URL` or `silence:DURATION`. */
export type WaitUntil = string;

/**
 * Where a log wait starts searching each stream: `run` (the output of the task's current
 * run), `start` (the whole log), `end` (only what is written after the wait starts), or
 * byte offsets (a previous wait's `searched`: a wait from there misses no line).
 */
export type WaitFrom = 'run' | 'start' | 'end' | { stdout: number; stderr: number };

export interface WaitOptions {
  from?: WaitFrom;
  /** In-process only: ends the wait early (its client went away); it then reports a time-out. */
  signal?: AbortSignal;
}

/** One line of a task's log, where it starts. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  offset: number;
  line: string;
}

/** A wait's verdict with its evidence: which fields are set depends on the condition and on how the wait ended. */
export interface WaitResult {
  task: TaskView;
  reached: boolean;
  timedOut: boolean;
  /** The condition as understood, in a form `wait` takes again: `exit`, `log:ready`, `silence:5s`. */
  until: string;
  waitedMs: number;
  /** log: the first line that matched. */
  match?: LogLine;
  /** log: how far each stream was searched (past the match when there is one): a wait from here misses no line. */
  searched?: { stdout: number; stderr: number };
  /** port: the port the task's tree listens on. */
  port?: number;
  /** http: the last answer's status code (null: no answer, `error` says why). */
  http?: { status: number | null; error?: string };
  /** silence: how long the task had written nothing when the wait ended. */
  silentMs?: number;
  /** When the task has ended (always for `exit`): the first line of its last run that looks like an error, and the last lines of its stderr. */
  firstError?: LogLine | null;
  stderrTail?: string[];
  /** When the wait failed or timed out: the task's last lines of output (stderr ones marked `stderr: `). */
  lastLines?: string[];
  /** On a time-out: the TCP ports the task's tree listens on (its CPU is `task.cpuPercent`). */
  ports?: number[];
}

export interface SendInput {
  ref: string;
  /** Written followed by a newline, as if typed and entered. */
  text?: string;
  /** Then end the input: the command reads the end of file. */
  eof?: boolean;
}

export interface SendResult {
  task: TaskView;
  /** Bytes written (the text and its newline). */
  bytes: number;
  eof: boolean;
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

/** Where the daemon serves the dashboard: `url` carries the token (`http://127.0.0.1:PORT/?token=…`). */
export interface DashboardAddress {
  url: string;
  port: number;
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
  /** The task's own log cap in bytes, 0 for off; null when it takes the home's. */
  logMaxBytes: number | null;
  /** FORCE_COLOR and CLICOLOR_FORCE are set for it. */
  color: boolean;
  healthChecks: string[];
  /** Why the health check failed last, kept once it passes again; null when it never failed. */
  lastHealthFailure: string | null;
  /** The variables set for the task (not the environment it inherited), with their values. */
  envSet: Record<string, string>;
  peakMemoryBytes: number | null;
  /** Recent CPU and memory samples of the whole tree, oldest first. */
  samples: { at: number; cpuPercent: number; memoryBytes: number }[];
  alerts: { at: string; stream: string; line: string }[];
  /** TCP ports the task's processes listen on. */
  ports: number[];
  /** The last restarts, with why. */
  restartHistory: { at: string; reason: string }[];
  /** `pipe`: `send` writes to its stdin; null: stdin is /dev/null. */
  stdin: 'pipe' | null;
  /** Files whose changes restart the task; `watching` once its watchers have read their trees. */
  watch: {
    paths: string[];
    ignore: string[];
    debounceMs: number;
    cascade: boolean;
    watching: boolean;
    /** The change that restarted it last. */
    lastChange: { path: string; changes: number; at: string } | null;
  } | null;
  /** The schedule of a scheduled step (`every 10m`, `cron 0 * * * *`), its next tick and its last runs and skips, oldest first. */
  schedule: {
    every: string | null;
    cron: string | null;
    nextRunAt: string | null;
    history: ScheduleEntry[];
  } | null;
}

/** Who an event is about; `session` once task records carry the session that started them. */
interface EventSubject {
  seq: number;
  at: string;
  id: string;
  name: string | null;
  env: string | null;
  session?: string;
}

export type CorralEvent = EventSubject &
  (
    | {
        type: 'state';
        status: string;
        reason: string | null;
        logSizes: { stdout: number; stderr: number };
        /** When the run ended (an exit or a restart): how, and (an exit) when, read from its exit file when it ended while no daemon ran. */
        exitCode?: number | null;
        signal?: string | null;
        endedAt?: string | null;
      }
    | { type: 'health'; health: string; reason: string }
    | { type: 'alert'; stream: string; line: string; rule: string }
    /** A scheduled tick that did not run: the last run still went on. */
    | { type: 'skip'; reason: string }
  );

/** Which events a client wants; every given condition must hold. */
export interface EventFilter {
  ids?: string[];
  env?: string;
  session?: string;
  kinds?: EventKind[];
  /** At most this many events in one answer (default and most: 1,000). */
  limit?: number;
}

export interface EventBatch {
  events: CorralEvent[];
  /** The seq of the last event looked at: ask again from here. */
  last: number;
  /** More events follow `last` already: ask again at once. */
  more?: boolean;
  /** Events after the seq asked from that the journal's size bound had removed. */
  trimmed?: number;
}

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
  session: string | null;
  project: string | null;
}

export interface SupervisorApi {
  run(input: RunInput): Promise<TaskView>;
  list(filter?: ListFilter): Promise<TaskView[]>;
  orchestrate(input: OrchestrateInput): Promise<OrchestrateResult>;
  waitEnv(env: string, timeout?: string | number): Promise<EnvReport>;
  /** Stops the environment's latest run, or (`tasks`) those tasks and what depends on them. */
  down(env: string, options?: DownOptions): Promise<TaskView[]>;
  /** Sets how many copies of tasks with replicas run (`scale api=3`): stops the highest numbers first, starts the missing ones. */
  scale(input: ScaleInput): Promise<ScaleResult>;
  get(ref: string): Promise<TaskView>;
  describe(ref: string): Promise<TaskDetails>;
  monitor(input: MonitorInput): Promise<{ tasks: TaskView[]; last: number }>;
  /** Events after seq `since`, waiting up to `timeoutMs` for one when there is none yet. */
  eventsSince(since: number, timeoutMs: number, filter?: EventFilter): Promise<EventBatch>;
  /** Events after the cursor of `consumer` (kept by the daemon), which moves past what was looked at. */
  eventsNew(consumer: string, timeoutMs: number, filter?: EventFilter): Promise<EventBatch>;
  read(input: ReadInput): Promise<ReadResult>;
  /** Blocks in the supervisor until the condition is met, the task ends without meeting it, or the time-out. */
  wait(ref: string, until: WaitUntil, timeout?: string | number, options?: WaitOptions): Promise<WaitResult>;
  kill(input: KillInput): Promise<TaskView[]>;
  /** Writes to the stdin of a running task started with `stdin: pipe`, and can end it. */
  send(input: SendInput): Promise<SendResult>;
  restart(ref: string): Promise<TaskView>;
  /** Removes finished tasks: all of them, or (when one is unknown or still running) none. */
  remove(refs: string[]): Promise<TaskView[]>;
  /** Removes every finished task, or with `olderThan` (a duration) those that ended longer ago. */
  prune(options?: PruneOptions): Promise<TaskView[]>;
  /** What the home takes on disk: each task's logs, the journal, the daemon's log. */
  diskUse(): Promise<DiskUse>;
  /** Starts stopping the live tasks the session started (not kept ones), whole trees, and returns them at once. */
  endSession(session: string): Promise<TaskView[]>;
  /** For each pid, the task whose tree it belongs to (a finished task's leftovers too), or null. */
  owners(pids: number[]): Promise<(TaskOwner | null)[]>;
  status(): Promise<DaemonStatus>;
}
