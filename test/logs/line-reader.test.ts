/** Whole lines of a growing log: partial writes wait for their newline; a capped or restarted log is read on. */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LineReader, LONGEST_LINE } from '../../src/logs/line-reader.js';
import { writeKept } from '../../src/logs/kept.js';

let dir: string;
let log: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corral-lines-'));
  log = join(dir, 'stdout.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const texts = (r: { lines: { bytes: Buffer }[] }) => r.lines.map((l) => l.bytes.toString());

describe('LineReader', () => {
  it('reads nothing from a log not written yet, then its lines once it is', () => {
    const reader = new LineReader(log);
    expect(reader.read()).toEqual({ lines: [], more: false, released: 0 });
    writeFileSync(log, 'one\ntwo\n');
    const r = reader.read();
    expect(r.lines.map((l) => [l.offset, l.bytes.toString()])).toEqual([
      [0, 'one'],
      [4, 'two'],
    ]);
    reader.close();
  });

  it('keeps the start of a line until its newline is written, however many writes it takes', () => {
    const reader = new LineReader(log);
    writeFileSync(log, 'first\nsec');
    expect(texts(reader.read())).toEqual(['first']);
    appendFileSync(log, 'ond half');
    expect(texts(reader.read())).toEqual([]);
    expect(reader.offset).toBe(6);
    appendFileSync(log, ' done\nthird\n');
    const r = reader.read();
    expect(r.lines.map((l) => [l.offset, l.bytes.toString()])).toEqual([
      [6, 'second half done'],
      [23, 'third'],
    ]);
    // Nothing unfinished: a task that ended leaves no last line behind.
    expect(reader.rest()).toBeNull();
    appendFileSync(log, 'no newline');
    expect(texts(reader.read())).toEqual([]);
    expect(reader.rest()).toEqual({ offset: 29, bytes: Buffer.from('no newline') });
    reader.close();
  });

  it('starts where it is told, and reads only up to an end when given one', () => {
    writeFileSync(log, 'a\nb\nc\n');
    const reader = new LineReader(log, 2);
    expect(texts(reader.read(4))).toEqual(['b']);
    expect(texts(reader.read())).toEqual(['c']);
    reader.close();
  });

  it('reads a big log block by block, saying when more is left', () => {
    const line = `${'x'.repeat(99)}\n`;
    writeFileSync(log, line.repeat(30_000)); // 3 MB: three 1 MiB blocks
    const reader = new LineReader(log);
    let count = 0;
    let reads = 0;
    for (let r = reader.read(); ; r = reader.read()) {
      reads++;
      count += r.lines.length;
      expect(r.lines.every((l) => l.bytes.length === 99)).toBe(true);
      if (!r.more) break;
    }
    expect(count).toBe(30_000);
    expect(reads).toBe(3);
    reader.close();
  });

  it('gives a line longer than the longest it holds in pieces, never more than that in memory', () => {
    writeFileSync(log, `${'y'.repeat(LONGEST_LINE + 10)}\n`);
    const reader = new LineReader(log);
    const lengths: number[] = [];
    for (let r = reader.read(); ; r = reader.read()) {
      lengths.push(...r.lines.map((l) => l.bytes.length));
      if (!r.more) break;
    }
    expect(lengths).toEqual([LONGEST_LINE, 10]);
    reader.close();
  });

  it('skips what the log cap released, saying how much, and starts again on a log begun anew', () => {
    writeFileSync(log, 'aaaa\nbbbb\ncc');
    const reader = new LineReader(log);
    expect(texts(reader.read())).toEqual(['aaaa', 'bbbb']);
    appendFileSync(log, 'cc\ndddd\neeee\n');
    // The cap keeps from byte 18, inside "dddd": "cccc" and the line it cut were never read.
    writeKept(log, 18);
    const r = reader.read();
    expect(r.released).toBe(10);
    expect(texts(r)).toEqual(['eeee']);
    rmSync(join(dir, 'stdout.kept'));
    writeFileSync(log, 'new\n');
    expect(texts(reader.read())).toEqual(['new']);
    reader.close();
  });
});
