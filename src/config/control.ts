/**
 * THE checks of the options that control tasks — durations, signals, what to kill, what
 * to wait for — shared by the supervisor and the front ends that check before they ask.
 * Light: no schema library, so the CLI and the MCP server load it at no cost.
 */
import { DurationError, parseDuration } from '../../machines/duration.js';
import { normalizeSignal, SignalError } from '../../machines/signals.js';
import type { KillInput } from '../api.js';
import { field, usageError } from '../errors.js';

/** A duration option (`"5s"`, `"2m"`, or seconds as a number), in milliseconds. */
export function durationOption(value: string | number, key: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    if (error instanceof DurationError) throw usageError(`${field(key)}: ${error.message}`);
    throw error;
  }
}

/** A duration option that may be left out, with its default. */
export function normalizeTimeout(value: string | number | undefined, fallbackMs: number, key = 'timeout'): number {
  return value === undefined ? fallbackMs : durationOption(value, key);
}

export function normalizeSignalOption(value: string | undefined, key = 'signal'): string | undefined {
  if (value === undefined) return undefined;
  try {
    return normalizeSignal(value);
  } catch (error) {
    if (error instanceof SignalError) throw usageError(`${field(key)}: ${error.message}`);
    throw error;
  }
}

export interface NormalizedStop {
  signal: string | undefined;
  graceMs: number | undefined;
}

/** The signal and grace of a stop (`kill`, `down`, `background_kill`). */
export function normalizeStop(input: { signal?: string; grace?: string | number }): NormalizedStop {
  return {
    signal: normalizeSignalOption(input.signal),
    graceMs: input.grace === undefined ? undefined : durationOption(input.grace, 'grace'),
  };
}

/** `kill`: ids or all, never both nor neither, and how to stop them. */
export function normalizeKill(input: KillInput): NormalizedStop & { refs: string[]; all: boolean } {
  const refs = input.refs ?? [];
  if (input.all && refs.length > 0) throw usageError(`give task ids or ${field('all')}, not both`);
  if (!input.all && refs.length === 0) throw usageError(`kill needs a task id or name, or ${field('all')}`);
  return { ...normalizeStop(input), refs, all: input.all === true };
}
