import { describe, expect, it } from 'vitest';
import { marksOf } from '../../web/src/lib/marks.js';

describe('chart marks', () => {
  it('marks restarts, ends and alerts at their second, and nothing else', () => {
    const marks = marksOf([
      { at: '2026-01-01T00:00:01.000Z', type: 'state', status: 'running' },
      { at: '2026-01-01T00:00:02.500Z', type: 'state', status: 'restarting', reason: 'exit 1' },
      { at: '2026-01-01T00:00:03.000Z', type: 'health', status: undefined },
      { at: '2026-01-01T00:00:04.000Z', type: 'alert', line: 'ERROR disk full' },
      { at: '2026-01-01T00:00:05.000Z', type: 'state', status: 'killed', reason: null },
      { at: 'not a time', type: 'alert', line: 'x' },
    ]);
    const base = Date.parse('2026-01-01T00:00:00Z') / 1000;
    expect(marks.map((m) => [m.t - base, m.kind, m.text])).toEqual([
      [2.5, 'restart', 'restarting: exit 1'],
      [4, 'alert', 'ERROR disk full'],
      [5, 'restart', 'killed'],
    ]);
  });
});
