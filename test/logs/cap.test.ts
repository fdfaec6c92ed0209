/**
 * The log cap end to end: a task writes 50 MB under a 10 MB cap. Its log keeps its
 * offsets (the bytes after the kept start read back exactly where they were written),
 * its disk use stays at the cap, a read from a released offset starts at the kept start
 * and says how much it lost, and a `--new` cursor set before the trim is told once — also
 * when the daemon was SIGKILLed while the task was writing.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';

const MiB = 1024 * 1024;
const CAP = 10 * MiB;
const BLOCK = 4096;
/** Every line is 8 bytes: `start..`, then 0000001 … 6250000, then `done...`: 50 MB in all. */
const LINES = 6_250_000;
const SIZE = (LINES + 2) * 8;

/** The bytes the task wrote at [from, from + length). */
function expected(from: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let at = from - (from % 8); at < from + length; at += 8) {
    const index = at / 8;
    const line = index === 0 ? 'start..\n' : index === LINES + 1 ? 'done...\n' : `${String(index).padStart(7, '0')}\n`;
    const piece = Buffer.from(line);
    const start = Math.max(at, from);
    piece.copy(out, start - from, start - at, Math.min(8, from + length - at));
  }
  return out;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let home: string;
let work: string;
beforeEach(() => {
  home = makeHome();
  work = join(home, 'work');
});
afterEach(() => cleanupHome(home));

const gate = (name: string) => `while [ ! -f ${name} ]; do sleep 0.05; done`;
const log = (id: string) => join(home, 'logs', id, 'stdout.log');
const diskUse = (id: string) => statSync(log(id)).blocks * 512;

async function runCapped(script: string): Promise<string> {
  mkdirSync(work);
  const r = await cli(home, ['run', '--log-max-size', '10M', '--cwd', work, '--', script]);
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

async function readStdout(id: string, args: string[]) {
  return (await cliJson(home, ['logs', id, '--stream', 'stdout', ...args])).stdout;
}

async function expectExactAfterKeptStart(id: string): Promise<number> {
  expect(statSync(log(id)).size).toBe(SIZE);
  expect(diskUse(id)).toBeLessThanOrEqual(CAP + BLOCK);
  const fromZero = await readStdout(id, ['--offset', '0', '--max-bytes', '64']);
  const kept = fromZero.from as number;
  expect(kept).toBeGreaterThanOrEqual(SIZE - CAP);
  expect(fromZero.trimmed).toBe(kept);
  expect(Buffer.from(fromZero.data)).toEqual(expected(kept, 64));
  // Known offsets after the kept start hold what was written there.
  for (const at of [kept, kept + 12_345, SIZE - 5 * MiB, SIZE - 100_001]) {
    const page = await readStdout(id, ['--offset', String(at), '--max-bytes', String(64 * 1024)]);
    expect(page.from).toBe(at);
    expect(page.trimmed).toBeUndefined();
    expect(sha(Buffer.from(page.data))).toBe(sha(expected(at, 64 * 1024)));
  }
  const tail = await cli(home, ['logs', id, '--stream', 'stdout', '--tail', '2']);
  expect(tail.stdout).toBe('6250000\ndone...\n');
  return kept;
}

describe('a log over its cap', () => {
  it('keeps 10 MB of 50 MB on disk, offsets in place, and tells a reader and a cursor what was released', async () => {
    const id = await runCapped(`printf 'start..\\n'; ${gate('go')}; seq -w 1 ${LINES}; printf 'done...\\n'`);
    await waitFor(() => statSync(log(id), { throwIfNoEntry: false })?.size === 8, 'the first line');
    // A cursor set before the cap released anything.
    expect((await cli(home, ['logs', id, '--new', '--stream', 'stdout'])).stdout).toBe('start..\n');
    writeFileSync(join(work, 'go'), '');
    await waitFor(async () => (await cliJson(home, ['status', id])).status === 'completed', 'the task to end', 60_000, 100);
    const kept = await expectExactAfterKeptStart(id);
    expect((await cli(home, ['status', id])).stdout).toMatch(/\nlog cap +10 MB a stream\n/);

    // The cursor behind the kept start moves there and says so, once.
    const behind = await cli(home, ['logs', id, '--new', '--stream', 'stdout', '--max-bytes', '16']);
    expect(behind.stdout).toBe(expected(kept, 16).toString());
    expect(behind.stderr).toContain(`${kept - 8} bytes before byte ${kept} were released by the log cap`);
    expect(behind.stderr).toContain('the cursor moved on to it');
    const after = await readStdout(id, ['--new', '--max-bytes', '16']);
    expect(after.from).toBe(kept + 16);
    expect(after.trimmed).toBeUndefined();
  }, 120_000);

  it('keeps the cap and the kept start across a daemon SIGKILL in the middle of the writes', async () => {
    const half = LINES / 2;
    const id = await runCapped(`printf 'start..\\n'; ${gate('go')}; seq -w 1 ${half}; ${gate('on')}; seq -w ${half + 1} ${LINES}; printf 'done...\\n'`);
    await waitFor(() => statSync(log(id), { throwIfNoEntry: false })?.size === 8, 'the first line');
    expect((await cli(home, ['logs', id, '--new', '--stream', 'stdout'])).stdout).toBe('start..\n');
    writeFileSync(join(work, 'go'), '');
    await waitFor(() => statSync(log(id)).size === (half + 1) * 8, 'half of the output', 60_000, 50);
    await sigkillDaemon(home);
    // With no daemon, the task's monitor goes on releasing the head.
    writeFileSync(join(work, 'on'), '');
    await waitFor(() => statSync(log(id)).size === SIZE, 'the rest of the output', 60_000, 50);
    await waitFor(async () => (await cliJson(home, ['status', id])).status === 'completed', 'the task to end', 60_000, 100);
    const kept = await expectExactAfterKeptStart(id);
    const behind = await readStdout(id, ['--new', '--max-bytes', '16']);
    expect(behind).toMatchObject({ from: kept, trimmed: kept - 8 });
    expect((await readStdout(id, ['--new', '--max-bytes', '16'])).trimmed).toBeUndefined();
  }, 120_000);

  it('is kept by the daemon at its 2 s sample where tasks run under the sh monitor', async () => {
    mkdirSync(work);
    const sh = { env: { CORRAL_MONITOR: 'sh' } };
    const id = (await cli(home, ['run', '--log-max-size', '10M', '--cwd', work, '--', `printf 'start..\\n'; seq -w 1 ${LINES}; printf 'done...\\n'; sleep 30`], sh)).stdout.trim();
    expect((await cliJson(home, ['daemon', 'status'])).launcher).toBe('the sh monitor');
    await waitFor(() => statSync(log(id), { throwIfNoEntry: false })?.size === SIZE, 'all of the output', 60_000, 50);
    await waitFor(() => diskUse(id) <= CAP + BLOCK, 'the next sample to release the head', 10_000, 100);
    const fromZero = await readStdout(id, ['--offset', '0', '--max-bytes', '64']);
    expect(fromZero.trimmed).toBe(fromZero.from);
    expect(fromZero.from).toBeGreaterThanOrEqual(SIZE - CAP);
    const at = SIZE - 100_001;
    const page = await readStdout(id, ['--offset', String(at), '--max-bytes', String(64 * 1024)]);
    expect(sha(Buffer.from(page.data))).toBe(sha(expected(at, 64 * 1024)));
    await cli(home, ['kill', id]);
  }, 120_000);
});
