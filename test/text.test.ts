/**
 * Durations as the front ends show them (src/text.ts and what uses it): one formatter,
 * whatever the size, so a limit or a countdown reads the same in ls, status, the UI and
 * the reasons (`30d00h`, never `2592000s`).
 */
import { describe, expect, it } from 'vitest';
import { restartCountdown } from '../src/text.js';
import { restartSuffix } from '../src/ui/format.js';
import { task } from './ui/fake.js';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const restartingIn = (ms: number) => task('bash_1', { status: 'restarting', restarts: 2, restartAt: new Date(NOW + ms).toISOString() });

describe('restartCountdown', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [-5_000, '0s'],
    [1, '1s'], // rounded up: it has not started again yet
    [3_200, '4s'],
    [59_000, '59s'],
    [130_000, '2m10s'],
    [2 * 3_600_000, '2h00m'],
    [30 * 86_400_000, '30d00h'],
  ])('%i ms ahead → %s', (ms, text) => {
    expect(restartCountdown(restartingIn(ms), NOW)).toBe(text);
  });

  it('is null for a task that is not waiting to restart', () => {
    expect(restartCountdown(task('bash_1', { status: 'running' }), NOW)).toBeNull();
    expect(restartCountdown(task('bash_1', { status: 'restarting', restartAt: null }), NOW)).toBeNull();
  });

  it("is the UI's countdown too", () => {
    expect(restartSuffix(restartingIn(30 * 86_400_000), NOW)).toBe('(in 30d00h, 2 restarts)');
    expect(restartSuffix(restartingIn(4_000), NOW)).toBe('(in 4s, 2 restarts)');
  });
});
