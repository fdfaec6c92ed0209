/** Log windows: whole lines, the end first, back and forth, pieces of long lines, a capped log's kept start. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeKept } from '../../src/logs/kept.js';
import { readWindow } from '../../src/logs/window.js';

let dir: string;
let log: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corral-window-'));
  log = join(dir, 'stdout.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${String(i).padStart(3, '0')}\n`).join('');

describe('readWindow', () => {
  it('ends at the end of the log and starts at a line start', () => {
    writeFileSync(log, lines(100)); // 9 bytes a line
    const w = readWindow(log, { maxBytes: 40 });
    expect(w).toMatchObject({ end: 900, size: 900, kept: 0, start: 864, text: 'line 096\nline 097\nline 098\nline 099\n' });
  });

  it('scrolls back with before= and forward with offset=, the windows meeting exactly', () => {
    writeFileSync(log, lines(100));
    const last = readWindow(log, { maxBytes: 40 });
    const back = readWindow(log, { maxBytes: 40, before: last.start });
    expect(back.end).toBe(last.start);
    expect(back.text).toBe('line 092\nline 093\nline 094\nline 095\n');
    const first = readWindow(log, { maxBytes: 40, offset: 0 });
    expect(first).toMatchObject({ start: 0, end: 36, text: 'line 000\nline 001\nline 002\nline 003\n' });
    const next = readWindow(log, { maxBytes: 40, offset: first.end });
    expect(next.start).toBe(36);
    expect(next.text.startsWith('line 004\n')).toBe(true);
    // Back to the start: the first window is the whole of what is left.
    expect(readWindow(log, { maxBytes: 40, before: 18 })).toMatchObject({ start: 0, end: 18, text: 'line 000\nline 001\n' });
  });

  it('keeps the line being written at the end of the log', () => {
    writeFileSync(log, 'done\nhalf a li');
    expect(readWindow(log, { maxBytes: 100 }).text).toBe('done\nhalf a li');
    expect(readWindow(log, { maxBytes: 100, offset: 5 }).text).toBe('half a li');
  });

  it('returns a line longer than the window in pieces, on character boundaries, so that scrolling moves on', () => {
    writeFileSync(log, `short\n${'é'.repeat(50)}\n`);
    const w = readWindow(log, { maxBytes: 11, offset: 6 });
    expect(w.end - w.start).toBeLessThanOrEqual(11);
    expect(w.end).toBeGreaterThan(w.start);
    expect(w.text).toBe('é'.repeat(5));
    const tail = readWindow(log, { maxBytes: 11 });
    expect(tail.end).toBe(tail.size);
    expect(tail.text).toMatch(/^é+\n$/);
  });

  it('does not read before the kept start of a capped log', () => {
    writeFileSync(log, lines(10));
    writeKept(log, 45);
    expect(readWindow(log, { maxBytes: 1000 })).toMatchObject({ start: 45, kept: 45, text: 'line 005\nline 006\nline 007\nline 008\nline 009\n' });
    expect(readWindow(log, { maxBytes: 1000, offset: 0 }).start).toBe(45);
  });

  it('with a filter, gives the matching lines of the window with their offsets', () => {
    writeFileSync(log, 'ok 1\nERROR one\nok 2\nERROR two\n');
    const w = readWindow(log, { maxBytes: 1000, filter: /ERROR/ });
    expect(w.lines).toEqual([
      { offset: 5, text: 'ERROR one' },
      { offset: 20, text: 'ERROR two' },
    ]);
    expect(w.text).toBe('ERROR one\nERROR two\n');
    expect(w).toMatchObject({ start: 0, end: 30 });
  });

  it('reads a log not made yet as empty', () => {
    expect(readWindow(join(dir, 'none.log'), { maxBytes: 10 })).toMatchObject({ start: 0, end: 0, size: 0, text: '' });
  });
});
