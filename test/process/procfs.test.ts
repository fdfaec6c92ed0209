/** The /proc reader's helpers: files kept open for sampling, and the tokens tasks inherit. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeptStats, lastPid, newTaskToken, processesBorn, readStat } from '../../src/process/procfs.js';
import { isRunning, waitFor } from '../helpers.js';

// Opens counted (the stat a quiet process is read through now and then).
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  return { ...fs, openSync: vi.fn(fs.openSync) };
});

let children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  await waitFor(() => children.every((c) => !isRunning(c.pid!)), 'the children to end');
  children = [];
});

const openFds = () => readdirSync('/proc/self/fd').length;

describe('KeptStats', () => {
  it('reads a process through one open file, and lets go of it when the process ends', async () => {
    const stats = new KeptStats();
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    const before = openFds();
    expect(stats.usage(child.pid!)?.zombie).toBe(false);
    expect(openFds()).toBe(before + 1);
    expect(stats.usage(child.pid!)).not.toBeNull();
    expect(openFds()).toBe(before + 1);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await waitFor(() => stats.usage(child.pid!) === null, 'the read to fail');
    expect(openFds()).toBe(before);
    stats.close();
  });
});


describe('KeptStats.usage', () => {
  it('reads CPU ticks and RSS from the bytes as parseStat does, even when the name has ") (" in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corral-procfs-'));
    try {
      const odd = join(dir, 'we) ird (name');
      symlinkSync('/bin/sleep', odd);
      const child = spawn(odd, ['60'], { stdio: 'ignore' });
      children.push(child);
      // The name changes as exec begins; memory is counted once the program is loaded.
      await waitFor(() => readFileSync(`/proc/${child.pid}/comm`, 'latin1').startsWith('we) ird') && readStat(child.pid!)!.rssBytes > 0, 'the odd name, loaded');
      const stats = new KeptStats();
      // The program may still be mapping pages: compare readings taken while its RSS holds still.
      const settled = await waitFor(() => {
        const before = readStat(child.pid!)!;
        const usage = stats.usage(child.pid!)!;
        const after = readStat(child.pid!)!;
        return before.rssBytes === after.rssBytes && before.cpuTicks === after.cpuTicks ? { usage, whole: after } : null;
      }, 'two equal readings');
      expect(settled.usage).toEqual({ zombie: false, cpuTicks: settled.whole.cpuTicks, rssBytes: settled.whole.rssBytes });
      expect(settled.usage.rssBytes).toBeGreaterThan(0);
      stats.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads parentage, group, session and start from the bytes, even when the name has ") (" in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'corral-procfs-'));
    try {
      const odd = join(dir, 'we) ird (name');
      symlinkSync('/bin/sleep', odd);
      const child = spawn(odd, ['60'], { stdio: 'ignore', detached: true });
      children.push(child);
      await waitFor(() => readFileSync(`/proc/${child.pid}/comm`, 'latin1').startsWith('we) ird'), 'the odd name');
      // The reference: the text split at spaces after the last ')' (field 3 is the state).
      const text = readFileSync(`/proc/${child.pid}/stat`, 'latin1');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const field = (n: number) => Number(fields[n - 3]);
      expect(readStat(child.pid!)).toMatchObject({ pid: child.pid, ppid: process.pid, pgid: child.pid, sid: child.pid, start: field(22), state: fields[0] });
      expect([field(4), field(5), field(6)]).toEqual([process.pid, child.pid, child.pid]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts the CPU a busy process uses', async () => {
    const child = spawn('/bin/sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    children.push(child);
    const stats = new KeptStats();
    const start = stats.usage(child.pid!)!.cpuTicks;
    await waitFor(() => stats.usage(child.pid!)!.cpuTicks >= start + 10, 'a tenth of a second of CPU', 10_000);
    stats.close();
  });
});

describe('KeptStats, quiet processes', () => {
  /** The /proc files this process holds open for `pid`. */
  const heldFor = (pid: number) =>
    readdirSync('/proc/self/fd')
      .map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      })
      .filter((target) => target.startsWith(`/proc/${pid}/`));

  it('watches a quiet single-threaded process through its schedstat file, and reads its stat again once it runs', async () => {
    // Quiet while it waits for a line; each line makes it count for a while.
    const child = spawn('/bin/sh', ['-c', 'while read line; do i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; done'], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(child);
    const stats = new KeptStats();
    const pid = child.pid!;
    await waitFor(() => readStat(pid)?.state === 'S', 'the shell waiting for a line');
    await waitFor(() => {
      stats.usage(pid);
      return heldFor(pid).length === 1 && heldFor(pid)[0] === `/proc/${pid}/schedstat`;
    }, 'its schedstat file held');
    const quiet = stats.usage(pid)!.cpuTicks;
    child.stdin!.write('go\n');
    const busy = await waitFor(() => {
      const u = stats.usage(pid)!;
      return u.cpuTicks > quiet ? u.cpuTicks : null;
    }, 'the CPU it used seen', 10_000);
    expect(heldFor(pid)).toEqual([`/proc/${pid}/stat`]);
    expect(busy).toBeLessThanOrEqual(readStat(pid)!.cpuTicks);
    // Quiet again: the figures read through the probe are those of its stat.
    await waitFor(() => stats.usage(pid) !== null && readStat(pid)?.state === 'S' && heldFor(pid)[0] === `/proc/${pid}/schedstat`, 'quiet again, its schedstat held', 10_000);
    expect(stats.usage(pid)!.cpuTicks).toBe(readStat(pid)!.cpuTicks);
    expect(heldFor(pid)).toHaveLength(1);
    child.kill('SIGKILL');
    await waitFor(() => stats.usage(pid) === null, 'the probe to fail once it is gone');
    expect(heldFor(pid)).toEqual([]);
    stats.close();
  });

  it('reads the stat of a quiet process now and then all the same (its RSS can fall while it sleeps)', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    const stats = new KeptStats();
    const pid = child.pid!;
    await waitFor(() => readStat(pid)?.state === 'S' && readStat(pid)!.rssBytes > 0, 'sleep loaded and sleeping');
    await waitFor(() => stats.usage(pid) && heldFor(pid)[0] === `/proc/${pid}/schedstat`, 'its schedstat held');
    const statOpens = () => vi.mocked(openSync).mock.calls.filter(([file]) => file === `/proc/${pid}/stat`).length;
    const before = statOpens();
    for (let i = 0; i < 40; i++) expect(stats.usage(pid)).not.toBeNull();
    // Every 15th probe, through a file opened for that read: the schedstat file stays held.
    expect(statOpens() - before).toBeGreaterThanOrEqual(2);
    expect(heldFor(pid)).toEqual([`/proc/${pid}/schedstat`]);
    stats.close();
  });

  it('keeps reading the stat file of a process with several threads', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    children.push(child);
    const stats = new KeptStats();
    const pid = child.pid!;
    await waitFor(() => stats.usage(pid) && /^Threads:\s*([2-9]|\d\d)/m.test(readFileSync(`/proc/${pid}/status`, 'latin1')), 'its threads started');
    for (let i = 0; i < 5; i++) stats.usage(pid);
    expect(heldFor(pid)).toEqual([`/proc/${pid}/stat`]);
    stats.close();
  });
});

