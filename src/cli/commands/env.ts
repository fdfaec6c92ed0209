/** Environments: orchestrate (start, optionally wait until healthy), up (start and attach), down. */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { counted } from '../../../machines/counted.js';
import { isFinal } from '../../../machines/task.types.js';
import type { EnvReport, InlineTask, OrchestrateInput, TaskView } from '../../api.js';
import type { RemoteSupervisor } from '../../client/remote.js';
import { colorWanted } from '../../color.js';
import { CorralError, usageError } from '../../errors.js';
import type { Context } from '../context.js';
import { AttachedOutput } from '../attached-output.js';
import { linePrefixes } from '../prefixes.js';
import { callerEnv, DEFAULT_FILES, findEnvFile } from '../env-file.js';
import { colorStatus, printJson } from '../output.js';
import { appliedLines, culpritText, removedText, taskName } from '../../text.js';

interface OrchestrateFlags {
  file?: string;
  profile?: string[];
  background?: string[];
  health?: string[];
  waitHealthy?: boolean;
  timeout?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `up api web --profile debug`: the part of the file asked for. */
function partOf(tasks: string[], flags: OrchestrateFlags): Pick<OrchestrateInput, 'only' | 'profiles'> {
  return { ...(tasks.length > 0 ? { only: tasks } : {}), ...(flags.profile && flags.profile.length > 0 ? { profiles: flags.profile } : {}) };
}

function buildOrchestrateInput(name: string | undefined, flags: OrchestrateFlags, tasks: string[] = []): OrchestrateInput {
  const backgrounds = flags.background ?? [];
  const health = flags.health ?? [];
  if (backgrounds.length > 0 && (tasks.length > 0 || flags.profile)) throw usageError('task names and --profile pick tasks of an env file, not of --background commands');
  if (backgrounds.length > 0 && flags.file) throw usageError('give an env file (-f) or --background commands, not both');
  if (backgrounds.length > 0) {
    if (health.length > backgrounds.length) throw usageError(`${health.length} --health checks for ${backgrounds.length} --background commands: the n-th --health goes with the n-th --background`);
    const tasks: InlineTask[] = backgrounds.map((command, i) => ({ command, ...(health[i] ? { health: [health[i]!] } : {}) }));
    return { ...(name ? { name } : {}), tasks, callerEnv: callerEnv(), cwd: process.cwd() };
  }
  if (health.length > 0) throw usageError('--health goes with --background commands; an env file says its checks itself');
  const file = findEnvFile(flags.file);
  if (!file) throw usageError(`no env file: give -f FILE, or --background commands (looked for ${DEFAULT_FILES.join(', ')})`);
  if (!existsSync(file)) throw usageError(`${flags.file}: no such file`);
  return { file, ...(name ? { name } : {}), callerEnv: callerEnv(), ...partOf(tasks, flags) };
}

function describe(t: TaskView): string {
  const health = t.healthReason && t.healthReason !== 'unknown' ? ` ${t.healthReason}` : '';
  const why = t.reason ? ` (${t.reason})` : '';
  return `${t.id} ${t.name ?? ''} ${colorStatus(t.status)}${health}${why}`;
}

/**
 * Prints each task's changes (status, health) as they happen, until `done` resolves; the
 * last look comes after it, so the change that ended the wait (the last task healthy) is printed.
 */
async function progress(api: RemoteSupervisor, env: string, done: Promise<unknown>, write: (line: string) => void): Promise<void> {
  const seen = new Map<string, string>();
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  for (;;) {
    const last = finished;
    for (const t of await api.list({ env })) {
      const key = `${t.status}|${t.health}|${t.reason}`;
      if (seen.get(t.id) !== key) {
        seen.set(t.id, key);
        write(describe(t));
      }
    }
    if (last) return;
    await Promise.race([done.catch(() => {}), sleep(150)]);
  }
}

function report(r: EnvReport): string {
  if (r.ready) return `${r.env} is ready\n`;
  const c = r.culprit;
  let text = r.timedOut ? `${r.env} is not ready after the timeout` : `${r.env} did not come up`;
  if (c) text += `: ${culpritText(c)}`;
  return `${text}\n`;
}

export async function orchestrate(ctx: Context, name: string, only: string[], flags: OrchestrateFlags): Promise<number> {
  const input = buildOrchestrateInput(name, flags, only);
  const api = await ctx.api();
  const { tasks, removedFromOlderRuns, applied } = await api.orchestrate(input);
  const env = tasks[0]?.env ?? name;
  if (removedFromOlderRuns > 0 && !ctx.json) process.stderr.write(`corral: ${removedText(removedFromOlderRuns, env)}\n`);
  if (applied && !ctx.json) for (const line of appliedLines(env, applied)) process.stderr.write(`corral: ${line}\n`);
  // Applied to an environment already up: the report goes with the tasks.
  if (!flags.waitHealthy) {
    if (ctx.json) printJson(applied ? { tasks, applied } : tasks);
    else for (const t of tasks) process.stdout.write(`${describe(t)}\n`);
    return 0;
  }
  const waiting = api.waitEnv(env, flags.timeout);
  if (!ctx.json) await progress(api, env, waiting, (line) => process.stderr.write(`${line}\n`));
  const result = await waiting;
  if (ctx.json) printJson(applied ? { ...result, applied } : result);
  else if (result.ready) process.stdout.write(report(result));
  else process.stderr.write(`corral: ${report(result)}`);
  return result.ready ? 0 : 1;
}

export async function down(ctx: Context, name: string | undefined, tasks: string[], flags: { file?: string; grace?: string }): Promise<number> {
  const api = await ctx.api();
  const all = await api.list();
  const live = [...new Set(all.filter((t) => t.env && !isFinal(t.status)).map((t) => t.env!))];
  let env = name;
  let part = tasks;
  // `down api`: with one environment up, a name that is no environment but one of its tasks.
  if (env !== undefined && live.length === 1 && !all.some((t) => t.env === env) && all.some((t) => t.env === live[0] && (t.name === env || t.replica?.of === env))) {
    part = [env, ...tasks];
    env = live[0];
  }
  if (!env) {
    if (live.length === 1) env = live[0];
    else if (live.length === 0) throw usageError('no environment is up');
    else throw usageError(`several environments are up (${live.join(', ')}): name one`);
  }
  const stopped = await api.down(env!, { ...(flags.grace !== undefined ? { grace: flags.grace } : {}), ...(part.length > 0 ? { tasks: part } : {}) });
  if (ctx.json) printJson(stopped);
  else for (const t of stopped) process.stdout.write(`${describe(t)}\n`);
  return 0;
}

// ---- up: orchestrate, then attach ------------------------------------------------------

/** States that begin a run, and those in which the next run has not begun. */
const STARTS = new Set(['starting', 'running']);
const BEFORE_A_RUN = new Set(['queued', 'waiting', 'starting', 'restarting']);

export async function up(ctx: Context, only: string[], flags: { file?: string; name?: string; profile?: string[]; watchFile?: boolean }): Promise<number> {
  const input = buildOrchestrateInput(flags.name, { ...(flags.file ? { file: flags.file } : {}), ...(flags.profile ? { profile: flags.profile } : {}) }, only);
  const api = await ctx.api();
  // Events from here on: those of an environment already up, from before, are not news.
  let since = (await api.eventsSince(0, 0, { ids: [] })).last;
  const { tasks, removedFromOlderRuns, applied } = await api.orchestrate(input);
  const env = tasks[0]?.env ?? flags.name ?? basename(input.file ?? 'env');
  const color = colorWanted();
  // Recomputed when an applied file adds tasks: the names line up again, colours keep their places.
  let { width, of: prefixOf } = linePrefixes(tasks, color);
  const say = (line: string) => process.stdout.write(color ? `\u001b[2m${line}\u001b[0m\n` : `${line}\n`);
  if (removedFromOlderRuns > 0) say(`corral: ${removedText(removedFromOlderRuns, env)}`);
  if (applied) for (const line of appliedLines(env, applied)) say(`corral: ${line}`);
  say(`corral: ${env} is starting (${counted(tasks.length, 'task')}); Ctrl-C stops it in order`);

  // `up api`: Ctrl-C takes down what it brought up (and what depends on it), not the rest.
  const partOnly = Boolean(input.only || input.profiles);
  const names = new Set(tasks.map((t) => t.name!));
  const part = () => (partOnly ? { tasks: [...names] } : {});
  // `--watch-file`: a save is applied by the loop below, between two looks, so that no event of a task it adds is missed.
  let saved = false;
  const stopWatching = flags.watchFile && input.file ? await (await import('../file-saves.js')).onFileSaves(input.file, () => (saved = true)) : null;
  if (stopWatching) say(`corral: watching ${input.file}: each save applies it`);
  let interrupts = 0;
  let stopping: Promise<unknown> | null = null;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      say(`corral: stopping ${env} (Ctrl-C again to kill at once)`);
      stopping = api.down(env, part());
    } else if (interrupts === 2) {
      say('corral: killing');
      stopping = api.down(env, { signal: 'SIGKILL', grace: 0, ...part() });
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  process.on('SIGHUP', onSigint);

  const output = new AttachedOutput((id, line) => process.stdout.write(`${prefixOf.get(id)}${line}\n`));
  const readAhead = async (id: string) => {
    try {
      output.take(await api.read({ ref: id, newAs: 'up', stream: 'both', encoding: 'base64' }));
    } catch (error) {
      // A task that an applied file removed is gone, logs and all: there is nothing more of it to print.
      if (!(error instanceof CorralError && error.kind === 'not-found')) throw error;
    }
  };
  /** Reads until what was read reaches `upTo` (or the log ends short of it). */
  const readTo = async (id: string, upTo: { stdout: number; stderr: number }) => {
    for (let before = output.reach(id); before.stdout < upTo.stdout || before.stderr < upTo.stderr; ) {
      await readAhead(id);
      const after = output.reach(id);
      if (after.stdout === before.stdout && after.stderr === before.stderr) return;
      before = after;
    }
  };

  // Status changes come from the daemon's event log, in the order they happened (none is
  // missed between two looks); health changes and output from a look at each task. Each
  // look lists and reads first, then takes the events: an event later than the list is
  // still taken (so the last state of a task the list saw ended is never missed), and
  // output read before an event is printed before its line when it was written before it.
  const ids = tasks.map((t) => t.id);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  // What each task's last line said: a look that changes neither prints nothing.
  const shown = new Map<string, { status: string; health: string }>();
  const healthText = (t: TaskView, status: string) => (status === t.status && t.healthReason && t.healthReason !== 'unknown' ? ` · ${t.healthReason}` : '');
  const statusLine = (t: TaskView, status: string, reason: string | null) => {
    // A scheduled task waits for its next run (its reason says when), not for dependencies.
    const waitingFor = status === 'waiting' && t.dependsOn.length > 0 && t.nextRunAt === null ? ` for ${t.dependsOn.join(', ')}` : '';
    const health = healthText(t, status);
    shown.set(t.id, { status, health });
    say(`${taskName(t).padEnd(width)} | ${status}${waitingFor}${health}${reason ? ` (${reason})` : ''}`);
  };
  for (const t of tasks) statusLine(t, t.status, t.reason);
  /** The file again, on a save: a file that cannot be applied changes nothing, and says why. */
  const applyAgain = async () => {
    try {
      const again = await api.orchestrate(input);
      for (const line of appliedLines(env, again.applied ?? [])) say(`corral: ${line}`);
      // Those it stopped are gone from the environment: this `up` no longer follows them.
      for (const gone of (again.applied ?? []).filter((a) => a.action === 'stopped')) {
        const at = ids.findIndex((id) => byId.get(id)?.name === gone.name);
        if (at >= 0) ids.splice(at, 1);
        names.delete(gone.name);
      }
      const added = again.tasks.filter((t) => !byId.has(t.id));
      for (const t of added) {
        ids.push(t.id);
        byId.set(t.id, t);
        names.add(t.name!);
      }
      ({ width, of: prefixOf } = linePrefixes([...byId.values()], color));
      for (const t of added) statusLine(t, t.status, t.reason);
    } catch (error) {
      say(`corral: ${(error as Error).message}`);
      say(`corral: the file was not applied; ${env} keeps running as it was`);
    }
  };
  for (;;) {
    if (saved && !stopping) {
      saved = false;
      await applyAgain();
    }
    // The tasks this `up` started: with a part, the rest of the environment is not its own.
    const list = (await api.list({ env })).filter((t) => ids.includes(t.id));
    for (const t of list) {
      byId.set(t.id, t);
      await readAhead(t.id);
    }
    const { events, last } = await api.eventsSince(since, 100, { ids });
    since = last;
    for (const e of events) {
      if (e.type !== 'state') continue;
      const t = byId.get(e.id)!;
      // The daemon hears that a run began after the command may have written: what it
      // wrote is printed after the line saying it runs.
      if (!STARTS.has(e.status)) {
        await readTo(e.id, e.logSizes);
        // A run that ended has no more to say: its unfinished last line goes before the end.
        output.print(e.id, e.logSizes, isFinal(e.status) || e.status === 'restarting');
      }
      statusLine(t, e.status, e.reason);
    }
    for (const t of list) {
      const before = shown.get(t.id)!;
      // A change of health; a new status is left to its event, which comes on the next look.
      if (before.status === t.status && before.health !== healthText(t, t.status)) statusLine(t, t.status, t.reason);
      // A task that never started has written nothing: with thousands waiting, asking each would be most of the loop.
      if (t.startedAt === null) continue;
      // Output of a run whose start has not been printed yet waits for that line (unless
      // the list already saw the run begin: then its event fell out of the daemon's log).
      if (!BEFORE_A_RUN.has(shown.get(t.id)!.status) || !BEFORE_A_RUN.has(t.status)) output.print(t.id);
    }
    if (list.every((t) => isFinal(t.status))) {
      for (const t of list) output.print(t.id, undefined, true);
      if (stopping) await stopping;
      await stopWatching?.();
      say(`corral: ${env} is down`);
      process.off('SIGINT', onSigint);
      return interrupts > 0 || list.every((t) => t.status === 'completed') ? 0 : 1;
    }
  }
}
