/**
 * A point in time as `logs --since/--until` take it: a duration back from now (`10m`,
 * `90s`, `2h`), or a date and time (`2026-12-01T10:00`, local time unless it names a zone,
 * `2026-12-01T10:00:00Z`).
 */
import { DurationError, parseDuration } from './duration.js';

export class TimePointError extends Error {}

export function parseTimePoint(text: string, now: number): number {
  try {
    return now - parseDuration(text);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
  }
  // Only what looks like a date: Date.parse also takes words like "1" or "May 5".
  const at = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim().replace(' ', 'T')) : NaN;
  if (Number.isNaN(at)) throw new TimePointError(`"${text}" is not a time: write a duration back from now (10m, 2h) or a date and time (2026-12-01T10:00)`);
  return at;
}
