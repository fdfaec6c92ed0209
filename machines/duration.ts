/**
 * Durations as users write them: `500ms`, `5s`, `2m`, `1h`, `1h30m`, or a bare number
 * of seconds (`10`, `0.5`). One parser for CLI flags, env files and MCP arguments.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

export class DurationError extends Error {}

export function parseDuration(value: string | number, what = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new DurationError(`${what} must be a non-negative number of seconds, got ${value}`);
    return Math.round(value * 1000);
  }
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
  if (text.length === 0 || at !== text.length) {
    throw new DurationError(`${what} "${value}" is not a duration: write it like 500ms, 5s, 2m or 1h`);
  }
  return Math.round(total);
}

/** The short human form of a duration: `850ms`, `5s`, `2m13s`, `3h04m`. */
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
