/**
 * Durations as users write them: `500ms`, `5s`, `2m`, `1h`, `1h30m`, `30d`, or a bare number
 * of seconds (`10`, `0.5`). One parser for CLI flags, env files and MCP arguments.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

export class DurationError extends Error {}

/**
 * The longest duration taken: a million days (2,700 years). More is a typo, and a deadline
 * that far on would not be a date (a JS date ends 100 million days after 1970).
 */
export const MAX_DURATION_MS = 1_000_000 * UNIT_MS.d!;

/**
 * A duration in ms. The message of a refusal names the value, not the field: each caller
 * puts the field first, in its own words (`--grace: "soon" is not a duration: ...`).
 */
export function parseDuration(value: string | number): number {
  const ms = typeof value === 'number' ? secondsToMs(value) : textToMs(value);
  if (ms > MAX_DURATION_MS) throw new DurationError(`${typeof value === 'number' ? value : `"${value}"`} is too long a duration: at most 1000000d`);
  return ms;
}

function secondsToMs(value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new DurationError(`${value} is not a duration: write a non-negative number of seconds`);
  return Math.round(value * 1000);
}

function textToMs(value: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  let total = 0;
  let at = 0;
  PART.lastIndex = 0;
  while (at < text.length) {
    PART.lastIndex = at;
    const m = PART.exec(text);
    if (!m) break;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = PART.lastIndex;
  }
  if (text.length === 0 || at !== text.length) throw new DurationError(`"${value}" is not a duration: write it like 500ms, 5s, 2m or 1h`);
  return Math.round(total);
}

/** The short human form of a duration, the one every front end shows: `850ms`, `5s`, `2m13s`, `3h04m`, `30d00h`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  // Under 10 s a tenth matters (a restart "in 1.9s" is not "in 1s").
  if (s < 10 && ms % 1000 >= 100) return `${Math.floor(ms / 100) / 10}s`;
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}
