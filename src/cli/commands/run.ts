import { resolve } from 'node:path';
import { usageError } from '../../errors.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';

export interface RunFlags {
  name?: string;
  cwd?: string;
  env?: string[];
  restart?: string;
  maxRestarts?: string;
  stopSignal?: string;
  grace?: string;
  waitHealthy?: boolean;
  health?: string[];
  timeout?: string;
}

const SAFE_WORD = /^[A-Za-z0-9_\-.,:/@%+=]+$/;

/** One argument as the shell would need it written: bare when safe, single-quoted otherwise. */
export function shellQuote(word: string): string {
  return SAFE_WORD.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `run -- npm run dev` and `run -- "npm run dev"` mean the same shell command. */
export function commandFromWords(words: string[]): string {
  if (words.length === 0) throw usageError('run needs a command: corral run -- <command...>');
  return words.length === 1 ? words[0]! : words.map(shellQuote).join(' ');
}

export function parseEnvPairs(pairs: string[] = []): Record<string, string> {
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

export async function run(ctx: Context, words: string[], flags: RunFlags): Promise<number> {
  const command = commandFromWords(words);
  const env = parseEnvPairs(flags.env);
  const maxRestarts = parseCount(flags.maxRestarts, '--max-restarts');
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
  });
  if (flags.waitHealthy) {
    const result = await api.wait(task.id, 'healthy', flags.timeout);
    if (ctx.json) printJson(result.task);
    else process.stdout.write(`${task.id}\n`);
    if (!result.reached) {
      const why = result.timedOut ? `not ready after ${flags.timeout ?? 'the timeout'}` : `${result.task.status}: ${result.task.reason ?? ''}`;
      process.stderr.write(`corral: ${task.id} did not become ready (${why})\n`);
      return 1;
    }
    return 0;
  }
  if (ctx.json) printJson(task);
  else process.stdout.write(`${task.id}\n`);
  return 0;
}
