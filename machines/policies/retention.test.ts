import { describe, expect, it } from 'vitest';
import type { TaskRecord, TaskStatus } from '../task.types.js';
import { endedBefore, retentionVictims } from './retention.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const DAY = 86_400_000;

function task(id: string, status: TaskStatus, endedDaysAgo: number | null): TaskRecord {
  const at = (days: number) => new Date(NOW - days * DAY).toISOString();
  return { id, status, createdAt: at(30), endedAt: endedDaysAgo === null ? null : at(endedDaysAgo) } as TaskRecord;
}

const ids = (tasks: TaskRecord[]) => tasks.map((t) => t.id).sort();

describe('retention', () => {
  const tasks = [task('old', 'completed', 10), task('older', 'failed', 20), task('new', 'killed', 1), task('runs', 'running', null), task('held', 'completed', 15)];
  const live = (id: string) => id === 'held';

  it('removes ended tasks past the age, never a running one nor one held live', () => {
    expect(ids(retentionVictims(tasks, NOW, { maxEnded: null, maxAgeMs: 7 * DAY }, live))).toEqual(['old', 'older']);
  });

  it('keeps the newest ended tasks up to the count', () => {
    expect(ids(retentionVictims(tasks, NOW, { maxEnded: 1, maxAgeMs: null }, live))).toEqual(['old', 'older']);
    expect(ids(retentionVictims(tasks, NOW, { maxEnded: 2, maxAgeMs: null }, live))).toEqual(['older']);
    expect(ids(retentionVictims(tasks, NOW, { maxEnded: 0, maxAgeMs: null }, () => false))).toEqual(['held', 'new', 'old', 'older']);
  });

  it('removes nothing with neither bound', () => {
    expect(retentionVictims(tasks, NOW, { maxEnded: null, maxAgeMs: null }, live)).toEqual([]);
  });

  it('prunes those that ended before a time', () => {
    expect(ids(endedBefore(tasks, NOW - 7 * DAY, live))).toEqual(['old', 'older']);
    expect(ids(endedBefore(tasks, NOW, () => false))).toEqual(['held', 'new', 'old', 'older']);
  });
});
