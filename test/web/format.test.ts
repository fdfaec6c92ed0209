import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPercent, lastExit, uptime } from '../../web/src/lib/format.js';

describe('format', () => {
  it('durations', () => {
    expect(formatDuration(5_400)).toBe('5s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3_660_000)).toBe('1h01m');
    expect(formatDuration(90_000_000)).toBe('1d01h');
    expect(formatDuration(-1)).toBe('–');
  });

  it('bytes and percentages', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(formatBytes(null)).toBe('–');
    expect(formatPercent(3.14159)).toBe('3.1%');
    expect(formatPercent(42.6)).toBe('43%');
  });

  it('uptime only for a live run, and how a run ended', () => {
    expect(uptime('2026-01-01T00:00:00Z', null, Date.parse('2026-01-01T00:01:00Z'))).toBe('1m00s');
    expect(uptime('2026-01-01T00:00:00Z', '2026-01-01T00:00:30Z', 0)).toBe('–');
    expect(lastExit({ exitCode: 1, signal: null, reason: 'crashed' })).toBe('exit 1 · crashed');
    expect(lastExit({ exitCode: null, signal: 'SIGKILL', reason: null })).toBe('SIGKILL');
    expect(lastExit({ exitCode: null, signal: null, reason: null })).toBe('–');
    expect(lastExit({ exitCode: 0, signal: null, reason: 'exit 0' })).toBe('exit 0');
  });
});