describe('processesBorn', () => {
  it("lists the processes born since a look, and none of their threads (a thread id opens in /proc too)", async () => {
    const before = lastPid()!;
    // node starts several threads at once: their ids come right after its pid, and open in /proc as a process's do.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    children.push(child);
    const threads = await waitFor(() => {
      try {
        const ids = readdirSync(`/proc/${child.pid}/task`).map(Number);
        return ids.length > 1 ? ids : null;
      } catch {
        return null;
      }
    }, 'the threads to start');
    const upTo = Math.max(...threads);
    const born = processesBorn(before, upTo).map((p) => p.pid);
    expect(born).toContain(child.pid);
    expect(born.filter((pid) => threads.includes(pid))).toEqual([child.pid]);
    // Every pid listed leads its thread group, however the pids were found.
    for (const pid of born) {
      const tgid = /^Tgid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
      if (tgid !== undefined) expect(Number(tgid)).toBe(pid);
    }
  });
});

describe('KeptStats, unchanged bytes', () => {
  it('gives the same figures while a process sleeps, and new ones once it ran', async () => {
    const child = spawn('/bin/sh', ['-c', 'read x; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; read x'], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(child);
    await waitFor(() => readStat(child.pid!)?.state === 'S' && readStat(child.pid!)!.rssBytes > 0, 'the shell to wait');
    const stats = new KeptStats();
    const first = { ...stats.usage(child.pid!)! };
    expect({ ...stats.usage(child.pid!)! }).toEqual(first);
    child.stdin!.write('go\n');
    const after = await waitFor(() => {
      const st = readStat(child.pid!);
      return st && st.state === 'S' && st.cpuTicks > first.cpuTicks ? st : null;
    }, 'the shell to spin and wait again', 60_000);
    expect({ ...stats.usage(child.pid!)! }).toEqual({ zombie: false, cpuTicks: after.cpuTicks, rssBytes: after.rssBytes });
    stats.close();
  });
});

describe('task tokens', () => {
  it('are 96 random bits, never the same twice', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newTaskToken()));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{24}$/);
  });
});
