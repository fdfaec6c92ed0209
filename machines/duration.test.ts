/**
 * Durations as users write them, and their short human form.
 */
import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each<[string | number, number]>([
    ['500ms', 500],
    ['5s', 5_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['2m30s', 150_000],
    ['1h30m15s500ms', 5_415_500],
    ['1m5s', 65_000], // `m` followed by a number, not `ms`
    ['1ms', 1],
    ['1.5s', 1_500],
    ['0.25m', 15_000],
    ['0s', 0],
    ['10', 10_000], // a bare number is seconds
    ['0.5', 500],
    ['0', 0],
    ['  5s  ', 5_000], // surrounding space is trimmed
    ['1.0004s', 1_000], // rounded to whole ms
    [0.5, 500],
    [0, 0],
    [10, 10_000],
    [0.0014, 1],
  ])('%j → %i ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(['', '   ', '5x', '-1', '5 s', 's', 'ms', '5s5', '1h 30m', '5sec', '.5', '1,5s', 'five'])(
    'rejects %j with the exact message',
    (text) => {
      expect(() => parseDuration(text)).toThrow(DurationError);
      expect(() => parseDuration(text)).toThrow(new Error(`"${text}" is not a duration: write it like 500ms, 5s, 2m or 1h`));
    },
  );

  it.each([-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'rejects the number %s with the exact message',
    (n) => {
      expect(() => parseDuration(n)).toThrow(DurationError);
      expect(() => parseDuration(n)).toThrow(new Error(`${n} is not a duration: write a non-negative number of seconds`));
    },
  );

  it('names the value, never a field: each caller puts its field first', () => {
    expect(() => parseDuration('5x')).toThrow(new Error('"5x" is not a duration: write it like 500ms, 5s, 2m or 1h'));
    expect(() => parseDuration(-2)).toThrow(new Error('-2 is not a duration: write a non-negative number of seconds'));
  });

  it('takes durations of days, months and years, up to a million days', () => {
    expect(parseDuration('30d')).toBe(2_592_000_000);
    expect(parseDuration('365d')).toBe(31_536_000_000);
    expect(parseDuration('1000000d')).toBe(MAX_DURATION_MS);
    expect(parseDuration(MAX_DURATION_MS / 1000)).toBe(MAX_DURATION_MS);
    expect(MAX_DURATION_MS).toBe(86_400_000_000_000);
    // A deadline that far on is still a date.
    expect(() => new Date(Date.now() + MAX_DURATION_MS).toISOString()).not.toThrow();
  });

  it.each<[string | number, string]>([
    ['1000001d', '"1000001d" is too long a duration: at most 1000000d'],
    ['99999999999999999999d', '"99999999999999999999d" is too long a duration: at most 1000000d'],
    ['86400000001', '"86400000001" is too long a duration: at most 1000000d'],
    [1e300, '1e+300 is too long a duration: at most 1000000d'],
  ])('refuses %j as too long', (value, message) => {
    expect(() => parseDuration(value)).toThrow(DurationError);
    expect(() => parseDuration(value)).toThrow(new Error(message));
  });

  it('is an Error subclass that callers can tell apart', () => {
    let caught: unknown;
    try {
      parseDuration('nope');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DurationError);
    expect(caught).toBeInstanceOf(Error);
  });

  it('gives the same answer when called again after a failure (no state left in the regex)', () => {
    expect(() => parseDuration('1h30x')).toThrow(DurationError);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2m')).toBe(120_000);
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0ms'],
    [1, '1ms'],
    [850, '850ms'],
    [999, '999ms'],
    [12.4, '12ms'],
    [1_000, '1s'],
    [1_099, '1s'],
    [1_100, '1.1s'],
    [1_999, '1.9s'],
    [5_000, '5s'],
    [9_950, '9.9s'],
    [10_900, '10s'],
    [59_999, '59s'],
    [60_000, '1m00s'],
    [133_000, '2m13s'],
    [3_599_999, '59m59s'],
    [3_600_000, '1h00m'],
    [11_040_000, '3h04m'],
    [47 * 3_600_000 + 59 * 60_000, '47h59m'],
    [48 * 3_600_000, '2d00h'],
    [50 * 3_600_000 + 30 * 60_000, '2d02h'],
    [10 * 86_400_000 + 23 * 3_600_000, '10d23h'],
    [30 * 86_400_000, '30d00h'],
    [1_000_000 * 86_400_000, '1000000d00h'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('reads back through parseDuration for whole units', () => {
    for (const ms of [500, 5_000, 133_000, 3_600_000, 11_040_000, 2 * 86_400_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
