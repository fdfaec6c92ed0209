/**
 * CPU and memory of every running task's whole process tree, from one /proc scan per
 * tick (the scan the stop logic uses anyway: it already holds each process's CPU ticks
 * and RSS, so sampling costs no extra reads — why pidusage, which reads again per pid,
 * is not used). Keeps a short history per task for sparklines, and the peak.
 */
import type { ProcessInfo } from '../../machines/task.types.js';
import { CLOCK_TICKS_PER_SECOND, KeptStats, scanProcesses, type ProcEntry } from '../process/procfs.js';
import { treeOf } from '../process/tree.js';
import { setLongInterval, type LongTimer } from '../long-timer.js';

export interface Usage {
  cpuPercent: number;
  memoryBytes: number;
  peakMemoryBytes: number;
  /** Recent samples, oldest first. */
  history: { at: number; cpuPercent: number; memoryBytes: number }[];
}

const HISTORY = 60;
const FULL_SCAN_EVERY = 10;

export class Sampler {
  private readonly usage = new Map<string, Usage>();
  /** When each task was last sampled. */
  private readonly lastAt = new Map<string, number>();
  /** Each counted process's CPU ticks at its last sample, updated in place. */
  private readonly cpuTicks = new Map<number, { ticks: number; at: number }>();
  private timer: LongTimer | null = null;

  constructor(
    private readonly live: () => { id: string; process: ProcessInfo }[],
    private readonly onSample: (id: string, usage: Usage) => void,
    private intervalMs = 2_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setLongInterval(() => this.tick(), this.intervalMs).unref();
  }

  setInterval(ms: number): void {
    this.intervalMs = ms;
    if (this.timer) {
      this.timer.clear();
      this.timer = null;
      this.start();
    }
  }

  stop(): void {
    this.timer?.clear();
    this.timer = null;
    this.stats.close();
  }

  get(id: string): Usage | undefined {
    return this.usage.get(id);
  }

  /** The processes counted for a task at its last sample. */
  membersOf(id: string): number[] {
    return this.members.get(id) ?? [];
  }

  forget(id: string): void {
    this.usage.delete(id);
    this.lastAt.delete(id);
    this.members.delete(id);
  }

  private ticks = 0;
  private readonly members = new Map<string, number[]>();
  private readonly stats = new KeptStats();

  /** Set when a known member of some tree was found gone: the trees changed, look again. */
  private treesChanged = false;

  /**
   * One sample of every running task. A full scan of /proc finds each tree's processes:
   * every tenth tick, and on the next tick after a task starts or a member ends. The ticks
   * between re-read only the processes already known, through files kept open (a child
   * born meanwhile is counted from the next full scan). Reading /proc/<pid>/stat is most
   * of an idle daemon's CPU, so the full scans are what this saves.
   */
  tick(now = Date.now(), scan?: ProcEntry[]): void {
    const live = this.live();
    const due = this.ticks++ % FULL_SCAN_EVERY === 0 || this.treesChanged || live.some(({ id }) => !this.members.has(id));
    const full = scan !== undefined || due;
    this.treesChanged = false;
    const procs = scan ?? (full ? scanProcesses() : null);
    const byPid = procs ? new Map(procs.map((p) => [p.pid, p])) : null;
    const seen = new Set<string>();
    for (const { id, process } of live) {
      seen.add(id);
      const before = this.lastAt.get(id);
      let memoryBytes = 0;
      let used = 0;
      // CPU used since the task's last sample, by processes seen both times (new ones count from their next sample).
      const count = (pid: number, cpuTicks: number, rssBytes: number) => {
        memoryBytes += rssBytes;
        const prev = this.cpuTicks.get(pid);
        if (prev === undefined) this.cpuTicks.set(pid, { ticks: cpuTicks, at: now });
        else {
          if (prev.at === before) used += Math.max(0, cpuTicks - prev.ticks);
          prev.ticks = cpuTicks;
          prev.at = now;
        }
      };
      if (procs && byPid) {
        const pids = treeOf(process, procs);
        this.members.set(id, pids);
        for (const pid of pids) {
          const p = byPid.get(pid)!;
          count(pid, p.cpuTicks, p.rssBytes);
        }
      } else {
        const known = this.members.get(id) ?? [process.pid];
        let alive = 0;
        for (const pid of known) {
          const u = this.stats.usage(pid);
          if (u === null || u.zombie) continue;
          alive++;
          count(pid, u.cpuTicks, u.rssBytes);
        }
        if (alive < known.length) {
          this.treesChanged = true;
          this.members.set(id, known.filter((pid) => this.cpuTicks.get(pid)?.at === now));
        }
      }
      const cpuPercent = before !== undefined && now > before ? (used / CLOCK_TICKS_PER_SECOND / ((now - before) / 1000)) * 100 : 0;
      this.lastAt.set(id, now);
      const usage = this.usage.get(id) ?? { cpuPercent: 0, memoryBytes: 0, peakMemoryBytes: 0, history: [] };
      usage.cpuPercent = Math.round(cpuPercent * 10) / 10;
      usage.memoryBytes = memoryBytes;
      usage.peakMemoryBytes = Math.max(usage.peakMemoryBytes, memoryBytes);
      // Kept in place: a hundred tasks sampled every tick should not churn the heap.
      usage.history.push({ at: now, cpuPercent: usage.cpuPercent, memoryBytes });
      if (usage.history.length > HISTORY) usage.history.shift();
      this.usage.set(id, usage);
      this.onSample(id, usage);
    }
    for (const id of this.lastAt.keys()) if (!seen.has(id)) this.lastAt.delete(id);
    for (const id of this.members.keys()) if (!seen.has(id)) this.members.delete(id);
    if (full) {
      const members = new Set([...this.members.values()].flat());
      this.stats.keepOnly(members);
      for (const pid of this.cpuTicks.keys()) if (!members.has(pid)) this.cpuTicks.delete(pid);
    }
  }
}
