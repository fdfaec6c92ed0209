/**
 * The faults a chaos run deals, one at a time: each does its damage, undoes what it can
 * (a frozen daemon is thawed, a full disk emptied) and says when it ended; the harness then
 * times how long the daemon takes to answer again.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonPid, freeBytes, type ChaosHome } from './home.js';

export type FaultKind = 'daemon-kill' | 'spawner-kill' | 'monitor-kill' | 'daemon-freeze' | 'disk-full' | 'state-corrupt';

export const FAULT_KINDS: FaultKind[] = ['daemon-kill', 'spawner-kill', 'monitor-kill', 'daemon-freeze', 'disk-full', 'state-corrupt'];

export interface FaultDone {
  /** When the fault's damage was over (the daemon dead, thawed, the disk emptied): recovery is timed from here. */
  endedAt: number;
  /** What it hit, for the report: a pid, a task, how many bytes were filled. */
  detail: string;
  /** For monitor-kill: the task whose monitor went (its exit status cannot be known). */
  taskPid?: number;
}

export interface FaultTimes {
  freezeMs: number;
  diskFullMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
}

function processes(): Proc[] {
  const found: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      if (fields[0] === 'Z') continue;
      found.push({ pid: Number(name), ppid: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // gone
    }
  }
  return found;
}

function environHas(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(marker);
  } catch {
    return false;
  }
}

function kill(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function untilGone(pid: number): Promise<void> {
  while (processes().some((p) => p.pid === pid)) await sleep(5);
}

/** Monitors of this home's tasks: the parents of the tasks' commands that are corral's (a spawner fork, or the sh monitor). */
function monitors(home: string): { monitor: number; task: number }[] {
  const procs = processes();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const marker = `CORRAL_HOME=${home}\0`;
  const found: { monitor: number; task: number }[] = [];
  for (const p of procs) {
    const parent = byPid.get(p.ppid);
    if (!parent || parent.comm !== 'corral-spawner' || p.comm === 'corral-spawner') continue;
    if (environHas(p.pid, marker) && environHas(p.pid, 'CORRAL_TASK_TOKEN=')) found.push({ monitor: parent.pid, task: p.pid });
  }
  return found;
}

function spawnerOf(daemon: number): number | null {
  return processes().find((p) => p.ppid === daemon && p.comm === 'corral-spawner')?.pid ?? null;
}

/** Fills the home's file system to the last byte: one preallocated file, then whatever a writer freed meanwhile. */
function fillDisk(home: string): number {
  const filler = join(home, '.chaos-filler');
  const free = freeBytes(home);
  spawnSync('fallocate', ['-l', String(Math.max(free, 4096)), filler]);
  spawnSync('dd', ['if=/dev/zero', `of=${filler}-rest`, 'bs=4k'], { stdio: 'ignore' });
  return free;
}

function emptyDisk(home: string): void {
  rmSync(join(home, '.chaos-filler'), { force: true });
  rmSync(join(home, '.chaos-filler-rest'), { force: true });
}

/** Deals one fault and returns once its damage is over. */
export async function deal(kind: FaultKind, h: ChaosHome, times: FaultTimes, pick: <T>(list: T[]) => T): Promise<FaultDone> {
  switch (kind) {
    case 'daemon-kill': {
      const pid = await daemonPid(h.home);
      kill(pid, 'SIGKILL');
      await untilGone(pid);
      return { endedAt: Date.now(), detail: `daemon ${pid}` };
    }
    case 'spawner-kill': {
      const spawner = spawnerOf(await daemonPid(h.home));
      if (spawner) kill(spawner, 'SIGKILL');
      return { endedAt: Date.now(), detail: spawner ? `spawner ${spawner}` : 'no spawner running' };
    }
    case 'monitor-kill': {
      const all = monitors(h.home);
      if (all.length === 0) return { endedAt: Date.now(), detail: 'no monitor running' };
      const { monitor, task } = pick(all);
      kill(monitor, 'SIGKILL');
      return { endedAt: Date.now(), detail: `monitor ${monitor} of ${task}`, taskPid: task };
    }
    case 'daemon-freeze': {
      const pid = await daemonPid(h.home);
      kill(pid, 'SIGSTOP');
      await sleep(times.freezeMs);
      kill(pid, 'SIGCONT');
      return { endedAt: Date.now(), detail: `daemon ${pid} for ${times.freezeMs} ms` };
    }
    case 'disk-full': {
      const filled = fillDisk(h.home);
      await sleep(times.diskFullMs);
      emptyDisk(h.home);
      return { endedAt: Date.now(), detail: `${Math.round(filled / 1024)} KiB filled for ${times.diskFullMs} ms` };
    }
    case 'state-corrupt': {
      const pid = await daemonPid(h.home);
      kill(pid, 'SIGKILL');
      await untilGone(pid);
      writeFileSync(join(h.home, 'state.json'), '{"version":1,"nextId":"x","tasks":5} garbage');
      return { endedAt: Date.now(), detail: `daemon ${pid}, state.json overwritten` };
    }
  }
}
