import { describe, expect, it } from 'vitest';
import { counted } from './counted.js';

describe('counted', () => {
  it('agrees in number: one is singular, zero and more are plural', () => {
    expect(counted(1, 'task')).toBe('1 task');
    expect(counted(0, 'task')).toBe('0 tasks');
    expect(counted(2, 'task')).toBe('2 tasks');
    expect(counted(2, 'process', 'processes')).toBe('2 processes');
  });
});
