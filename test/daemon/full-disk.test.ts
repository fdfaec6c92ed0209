/**
 * A full disk costs the lines that could not be written and nothing else: a task that
 * ends while the home's disk is full still has its exit code, a task can still be run, the
 * daemon goes on answering, and it says once that it could not write its state file, then
 * writes it once there is room. On a home that is a small tmpfs of its own: mounting one
 * needs root, so elsewhere these tests are skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, cliJson, processesOf, waitFor } from '../helpers.js';

const root = process.getuid?.() === 0;
let base: string;
let home: string;
let mounted = false;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'corral-full-'));
  home = join(base, 'h');
  mkdirSync(home);
  mounted = root && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', home]).status === 0;
});

afterEach(async () => {
  let left: number[] = [];
  try {
    // Bounded: whatever happens, the tmpfs is unmounted below, before the hook's own deadline.
    await Promise.race([cli(home, ['daemon', 'stop']), new Promise((r) => setTimeout(r, 15_000))]);
    left = await waitFor(() => (processesOf(home).length === 0 ? [] : null), 'no process of the home', 5_000).catch(() => processesOf(home));
  } finally {
    for (const pid of processesOf(home)) process.kill(pid, 'SIGKILL');
    if (mounted) spawnSync('umount', ['-l', home]);
    rmSync(base, { recursive: true, force: true });
  }
  expect(left).toEqual([]);
});

/** Fills the home's disk to the last block. */
function fill(): void {
  spawnSync('fallocate', ['-l', '8m', join(home, 'filler')]);
  spawnSync('dd', ['if=/dev/zero', `of=${join(home, 'rest')}`, 'bs=4k'], { stdio: 'ignore' });
}

function empty(): void {
  rmSync(join(home, 'filler'), { force: true });
  rmSync(join(home, 'rest'), { force: true });
}

const daemonLog = () => readFileSync(join(home, 'daemon.log'), 'utf8');

describe.each([['native spawner'], ['sh monitor']])('a full disk, under the %s', (launcher) => {
  const env: Record<string, string> = launcher === 'sh monitor' ? { CORRAL_MONITOR: 'sh' } : {};

  it.skipIf(!root)('costs no exit code and no answer, and the state file is written once there is room', async () => {
    expect(mounted).toBe(true);
    const go = join(base, 'go');
    const waitThenExit = (code: number) => `while [ ! -e ${go} ]; do sleep 0.05; done; exit ${code}`;
    expect((await cli(home, ['run', '--', waitThenExit(3)], { env })).code).toBe(0);
    fill();
    // Started while the disk is full: it cannot even reserve its exit file.
    const during = await cli(home, ['run', '--', waitThenExit(4)], { env });
    expect(during.stderr).toBe('');
    expect(during.code).toBe(0);
    // Both end while the disk is still full.
    mkdirSync(go);
    const ended = await waitFor(async () => {
      const tasks = await cliJson(home, ['ls']);
      return tasks.every((t: { status: string }) => t.status === 'failed') ? tasks : null;
    }, 'both tasks to end');
    expect(ended.map((t: { exitCode: number | null; reason: string | null }) => [t.exitCode, t.reason])).toEqual([
      [3, 'exit 3'],
      [4, 'exit 4'],
    ]);

    empty();
    await waitFor(() => daemonLog().includes('the state file is written again'), 'the state file to be written again');
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
    expect([state.tasks.bash_1.exitCode, state.tasks.bash_2.exitCode]).toEqual([3, 4]);
    expect(daemonLog().match(/could not write the state file/g)).toHaveLength(1);
  });
});
