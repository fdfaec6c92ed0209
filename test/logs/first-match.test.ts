/** The log search behind waits and log checks, and the first error line of a run, on real files. */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstErrorLine } from '../../src/logs/first-error.js';
import { LogSearch } from '../../src/logs/first-match.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corral-search-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('LogSearch', () => {
  it('goes on from where it stopped, and searches a line being written again once it is whole', () => {
    const out = join(dir, 'stdout.log');
    writeFileSync(out, 'one\nready');
    const search = new LogSearch(/^ready now$/, [{ stream: 'stdout', path: out, from: 0 }]);
    expect(search.next()).toBeNull();
    // Not past the unfinished line: its start is where the next search begins.
    expect(search.searched().stdout).toBe(4);
    appendFileSync(out, ' now\ntwo\n');
    expect(search.next()).toEqual({ stream: 'stdout', offset: 4, line: 'ready now' });
    expect(search.searched().stdout).toBe(14);
    expect(search.next()).toBeNull();
  });

  it('finds a line across block boundaries, at its exact offset', () => {
    const out = join(dir, 'stdout.log');
    const filler = 'x'.repeat(100_000) + '\n';
    writeFileSync(out, filler + 'y'.repeat(65_000) + 'NEEDLE\n');
    const found = new LogSearch(/NEEDLE/, [{ stream: 'stdout', path: out, from: 0 }]).next();
    expect(found?.offset).toBe(filler.length);
    expect(found?.line.endsWith('…')).toBe(true);
  });
});

describe('firstErrorLine', () => {
  it("takes stderr's first error line, else stdout's, from the run's start", () => {
    writeFileSync(join(dir, 'stdout.log'), 'old Error\nFAIL a\n');
    writeFileSync(join(dir, 'stderr.log'), 'warn\n');
    expect(firstErrorLine(dir, { stdout: 10, stderr: 0 })).toEqual({ stream: 'stdout', offset: 10, line: 'FAIL a' });
    appendFileSync(join(dir, 'stderr.log'), 'Traceback (most recent call last):\n');
    expect(firstErrorLine(dir, { stdout: 10, stderr: 0 })).toEqual({ stream: 'stderr', offset: 5, line: 'Traceback (most recent call last):' });
    expect(firstErrorLine(dir, { stdout: 17, stderr: 100 })).toBeNull();
  });
});
