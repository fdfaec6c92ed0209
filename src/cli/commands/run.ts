import { resolve } from 'node:path';
import { usageError } from '../../errors.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';
import { quoteWords } from '../../../machines/shell-words.js';
import { lastLinesText, notReadyText } from '../../text.js';

interface RunFlags {
  name?: string;
  cwd?: string;
  env?: string[];
  restart?: string;
  maxRestarts?: string;
  stopSignal?: string;
  grace?: string;
  waitHealthy?: boolean;
  waitTimeout?: string;
  health?: string[];
  backoff?: string;
  maxBackoff?: string;
  minUptime?: string;
  restartWindow?: string;
  successExitCodes?: string;
  nice?: string;
  ionice?: string;
  maxMemory?: string;
  timeout?: string;
  idle?: string;
  idleAction?: 'alert' | 'stop';
  alertOn?: string;
}

/** `run -- npm run dev` and `run -- "npm run dev"` mean the same shell command. */
export function commandFromWords(words: string[]): string {
  if (words.length === 0) throw usageError('run needs a command: corral run -- <command...>');
  return words.length === 1 ? words[0]! : quoteWords(words);
}

function parseEnvPairs(pairs: string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--env: "${pair}" is not of the form NAME=value`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function parseCount(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`${flag}: "${value}" is not a whole number`);
  return Number(value);
}

function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function signedNumber(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value)) throw usageError(`${flag}: "${value}" is not a whole number`);
  return Number(value);
}

function exitCodes(value: string): number[] {
  const codes = value.split(',').map((v) => v.trim());
  for (const c of codes) if (!/^\d+$/.test(c) || Number(c) > 255) throw usageError(`--success-exit-codes: "${c}" is not an exit code (0-255)`);
  return codes.map(Number);
}

export async function run(ctx: Context, words: string[], flags: RunFlags): Promise<number> {
  const command = commandFromWords(words);
  const env = parseEnvPairs(flags.env);
  const maxRestarts = parseCount(flags.maxRestarts, '--max-restarts');
  if (flags.waitTimeout !== undefined && !flags.waitHealthy) throw usageError('--wait-timeout bounds --wait-healthy: give --wait-healthy too');
  const api = await ctx.api();
  const task = await api.run({
    command,
    cwd: resolve(flags.cwd ?? '.'),
    baseEnv: process.env as Record<string, string>,
    env,
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.restart !== undefined ? { restart: flags.restart } : {}),
    ...(maxRestarts !== undefined ? { maxRestarts } : {}),
    ...(flags.stopSignal !== undefined ? { stopSignal: flags.stopSignal } : {}),
    ...(flags.grace !== undefined ? { grace: flags.grace } : {}),
    ...(flags.health !== undefined ? { health: flags.health } : {}),
    ...pick(flags, ['backoff', 'maxBackoff', 'minUptime', 'restartWindow', 'ionice', 'maxMemory', 'timeout', 'idle', 'idleAction', 'alertOn']),
    ...(flags.nice !== undefined ? { nice: signedNumber(flags.nice, '--nice') } : {}),
    ...(flags.successExitCodes !== undefined ? { successExitCodes: exitCodes(flags.successExitCodes) } : {}),
  });
  if (flags.waitHealthy) {
    const result = await api.wait(task.id, 'healthy', flags.waitTimeout);
    if (ctx.json) printJson(result.task);
    else process.stdout.write(`${task.id}\n`);
    if (!result.reached) {
      const when = result.timedOut ? `not ready after ${flags.waitTimeout ?? '5m'}` : 'ended';
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
