/**
 * Option values as the command table declares them (`value: 'count'`): each kind is
 * parsed here, once, for both parsers, before the command runs. Durations and sizes the
 * daemon takes go on as written: its normalisers check them with everyone else's.
 */
import { DurationError, parseDuration } from '../../machines/duration.js';
import { usageError } from '../errors.js';
import { parseFlags, type OptionSpec } from './spec.js';

export type ValueKind =
  /** A whole number, 0 or more: `--tail 20`. */
  | 'count'
  /** A whole number, possibly negative: `--nice -5`. */
  | 'integer'
  /** Exit codes, comma-separated: `--success-exit-codes 0,3`. */
  | 'exit-codes'
  /** `NAME=value` (repeatable): `--env PORT=4000`. */
  | 'env-pair'
  /** A duration in milliseconds, for what the CLI times itself: `--for 30s`. */
  | 'duration';

const PARSERS: Record<ValueKind, (text: string, flag: string) => unknown> = {
  count: (text, flag) => {
    if (!/^\d+$/.test(text)) throw usageError(`${flag}: "${text}" is not a whole number`);
    return Number(text);
  },
  integer: (text, flag) => {
    if (!/^-?\d+$/.test(text)) throw usageError(`${flag}: "${text}" is not a whole number`);
    return Number(text);
  },
  'exit-codes': (text, flag) =>
    text.split(',').map((c) => {
      const code = c.trim();
      if (!/^\d+$/.test(code) || Number(code) > 255) throw usageError(`${flag}: "${code}" is not an exit code (0-255)`);
      return Number(code);
    }),
  'env-pair': (text, flag) => {
    const eq = text.indexOf('=');
    if (eq <= 0) throw usageError(`${flag}: "${text}" is not of the form NAME=value`);
    return [text.slice(0, eq), text.slice(eq + 1)];
  },
  duration: (text, flag) => {
    try {
      return parseDuration(text);
    } catch (error) {
      if (error instanceof DurationError) throw usageError(`${flag}: ${error.message}`);
      throw error;
    }
  },
};

/** The options of a call with every declared value parsed (a repeatable one as a list). */
export function parseOptionValues(specs: OptionSpec[], options: Record<string, unknown>): Record<string, unknown> {
  const parsed = { ...options };
  for (const spec of specs) {
    if (!spec.value) continue;
    const { key, long } = parseFlags(spec.flags);
    const raw = parsed[key];
    if (raw === undefined) continue;
    const parse = (text: unknown) => PARSERS[spec.value!](String(text), `--${long}`);
    parsed[key] = Array.isArray(raw) ? raw.map(parse) : parse(raw);
  }
  return parsed;
}
