/**
 * CPU and memory of every running task's whole process tree, from one /proc scan per
 * tick (the scan the stop logic uses anyway: it already holds each process's CPU ticks
 * and RSS, so sampling costs no extra reads — why pidusage, which reads again per pid,
 * is not used). Keeps a short history per task for sparklines, and the peak.
 */
import type { ProcessInfo } from '../../machines/task.types.js';
import { CLOCK_TICKS_PER_SECOND, KeptStats, scanProcesses, type ProcEntry } from '../process/procfs.js';
import { treeOf } from '../process/tree.js';

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
    this.last.delete(id);
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
      let memberStats: ProcEntry[];
      if (procs && byPid) {
        const pids = treeOf(process, procs);
        this.members.set(id, pids);
        memberStats = pids.map((pid) => byPid.get(pid)!);
      } else {
        const known = this.members.get(id) ?? [process.pid];
        memberStats = known.map((pid) => this.stats.read(pid)).filter((p): p is ProcEntry => p !== null && p.state !== 'Z');
        if (memberStats.length < known.length) {
          this.treesChanged = true;
          this.members.set(id, memberStats.map((p) => p.pid));
        }
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
    if (full) this.stats.keepOnly(new Set([...this.members.values()].flat()));
  }
}
