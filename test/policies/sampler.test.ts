/**
 * The sampler against real process trees: which processes it counts, when it looks for
 * new ones (a full /proc scan) and when it only re-reads the ones it knows.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../machines/task.types.js';
import { Sampler, type Usage } from '../../src/policies/sampler.js';
import { readStat } from '../../src/process/procfs.js';
import { isRunning, waitFor } from '../helpers.js';

let dir: string;
let children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'corral-sampler-'));
});
afterEach(async () => {
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await waitFor(() => children.every((c) => !isRunning(c.pid!)), 'the trees to end');
  children = [];
  rmSync(dir, { recursive: true, force: true });
});

/** A shell in its own group that starts `sleep 60` once a line comes through the fifo `go`, and writes its pid to `pids`. */
async function tree(): Promise<{ info: ProcessInfo; go: string }> {
  const go = join(dir, 'go');
  spawnSync('mkfifo', [go]);
  const script = `read x < ${go}; sleep 60 & echo $! > ${join(dir, 'pids')}; wait; exec sleep 60`;
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  children.push(child);
  const pid = child.pid!;
  // Memory is counted once the shell is loaded, a moment after exec begins.
  await waitFor(() => (readStat(pid)?.rssBytes ?? 0) > 0, 'the shell to load');
  const info: ProcessInfo = { pid, pidStart: readStat(pid)!.start, monitorPid: -1, monitorStart: 0, bootId: '', token: `t${pid}`, logStart: { stdout: 0, stderr: 0 } };
  return { info, go };
}

