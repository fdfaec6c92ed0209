/**
 * Resource limits and priorities of a task: parsing (`500M`, `idle:7`), and the pure
 * decision of whether a sample breaks a limit.
 */
import { parseDuration } from '../duration.js';

export interface Limits {
  /** Tree RSS above this → the task is stopped (and restarted when its policy allows). */
  memoryBytes: number | null;
  /** Longest run time. */
  timeoutMs: number | null;
  /** No output for this long → an alert, or a stop with idleAction 'stop'. */
  idleMs: number | null;
  idleAction: 'alert' | 'stop';
}

export interface IoPriority {
  class: 'idle' | 'best-effort' | 'realtime';
  level: number | null;
}

export const NO_LIMITS: Limits = { memoryBytes: null, timeoutMs: null, idleMs: null, idleAction: 'alert' };

export class LimitError extends Error {}

const UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, KB: 1024, M: 1024 ** 2, MB: 1024 ** 2, G: 1024 ** 3, GB: 1024 ** 3 };

/** `500M`, `1.5G`, `800MB`, `1048576`. */
export function parseBytes(text: string | number): number {
  if (typeof text === 'number' && Number.isFinite(text) && text > 0) return Math.round(text);
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?B?)$/i.exec(String(text).trim());
  const unit = m ? UNITS[m[2]!.toUpperCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) throw new LimitError(`"${text}" is not a size: write it like 500M or 2G`);
  return Math.round(Number(m[1]) * unit);
}

/** A memory limit: a size, and at least 1 MiB (`--max-memory 10` is 10 bytes, which no program fits in). */
export function parseMemoryLimit(text: string | number): number {
  const bytes = parseBytes(text);
  if (bytes < 1024 * 1024) throw new LimitError(`"${text}" is ${bytes} bytes, too little for any program: write it with a unit, like 500M`);
  return bytes;
}

/**
 * A log cap: a size of at least 1 MiB (the head is released in steps of a sixteenth of
 * the cap, so a smaller one would trim on nearly every write), or `off` (0) for no cap.
 */
export function parseLogCap(text: string | number): number {
  if (typeof text === 'string' && text.trim().toLowerCase() === 'off') return 0;
  const bytes = parseBytes(text);
  if (bytes < 1024 * 1024) throw new LimitError(`"${text}" is ${bytes} bytes, too small for a log cap: write at least 1M, or off for no cap`);
  return bytes;
}

/** A run-time or idle limit: a duration, and not 0, which would stop the task as it starts. */
export function parseLimitDuration(value: string | number, what: 'timeout' | 'idle'): number {
  return checkLimitDuration(parseDuration(value), what);
}

/** The same check of a limit already in milliseconds (an env file's, parsed as a duration first). */
export function checkLimitDuration(ms: number, what: 'timeout' | 'idle'): number {
  if (ms === 0) throw new LimitError(`${what === 'idle' ? 'an idle limit' : 'a timeout'} of 0 would stop the task at once: leave it out for no limit`);
  return ms;
}

export function parseNice(value: string | number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < -20 || n > 19) throw new LimitError(`"${value}" is not a nice level: a whole number from -20 to 19`);
  return n;
}

/** `idle`, `best-effort`, `best-effort:4`, `realtime:0`. */
export function parseIonice(value: string): IoPriority {
  const m = /^(idle|best-effort|realtime)(?::([0-7]))?$/.exec(value.trim());
  if (!m) throw new LimitError(`"${value}" is not an I/O class: idle, best-effort[:0-7] or realtime[:0-7]`);
  if (m[1] === 'idle' && m[2] !== undefined) throw new LimitError('the idle I/O class has no level');
  return { class: m[1] as IoPriority['class'], level: m[2] === undefined ? null : Number(m[2]) };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** The reason a memory sample breaks the limit, or null. */
export function memoryBreach(limits: Limits, rssBytes: number): string | null {
  if (limits.memoryBytes === null || rssBytes <= limits.memoryBytes) return null;
  return `memory ${formatBytes(rssBytes)} over limit ${formatBytes(limits.memoryBytes)}`;
}
