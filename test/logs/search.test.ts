/** Filtered reads over a whole range, block by block: forwards (the first matches) and backwards (grep | tail). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPage } from '../../src/logs/read.js';
import { searchLog } from '../../src/logs/search.js';

const dir = mkdtempSync(join(tmpdir(), 'corral-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const BLOCK = 64 * 1024;

/** 5,000 lines of a test run (about 180 KB), three of them FAIL, far apart. */
function testRun(): { path: string; lines: string[] } {
  const lines = Array.from({ length: 5000 }, (_, i) => `ok ${i} - test case number ${i} passes ${'.'.repeat(i % 13)}`);
  for (const i of [1200, 3100, 4990]) lines[i] = `FAIL ${i} - test case number ${i}: expected 1, got 2`;
  return { path: file('run.log', lines.join('\n') + '\n'), lines };
}

describe('a filtered read', () => {
  it('searches a range many blocks long in one read, however small the page', () => {
    const { path, lines } = testRun();
    const size = readFileSync(path).length;
    expect(size).toBeGreaterThan(2 * BLOCK);
    const page = searchLog(path, { from: 0, filter: /FAIL/, maxBytes: 16 * 1024, growing: false });
    expect(page.bytes.toString()).toBe(lines.filter((l) => l.startsWith('FAIL')).join('\n') + '\n');
    expect([page.from, page.next, page.omitted]).toEqual([0, size, 0]);
  });

  it('finds a line that a block boundary cuts in two', () => {
    const before = 'x'.repeat(BLOCK - 10) + '\n';
    const path = file('boundary.log', `${before}the needle spans the boundary\nafter\n`);
    const page = searchLog(path, { from: 0, filter: /needle spans the/, maxBytes: 1000, growing: false });
    expect(page.bytes.toString()).toBe('the needle spans the boundary\n');
    // And a multi-byte character cut by the boundary is read whole.
    const wide = file('boundary-utf8.log', Buffer.concat([Buffer.from('y'.repeat(BLOCK - 1)), Buffer.from('é needle\n')]));
    expect(searchLog(wide, { from: 0, filter: /é needle/, maxBytes: 2 * BLOCK, growing: false }).bytes.toString()).toBe(`${'y'.repeat(BLOCK - 1)}é needle\n`);
  });

  it('caps only what it returns, stopping before the first line that does not fit and saying where to go on', () => {
    const { path, lines } = testRun();
    const size = readFileSync(path).length;
    const fails = lines.filter((l) => l.startsWith('FAIL')).map((l) => `${l}\n`);
    const first = searchLog(path, { from: 0, filter: /FAIL/, maxBytes: Buffer.byteLength(fails[0]!) + 5, growing: false });
    expect(first.bytes.toString()).toBe(fails[0]);
    const secondAt = readFileSync(path, 'utf8').indexOf(fails[1]!);
    expect([first.next, first.omitted]).toEqual([secondAt, size - secondAt]);
    const rest = searchLog(path, { from: first.next, filter: /FAIL/, maxBytes: 1000, growing: false });
    expect(rest.bytes.toString()).toBe(fails[1]! + fails[2]!);
  });

  it('returns the start of one matching line longer than the page, so that reading on moves', () => {
    const path = file('wide.log', `short\n${'e'.repeat(50)}error${'e'.repeat(50)}\n`);
    const page = searchLog(path, { from: 0, filter: /error/, maxBytes: 60, growing: true });
    expect([page.bytes.toString(), page.next]).toEqual([`${'e'.repeat(50)}error${'e'.repeat(5)}`, 66]);
  });

  it('leaves a growing log’s unfinished last line for later, and tests it once the task ended', () => {
    const path = file('growing.log', 'error one\nerror tw');
    expect(searchLog(path, { from: 0, filter: /error/, maxBytes: 100, growing: true })).toMatchObject({ next: 10, omitted: 8 });
    expect(searchLog(path, { from: 0, filter: /error/, maxBytes: 100, growing: false }).bytes.toString()).toBe('error one\nerror tw');
  });

  it('tests a line longer than 1 MiB in pieces rather than holding it whole', () => {
    const half = 'z'.repeat(1.5 * 1024 * 1024);
    const path = file('long.log', `${half}needle${half}\nend\n`);
    // The second MiB holds the needle: that piece matches, and the page returns its start.
    const page = searchLog(path, { from: 0, filter: /needle/, maxBytes: 100, growing: false });
    expect([page.bytes.toString(), page.next]).toEqual(['z'.repeat(100), 1024 * 1024 + 100]);
    const tail = searchLog(path, { from: 0, filter: /needle/, tail: 1, maxBytes: 100, growing: false });
    expect(tail.bytes.toString()).toBe('z'.repeat(100));
  });
});