describe('Sampler', () => {
  it('gives a busy task its CPU share between samples, full scan or not', async () => {
    const child = spawn('/bin/sh', ['-c', 'while :; do :; done'], { detached: true, stdio: 'ignore' });
    children.push(child);
    const info: ProcessInfo = { pid: child.pid!, pidStart: readStat(child.pid!)!.start, monitorPid: -1, monitorStart: 0, bootId: '', token: 'busy', logStart: { stdout: 0, stderr: 0 } };
    const samples: Usage[] = [];
    const sampler = new Sampler(() => [{ id: 'busy', process: info }], (_id, usage) => samples.push({ ...usage }));
    sampler.tick(Date.now()); // full scan: the task is new
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 300));
      sampler.tick(Date.now()); // re-reads through the kept file
    }
    // A spinning shell gets a good share of a core even with the whole suite running beside it; broken sampling says 0.
    // One sample per tick, or `every` below would hold of nothing.
    expect(samples).toHaveLength(4);
    expect(samples.slice(1).map((s) => s.cpuPercent).filter((cpu) => !(cpu > 5))).toEqual([]);
    expect(samples[0]!.cpuPercent).toBe(0);
    sampler.stop();
  });

  it('looks for a new task tree at once, finds children born later at the next tick without a full scan, and drops ended ones', async () => {
    const { info, go } = await tree();
    const samples: Usage[] = [];
    const sampler = new Sampler(() => [{ id: 't', process: info }], (_id, usage) => samples.push({ ...usage }));
    let now = Date.now();
    sampler.tick(now);
    expect(sampler.membersOf('t')).toEqual([info.pid]);
    expect(samples[0]!.memoryBytes).toBeGreaterThan(0);
    sampler.tick((now += 2000)); // nothing born into the tree: the same member
    expect(sampler.membersOf('t')).toEqual([info.pid]);

    writeFileSync(go, 'go\n');
    const sleepPid = await waitFor(() => {
      const p = readdirSync(dir).includes('pids') ? Number(readFileSync(join(dir, 'pids'), 'utf8')) : 0;
      return p > 0 ? p : null;
    }, 'the child to start');
    await waitFor(() => (readStat(sleepPid)?.rssBytes ?? 0) > 0, 'the child to load');
    // Ticks are seconds apart, never in the turn of the scan before (scans are shared within a turn).
    await new Promise((r) => setTimeout(r, 10));
    sampler.tick((now += 2000)); // the second tick: a look at the pids born since, not a full scan
    expect(sampler.membersOf('t').sort()).toEqual([info.pid, sleepPid].sort());
    sampler.tick((now += 2000));
    const withChild = samples.at(-1)!.memoryBytes;
    expect(withChild).toBeGreaterThan(samples[1]!.memoryBytes);

    process.kill(sleepPid, 'SIGKILL');
    await waitFor(() => !isRunning(sleepPid), 'the child to end');
    sampler.tick((now += 2000));
    expect(sampler.membersOf('t')).toEqual([info.pid]);
    sampler.stop();
  });

  it('gives a newborn to the task whose token it holds, and none to a stranger', async () => {
    const { info } = await tree();
    const sampler = new Sampler(() => [{ id: 't', process: info }], () => {});
    let now = Date.now();
    sampler.tick(now);
    await new Promise((r) => setTimeout(r, 10));
    // Its own session (detached: setsid), a parent outside the tree: only the token ties it to the task.
    const holder = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env: { ...process.env, CORRAL_TASK_TOKEN: info.token } });
    const stranger = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    children.push(holder, stranger);
    await waitFor(() => (readStat(holder.pid!)?.rssBytes ?? 0) > 0 && (readStat(stranger.pid!)?.rssBytes ?? 0) > 0, 'both to load');
    sampler.tick((now += 2000));
    expect(sampler.membersOf('t').sort()).toEqual([info.pid, holder.pid!].sort());
    sampler.stop();
  });

  it('tells the members now, newborns included, without a tick', async () => {
    const { info, go } = await tree();
    let listed = 0;
    const sampler = new Sampler(() => (listed++, [{ id: 't', process: info }]), () => {});
    expect(sampler.membersNow('t', info)).toBeNull(); // never sampled: the caller scans
    sampler.tick(Date.now());
    writeFileSync(go, 'go\n');
    const sleepPid = await waitFor(() => {
      const p = readdirSync(dir).includes('pids') ? Number(readFileSync(join(dir, 'pids'), 'utf8')) : 0;
      return p > 0 ? p : null;
    }, 'the child to start');
    expect(sampler.membersOf('t')).toEqual([info.pid]); // the last tick's
    const ticks = listed;
    expect(sampler.membersNow('t', info)!.sort()).toEqual([info.pid, sleepPid].sort());
    // Its own tree only: the look does not list every task (it costs the same beside a thousand).
    expect(listed).toBe(ticks);
    // The next tick still sees the newborn, and counts it from then on.
    sampler.tick(Date.now() + 2000);
    expect(sampler.membersOf('t').sort()).toEqual([info.pid, sleepPid].sort());
    sampler.stop();
  });

  it('finds the tree of a task whose processes are older than its last look (adopted) at its first tick, even after a look between', async () => {
    const { info } = await tree();
    const known = await tree();
    const tasks: { id: string; process: ProcessInfo }[] = [{ id: 'known', process: known.info }];
    const sampler = new Sampler(() => tasks, () => {});
    let now = Date.now();
    sampler.tick(now); // the first tick, without the old task
    await new Promise((r) => setTimeout(r, 10));
    tasks.push({ id: 'old', process: info }); // its shell was born before that look
    expect(sampler.membersNow('old', info)).toBeNull();
    // A look for another task between the two ticks leaves the old one to its full scan.
    expect(sampler.membersNow('known', known.info)).toEqual([known.info.pid]);
    sampler.tick((now += 2000));
    expect(sampler.membersOf('old')).toEqual([info.pid]);
    sampler.stop();
  });

  it('finds each child born into a tree whose task list stays the same from tick to tick, before and after a member ends', async () => {
    const go = join(dir, 'go');
    const again = join(dir, 'again');
    spawnSync('mkfifo', [go]);
    spawnSync('mkfifo', [again]);
    const script = `read x < ${go}; sleep 60 & echo $! > ${join(dir, 'first')}; read x < ${again}; sleep 60 & echo $! > ${join(dir, 'second')}; wait`;
    const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
    children.push(child);
    const pid = child.pid!;
    await waitFor(() => (readStat(pid)?.rssBytes ?? 0) > 0, 'the shell to load');
    const info: ProcessInfo = { pid, pidStart: readStat(pid)!.start, monitorPid: -1, monitorStart: 0, bootId: '', token: `t${pid}`, logStart: { stdout: 0, stderr: 0 } };
    // The same task objects at every tick, as the daemon's records are while nothing changes.
    const tasks = [{ id: 't', process: info }];
    const sampler = new Sampler(() => tasks, () => {});
    let now = Date.now();
    sampler.tick(now);
    await new Promise((r) => setTimeout(r, 10));
    sampler.tick((now += 2000));
    const bornPid = async (file: string) => {
      const p = await waitFor(() => (readdirSync(dir).includes(file) ? Number(readFileSync(join(dir, file), 'utf8')) || null : null), `the ${file} child to start`);
      await waitFor(() => (readStat(p)?.rssBytes ?? 0) > 0, `the ${file} child to load`);
      await new Promise((r) => setTimeout(r, 10));
      return p;
    };
    writeFileSync(go, 'go\n');
    const first = await bornPid('first');
    sampler.tick((now += 2000));
    expect(sampler.membersOf('t').sort()).toEqual([pid, first].sort());
    process.kill(first, 'SIGKILL');
    await waitFor(() => !isRunning(first), 'the first child to end');
    sampler.tick((now += 2000));
    expect(sampler.membersOf('t')).toEqual([pid]);
    writeFileSync(again, 'go\n');
    const second = await bornPid('second');
    sampler.tick((now += 2000));
    expect(sampler.membersOf('t').sort()).toEqual([pid, second].sort());
    sampler.stop();
  });

  it("reports an idle tree's memory fresh at every tick, and a tree that wakes, grows and uses CPU at the next one", async () => {
    const wake = join(dir, 'wake');
    spawnSync('mkfifo', [wake]);
    // Waits on the fifo; once woken, spins a moment and grows by a variable of 8 MB, then waits again.
    const script = `read x < ${wake}; i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; y=$(head -c 8000000 /dev/zero | tr '\\0' a); echo > ${join(dir, 'grown')}; read x < ${wake}`;
    const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
    children.push(child);
    const pid = child.pid!;
    await waitFor(() => (readStat(pid)?.rssBytes ?? 0) > 0, 'the shell to load');
    const info: ProcessInfo = { pid, pidStart: readStat(pid)!.start, monitorPid: -1, monitorStart: 0, bootId: '', token: `t${pid}`, logStart: { stdout: 0, stderr: 0 } };
    const samples: Usage[] = [];
    const sampler = new Sampler(() => [{ id: 'w', process: info }], (_id, usage) => samples.push({ ...usage, history: [] }));
    let now = Date.now();
    // Asleep on its fifo: every tick still gives the figures the kernel has now.
    await waitFor(() => readStat(pid)?.state === 'S', 'the shell to wait');
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
      sampler.tick((now += 2000));
      expect(samples.at(-1)!.memoryBytes).toBe(readStat(pid)!.rssBytes);
    }
    expect(samples.slice(1).map((s) => s.cpuPercent)).toEqual([0, 0]);
    const idle = samples.at(-1)!.memoryBytes;

    writeFileSync(wake, 'go\n');
    await waitFor(() => readdirSync(dir).includes('grown') && readStat(pid)?.state === 'S', 'the shell to grow and wait again', 60_000);
    await new Promise((r) => setTimeout(r, 10));
    sampler.tick((now += 2000));
    const grown = readStat(pid)!;
    expect(grown.rssBytes).toBeGreaterThan(idle + 4_000_000);
    expect(sampler.membersOf('w')).toEqual([pid]); // the pipeline's processes ended before the tick
    expect(samples.at(-1)!.memoryBytes).toBe(grown.rssBytes);
    expect(samples.at(-1)!.cpuPercent).toBeGreaterThan(0);
    sampler.stop();
  });

  it('lets go of every kept file once no task runs, and finds the next task at its first tick', async () => {
    const { info } = await tree();
    const tasks: { id: string; process: ProcessInfo }[] = [{ id: 'a', process: info }];
    const sampler = new Sampler(() => tasks, () => {});
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    let now = Date.now();
    sampler.tick(now);
    sampler.tick((now += 2000)); // read through its kept stat file
    expect(fds()).toBe(before + 1);
    const next = await tree(); // older than the next look: its first tick scans for it
    tasks.length = 0;
    await new Promise((r) => setTimeout(r, 10));
    sampler.tick((now += 2000));
    expect(fds()).toBe(before);
    expect(sampler.membersOf('a')).toEqual([]);
    tasks.push({ id: 'b', process: next.info });
    sampler.tick((now += 2000));
    expect(sampler.membersOf('b')).toEqual([next.info.pid]);
    expect(sampler.get('b')!.memoryBytes).toBeGreaterThan(0);
    sampler.stop();
  });

  it('tells its tick listeners, after each tick, which tasks it sampled, until they stop listening', async () => {
    const { info } = await tree();
    const sampler = new Sampler(() => [{ id: 'a', process: info }], () => {});
    const heard: [number, readonly string[], number | undefined][] = [];
    const stop = sampler.onTick((at, ids) => heard.push([at, ids, sampler.get('a')?.history.at(-1)?.at]));
    sampler.tick(1_000);
    sampler.tick(3_000);
    // Each call comes after the tick's samples are kept: a listener reads the figures of that tick.
    expect(heard).toEqual([
      [1_000, ['a'], 1_000],
      [3_000, ['a'], 3_000],
    ]);
    stop();
    sampler.tick(5_000);
    expect(heard.length).toBe(2);
    sampler.stop();
  });
});
