#!/usr/bin/env node
/**
 * The corral CLI. Start-up is kept lean: this file loads commander and the client only,
 * and each command's module is imported when that command runs.
 */
import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';
import { CorralError } from '../errors.js';
import { Context, type GlobalOptions } from './context.js';

// Through require: commander is CommonJS, and its ESM wrapper costs several ms of start-up.
const { Command, CommanderError, Option } = createRequire(import.meta.url)('commander') as typeof CommanderModule;
type Command = CommanderModule.Command;

type Action = (ctx: Context, ...args: any[]) => Promise<number>;

let ctx: Context | null = null;

/** Wraps a command: builds the context from the global flags, runs, and records the exit code. */
function act(load: () => Promise<Action>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    ctx = new Context(command.optsWithGlobals() as GlobalOptions);
    const fn = await load();
    process.exitCode = await fn(ctx, ...args.slice(0, -1));
  };
}

function common(command: Command): Command {
  return command
    .option('--home <dir>', 'the supervisor home (default: $CORRAL_HOME, $XDG_STATE_HOME/corral, ~/.local/state/corral)')
    .option('--json', 'machine output: one JSON document on stdout');
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('corral')
    .description('Run commands in the background under stable ids, read their output by offset, stop whole trees.')
    .version('0.1.0')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'corral: ')) });
  common(program);

  common(program.command('run'))
    .description('start a command in the background; prints its id')
    .argument('<command...>', 'the command: a shell string, or words after --')
    .option('--name <name>', 'a name that also addresses the task')
    .option('--cwd <dir>', 'working folder (default: the current one)')
    .option('--env <NAME=value>', 'set a variable (repeatable)', collect)
    .addOption(new Option('--restart <policy>', 'restart policy').choices(['no', 'on-failure', 'always', 'unless-stopped']))
    .option('--max-restarts <n>', 'restarts allowed within the window (default 5)')
    .option('--stop-signal <signal>', 'signal sent first on stop (default SIGTERM)')
    .option('--grace <duration>', 'time between the stop signal and SIGKILL (default 5s)')
    .option('--backoff <duration>', 'first restart delay, doubling each time (default 1s)')
    .option('--max-backoff <duration>', 'longest restart delay (default 30s)')
    .option('--min-uptime <duration>', 'running this long resets the backoff (default 10s)')
    .option('--restart-window <duration>', 'window that --max-restarts counts in (default 60s)')
    .option('--success-exit-codes <codes>', 'exit codes that count as success, comma-separated (default 0)')
    .option('--nice <n>', 'run every process of the task at this nice level (-20..19)')
    .option('--ionice <class>', 'I/O class: idle, best-effort[:0-7] or realtime[:0-7]')
    .option('--max-memory <size>', 'tree RSS limit (500M, 2G): over it the task is stopped (and restarted if its policy says so)')
    .option('--timeout <duration>', 'longest run time; then the task is stopped')
    .option('--idle <duration>', 'no output for this long raises an alert (or stops it, with --idle-action stop)')
    .addOption(new Option('--idle-action <action>', 'what --idle does').choices(['alert', 'stop']))
    .option('--alert-on <regex>', 'output lines matching this raise alerts (see monitor, status)')
    .option('--health <check>', 'a health check: http://…, tcp:HOST:PORT, log:REGEX, exec:CMD, file:PATH (repeatable; all must pass)', collect)
    .option('--wait-healthy', 'return once the task is ready; exit 1 if it is not')
    .option('--wait-timeout <duration>', 'with --wait-healthy: how long to wait (default 5m)')
    .passThroughOptions()
    .action(act(async () => (await import('./commands/run.js')).run));

  common(program.command('ls'))
    .description('list tasks: running ones and finished ones until rm/prune')
    .option('--all', 'every task (the default; kept for scripts)')
    .option('--env <name>', 'only the tasks of this environment')
    .action(act(async () => (await import('./commands/list.js')).list));

  common(program.command('exec'))
    .description('run a command: servers and watchers in the background (prints the id), the rest in the foreground')
    .argument('<command...>', 'the command: a shell string, or words after --')
    .option('--explain', 'print the decision and the rule that made it, and run nothing')
    .option('--auto-background-threshold <duration>', 'a foreground command still running after this moves to the background (default 30s; 0 = never)')
    .option('--name <name>', 'a name that also addresses the task')
    .option('--cwd <dir>', 'working folder (default: the current one)')
    .passThroughOptions()
    .action(act(async () => (await import('./commands/exec.js')).exec));

  const hook = common(program.command('hook')).description('hooks for coding agents');
  common(hook.command('claude-pre-tool-use'))
    .description('Claude Code PreToolUse hook (matcher Bash): routes background commands to corral exec')
    .option('--allow', 'approve the rewritten command without asking (default: Claude Code asks)')
    .action(act(async () => (await import('./commands/hook.js')).claudePreToolUse));

  common(program.command('mcp'))
    .description('serve MCP on stdio for coding agents: background_spawn, background_output, background_kill, background_list, background_orchestrate, background_monitor')
    .action(act(async () => (await import('./commands/mcp.js')).mcp));

  common(program.command('monitor'))
    .description('watch tasks: print state changes, exits, restarts and alerts as they happen')
    .argument('[ids...]', 'task ids or names (default: every task)')
    .option('--env <name>', 'the tasks of this environment')
    .option('--alert-on <regex>', 'alert on new output lines that match (kept by the daemon)')
    .option('--restart-on-failure', 'set the on-failure restart policy on the watched tasks (kept by the daemon)')
    .option('--check-interval <duration>', 'how often CPU and memory are sampled (default 2s)')
    .option('--for <duration>', 'stop watching after this long (default: until Ctrl-C)')
    .action(act(async () => (await import('./commands/monitor.js')).monitor));

  common(program.command('orchestrate'))
    .description('start an environment in the background (from an env file, or --background commands)')
    .argument('[env]', "the environment's name (over the file's name:)")
    .option('-f, --file <file>', 'env file: corral.yaml, a workflow (steps:) or a Procfile (default: ./corral.yaml)')
    .option('--background <command>', 'an ad-hoc task (repeatable)', collect)
    .option('--health <check>', 'health check of the n-th --background (http://…, tcp:PORT, log:REGEX …)', collect)
    .option('--wait-healthy', 'wait until every task is healthy (or started) and every step succeeded; exit 1 if not')
    .option('--timeout <duration>', 'with --wait-healthy: how long to wait (default 5m)')
    .action(act(async () => (await import('./commands/env.js')).orchestrate));

  common(program.command('up'))
    .description('start an environment and stream its output; Ctrl-C stops it in order (twice: kill)')
    .option('-f, --file <file>', 'env file (default: ./corral.yaml, corral.yml or Procfile)')
    .option('--name <env>', "the environment's name (over the file's name:)")
    .action(act(async () => (await import('./commands/env.js')).up));

  common(program.command('down'))
    .description('stop an environment in order (dependents first); returns once every process of it is gone')
    .argument('[env]', 'the environment (default: the only one up)')
    .option('--grace <duration>', 'time before SIGKILL (default: each task\'s own)')
    .action(act(async () => (await import('./commands/env.js')).down));

  common(program.command('status'))
    .description('everything known about one task')
    .argument('<id>', 'task id or name')
    .action(act(async () => (await import('./commands/status.js')).status));

  common(program.command('logs'))
    .description("a task's output, read by byte offset")
    .argument('<id>', 'task id or name')
    .option('--stream <stream>', 'stdout or stderr (default: both, each to its own)')
    .option('--offset <bytes>', 'start at this byte offset')
    .option('--new', 'only what is new since the last --new read (advances a cursor)')
    .option('--as <name>', 'the cursor name for --new (default: cli)')
    .option('--filter <regex>', 'only lines that match')
    .option('--tail <n>', 'the last n lines')
    .option('--max-bytes <n>', 'one page of at most n bytes per stream')
    .option('--follow', 'keep printing new output until the task ends')
    .action(act(async () => (await import('./commands/logs.js')).logs));

  common(program.command('wait'))
    .description('block until a task exits or is ready; exit 1 on timeout or failure')
    .argument('<id>', 'task id or name')
    .option('--until <what>', 'exit, running or healthy (default: exit)')
    .option('--timeout <duration>', 'give up after this long (default 5m)')
    .action(act(async () => (await import('./commands/control.js')).wait));

  common(program.command('kill'))
    .description('stop whole process trees; returns once no process of them is left')
    .argument('[ids...]', 'task ids or names')
    .option('--all', 'every live task')
    .option('--signal <signal>', 'first signal (default: the task\'s stop signal, SIGTERM)')
    .option('--grace <duration>', 'time before SIGKILL (default: the task\'s, 5s)')
    .action(act(async () => (await import('./commands/control.js')).kill));

  common(program.command('restart'))
    .description('stop a task if it runs, then start it again under the same id')
    .argument('<id>', 'task id or name')
    .action(act(async () => (await import('./commands/control.js')).restart));

  common(program.command('rm'))
    .description('forget finished tasks and delete their logs')
    .argument('<ids...>', 'task ids or names')
    .action(act(async () => (await import('./commands/control.js')).remove));

  common(program.command('prune'))
    .description('forget every finished task')
    .action(act(async () => (await import('./commands/control.js')).prune));

  const daemon = common(program.command('daemon')).description('the background daemon of a home');
  common(daemon.command('start')).description('start it (commands start it on demand anyway)')
    .action(act(async () => (await import('./commands/daemon.js')).daemonStart));
  common(daemon.command('status')).description('is it running, where, since when')
    .action(act(async () => (await import('./commands/daemon.js')).daemonStatus));
  common(daemon.command('stop')).description('stop every task (whole trees), then the daemon')
    .action(act(async () => (await import('./commands/daemon.js')).daemonStop));

  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage mistake exits 2 (commander printed the sentence).
      process.exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (error instanceof CorralError) {
      process.stderr.write(`corral: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      const e = error as NodeJS.ErrnoException;
      process.stderr.write(`corral: ${e?.message ?? String(error)}\n`);
      process.exitCode = 1;
    }
  } finally {
    ctx?.close();
  }
}

void main(process.argv);
