import { describe, expect, it } from 'vitest';
import { userRegExp } from './pattern.js';

describe('userRegExp', () => {
  it('takes a leading (?i) as case-insensitive, and everything else as JavaScript reads it', () => {
    expect(userRegExp('(?i)error').test('ERROR: boom')).toBe(true);
    expect(userRegExp('error').test('ERROR: boom')).toBe(false);
    expect(() => userRegExp('a(?i)b')).toThrow(SyntaxError); // only a leading one is a flag
    expect(() => userRegExp('(unclosed')).toThrow(SyntaxError);
  });
});
