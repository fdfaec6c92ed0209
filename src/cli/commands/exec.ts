/**
 * `corral exec`: runs a command the way an agent or a person wants it run. Servers and
 * watchers go to the background (their id on stdout, their first lines on stderr);
 * everything else runs in the foreground, streams its output and exits with its code.
 * The command always runs under the daemon, so moving it to the background (after
 * --auto-background-threshold, or at once with Ctrl+B) restarts and loses nothing.
 */
import { resolve } from 'node:path';
import { DEFAULTS } from '../../../machines/defaults.js';
import { formatDuration } from '../../../machines/duration.js';
import { classifyCommand } from '../../../machines/policies/autobackground.js';
import { isFinal } from '../../../machines/task.types.js';
import type { ReadResult, TaskView } from '../../api.js';
import type { RemoteSupervisor } from '../../client/remote.js';
import { loadAutoBackground } from '../../exec/config.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';
import { commandFromWords } from './run.js';
import { ownership } from '../session.js';
import { reusedText } from '../../text.js';

interface ExecFlags {
  explain?: boolean;
  /** Milliseconds; 0 = never. */
  autoBackgroundThreshold?: number;
  name?: string;
  cwd?: string;
  session?: string;
  keep?: boolean;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGSEGV: 11, SIGABRT: 6, SIGPIPE: 13 };
const CTRL_B = 0x02;
const CTRL_C = 0x03;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The status a shell would give: the command's, 128+N for signal N, 127/126 for one it could not run. */
function exitCodeOf(t: TaskView): number {
  if (t.exitCode !== null) return t.exitCode;
  if (t.signal) return 128 + (SIGNAL_NUMBERS[t.signal] ?? 1);
  if (t.startedAt === null && t.reason?.startsWith('could not start: ')) {
    if (t.reason.endsWith(': not found')) return 127;
    if (t.reason.endsWith(': Permission denied')) return 126;
  }
  return 1;
}

export async function exec(ctx: Context, words: string[], flags: ExecFlags): Promise<number> {
  const command = commandFromWords(words);
  const threshold = flags.autoBackgroundThreshold ?? 30_000;
  const cwd = resolve(flags.cwd ?? '.');
  const decision = classifyCommand(command, await loadAutoBackground(cwd, ctx.paths.home));
  if (flags.explain) {
    if (ctx.json) printJson({ command, background: decision.background, rule: decision.rule });
    else process.stdout.write(`${decision.background ? 'background' : 'foreground'}: ${decision.rule}\n`);
    return 0;
  }
  const api = await ctx.api();
  const task = await api.run({
    command,
    cwd,
    baseEnv: process.env as Record<string, string>,
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...ownership(flags),
    // A second `npm run dev` answers with the first; a test run or build runs again.
    ...(decision.background ? { once: true } : {}),
  });
  if (decision.background) return background(ctx, api, task, decision.rule);
  return foreground(ctx, api, task, threshold);
}

/** A server goes to the background: show its first lines (stderr), then its id (stdout). */
async function background(ctx: Context, api: RemoteSupervisor, task: TaskView, rule: string): Promise<number> {
  if (task.reused) return reused(ctx, api, task, rule);
  const deadline = Date.now() + 1_500;
  let shown = '';
  let status = task.status;
  while (Date.now() < deadline && !isFinal(status) && shown.split('\n').length <= 5) {
    await sleep(100);
    const page = await api.read({ ref: task.id, stream: 'both', maxBytes: 4096 });
    status = page.status;
    shown = `${page.stdout?.data ?? ''}${page.stderr?.data ?? ''}`;
  }
  if (!ctx.json) {
    const lines = shown.split('\n').filter(Boolean).slice(0, 5);
    for (const line of lines) process.stderr.write(`${line}\n`);
    process.stderr.write(`corral: ${task.id} runs in the background (${rule}); read it with: corral logs ${task.id} --new\n`);
    process.stdout.write(`${task.id}\n`);
  } else printJson({ ...(await api.get(task.id)), background: true, rule });
  return 0;
}

/**
 * The command already runs in the background: its id (stdout), and on stderr what it wrote
 * since `logs --new` last read it (the last lines of that, as a first start shows its first).
 */
async function reused(ctx: Context, api: RemoteSupervisor, task: TaskView, rule: string): Promise<number> {
  if (ctx.json) {
    printJson({ ...(await api.get(task.id)), reused: true, background: true, rule });
    return 0;
  }
  const page = await api.read({ ref: task.id, stream: 'both', newAs: DEFAULTS.cursorConsumer, tail: 5 });
  const lines = `${page.stdout?.data ?? ''}${page.stderr?.data ?? ''}`.split('\n').filter(Boolean);
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.stderr.write(`corral: ${reusedText(task)}; read it with: corral logs ${task.id} --new\n`);
  process.stdout.write(`${task.id}\n`);
  return 0;
}

async function foreground(ctx: Context, api: RemoteSupervisor, task: TaskView, threshold: number): Promise<number> {
  const offsets = { stdout: 0, stderr: 0 };
  const started = Date.now();
  let detach = false;
  let interrupted = 0;
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  const onKey = (data: Buffer) => {
    if (data.includes(CTRL_B)) detach = true;
    if (data.includes(CTRL_C)) onInterrupt();
  };
  const onInterrupt = () => {
    interrupted++;
    // The first Ctrl-C goes to the command as SIGINT, as in a terminal; the second kills it.
    void api.kill({ refs: [task.id], signal: interrupted === 1 ? 'SIGINT' : 'SIGKILL', grace: interrupted === 1 ? '5s' : 0 });
  };
  if (raw) {
    // Ctrl+B (in tmux: the prefix twice) moves the command to the background at once.
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }
  process.on('SIGINT', onInterrupt);
  const pump = async (): Promise<ReadResult> => {
    let page: ReadResult;
    do {
      page = await api.read({ ref: task.id, stream: 'stdout', offset: offsets.stdout, encoding: 'base64' });
      write('stdout', page);
      const err = await api.read({ ref: task.id, stream: 'stderr', offset: offsets.stderr, encoding: 'base64' });
      write('stderr', err);
      page = { ...page, status: err.status, exitCode: err.exitCode };
    } while ((page.stdout?.omitted ?? 0) > 0);
    return page;
  };
  const write = (stream: 'stdout' | 'stderr', page: ReadResult) => {
    const slice = page[stream];
    if (!slice || slice.data.length === 0) return;
    offsets[stream] = slice.next;
    (stream === 'stdout' ? process.stdout : process.stderr).write(Buffer.from(slice.data, 'base64'));
  };
  try {
    for (;;) {
      const page = await pump();
      if (isFinal(page.status)) {
        await pump();
        return exitCodeOf(await api.get(task.id));
      }
      const outlived = threshold > 0 && Date.now() - started >= threshold;
      if (detach || outlived) {
        const why = detach ? 'Ctrl+B' : `still running after ${formatDuration(threshold)}`;
        process.stderr.write(`\ncorral: moved to the background (${why}): ${task.id}; read it with: corral logs ${task.id} --new\n`);
        if (ctx.json) printJson(await api.get(task.id));
        else process.stdout.write(`${task.id}\n`);
        return 0;
      }
      await sleep(50);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    if (raw) {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
  }
}
