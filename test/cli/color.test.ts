import { describe, expect, it } from 'vitest';
import { colorWanted } from '../../src/color.js';

describe('colorWanted', () => {
  const tty = { isTTY: true };

  it('colours a terminal only', () => {
    expect(colorWanted(tty, {})).toBe(true);
    expect(colorWanted({ isTTY: false }, {})).toBe(false);
    expect(colorWanted({}, {})).toBe(false);
  });

  it('writes no colour with NO_COLOR set (an empty one does not count) or TERM=dumb', () => {
    expect(colorWanted(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorWanted(tty, { NO_COLOR: '' })).toBe(true);
    expect(colorWanted(tty, { TERM: 'dumb' })).toBe(false);
    expect(colorWanted(tty, { TERM: 'xterm-256color' })).toBe(true);
  });
});
