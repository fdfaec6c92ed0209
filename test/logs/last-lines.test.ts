/**
 * The last lines of a failed wait (src/logs/last-lines.ts): the latest of both streams,
 * the stream written last at the end, neither crowding out the other.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastLines, latestOfBoth } from '../../src/logs/last-lines.js';

const root = mkdtempSync(join(tmpdir(), 'corral-last-lines-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const numbered = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}`);

/** A log folder whose streams were last written at the given times (seconds since the epoch). */
function logDir(name: string, stdout: { lines: string[]; at: number }, stderr: { lines: string[]; at: number }): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [stream, s] of [['stdout', stdout], ['stderr', stderr]] as const) {
    const path = join(dir, `${stream}.log`);
    writeFileSync(path, s.lines.map((l) => `${l}\n`).join(''));
    utimesSync(path, s.at, s.at);
  }
  return dir;
}

describe('lastLines', () => {
  it('ends with the stream written last, and old lines of the other do not crowd out its latest', () => {
    // Warnings on stderr long ago, then the run's own output on stdout up to its end.
    const dir = logDir('old-stderr', { lines: numbered('out', 30), at: 2_000 }, { lines: numbered('warning', 30), at: 1_000 });
    expect(lastLines(dir, 10)).toEqual([...numbered('stderr: warning', 30).slice(-5), ...numbered('out', 30).slice(-5)]);
  });

  it('puts stderr last when it was written last', () => {
    const dir = logDir('late-stderr', { lines: numbered('out', 30), at: 1_000 }, { lines: numbered('error', 30), at: 2_000 });
    expect(lastLines(dir, 10)).toEqual([...numbered('out', 30).slice(-5), ...numbered('stderr: error', 30).slice(-5)]);
  });

  it('gives a share one stream cannot fill to the other', () => {
    const dir = logDir('quiet-stderr', { lines: numbered('out', 30), at: 1_000 }, { lines: ['bind failed'], at: 2_000 });
    expect(lastLines(dir, 10)).toEqual([...numbered('out', 30).slice(-9), 'stderr: bind failed']);
    const empty = logDir('no-stderr', { lines: numbered('out', 30), at: 1_000 }, { lines: [], at: 2_000 });
    expect(lastLines(empty, 10)).toEqual(numbered('out', 30).slice(-10));
  });
});

describe('latestOfBoth', () => {
  it('keeps stdout first when both were last written in the same moment (the clock cannot tell them apart)', () => {
    expect(latestOfBoth({ lines: ['a', 'b'], writtenAt: 5 }, { lines: ['stderr: c'], writtenAt: 5 }, 10)).toEqual(['a', 'b', 'stderr: c']);
  });

  it('gives the stream written last the larger half of an odd count', () => {
    expect(latestOfBoth({ lines: numbered('o', 9), writtenAt: 1 }, { lines: numbered('e', 9), writtenAt: 2 }, 5)).toEqual(['o 8', 'o 9', 'e 7', 'e 8', 'e 9']);
  });
});
