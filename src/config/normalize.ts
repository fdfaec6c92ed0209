/**
 * THE entry for task options: whatever a front end gathered (CLI flags, MCP arguments,
 * later env files) becomes a validated TaskSpec here, with one clear error when not.
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULTS } from '../../machines/defaults.js';
import { DurationError, parseDuration } from '../../machines/duration.js';
import { defaultRestartPolicy, restartPolicySchema } from '../../machines/policies/restart.js';
import { normalizeSignal, SignalError } from '../../machines/signals.js';
import type { TaskSpec } from '../../machines/task.types.js';
import type { RunInput } from '../api.js';
import { usageError } from '../errors.js';
import { zodToUsage } from './errors.js';

/** Names address tasks on the command line: keep them short and unambiguous. */
export const TASK_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

const runInputSchema = z.object({
  command: z.string().trim().min(1, 'the command is empty'),
  cwd: z.string().optional(),
  baseEnv: z.record(z.string(), z.string()).optional(),
  env: z.record(z.string().regex(/^[^=\0]+$/, 'a variable name has no "=" in it'), z.string()).optional(),
  name: z
    .string()
    .regex(TASK_NAME, 'a name starts with a letter and has only letters, digits, ".", "_" and "-" (at most 64)')
    .refine((n) => !/^bash_\d+$/.test(n), 'a name cannot look like a task id (bash_N)')
    .optional(),
  restart: restartPolicySchema.optional(),
  maxRestarts: z.number().int().min(0).optional(),
  stopSignal: z.string().optional(),
  grace: z.union([z.string(), z.number()]).optional(),
});

export interface NormalizedRun {
  spec: TaskSpec;
  name: string | null;
}

function wrap<T>(fn: () => T, flag: string): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof DurationError || error instanceof SignalError) throw usageError(`${flag}: ${error.message}`);
    throw error;
  }
}

export function normalizeRun(raw: RunInput, baseCwd = process.cwd()): NormalizedRun {
  const parsed = runInputSchema.safeParse(raw);
  if (!parsed.success) throw zodToUsage(parsed.error, 'invalid task option');
  const input = parsed.data;
  const cwd = input.cwd ? (isAbsolute(input.cwd) ? input.cwd : resolve(baseCwd, input.cwd)) : baseCwd;
  let isDir = false;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw usageError(`--cwd: ${cwd} is not a folder`);
  const env: Record<string, string> = { ...(input.baseEnv ?? (process.env as Record<string, string>)), ...(input.env ?? {}) };
  // A task started from inside another task is not part of that task's tree.
  delete env.CORRAL_TASK;
  delete env.CORRAL_TASK_TOKEN;
  const restart = defaultRestartPolicy({
    ...(input.restart ? { policy: input.restart } : {}),
    ...(input.maxRestarts !== undefined ? { maxRestarts: input.maxRestarts } : {}),
  });
  return {
    name: input.name ?? null,
    spec: {
      command: input.command,
      cwd,
      env,
      stopSignal: wrap(() => normalizeSignal(input.stopSignal ?? DEFAULTS.stopSignal), '--stop-signal'),
      graceMs: wrap(() => (input.grace === undefined ? DEFAULTS.graceMs : parseDuration(input.grace, 'grace')), '--grace'),
      restart,
    },
  };
}

export function normalizeTimeout(value: string | number | undefined, fallbackMs: number, flag = '--timeout'): number {
  return value === undefined ? fallbackMs : wrap(() => parseDuration(value, 'timeout'), flag);
}

export function normalizeSignalOption(value: string | undefined, flag = '--signal'): string | undefined {
  return value === undefined ? undefined : wrap(() => normalizeSignal(value), flag);
}

export function compileFilter(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw usageError(`--filter: "${pattern}" is not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`);
  }
}
