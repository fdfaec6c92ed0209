/** Commands that change tasks: wait, kill, restart, rm, prune. */
import type { TaskView, WaitFrom } from '../../api.js';
import { normalizeKill } from '../../config/control.js';
import { normalizeWait } from '../../config/wait.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';
import { exitText, taskLabel } from '../../text.js';
import { waitVerdictText } from '../../wait-text.js';

const describe = (t: TaskView) => `${taskLabel(t)} ${t.status}${t.reason ? `: ${t.reason}` : ''}`;

export async function wait(ctx: Context, ref: string, flags: { until?: string; timeout?: string; from?: WaitFrom }): Promise<number> {
  normalizeWait(flags.until, flags.timeout);
  const result = await (await ctx.api()).wait(ref, flags.until ?? 'exit', flags.timeout, flags.from !== undefined ? { from: flags.from } : {});
  if (ctx.json) printJson(result);
  else {
    const { headline, details } = waitVerdictText(result);
    const text = [headline, ...details].join('\n');
    if (result.timedOut) process.stderr.write(`corral: ${text}\n`);
    else process.stdout.write(`${text}\n`);
  }
  return result.reached ? 0 : 1;
}

export async function kill(ctx: Context, refs: string[], flags: { all?: boolean; signal?: string; grace?: string; port?: number }): Promise<number> {
  const stopped =
    flags.port !== undefined
      ? await (await import('./ports.js')).killPort(ctx, refs, { ...flags, port: flags.port })
      : await stopTasks(ctx, refs, flags);
  if (ctx.json) printJson(stopped);
  else if (stopped.length === 0) process.stdout.write('no running tasks\n');
  else for (const t of stopped) process.stdout.write(`${describe(t)}\n`);
  return 0;
}

async function stopTasks(ctx: Context, refs: string[], flags: { all?: boolean; signal?: string; grace?: string }): Promise<TaskView[]> {
  normalizeKill({ refs, ...flags });
  return (await ctx.api()).kill({
    ...(flags.all ? { all: true } : { refs }),
    ...(flags.signal !== undefined ? { signal: flags.signal } : {}),
    ...(flags.grace !== undefined ? { grace: flags.grace } : {}),
  });
}

export async function restart(ctx: Context, ref: string): Promise<number> {
  const t = await (await ctx.api()).restart(ref);
  if (ctx.json) printJson(t);
  else process.stdout.write(`${describe(t)}\n`);
  return 0;
}

export async function send(ctx: Context, ref: string, text: string | undefined, flags: { eof?: boolean }): Promise<number> {
  const r = await (await ctx.api()).send({ ref, ...(text !== undefined ? { text } : {}), ...(flags.eof ? { eof: true } : {}) });
  if (ctx.json) printJson(r);
  else process.stdout.write(`${r.task.id}: ${r.bytes} bytes sent${r.eof ? ', input ended' : ''}\n`);
  return 0;
}

export async function remove(ctx: Context, refs: string[]): Promise<number> {
  const api = await ctx.api();
  const removed = await api.remove(refs);
  if (ctx.json) printJson(removed);
  else for (const t of removed) process.stdout.write(`removed ${t.id} (${t.status}, exit ${exitText(t)})\n`);
  return 0;
}

export async function prune(ctx: Context, flags: { olderThan?: string } = {}): Promise<number> {
  const removed = await (await ctx.api()).prune(flags.olderThan !== undefined ? { olderThan: flags.olderThan } : {});
  if (ctx.json) printJson(removed);
  else process.stdout.write(removed.length === 0 ? 'nothing to prune\n' : `removed ${removed.map((t) => t.id).join(' ')}\n`);
  return 0;
}
