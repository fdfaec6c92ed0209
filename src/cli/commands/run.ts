import { resolve } from 'node:path';
import { DEFAULTS } from '../../../machines/defaults.js';
import { formatDuration } from '../../../machines/duration.js';
import { usageError } from '../../errors.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';
import { quoteWords } from '../../../machines/shell-words.js';
import { lastLinesText, notReadyText, reusedText } from '../../text.js';
import { ownership } from '../session.js';

interface RunFlags {
  name?: string;
  cwd?: string;
  env?: [string, string][];
  restart?: string;
  maxRestarts?: number;
  stopSignal?: string;
  grace?: string;
  waitHealthy?: boolean;
  /** Milliseconds. */
  waitTimeout?: number;
  health?: string[];
  backoff?: string;
  maxBackoff?: string;
  minUptime?: string;
  restartWindow?: string;
  successExitCodes?: number[];
  nice?: number;
  ionice?: string;
  maxMemory?: string;
  timeout?: string;
  idle?: string;
  idleAction?: 'alert' | 'stop';
  alertOn?: string;
  logMaxSize?: string;
  color?: boolean;
  session?: string;
  keep?: boolean;
  once?: boolean;
  watch?: string[];
  stdin?: boolean;
  every?: string;
  schedule?: string;
}

/** `run -- npm run dev` and `run -- "npm run dev"` mean the same shell command. */
export function commandFromWords(words: string[]): string {
  if (words.length === 0) throw usageError('run needs a command: corral run -- <command...>');
  return words.length === 1 ? words[0]! : quoteWords(words);
}

function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

export async function run(ctx: Context, words: string[], flags: RunFlags): Promise<number> {
  const command = commandFromWords(words);
  if (flags.waitTimeout !== undefined && !flags.waitHealthy) throw usageError('--wait-timeout bounds --wait-healthy: give --wait-healthy too');
  const api = await ctx.api();
  const task = await api.run({
    command,
    cwd: resolve(flags.cwd ?? '.'),
    baseEnv: process.env as Record<string, string>,
    env: Object.fromEntries(flags.env ?? []),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.restart !== undefined ? { restart: flags.restart } : {}),
    ...(flags.stopSignal !== undefined ? { stopSignal: flags.stopSignal } : {}),
    ...(flags.grace !== undefined ? { grace: flags.grace } : {}),
    ...(flags.health !== undefined ? { health: flags.health } : {}),
    ...ownership(flags),
    ...(flags.once ? { once: true } : {}),
    ...(flags.watch !== undefined ? { watch: flags.watch } : {}),
    ...(flags.stdin ? { stdin: true } : {}),
    ...pick(flags, ['maxRestarts', 'backoff', 'maxBackoff', 'minUptime', 'restartWindow', 'successExitCodes', 'nice', 'ionice', 'maxMemory', 'timeout', 'idle', 'idleAction', 'alertOn', 'logMaxSize', 'color', 'every', 'schedule']),
  });
  if (task.reused && !ctx.json) process.stderr.write(`corral: ${reusedText(task)}\n`);
  if (flags.waitHealthy) {
    const waitMs = flags.waitTimeout ?? DEFAULTS.waitTimeoutMs;
    const result = await api.wait(task.id, 'healthy', `${waitMs}ms`);
    if (ctx.json) printJson(task.reused ? { ...result.task, reused: true } : result.task);
    else process.stdout.write(`${task.id}\n`);
    if (!result.reached) {
      const when = result.timedOut ? `not ready after ${formatDuration(waitMs)}` : 'ended';
      process.stderr.write(`corral: ${task.id} did not become ready (${when}: ${notReadyText(result.task)})${lastLinesText(result.task, result.lastLines ?? [])}\n`);
      return 1;
    }
    return 0;
  }
  if (ctx.json) printJson(task);
  else process.stdout.write(`${task.id}\n`);
  // A program that could not be started (not found, not executable) is a failed call.
  if (task.status === 'failed' && task.startedAt === null) {
    if (!ctx.json) process.stderr.write(`corral: ${task.id} ${task.reason ?? 'could not start'}\n`);
    return 1;
  }
  return 0;
}
