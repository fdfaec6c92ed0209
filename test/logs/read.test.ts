import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filterLines, readSlice, utf8Boundary } from '../../src/logs/read.js';

const dir = mkdtempSync(join(tmpdir(), 'corral-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('readSlice', () => {
  it('pages through multi-byte text in every page size without splitting a character', () => {
    const text = 'aé€😀b'.repeat(50);
    const path = file('utf8.log', text);
    for (let size = 4; size <= 13; size++) {
      let from = 0;
      let out = '';
      for (;;) {
        const s = readSlice(path, { from, maxBytes: size });
        const decoded = s.bytes.toString('utf8');
        expect(decoded).not.toContain('\uFFFD');
        out += decoded;
        if (s.omitted === 0) break;
        expect(s.next).toBeGreaterThan(from);
        from = s.next;
      }
      expect(out).toBe(text);
    }
  });

  it('reads a missing file as empty and clamps an offset past the end', () => {
    expect(readSlice(join(dir, 'none.log'), { maxBytes: 10 })).toMatchObject({ from: 0, next: 0, size: 0, omitted: 0 });
    const path = file('short.log', 'abc');
    expect(readSlice(path, { from: 99, maxBytes: 10 })).toMatchObject({ from: 3, next: 3, size: 3 });
  });

  it('tails the last lines, with or without a final newline, across chunk boundaries', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'y'.repeat(i % 40)}`);
    const path = file('tail.log', lines.join('\n') + '\n');
    const s = readSlice(path, { tail: 3, maxBytes: 1 << 20 });
    expect(s.bytes.toString()).toBe(lines.slice(-3).join('\n') + '\n');
    const big = readSlice(path, { tail: 4000, maxBytes: 1 << 20 });
    expect(big.bytes.toString()).toBe(lines.slice(-4000).join('\n') + '\n');
    const noNewline = file('tail2.log', 'a\nb\nc');
    expect(readSlice(noNewline, { tail: 2, maxBytes: 100 }).bytes.toString()).toBe('b\nc');
    expect(readSlice(noNewline, { tail: 10, maxBytes: 100 }).bytes.toString()).toBe('a\nb\nc');
    expect(readSlice(noNewline, { tail: 0, maxBytes: 100 }).bytes.toString()).toBe('');
  });

  it('bounds a tail by maxBytes and reports what it left out before', () => {
    const path = file('tailcap.log', '0123456789\n'.repeat(10));
    const s = readSlice(path, { tail: 5, maxBytes: 20 });
    expect(s.bytes.length).toBe(20);
    expect(s.omitted).toBe(55 - 20);
    expect(s.next).toBe(110);
  });
});

describe('utf8Boundary', () => {
  it('steps back to the start of a cut character', () => {
    const b = Buffer.from('a😀');
    expect([1, 2, 3, 4, 5].map((n) => utf8Boundary(b, n))).toEqual([1, 1, 1, 1, 5]);
  });
});

describe('filterLines', () => {
  it('keeps matching lines and their newlines', () => {
    expect(filterLines('error 1\nok\nwarn 2\n', /error|warn/)).toBe('error 1\nwarn 2\n');
    expect(filterLines('ok\nerror', /error/)).toBe('error');
    expect(filterLines('ok\n', /error/)).toBe('');
    expect(filterLines('a\nb\n', /./g)).toBe('a\nb\n');
  });
});
