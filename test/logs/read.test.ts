import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPage, readSlice, unfinishedUtf8, utf8Boundary } from '../../src/logs/read.js';

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

describe('readSlice at its limits', () => {
  it('returns a whole character when the page is smaller than it, so paging always moves on', () => {
    const path = file('emoji.log', '😀é😀');
    const pages: string[] = [];
    for (let from = 0, i = 0; i < 10; i++) {
      const s = readSlice(path, { from, maxBytes: 1 });
      pages.push(s.bytes.toString('utf8'));
      if (s.omitted === 0) break;
      from = s.next;
    }
    expect(pages).toEqual(['😀', 'é', '😀']);
  });

  it('counts what a tail left out from the start of a line longer than the page', () => {
    const long = 'x'.repeat(300_000);
    const path = file('longline.log', `first\n${long}\nlast\n`);
    const s = readSlice(path, { tail: 2, maxBytes: 1000 });
    expect(s.bytes.toString()).toBe(`${'x'.repeat(994)}\nlast\n`);
    expect(s.omitted).toBe(300_000 - 994);
    expect(s.from).toBe(6 + 300_000 - 994);
  });
});

describe('readPage', () => {
  it('holds back a line still being written when filtering, until its newline or the end', () => {
    const path = file('partial.log', 'line1\nan err');
    const first = readPage(path, { from: 0, maxBytes: 100, filter: /error/, growing: true });
    expect([first.bytes.toString(), first.next]).toEqual(['', 6]);
    const again = readPage(path, { from: 6, maxBytes: 100, filter: /error/, growing: true });
    expect([again.bytes.toString(), again.next]).toEqual(['', 6]);
    appendFileSync(path, 'or happened\nline3');
    const done = readPage(path, { from: 6, maxBytes: 100, filter: /error/, growing: true });
    expect([done.bytes.toString(), done.next]).toEqual(['an error happened\n', 24]);
    // Once the task has ended, its last line is complete without a newline.
    const ended = readPage(path, { from: 24, maxBytes: 100, filter: /line/, growing: false });
    expect([ended.bytes.toString(), ended.next, ended.omitted]).toEqual(['line3', 29, 0]);
    // Unfiltered reads return every byte as it is.
    expect(readPage(path, { from: 24, maxBytes: 100, growing: true }).bytes.toString()).toBe('line3');
  });

  it('tests a line longer than a page page by page rather than never', () => {
    const path = file('wide.log', `${'e'.repeat(50)}error${'e'.repeat(50)}\n`);
    const page = readPage(path, { from: 0, maxBytes: 60, filter: /error/, growing: true });
    expect(page.bytes.toString()).toBe(`${'e'.repeat(50)}error${'e'.repeat(5)}`);
    expect(page.next).toBe(60);
  });

  it('takes the last lines of what is new for a cursor, however much is new, and the last matching ones with a filter', () => {
    const path = file('newtail.log', 'a1\nb2\na3\nb4\na5\n');
    const page = readPage(path, { from: 3, maxBytes: 100, tail: 2, tailAfterFrom: true, growing: true });
    expect([page.bytes.toString(), page.from, page.next, page.omitted]).toEqual(['b4\na5\n', 9, 15, 6]);
    const matched = readPage(path, { from: 3, maxBytes: 100, tail: 2, tailAfterFrom: true, filter: /b/, growing: true });
    // With a filter, the last matching lines (grep | tail), not the matching ones among the last lines.
    expect([matched.bytes.toString(), matched.from, matched.next]).toEqual(['b2\nb4\n', 3, 15]);
    // Never lines from before the cursor.
    expect(readPage(path, { from: 12, maxBytes: 100, tail: 5, tailAfterFrom: true, growing: true }).bytes.toString()).toBe('a5\n');
    // Without a cursor, the tail is of the whole file, and the filter applies to it.
    const tail = readPage(path, { from: 0, maxBytes: 100, tail: 3, filter: /a/, growing: false });
    expect(tail.bytes.toString()).toBe('a1\na3\na5\n');

    // Three pages' worth of new output: the tail is still its last lines, and the cursor goes to the end.
    const big = file('bignew.log', Array.from({ length: 30_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const size = Buffer.byteLength(readFileSync(big));
    const last = readPage(big, { from: 0, maxBytes: 64 * 1024, tail: 2, tailAfterFrom: true, growing: true });
    expect([last.bytes.toString(), last.next]).toEqual(['line 29998\nline 29999\n', size]);
    expect(last.omitted).toBe(size - 22);
  });

  it('keeps a character the task has not finished writing for the next read', () => {
    const path = file('halfchar.log', Buffer.concat([Buffer.from('ab'), Buffer.from('😀').subarray(0, 2)]));
    const first = readPage(path, { from: 0, maxBytes: 100, growing: true });
    expect([first.bytes.toString(), first.next]).toEqual(['ab', 2]);
    appendFileSync(path, Buffer.from('😀').subarray(2));
    const second = readPage(path, { from: 2, maxBytes: 100, growing: true });
    expect([second.bytes.toString(), second.next]).toEqual(['😀', 6]);
    // A task that has ended gets its bytes as they are.
    writeFileSync(path, Buffer.from([0x61, 0xf0]));
    expect(readPage(path, { from: 0, maxBytes: 100, growing: false }).next).toBe(2);
  });

  it('bounds the scan of a tail: a line longer than 4 MiB past the page is cut, with what was scanned counted', () => {
    const path = file('huge-line.log', `${'z'.repeat(6 * 1024 * 1024)}\nend\n`);
    const s = readSlice(path, { tail: 2, maxBytes: 1000 });
    expect(s.bytes.toString()).toBe(`${'z'.repeat(995)}\nend\n`);
    expect(s.omitted).toBeGreaterThan(4 * 1024 * 1024 - 1000);
    expect(s.omitted).toBeLessThan(6 * 1024 * 1024);
  });
});

describe('unfinishedUtf8', () => {
  it.each([
    ['abc', 0],
    ['aé', 0],
    ['a😀', 0],
    ['', 0],
  ])('%j ends on a whole character', (text, n) => {
    expect(unfinishedUtf8(Buffer.from(text))).toBe(n);
  });

  it('counts the bytes of a character cut at the end', () => {
    const emoji = Buffer.from('a😀');
    expect([2, 3, 4].map((len) => unfinishedUtf8(emoji.subarray(0, len)))).toEqual([1, 2, 3]);
    expect(unfinishedUtf8(Buffer.from('é').subarray(0, 1))).toBe(1);
  });
});

describe('utf8Boundary', () => {
  it('steps back to the start of a cut character', () => {
    const b = Buffer.from('a😀');
    expect([1, 2, 3, 4, 5].map((n) => utf8Boundary(b, n))).toEqual([1, 1, 1, 1, 5]);
  });
});
