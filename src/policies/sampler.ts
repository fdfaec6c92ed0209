/**
 * CPU and memory of every running task's whole process tree, from one /proc scan per
 * tick (the scan the stop logic uses anyway: it already holds each process's CPU ticks
 * and RSS, so sampling costs no extra reads — why pidusage, which reads again per pid,
 * is not used). Keeps a short history per task for sparklines, and the peak.
 */
import type { ProcessInfo } from '../../machines/task.types.js';
import { CLOCK_TICKS_PER_SECOND, readStat, scanProcesses, type ProcEntry } from '../process/procfs.js';
import { treeOf } from '../process/tree.js';

export interface Usage {
  cpuPercent: number;
  memoryBytes: number;
  peakMemoryBytes: number;
  /** Recent samples, oldest first. */
  history: { at: number; cpuPercent: number; memoryBytes: number }[];
}

const HISTORY = 60;
const FULL_SCAN_EVERY = 5;

export class Sampler {
  private readonly usage = new Map<string, Usage>();
  private readonly last = new Map<string, { at: number; ticks: Map<number, number> }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly live: () => { id: string; process: ProcessInfo }[],
    private readonly onSample: (id: string, usage: Usage) => void,
    private intervalMs = 2_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  setInterval(ms: number): void {
    this.intervalMs = ms;
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
      this.start();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get(id: string): Usage | undefined {
    return this.usage.get(id);
  }

  forget(id: string): void {
    this.usage.delete(id);
    this.last.delete(id);
    this.members.delete(id);
  }

  private ticks = 0;
  private readonly members = new Map<string, number[]>();

  /**
   * One sample of every running task. Every fifth tick scans all of /proc to find each
   * tree's processes; the ticks between re-read only the processes already known (a
   * child born meanwhile is counted from the next full scan): a third of the reads.
   */
  tick(now = Date.now(), scan?: ProcEntry[]): void {
    const full = scan !== undefined || this.ticks++ % FULL_SCAN_EVERY === 0;
    const procs = scan ?? (full ? scanProcesses() : null);
    const byPid = procs ? new Map(procs.map((p) => [p.pid, p])) : null;
    const seen = new Set<string>();
    for (const { id, process } of this.live()) {
      seen.add(id);
      let memberStats: ProcEntry[];
      if (procs && byPid) {
        const pids = treeOf(process, procs);
        this.members.set(id, pids);
        memberStats = pids.map((pid) => byPid.get(pid)!);
      } else {
        const known = this.members.get(id) ?? [process.pid];
        memberStats = known.map((pid) => readStat(pid)).filter((p): p is ProcEntry => p !== null && p.state !== 'Z');
      }
      let memoryBytes = 0;
      const ticks = new Map<number, number>();
      for (const p of memberStats) {
        memoryBytes += p.rssBytes;
        ticks.set(p.pid, p.cpuTicks);
      }
      // CPU used since the last tick by processes seen both times (new ones count from their next tick).
      const before = this.last.get(id);
      let cpuPercent = 0;
      if (before && now > before.at) {
        let used = 0;
        for (const [pid, t] of ticks) used += t - (before.ticks.get(pid) ?? t);
        cpuPercent = Math.max(0, (used / CLOCK_TICKS_PER_SECOND / ((now - before.at) / 1000)) * 100);
      }
      this.last.set(id, { at: now, ticks });
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
    for (const id of this.last.keys()) if (!seen.has(id)) this.last.delete(id);
    for (const id of this.members.keys()) if (!seen.has(id)) this.members.delete(id);
  }
}
