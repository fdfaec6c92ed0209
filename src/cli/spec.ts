/**
 * Every command of the CLI, as data: its words, arguments, options and the module that
 * runs it. Both parsers read this one table: the fast one (node's parseArgs) for calls it
 * fully understands, and commander for help and for every usage error's message.
 */
import type { Context } from './context.js';
import type { ValueKind } from './values.js';

export type Action = (ctx: Context, ...args: any[]) => Promise<number>;

export interface OptionSpec {
  /** Commander's form: `--name <name>`, `-f, --file <file>`, `--json`. */
  flags: string;
  description: string;
  repeatable?: boolean;
  choices?: string[];
  /** How the value is read (values.ts); without it, the text goes on as written. */
  value?: ValueKind;
}

interface ArgumentSpec {
  /** Commander's form: `<id>`, `[env]`, `<command...>`, `[ids...]`. */
  name: string;
  description: string;
}

export interface CommandSpec {
  words: string[];
  description: string;
  args?: ArgumentSpec[];
  options?: OptionSpec[];
  /** Options only before the first argument; everything after belongs to the command run (`run`, `exec`). */
  passThrough?: boolean;
  load?: () => Promise<Action>;
  /** Built into the CLI's bundle (main.ts): the commands called most, whose start-up counts. */
  bundled?: true;
}

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { flags: '--home <dir>', description: 'the supervisor home (default: $CORRAL_HOME, $XDG_STATE_HOME/corral, ~/.local/state/corral)' },
  { flags: '--json', description: 'machine output: one JSON document on stdout' },
];

/** Whose task it is: options of `run` and `exec`. */
const OWNERSHIP_OPTIONS: OptionSpec[] = [
  { flags: '--session <id>', description: 'the agent session starting it (default: $CORRAL_SESSION)' },
  { flags: '--keep', description: 'keep it running when its session ends' },
];

const RUN_OPTIONS: OptionSpec[] = [
  { flags: '--name <name>', description: 'a name that also addresses the task' },
  { flags: '--cwd <dir>', description: 'working folder (default: the current one)' },
  { flags: '--env <NAME=value>', description: 'set a variable (repeatable)', repeatable: true, value: 'env-pair' },
  { flags: '--restart <policy>', description: 'restart policy', choices: ['no', 'on-failure', 'always', 'unless-stopped'] },
  { flags: '--max-restarts <n>', description: 'restarts allowed within the window (default 5)', value: 'count' },
  { flags: '--stop-signal <signal>', description: 'signal sent first on stop (default SIGTERM)' },
  { flags: '--grace <duration>', description: 'time between the stop signal and SIGKILL (default 5s)' },
  { flags: '--backoff <duration>', description: 'first restart delay, doubling each time (default 1s)' },
  { flags: '--max-backoff <duration>', description: 'longest restart delay (default 30s)' },
  { flags: '--min-uptime <duration>', description: 'running this long resets the backoff (default 10s)' },
  { flags: '--restart-window <duration>', description: 'window that --max-restarts counts in (default 60s)' },
  { flags: '--success-exit-codes <codes>', description: 'exit codes that count as success, comma-separated (default 0)', value: 'exit-codes' },
  { flags: '--nice <n>', description: 'run every process of the task at this nice level (-20..19)', value: 'integer' },
  { flags: '--ionice <class>', description: 'I/O class: idle, best-effort[:0-7] or realtime[:0-7]' },
  { flags: '--max-memory <size>', description: 'tree RSS limit (500M, 2G): over it the task is stopped (and restarted if its policy says so)' },
  { flags: '--timeout <duration>', description: 'longest run time; then the task is stopped' },
  { flags: '--idle <duration>', description: 'no output for this long raises an alert (or stops it, with --idle-action stop)' },
  { flags: '--idle-action <action>', description: 'what --idle does', choices: ['alert', 'stop'] },
  { flags: '--alert-on <regex>', description: 'output lines matching this raise alerts (see monitor, status)' },
  { flags: '--log-max-size <size>', description: 'most bytes each log keeps on disk (200M; off): past it the oldest are released, offsets stay (default: the home\'s, 200M)' },
  { flags: '--color', description: 'set FORCE_COLOR and CLICOLOR_FORCE, so the command colours its output in the log' },
  { flags: '--health <check>', description: 'a health check: http://…, tcp:HOST:PORT, listen, log:REGEX, exec:CMD, file:PATH (repeatable; all must pass)', repeatable: true },
  { flags: '--wait-healthy', description: 'return once the task is ready; exit 1 if it is not' },
  { flags: '--wait-timeout <duration>', description: 'with --wait-healthy: how long to wait (default 5m)', value: 'duration' },
  { flags: '--stdin', description: 'keep a pipe to its stdin: corral send writes to it (default: /dev/null)' },
  { flags: '--watch <path>', description: 'restart the task when a file under PATH changes (repeatable; .git and node_modules skipped)', repeatable: true },
  { flags: '--every <duration>', description: 'run now, then every DURATION (at least 1s); a tick while the last run goes on is skipped' },
  { flags: '--schedule <cron>', description: 'run on a cron schedule ("*/5 * * * *", 6 fields with seconds, @hourly); runs never overlap' },
  { flags: '--once', description: 'when a live task already runs this command here (same folder, same --env), answer with it instead of starting another' },
  ...OWNERSHIP_OPTIONS,
];

