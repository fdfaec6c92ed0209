/** The daemon log's bound: past half of it, daemon.log becomes daemon.log.1 and the logger writes a new file. */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boundDaemonLog } from '../../src/daemon/log-bound.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the daemon log bound', () => {
  it('moves the log aside once it holds half the bound, replacing the older half, and reopens', () => {
    dir = mkdtempSync(join(tmpdir(), 'corral-log-'));
    const path = join(dir, 'daemon.log');
    let reopened = 0;
    const destination = { reopen: () => void (reopened++, appendFileSync(path, '')) };
    appendFileSync(path, 'a'.repeat(400));
    const timer = boundDaemonLog(path, 1000, destination, 60_000);
    timer.clear();
    // Under half: left alone.
    expect(reopened).toBe(0);
    expect(existsSync(`${path}.1`)).toBe(false);
    appendFileSync(path, 'b'.repeat(200));
    boundDaemonLog(path, 1000, destination, 60_000).clear();
    expect(reopened).toBe(1);
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('a'.repeat(400) + 'b'.repeat(200));
    expect(statSync(path).size).toBe(0);
    appendFileSync(path, 'c'.repeat(600));
    boundDaemonLog(path, 1000, destination, 60_000).clear();
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('c'.repeat(600));
    expect(statSync(path).size + statSync(`${path}.1`).size).toBeLessThanOrEqual(600);
  });
});
