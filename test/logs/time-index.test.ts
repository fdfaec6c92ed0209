/** The (time, size) index of a log, and how a time becomes an offset at a line boundary. */
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogTimeIndex, offsetAt, readNotes, timesPath, WriteTimes } from '../../src/logs/time-index.js';
import { cleanupHome, cli, makeHome, waitFor } from '../helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corral-times-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the time index', () => {
  it('notes a size only when it changed, and a new index picks up where the file ends', () => {
    const index = new LogTimeIndex(() => dir);
    writeFileSync(join(dir, 'stdout.log'), 'a\n');
    index.note('t', 1000);
    index.note('t', 3000);
    appendFileSync(join(dir, 'stdout.log'), 'b\n');
    index.note('t', 5000);
    expect(readNotes(timesPath(dir, 'stdout'))).toEqual([
      { at: 1000, size: 2 },
      { at: 5000, size: 4 },
    ]);
    new LogTimeIndex(() => dir).note('t', 7000);
    expect(readNotes(timesPath(dir, 'stdout'))).toHaveLength(2);
  });

  it('stays under its bound by thinning its older half', () => {
    const index = new LogTimeIndex(() => dir);
    const log = join(dir, 'stdout.log');
    writeFileSync(log, '');
    for (let i = 1; i <= 12_000; i++) {
      appendFileSync(log, 'x\n');
      index.note('t', i * 2000);
    }
    expect(statSync(timesPath(dir, 'stdout')).size).toBeLessThanOrEqual(256 * 1024);
    const notes = readNotes(timesPath(dir, 'stdout'));
    // The latest notes are all there.
    expect(notes.at(-1)).toEqual({ at: 24_000_000, size: 24_000 });
    expect(notes.at(-2)).toEqual({ at: 23_998_000, size: 23_998 });
  });

  it('maps a time to the start of the first whole line written after it, and an end to the last', () => {
    const log = join(dir, 'stdout.log');
    writeFileSync(log, 'one\ntwo\nthree\nfour\n');
    const notes = [
      { at: 1000, size: 4 },
      { at: 3000, size: 10 }, // inside "three"
      { at: 5000, size: 19 },
    ];
    expect(offsetAt(log, notes, 500, 'since', 19)).toBe(0);
    expect(offsetAt(log, notes, 2000, 'since', 19)).toBe(4);
    expect(offsetAt(log, notes, 3500, 'since', 19)).toBe(14);
    expect(offsetAt(log, notes, 9000, 'since', 19)).toBe(19);
    expect(offsetAt(log, notes, 2000, 'until', 19)).toBe(8);
    expect(offsetAt(log, notes, 1000, 'until', 19)).toBe(4);
    expect(offsetAt(log, notes, 9000, 'until', 19)).toBe(19);
  });

  it('dates each line within the sample its bytes were noted in, in proportion, and lines past every note by the last change', () => {
    const log = join(dir, 'stdout.log');
    writeFileSync(log, 'a'.repeat(99) + '\n' + 'b'.repeat(99) + '\n'); // 200 bytes
    writeFileSync(timesPath(dir, 'stdout'), '10000 100\n20000 200\n');
    appendFileSync(log, 'c'.repeat(99) + '\n');
    utimesSync(log, 30, 30); // seconds: the last change at 30,000 ms
    const times = new WriteTimes(dir, 'stdout');
    // Noted at 10 s with nothing before: written in the 2 s before it, the line's end at its end.
    expect(times.timeOf(50)).toBe(9000);
    expect(times.timeOf(100)).toBe(10000);
    // Between 10 s and 20 s the size moved only in the last sample (18–20 s).
    expect(times.timeOf(150)).toBe(19000);
    expect(times.timeOf(200)).toBe(20000);
    // After the last note: the file's own last change.
    expect(times.timeOf(300)).toBe(30000);
    expect(times.timeOf(301)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("the native monitor's index", () => {
  let home: string;
  beforeEach(() => {
    home = makeHome();
  });
  afterEach(() => cleanupHome(home));

  it('notes the growth of a log and thins its index past the bound, as the daemon does', async () => {
    const go = join(home, 'go');
    const id = (await cli(home, ['run', '--', `while [ ! -e ${go} ]; do sleep 0.1; done; echo done`])).stdout.trim();
    const times = timesPath(join(home, 'logs', id), 'stdout');
    // An index already past its bound (an earlier run's): the next note thins it.
    const seeded = Array.from({ length: 15_000 }, (_, i) => `${1_000_000_000_000 + i} ${i}\n`).join('');
    expect(seeded.length).toBeGreaterThan(256 * 1024);
    writeFileSync(times, seeded);
    writeFileSync(go, '');
    await waitFor(async () => (await cli(home, ['status', id, '--json'])).stdout.includes('"completed"'), 'the task to end', 20_000, 200);
    await waitFor(() => readNotes(times).at(-1)?.size === 5, 'the note of its output');
    expect(statSync(times).size).toBeLessThanOrEqual(256 * 1024);
    const notes = readNotes(times);
    // The older half keeps every other note, the newer half all of them.
    expect(notes[0]).toEqual({ at: 1_000_000_000_001, size: 1 });
    expect(notes[1]).toEqual({ at: 1_000_000_000_003, size: 3 });
    expect(notes.at(-2)).toEqual({ at: 1_000_000_014_999, size: 14_999 });
    expect(notes.at(-1)!.at).toBeGreaterThan(Date.now() - 60_000);
  }, 60_000);
});
