import { describe, expect, it } from 'vitest';
import { parseTimePoint, TimePointError } from './time-point.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');

describe('parseTimePoint', () => {
  it('reads a duration as that long before now', () => {
    expect(parseTimePoint('10m', NOW)).toBe(NOW - 600_000);
    expect(parseTimePoint('90', NOW)).toBe(NOW - 90_000);
    expect(parseTimePoint('1h30m', NOW)).toBe(NOW - 5_400_000);
  });

  it('reads a date and time, local unless it names a zone', () => {
    expect(parseTimePoint('2026-12-01T10:00:00Z', NOW)).toBe(Date.parse('2026-12-01T10:00:00Z'));
    expect(parseTimePoint('2026-12-01T10:00', NOW)).toBe(new Date(2026, 11, 1, 10, 0).getTime());
    expect(parseTimePoint('2026-12-01 10:00:30', NOW)).toBe(new Date(2026, 11, 1, 10, 0, 30).getTime());
    expect(parseTimePoint('2026-12-01T10:00+01:00', NOW)).toBe(Date.parse('2026-12-01T09:00:00Z'));
  });

  it.each(['yesterday', 'May 5', '10 minutes', '2026-13-01T10:00', ''])('refuses %j with one sentence', (text) => {
    expect(() => parseTimePoint(text, NOW)).toThrow(TimePointError);
    expect(() => parseTimePoint(text, NOW)).toThrow(`"${text}" is not a time: write a duration back from now (10m, 2h) or a date and time (2026-12-01T10:00)`);
  });
});
