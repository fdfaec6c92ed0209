/**
 * The home-wide view and clean-up: `du` adds up what the files take, `prune --older-than`
 * removes finished tasks by age, and retention does it by itself, never to a running task.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(() => cleanupHome(home));

const disk = (path: string) => (existsSync(path) ? statSync(path).blocks * 512 : 0);
const folderDisk = (dir: string) => readdirSync(dir).reduce((sum, name) => sum + disk(join(dir, name)), 0);
const ended = async (id: string) => waitFor(async () => ['completed', 'failed'].includes((await cliJson(home, ['status', id])).status), `${id} to end`, 20_000, 50);

describe('du', () => {
  it("sums each task's log folder, the journal and the daemon log as the files take them", async () => {
    const big = (await cli(home, ['run', '--log-max-size', '2M', '--', 'seq 1 1000000'])).stdout.trim();
    const small = (await cli(home, ['run', '--', 'echo hi'])).stdout.trim();
    await ended(big);
    await ended(small);
    const use = await cliJson(home, ['du']);
    const bigDir = join(home, 'logs', big);
    const of = (id: string) => use.tasks.find((t: { id: string }) => t.id === id);
    expect(of(big).diskBytes).toBe(folderDisk(bigDir));
    expect(of(big).diskBytes).toBeLessThanOrEqual(2 * 1024 * 1024 + 3 * 4096);
    expect(of(big).releasedBytes).toBe(Number.parseInt(readFileSync(join(bigDir, 'stdout.kept'), 'latin1'), 10));
    expect(of(big).releasedBytes + 2 * 1024 * 1024).toBeGreaterThanOrEqual(statSync(join(bigDir, 'stdout.log')).size);
    expect(of(small).diskBytes).toBe(folderDisk(join(home, 'logs', small)));
    expect(use.journalBytes).toBe(disk(join(home, 'events.jsonl')) + disk(join(home, 'events.jsonl.1')));
    expect(use.daemonLogBytes).toBe(disk(join(home, 'daemon.log')) + disk(join(home, 'daemon.log.1')));
    expect(use.totalBytes).toBe(of(big).diskBytes + of(small).diskBytes + use.journalBytes + use.daemonLogBytes);
    const text = await cli(home, ['du']);
    expect(text.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATUS\s+DISK\s+RELEASED$/);
    expect(text.stdout).toMatch(/\ntotal\s+\d/);
  });
});

describe('prune --older-than and retention', () => {
  it('prunes only what ended longer ago than asked, and refuses a bad duration', async () => {
    const id = (await cli(home, ['run', '--', 'true'])).stdout.trim();
    await ended(id);
    expect((await cli(home, ['prune', '--older-than', '1h'])).stdout).toBe('nothing to prune\n');
    const bad = await cli(home, ['prune', '--older-than', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('corral: --older-than: "soon" is not a duration: write it like 500ms, 5s, 2m or 1h\n');
    expect((await cli(home, ['prune', '--older-than', '0s'])).stdout).toBe(`removed ${id}\n`);
    expect(existsSync(join(home, 'logs', id))).toBe(false);
  });

  it('removes a finished task past its age by itself, and never a running one', async () => {
    writeFileSync(join(home, 'corral.config.json'), JSON.stringify({ retention: { maxAge: '2s' } }));
    const done = (await cli(home, ['run', '--', 'true'])).stdout.trim();
    const running = (await cli(home, ['run', '--', 'sleep 60'])).stdout.trim();
    await ended(done);
    await waitFor(async () => !(await cliJson(home, ['ls'])).some((t: { id: string }) => t.id === done), 'retention to remove the finished task', 20_000, 200);
    expect(existsSync(join(home, 'logs', done))).toBe(false);
    // Started before the finished one ended, and older than the age by now: still there, logs and all.
    await waitFor(async () => Date.now() - Date.parse((await cliJson(home, ['status', running])).startedAt) > 5_000, 'the running task to pass the age twice', 20_000, 200);
    expect((await cliJson(home, ['status', running])).status).toBe('running');
    expect(existsSync(join(home, 'logs', running))).toBe(true);
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).toContain('retention removed 1 finished task');
  }, 40_000);
});
