/**
 * The native monitor looks at its logs by itself (src/process/spawner.c, wait_watching):
 * it takes no inotify instance, of which a user has few (often 128), so that many tasks
 * leave the user's editors and file watchers theirs; and it still notes the time index of a
 * log that grows, and keeps a fast writer's log under its cap while it writes.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(() => cleanupHome(home));

/** The inotify instances a process holds: its descriptors that are `anon_inode:inotify`. */
function inotifyInstances(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify';
    } catch {
      return false; // closed meanwhile
    }
  }).length;
}

const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ')[1]);

describe('the native monitor', () => {
  it('holds no inotify instance, idle or written to, and still notes when its log grew', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await cli(home, ['run', '--', 'echo up; while true; do echo tick; sleep 0.2; done'])).stdout.trim());
    const status = await cliJson(home, ['daemon', 'status']);
    expect(status.launcher).toMatch(/native spawner/);
    for (const id of ids) {
      const { pid } = await cliJson(home, ['status', id]);
      const monitor = parentOf(pid);
      expect(readFileSync(`/proc/${monitor}/cmdline`, 'latin1')).toContain('corral-spawner');
      expect(inotifyInstances(monitor)).toBe(0);
      // The time index: notes of a growing log, at most one every 2 s.
      const times = join(home, 'logs', id, 'stdout.times');
      const notes = await waitFor(() => {
        const lines = statSync(times, { throwIfNoEntry: false }) ? readFileSync(times, 'utf8').trim().split('\n').filter(Boolean) : [];
        return lines.length >= 2 ? lines : null;
      }, `${id}'s time index to note its log twice`, 15_000);
      const [first, second] = notes.map((l) => l.split(' ').map(Number));
      expect(second![1]!).toBeGreaterThan(first![1]!);
      expect(second![0]! - first![0]!).toBeGreaterThanOrEqual(2000 - 50);
    }
    await cli(home, ['kill', '--all']);
  }, 60_000);

  it('keeps a fast writer under its cap while it writes, not only at its end', async () => {
    const MiB = 1024 * 1024;
    const cap = 4 * MiB;
    // About 200 MB of lines as fast as yes can write them, then a pause to be looked at.
    const id = (await cli(home, ['run', '--log-max-size', '4M', '--', 'yes 0123456789abcdef | head -c 200000000; sleep 30'])).stdout.trim();
    const log = join(home, 'logs', id, 'stdout.log');
    let peak = 0;
    await waitFor(() => {
      const st = statSync(log, { throwIfNoEntry: false });
      if (!st) return false;
      peak = Math.max(peak, st.blocks * 512);
      return st.size >= 200_000_000;
    }, 'all of the output', 60_000, 5);
    // Between looks a writer may outrun the cap: by a quarter of the room left at the pace it
    // wrote, and by what it writes while a loaded machine keeps the monitor from running
    // (tens of ms); never by most of the output, as looks every 2 s would (about 200 MB).
    expect(peak).toBeLessThan(10 * cap);
    await waitFor(() => statSync(log).blocks * 512 <= cap + 4096, 'the cap to hold once the writer rests');
    await cli(home, ['kill', id]);
  }, 90_000);
});
