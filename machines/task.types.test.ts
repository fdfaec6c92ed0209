import { describe, expect, it } from 'vitest';
import { isFinal, type TaskStatus } from './task.types.js';

describe('isFinal', () => {
  it('holds for the statuses a task does not leave by itself, and for no other', () => {
    const all: TaskStatus[] = ['queued', 'waiting', 'starting', 'running', 'stopping', 'restarting', 'completed', 'failed', 'killed'];
    expect(all.filter(isFinal)).toEqual(['completed', 'failed', 'killed']);
    expect(isFinal('no such status')).toBe(false);
  });
});