const COMMAND_WORDS: ArgumentSpec = { name: '<command...>', description: 'the command: a shell string, or words after --' };

const EXPORT_ARGS: ArgumentSpec[] = [{ name: '[tasks...]', description: 'only these tasks, with what they depend on (default: every task without profiles)' }];
const EXPORT_OPTIONS: OptionSpec[] = [
  { flags: '-f, --file <file>', description: 'env file (default: ./corral.yaml, corral.yml or Procfile)' },
  { flags: '--profile <name>', description: 'the tasks of this profile too (repeatable)', repeatable: true },
  { flags: '-o, --output <dir>', description: 'write the files into this folder; - for stdout (the default)' },
  { flags: '--strict', description: 'a warning (something the engine cannot say) fails the export: exit 1, nothing written' },
];
const IMAGE_OPTION: OptionSpec = { flags: '--image <image>', description: 'the image of every task without an image: of its own' };

export const COMMANDS: CommandSpec[] = [
  {
    words: ['run'],
    description: 'start a command in the background; prints its id',
    args: [COMMAND_WORDS],
    options: RUN_OPTIONS,
    passThrough: true,
    load: async () => (await import('./commands/run.js')).run,
    bundled: true,
  },
  {
    words: ['ls'],
    description: 'list tasks: running ones and finished ones until rm/prune',
    options: [
      { flags: '--all', description: 'every task (the default; kept for scripts)' },
      { flags: '--env <name>', description: 'only the tasks of this environment' },
      { flags: '--session <id>', description: 'only the tasks this agent session started' },
      { flags: '--mine', description: 'only the tasks of the current session ($CORRAL_SESSION)' },
      { flags: '--project <dir>', description: 'only the tasks of the project DIR is in (its git root, else DIR)' },
    ],
    load: async () => (await import('./commands/list.js')).list,
    bundled: true,
  },
  {
    words: ['ui'],
    description: 'the interactive task manager: live list, details, logs, kill and restart',
    load: async () => (await import('./commands/ui.js')).ui,
  },
  {
    words: ['exec'],
    description: 'run a command: servers and watchers in the background (prints the id), the rest in the foreground',
    args: [COMMAND_WORDS],
    options: [
      { flags: '--explain', description: 'print the decision and the rule that made it, and run nothing' },
      { flags: '--auto-background-threshold <duration>', description: 'a foreground command still running after this moves to the background (default 30s; 0 = never)', value: 'duration' },
      { flags: '--name <name>', description: 'a name that also addresses the task' },
      { flags: '--cwd <dir>', description: 'working folder (default: the current one)' },
      ...OWNERSHIP_OPTIONS,
    ],
    passThrough: true,
    load: async () => (await import('./commands/exec.js')).exec,
  },
  { words: ['hook'], description: 'hooks for coding agents' },
  {
    words: ['hook', 'claude-pre-tool-use'],
    description: 'Claude Code PreToolUse hook (matcher Bash): routes background commands to corral exec',
    options: [{ flags: '--allow', description: 'approve the rewritten command without asking (default: Claude Code asks)' }],
    load: async () => (await import('./commands/hook.js')).claudePreToolUse,
  },
  {
    words: ['hook', 'claude-session-start'],
    description: 'Claude Code SessionStart hook: tells the agent the live and recently ended tasks of its project',
    load: async () => (await import('./commands/hook/session-start.js')).claudeSessionStart,
  },
  {
    words: ['hook', 'claude-session-end'],
    description: 'Claude Code SessionEnd hook: stops the tasks the session started (whole trees), except kept ones',
    load: async () => (await import('./commands/hook/session-end.js')).claudeSessionEnd,
  },
  {
    words: ['mcp'],
    description: 'serve MCP on stdio for coding agents: background_spawn, background_output, background_kill, background_list, background_orchestrate, background_monitor',
    load: async () => (await import('./commands/mcp.js')).mcp,
  },
  {
    words: ['monitor'],
    description: 'watch tasks: print state changes, exits, restarts and alerts as they happen',
    args: [{ name: '[ids...]', description: 'task ids, names or env/names (default: every task)' }],
    options: [
      { flags: '--env <name>', description: 'the tasks of this environment' },
      { flags: '--alert-on <regex>', description: 'alert on new output lines that match (kept by the daemon)' },
      { flags: '--restart-on-failure', description: 'set the on-failure restart policy on the watched tasks (kept by the daemon)' },
      { flags: '--check-interval <duration>', description: 'how often CPU and memory are sampled (default 2s)' },
      { flags: '--for <duration>', description: 'stop watching after this long (default: until Ctrl-C)', value: 'duration' },
    ],
    load: async () => (await import('./commands/monitor.js')).monitor,
  },
  {
    words: ['events'],
    description: 'the event journal: state changes, exits, restarts, health changes and alerts, one a line',
    options: [
      { flags: '--since <seq>', description: 'the events after this seq (default: from the first kept)', value: 'count' },
      { flags: '--new', description: 'only the events after the last --new read (advances a cursor kept by the daemon)' },
      { flags: '--as <name>', description: 'the cursor name for --new (default: cli)' },
      { flags: '--follow', description: 'keep printing events as they happen (alone: from now on), until interrupted' },
      { flags: '--env <name>', description: 'only the events of this environment' },
      { flags: '--session <id>', description: 'only the events of the tasks of this session' },
      { flags: '--filter <regex>', description: 'only the events whose line (as printed without --json) matches' },
    ],
    load: async () => (await import('./commands/events.js')).events,
  },
  {
    words: ['orchestrate'],
    description: 'start an environment in the background (from an env file, or --background commands)',
    args: [
      { name: '[env]', description: "the environment's name (over the file's name:)" },
      { name: '[tasks...]', description: 'only these tasks, with what they depend on (default: every task without profiles)' },
    ],
    options: [
      { flags: '-f, --file <file>', description: 'env file: corral.yaml, a workflow (steps:) or a Procfile (default: ./corral.yaml)' },
      { flags: '--profile <name>', description: 'start the tasks of this profile too (repeatable)', repeatable: true },
      { flags: '--background <command>', description: 'an ad-hoc task (repeatable)', repeatable: true },
      { flags: '--health <check>', description: 'health check of the n-th --background (http://…, tcp:PORT, listen, log:REGEX …)', repeatable: true },
      { flags: '--wait-healthy', description: 'wait until every task is healthy (or started) and every step succeeded; exit 1 if not' },
      { flags: '--timeout <duration>', description: 'with --wait-healthy: how long to wait (default 5m)' },
    ],
    load: async () => (await import('./commands/env.js')).orchestrate,
  },
  {
    words: ['init'],
    description: "write a corral.yaml for the project in the current folder, from what it finds (package.json scripts, compose, Procfile, Django, Rails, go.mod, Cargo.toml, uvicorn/flask)",
    options: [
      { flags: '-f, --file <file>', description: 'the file to write (default: ./corral.yaml)' },
      { flags: '--name <env>', description: "the environment's name (default: the folder's)" },
      { flags: '--force', description: 'replace the file when it exists' },
      { flags: '--template <name>', description: 'write a template for a common stack instead (corral templates lists them)' },
      { flags: '--agents', description: 'instead, add (or update) a section on running servers under corral to AGENTS.md or CLAUDE.md' },
    ],
    load: async () => (await import('./commands/init.js')).init,
  },
  {
    words: ['templates'],
    description: 'the env-file templates of corral init --template, one line each',
    load: async () => (await import('./commands/init.js')).templates,
  },
  {
    words: ['up'],
    description: 'start an environment (or some of its tasks) and stream its output; Ctrl-C stops it in order (twice: kill)',
    args: [{ name: '[tasks...]', description: 'only these tasks, with what they depend on (default: every task without profiles)' }],
    options: [
      { flags: '-f, --file <file>', description: 'env file (default: ./corral.yaml, corral.yml or Procfile)' },
      { flags: '--name <env>', description: "the environment's name (over the file's name:)" },
      { flags: '--profile <name>', description: 'start the tasks of this profile too (repeatable)', repeatable: true },
      { flags: '--watch-file', description: 'apply the env file again each time it is saved: restart what changed, start what was added, stop what was removed' },
    ],
    load: async () => (await import('./commands/env.js')).up,
  },
  {
    words: ['down'],
    description: 'stop an environment (or some tasks and what depends on them) in order, dependents first; returns once every process of them is gone',
    args: [
      { name: '[env]', description: 'the environment (default: the only one up)' },
      { name: '[tasks...]', description: 'only these tasks and their dependents' },
    ],
    options: [{ flags: '--grace <duration>', description: "time before SIGKILL (default: each task's own)" }],
    load: async () => (await import('./commands/env.js')).down,
  },
  {
    words: ['scale'],
    description: 'set how many copies of a task with replicas run: stops the highest numbers first, starts the missing ones',
    args: [{ name: '<targets...>', description: 'NAME=N (api=3), or ENV/NAME=N; 0 to 1000' }],
    options: [{ flags: '--env <env>', description: 'the environment of the names (needed when several have them)' }],
    load: async () => (await import('./commands/scale.js')).scale,
  },
  {
    words: ['status'],
    description: 'everything known about one task',
    args: [{ name: '<id>', description: 'task id, name or env/name' }],
    load: async () => (await import('./commands/status.js')).status,
    bundled: true,
  },
  {
    words: ['logs'],
    description: "a task's output, read by byte offset; several tasks' (or an environment's) lines merged, each behind its task's name",
    args: [{ name: '[ids...]', description: 'task ids, names or env/names: one for its raw output, several for their lines merged' }],
    options: [
      { flags: '--env <name>', description: "every task of this environment, lines merged" },
      { flags: '--no-prefix', description: "with several tasks: lines without the task's name in front" },
      { flags: '--stream <stream>', description: 'stdout or stderr (default: both, each to its own)', choices: ['stdout', 'stderr'] },
      { flags: '--offset <bytes>', description: 'start at this byte offset', value: 'count' },
      { flags: '--new', description: 'only what is new since the last --new read (advances a cursor)' },
      { flags: '--as <name>', description: 'the cursor name for --new (default: cli)' },
      { flags: '--filter <regex>', description: 'only lines that match' },
      { flags: '--tail <n>', description: 'the last n lines (of each task)', value: 'count' },
      { flags: '--max-bytes <n>', description: 'one page of at most n bytes per stream', value: 'count' },
      { flags: '--since <time>', description: 'from the lines written after then: 10m (ago) or 2026-12-01T10:00 (to within the 2 s sample)' },
      { flags: '--until <time>', description: 'up to the lines written until then (same forms)' },
      { flags: '--follow', description: 'keep printing new output until the task ends (with several: until they all have)' },
      { flags: '--strip-ansi', description: 'remove colour and cursor escapes from what is printed' },
    ],
    load: async () => (await import('./commands/logs.js')).logs,
    bundled: true,
  },
  {
    words: ['grep'],
    description: "search every task's logs: prints id:offset: line for each matching line (id:stream:offset: when the task has both logs); exit 1 when none matched",
    args: [
      { name: '<regex>', description: 'a JavaScript regular expression, tested on each line' },
      { name: '[ids...]', description: 'only these tasks: ids, names or env/names (default: every task)' },
    ],
    options: [
      { flags: '--env <name>', description: 'only the tasks of this environment' },
      { flags: '--since <time>', description: 'only the lines written after then: 10m (ago) or 2026-12-01T10:00 (as logs --since)' },
    ],
    load: async () => (await import('./commands/grep.js')).grep,
  },
  {
    words: ['wait'],
    description: 'block until a task exits, is ready, prints a line, listens, answers or goes quiet; print the evidence; exit 1 on timeout or failure',
    args: [{ name: '<id>', description: 'task id, name or env/name' }],
    options: [
      { flags: '--until <what>', description: 'exit, running, healthy, log:RE, port:N, http:URL or silence:DURATION (default: exit)' },
      { flags: '--timeout <duration>', description: 'give up after this long (default 5m)' },
      { flags: '--from <where>', description: "log:RE searches this run's output (run, the default), the whole log (start), or only what comes next (end)", choices: ['run', 'start', 'end'] },
    ],
    load: async () => (await import('./commands/control.js')).wait,
  },
  {
    words: ['kill'],
    description: 'stop whole process trees; returns once no process of them is left',
    args: [{ name: '[ids...]', description: 'task ids, names or env/names' }],
    options: [
      { flags: '--all', description: 'every live task' },
      { flags: '--port <port>', description: 'the task listening on this TCP port (a process outside corral is refused)', value: 'count' },
      { flags: '--signal <signal>', description: "first signal (default: the task's stop signal, SIGTERM)" },
      { flags: '--grace <duration>', description: "time before SIGKILL (default: the task's, 5s)" },
    ],
    load: async () => (await import('./commands/control.js')).kill,
  },
  {
    words: ['ports'],
    description: 'every listening TCP port, with the task that holds it or the outside pid and command',
    load: async () => (await import('./commands/ports.js')).ports,
  },
  {
    words: ['send'],
    description: 'write a line to the stdin of a task started with --stdin (stdin: pipe)',
    args: [
      { name: '<id>', description: 'task id, name or env/name' },
      { name: '[text]', description: 'written followed by a newline' },
    ],
    options: [{ flags: '--eof', description: 'then end its input (the command reads end of file)' }],
    load: async () => (await import('./commands/control.js')).send,
  },
  {
    words: ['restart'],
    description: 'stop a task if it runs, then start it again under the same id',
    args: [{ name: '<id>', description: 'task id, name or env/name' }],
    load: async () => (await import('./commands/control.js')).restart,
  },
  {
    words: ['rm'],
    description: 'forget finished tasks and delete their logs',
    args: [{ name: '<ids...>', description: 'task ids, names or env/names' }],
    load: async () => (await import('./commands/control.js')).remove,
  },
  {
    words: ['prune'],
    description: 'forget every finished task (and its logs)',
    options: [{ flags: '--older-than <duration>', description: 'only those that ended longer ago than this (7d)' }],
    load: async () => (await import('./commands/control.js')).prune,
  },
  {
    words: ['dashboard'],
    description: 'have the daemon serve the web dashboard on 127.0.0.1, and print its URL (with its token)',
    options: [
      { flags: '--port <n>', description: 'the port to serve on (default: any free one; the one served already, if any)', value: 'count' },
      { flags: '--open', description: 'open the URL in the browser (xdg-open)' },
    ],
    load: async () => (await import('./commands/dashboard.js')).dashboard,
  },
  { words: ['du'], description: "disk use of the home: each task's logs (kept and released by the cap), the journal, the daemon's log", load: async () => (await import('./commands/du.js')).du },
  { words: ['export'], description: 'write an environment as the files of docker compose, Kubernetes or systemd' },
  {
    words: ['export', 'compose'],
    description: 'the environment as a compose.yaml',
    args: EXPORT_ARGS,
    options: [...EXPORT_OPTIONS, IMAGE_OPTION],
    load: async () => (await import('./commands/export.js')).exportCompose,
  },
  {
    words: ['export', 'k8s'],
    description: 'the environment as Kubernetes objects: Deployments, Jobs, Services',
    args: EXPORT_ARGS,
    options: [...EXPORT_OPTIONS, IMAGE_OPTION, { flags: '--namespace <ns>', description: 'the namespace of every object (default: none, the current one)' }],
    load: async () => (await import('./commands/export.js')).exportK8s,
  },
  {
    words: ['export', 'systemd'],
    description: 'the environment as systemd units and a target that starts them all',
    args: EXPORT_ARGS,
    options: EXPORT_OPTIONS,
    load: async () => (await import('./commands/export.js')).exportSystemd,
  },
  { words: ['daemon'], description: 'the background daemon of a home' },
  { words: ['daemon', 'start'], description: 'start it (commands start it on demand anyway)', load: async () => (await import('./commands/daemon.js')).daemonStart },
  { words: ['daemon', 'status'], description: 'is it running, where, since when', load: async () => (await import('./commands/daemon.js')).daemonStatus },
  { words: ['daemon', 'stop'], description: 'stop every task (whole trees), then the daemon', load: async () => (await import('./commands/daemon.js')).daemonStop },
];

/** `--max-restarts <n>` → { long: 'max-restarts', short: undefined, key: 'maxRestarts', takesValue: true }. */
export function parseFlags(flags: string): { long: string; short?: string; key: string; takesValue: boolean } {
  const m = /^(?:-(\w),\s*)?--([\w-]+)(?:\s+[<[].*[>\]])?$/.exec(flags.trim());
  if (!m) throw new Error(`bad option spec ${flags}`);
  const long = m[2]!;
  return {
    long,
    ...(m[1] ? { short: m[1] } : {}),
    key: long.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
    takesValue: /[<[]/.test(flags),
  };
}
