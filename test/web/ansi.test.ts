import { describe, expect, it } from 'vitest';
import { parseAnsi, stripAnsi } from '../../web/src/lib/ansi.js';

describe('parseAnsi', () => {
  it('turns SGR colours into classes and resets them', () => {
    const { segments } = parseAnsi('a\x1b[1;31mred\x1b[0m b\x1b[92mgreen\x1b[39m c');
    expect(segments).toEqual([
      { text: 'a', cls: '' },
      { text: 'red', cls: 'fg-1 bold' },
      { text: ' b', cls: '' },
      { text: 'green', cls: 'fg-10' },
      { text: ' c', cls: '' },
    ]);
  });

  it('carries the state from one window to the next', () => {
    const first = parseAnsi('\x1b[44mblue');
    const second = parseAnsi(' still', first.state);
    expect(second.segments).toEqual([{ text: ' still', cls: 'bg-4' }]);
  });

  it('keeps the 16 colours of 256-colour codes and drops 24-bit ones without eating text', () => {
    expect(parseAnsi('\x1b[38;5;3mx').segments).toEqual([{ text: 'x', cls: 'fg-3' }]);
    expect(parseAnsi('\x1b[38;5;200mx').segments).toEqual([{ text: 'x', cls: '' }]);
    expect(parseAnsi('\x1b[38;2;1;2;3;1mx').segments).toEqual([{ text: 'x', cls: 'bold' }]);
  });

  it('drops cursor moves, OSC titles and private modes', () => {
    expect(stripAnsi('\x1b[2K\x1b]0;title\x07\x1b[?25lok\x1b[1A')).toBe('ok');
    expect(parseAnsi('\x1b[?25mok').segments).toEqual([{ text: 'ok', cls: '' }]);
  });

  it('treats an empty SGR as a reset', () => {
    expect(parseAnsi('\x1b[4mu\x1b[mplain').segments).toEqual([
      { text: 'u', cls: 'underline' },
      { text: 'plain', cls: '' },
    ]);
  });
});