describe('the test of each line', () => {
  const path = () => file('lines.log', 'ok 1 passes\nFAIL 2\nok 3 passes\nFAIL 4 ok\nxFAIL 5\n');
  const found = (filter: RegExp, tail?: number) =>
    searchLog(path(), { from: 0, filter, maxBytes: 1000, growing: false, ...(tail !== undefined ? { tail } : {}) }).bytes.toString();

  it('is made on the line alone: anchors hold at line ends, and no match runs into the next line', () => {
    expect(found(/^FAIL/)).toBe('FAIL 2\nFAIL 4 ok\n');
    expect(found(/passes$/)).toBe('ok 1 passes\nok 3 passes\n');
    expect(found(/FAIL[\s\S]*ok/)).toBe('FAIL 4 ok\n');
    expect(found(/FAIL[\s\S]*ok/, 5)).toBe('FAIL 4 ok\n');
    expect(found(/(?<!x)FAIL/)).toBe('FAIL 2\nFAIL 4 ok\n');
    expect(found(/(?<!x)FAIL/, 1)).toBe('FAIL 4 ok\n');
    // A lookaround could see past the line in the whole text: such a pattern is tested line by line.
    expect(found(/2(?![^])/)).toBe('FAIL 2\n');
    expect(found(/^$/)).toBe('');
  });

  it('gives exact byte offsets in text that is not ASCII', () => {
    const text = 'é ok\n€ FAIL one\n😀 ok\n';
    const utf8 = file('utf8-lines.log', text);
    const page = searchLog(utf8, { from: 0, filter: /FAIL/, maxBytes: 10, growing: false });
    // The line is 15 bytes, more than the page: its first whole characters, and the offset after them.
    expect([page.bytes.toString(), page.next]).toEqual(['€ FAIL o', Buffer.byteLength('é ok\n€ FAIL o')]);
    const tail = searchLog(utf8, { from: 0, filter: /ok/, tail: 1, maxBytes: 100, growing: false });
    expect([tail.bytes.toString(), tail.from]).toEqual(['😀 ok\n', Buffer.byteLength('é ok\n€ FAIL one\n')]);
  });
});

describe('a filtered tail (grep | tail)', () => {
  it('gives the last N matching lines of the whole log, reading back across blocks', () => {
    const { path, lines } = testRun();
    const fails = lines.filter((l) => l.startsWith('FAIL'));
    const page = searchLog(path, { from: 0, filter: /FAIL/, tail: 2, maxBytes: 16 * 1024, growing: false });
    expect(page.bytes.toString()).toBe(fails.slice(-2).join('\n') + '\n');
    expect(page.from).toBe(readFileSync(path, 'utf8').indexOf(fails[1]!));
    expect([page.next, page.omitted]).toEqual([readFileSync(path).length, 0]);
    // More wanted than there are: all of them.
    expect(searchLog(path, { from: 0, filter: /FAIL/, tail: 10, maxBytes: 16 * 1024, growing: false }).bytes.toString()).toBe(fails.join('\n') + '\n');
  });

  it('keeps the latest lines that fit the page and counts the rest as left out before them', () => {
    const path = file('tail-cut.log', 'hit 1\nno\nhit 2\nno\nhit 3\n');
    const page = searchLog(path, { from: 0, filter: /hit/, tail: 3, maxBytes: 12, growing: false });
    expect([page.bytes.toString(), page.from, page.omitted]).toEqual(['hit 2\nhit 3\n', 9, 9]);
  });

  it('searches only after the offset it is given, and tests the line the offset starts in', () => {
    const path = file('tail-floor.log', 'hit 1\nhit 2\nno\nhit 3\n');
    expect(searchLog(path, { from: 6, filter: /hit/, tail: 5, maxBytes: 100, growing: false }).bytes.toString()).toBe('hit 2\nhit 3\n');
    expect(searchLog(path, { from: 8, filter: /t/, tail: 5, maxBytes: 100, growing: false }).bytes.toString()).toBe('t 2\nhit 3\n');
    expect(searchLog(path, { from: 0, filter: /nothing/, tail: 5, maxBytes: 100, growing: false })).toMatchObject({ from: 0, next: 21, omitted: 0 });
  });

  it('leaves a growing log’s unfinished last line out', () => {
    const path = file('tail-growing.log', 'hit 1\nhit 2\nhit 3 not finished');
    expect(searchLog(path, { from: 0, filter: /hit/, tail: 1, maxBytes: 100, growing: true })).toMatchObject({ next: 12 });
    expect(searchLog(path, { from: 0, filter: /hit/, tail: 1, maxBytes: 100, growing: true }).bytes.toString()).toBe('hit 2\n');
    expect(searchLog(path, { from: 0, filter: /hit/, tail: 1, maxBytes: 100, growing: false }).bytes.toString()).toBe('hit 3 not finished');
  });
});

describe('an unfiltered tail after an offset', () => {
  it('gives the last lines of the range from the offset, and counts what it skipped of the range', () => {
    const path = file('offset-tail.log', 'a\nb\nc\nd\ne\n');
    const page = readPage(path, { from: 2, maxBytes: 100, tail: 2, tailAfterFrom: true, growing: false });
    expect([page.bytes.toString(), page.from, page.omitted]).toEqual(['d\ne\n', 6, 4]);
    expect(readPage(path, { from: 6, maxBytes: 100, tail: 5, tailAfterFrom: true, growing: false }).bytes.toString()).toBe('d\ne\n');
  });
});
