/**
 * Limits and priorities as pure functions: sizes and their units, the memory floor, limit
 * durations that may not be 0, nice and ionice ranges, how sizes are shown, and when a
 * memory sample breaks the limit.
 */
import { describe, expect, it } from 'vitest';
import { DurationError } from '../duration.js';
import {
  checkLimitDuration,
  formatBytes,
  LimitError,
  memoryBreach,
  NO_LIMITS,
  parseBytes,
  parseIonice,
  parseLimitDuration,
  parseLogCap,
  parseMemoryLimit,
  parseNice,
} from './limits.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** The message of the LimitError a parse throws. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(LimitError);
    return (error as Error).message;
  }
  throw new Error('expected a LimitError, nothing was thrown');
}

describe('NO_LIMITS', () => {
  it('limits nothing and only alerts when idle', () => {
    expect(NO_LIMITS).toEqual({ memoryBytes: null, timeoutMs: null, idleMs: null, idleAction: 'alert' });
  });
});

describe('parseBytes', () => {
  it.each<[string | number, number]>([
    ['1048576', MiB],
    ['1', 1],
    ['10B', 10],
    ['10b', 10],
    ['1K', KiB],
    ['1KB', KiB],
    ['2k', 2 * KiB],
    ['2kb', 2 * KiB],
    ['500M', 500 * MiB],
    ['800MB', 800 * MiB],
    ['800 MB', 800 * MiB],
    ['  64m  ', 64 * MiB],
    ['2G', 2 * GiB],
    ['2GB', 2 * GiB],
    ['1.5G', 1.5 * GiB],
    ['0.5K', 512],
    ['1.0001K', 1024], // 1024.1024, rounded
    [1_048_576, MiB],
    [1.4, 1],
    [1.5, 2],
  ])('%j → %i', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each<string | number>(['', 'abc', '500X', '1T', '1TB', 'M', '.5G', '-1', '-1M', '1e6', '0', '0M', '0.0G', '1 2M', 'MB500', 0, -5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses %j',
    (text) => {
      expect(refusal(() => parseBytes(text))).toBe(`"${text}" is not a size: write it like 500M or 2G`);
    },
  );
});

describe('parseLogCap', () => {
  it('takes a size of 1 MiB or more, and off for no cap', () => {
    expect(parseLogCap('200M')).toBe(200 * MiB);
    expect(parseLogCap(10 * MiB)).toBe(10 * MiB);
    expect(parseLogCap('off')).toBe(0);
    expect(parseLogCap(' OFF ')).toBe(0);
  });

  it('refuses a cap under 1 MiB, and what is not a size', () => {
    expect(refusal(() => parseLogCap('64K'))).toBe('"64K" is 65536 bytes, too small for a log cap: write at least 1M, or off for no cap');
    expect(refusal(() => parseLogCap('lots'))).toBe('"lots" is not a size: write it like 500M or 2G');
  });
});

describe('parseMemoryLimit', () => {
  it('takes 1 MiB and more, whatever the unit', () => {
    expect(parseMemoryLimit('1M')).toBe(MiB);
    expect(parseMemoryLimit('1024K')).toBe(MiB);
    expect(parseMemoryLimit(1_048_576)).toBe(MiB);
    expect(parseMemoryLimit('1048576')).toBe(MiB);
    expect(parseMemoryLimit('500M')).toBe(500 * MiB);
    expect(parseMemoryLimit('2G')).toBe(2 * GiB);
  });

  it.each<[string | number, number]>([
    ['10', 10],
    [10, 10],
    ['1048575', MiB - 1],
    ['1023K', 1023 * KiB],
    ['0.9M', 943_718],
    ['512B', 512],
  ])('refuses %j (%i bytes) as too little, suggesting a unit', (text, bytes) => {
    expect(refusal(() => parseMemoryLimit(text))).toBe(`"${text}" is ${bytes} bytes, too little for any program: write it with a unit, like 500M`);
  });

  it('refuses what is not a size with the size message', () => {
    expect(refusal(() => parseMemoryLimit('lots'))).toBe('"lots" is not a size: write it like 500M or 2G');
  });
});

describe('parseLimitDuration', () => {
  it('reads durations as parseDuration does: strings with units, bare numbers as seconds', () => {
    expect(parseLimitDuration('10m', 'timeout')).toBe(600_000);
    expect(parseLimitDuration('1h30m', 'timeout')).toBe(5_400_000);
    expect(parseLimitDuration('1ms', 'idle')).toBe(1);
    expect(parseLimitDuration('30', 'idle')).toBe(30_000);
    expect(parseLimitDuration(0.5, 'idle')).toBe(500);
  });

  it.each<string | number>(['0', '0s', '0ms', '0m0s', 0, '0.0001', 0.0004])('refuses a timeout of %j, naming the limit', (value) => {
    expect(refusal(() => parseLimitDuration(value, 'timeout'))).toBe('a timeout of 0 would stop the task at once: leave it out for no limit');
    expect(refusal(() => parseLimitDuration(value, 'idle'))).toBe('an idle limit of 0 would stop the task at once: leave it out for no limit');
  });

  it('lets a duration that is not one fail as parseDuration says, naming the value only (the caller names the field)', () => {
    expect(() => parseLimitDuration('soon', 'timeout')).toThrow(DurationError);
    expect(() => parseLimitDuration('soon', 'timeout')).toThrow(new Error('"soon" is not a duration: write it like 500ms, 5s, 2m or 1h'));
    expect(() => parseLimitDuration(-1, 'idle')).toThrow(new Error('-1 is not a duration: write a non-negative number of seconds'));
  });

  it('takes a limit of 30 days and more, up to the longest duration', () => {
    expect(parseLimitDuration('30d', 'timeout')).toBe(30 * 86_400_000);
    expect(parseLimitDuration('1000000d', 'idle')).toBe(1_000_000 * 86_400_000);
    expect(() => parseLimitDuration('1000001d', 'timeout')).toThrow(new Error('"1000001d" is too long a duration: at most 1000000d'));
  });

  it('checks a limit already in milliseconds without reading it again as seconds', () => {
    expect(checkLimitDuration(1_000_000 * 86_400_000, 'timeout')).toBe(1_000_000 * 86_400_000);
    expect(refusal(() => checkLimitDuration(0, 'idle'))).toBe('an idle limit of 0 would stop the task at once: leave it out for no limit');
  });
});

describe('parseNice', () => {
  it.each<[string | number, number]>([
    [-20, -20],
    [19, 19],
    [0, 0],
    ['-20', -20],
    ['19', 19],
    ['5', 5],
    [' 7 ', 7],
  ])('%j → %i', (value, level) => {
    expect(parseNice(value)).toBe(level);
  });

  it.each<string | number>([-21, 20, '20', '-21', 1.5, '2.5', 'high', Number.NaN, Number.POSITIVE_INFINITY])('refuses %j', (value) => {
    expect(refusal(() => parseNice(value))).toBe(`"${value}" is not a nice level: a whole number from -20 to 19`);
  });
});

describe('parseIonice', () => {
  it.each([
    ['idle', { class: 'idle', level: null }],
    ['best-effort', { class: 'best-effort', level: null }],
    ['best-effort:0', { class: 'best-effort', level: 0 }],
    ['best-effort:4', { class: 'best-effort', level: 4 }],
    ['best-effort:7', { class: 'best-effort', level: 7 }],
    ['realtime', { class: 'realtime', level: null }],
    ['realtime:0', { class: 'realtime', level: 0 }],
    ['realtime:7', { class: 'realtime', level: 7 }],
    ['  realtime:3 ', { class: 'realtime', level: 3 }],
  ])('%j → %j', (value, priority) => {
    expect(parseIonice(value)).toEqual(priority);
  });

  it.each(['', 'none', 'best-effort:8', 'realtime:-1', 'realtime:', 'best-effort:10', 'Idle', 'BEST-EFFORT', 'besteffort', 'rt:1', 'best-effort 4'])(
    'refuses %j',
    (value) => {
      expect(refusal(() => parseIonice(value))).toBe(`"${value}" is not an I/O class: idle, best-effort[:0-7] or realtime[:0-7]`);
    },
  );

  it('refuses a level on the idle class', () => {
    expect(refusal(() => parseIonice('idle:0'))).toBe('the idle I/O class has no level');
    expect(refusal(() => parseIonice('idle:7'))).toBe('the idle I/O class has no level');
  });
});

describe('formatBytes', () => {
  it.each<[number, string]>([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [KiB, '1 KB'],
    [1535, '1 KB'],
    [1536, '2 KB'],
    [500 * KiB, '500 KB'],
    [MiB, '1 MB'],
    [1.5 * MiB, '2 MB'],
    [500 * MiB, '500 MB'],
    [GiB, '1.0 GB'],
    [1.25 * GiB, '1.3 GB'],
    [2.5 * GiB, '2.5 GB'],
    [64 * GiB, '64.0 GB'],
  ])('%i → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('memoryBreach', () => {
  const limits = { ...NO_LIMITS, memoryBytes: 500 * MiB };

  it('is null at or under the limit', () => {
    expect(memoryBreach(limits, 0)).toBeNull();
    expect(memoryBreach(limits, 100 * MiB)).toBeNull();
    expect(memoryBreach(limits, 500 * MiB)).toBeNull();
  });

  it('names the sample and the limit one byte over it and beyond', () => {
    expect(memoryBreach(limits, 500 * MiB + 1)).toBe('memory 500 MB over limit 500 MB');
    expect(memoryBreach(limits, 600 * MiB)).toBe('memory 600 MB over limit 500 MB');
    expect(memoryBreach({ ...NO_LIMITS, memoryBytes: 2 * GiB }, 2.5 * GiB)).toBe('memory 2.5 GB over limit 2.0 GB');
  });

  it('is null without a memory limit, however large the sample', () => {
    expect(memoryBreach(NO_LIMITS, 64 * GiB)).toBeNull();
    expect(memoryBreach({ ...NO_LIMITS, timeoutMs: 1_000, idleMs: 1_000 }, 64 * GiB)).toBeNull();
  });
});
