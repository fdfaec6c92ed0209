/**
 * CPU and memory of every running task's whole process tree, from one /proc scan per
 * tick (the scan the stop logic uses anyway: it already holds each process's CPU ticks
 * and RSS, so sampling costs no extra reads — why pidusage, which reads again per pid,
 * is not used). Keeps a short history per task for sparklines, and the peak.
 */
import type { ProcessInfo } from '../../machines/task.types.js';
import { CLOCK_TICKS_PER_SECOND, scanProcesses, type ProcEntry } from '../process/procfs.js';
import { treeOf } from '../process/tree.js';

export interface Usage {
  cpuPercent: number;
  memoryBytes: number;
  peakMemoryBytes: number;
  /** Recent samples, oldest first. */
  history: { at: number; cpuPercent: number; memoryBytes: number }[];
}

const HISTORY = 60;

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
  }

  tick(now = Date.now(), procs: ProcEntry[] = scanProcesses()): void {
    const byPid = new Map(procs.map((p) => [p.pid, p]));
    const seen = new Set<string>();
    for (const { id, process } of this.live()) {
      seen.add(id);
      const members = treeOf(process, procs);
      let memoryBytes = 0;
      const ticks = new Map<number, number>();
      for (const pid of members) {
        const p = byPid.get(pid)!;
        memoryBytes += p.rssBytes;
        ticks.set(pid, p.cpuTicks);
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
      const prev = this.usage.get(id);
      const history = [...(prev?.history ?? []), { at: now, cpuPercent, memoryBytes }].slice(-HISTORY);
      const usage: Usage = {
        cpuPercent: Math.round(cpuPercent * 10) / 10,
        memoryBytes,
        peakMemoryBytes: Math.max(prev?.peakMemoryBytes ?? 0, memoryBytes),
        history,
      };
      this.usage.set(id, usage);
      this.onSample(id, usage);
    }
    for (const id of this.last.keys()) if (!seen.has(id)) this.last.delete(id);
  }
}
