import { describe, expect, it } from 'vitest';
import { append, fromWindow, hasNewer, hasOlder, prepend, splitWindow } from '../../web/src/lib/logwindow.js';

const w = (start: number, text: string, size: number, kept = 0) => ({ stream: 'stdout', start, end: start + Buffer.byteLength(text), size, kept, text });

describe('log windows', () => {
  it('gives every line its byte offset, multi-byte characters counted as bytes', () => {
    expect(splitWindow({ start: 10, text: 'é1\nb\n' })).toEqual({ lines: [{ offset: 10, text: 'é1' }, { offset: 14, text: 'b' }], openEnd: false });
    expect(splitWindow({ start: 0, text: 'a\npart' }).openEnd).toBe(true);
  });

  it('scrolls back: an older window goes before, and older/newer say what is left', () => {
    const last = fromWindow(w(100, 'c\nd\n', 104));
    expect(hasOlder(last)).toBe(true);
    expect(hasNewer(last)).toBe(false);
    const more = prepend(last, w(96, 'a\nb\n', 104), 100);
    expect(more.lines.map((l) => [l.offset, l.text])).toEqual([[96, 'a'], [98, 'b'], [100, 'c'], [102, 'd']]);
    expect(more.start).toBe(96);
  });

  it('reads on: the line being written is continued by what follows', () => {
    const view = fromWindow(w(0, 'a\nhal', 5));
    const next = append(view, w(5, 'f\nz\n', 9), 100);
    expect(next.lines).toEqual([{ offset: 0, text: 'a' }, { offset: 2, text: 'half' }, { offset: 7, text: 'z' }]);
    expect(next.openEnd).toBe(false);
    expect(next.end).toBe(9);
  });

  it('keeps at most maxLines, dropping the side the reader went away from', () => {
    const view = fromWindow(w(0, 'a\nb\n', 4));
    const on = append(view, w(4, 'c\nd\n', 8), 3);
    expect(on.lines.map((l) => l.text)).toEqual(['b', 'c', 'd']);
    expect(on.start).toBe(2);
    const back = prepend(fromWindow(w(4, 'c\nd\n', 8)), w(0, 'a\nb\n', 8), 3);
    expect(back.lines.map((l) => l.text)).toEqual(['a', 'b', 'c']);
    expect(back.end).toBe(6);
    expect(hasNewer(back)).toBe(true);
  });

  it('starts over when a window does not touch the view', () => {
    const view = fromWindow(w(0, 'a\n', 100));
    expect(append(view, w(50, 'x\n', 100), 10).start).toBe(50);
  });

  it('takes a filtered window’s matches as its lines', () => {
    const view = fromWindow({ stream: 'stdout', start: 0, end: 20, size: 20, text: 'err 1\n', lines: [{ offset: 8, text: 'err 1' }] });
    expect(view.lines).toEqual([{ offset: 8, text: 'err 1' }]);
  });
});
