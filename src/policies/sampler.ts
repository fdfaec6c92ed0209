/**
 * CPU and memory of every running task's whole process tree, from one /proc scan per
 * tick (the scan the stop logic uses anyway: it already holds each process's CPU ticks
 * and RSS, so sampling costs no extra reads — why pidusage, which reads again per pid,
 * is not used). Keeps a short history per task for sparklines, and the peak.
 */
import type { ProcessInfo } from '../../machines/task.types.js';
import { CLOCK_TICKS_PER_SECOND, KeptStats, lastPid, processesBorn, scanProcesses, tokenOfEntry, type ProcEntry } from '../process/procfs.js';
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

/** A running task's sampling: when it was last sampled (the time, and the tick's count), and its usage. */
interface Tracked {
  lastAt: number;
  sampledAt: number;
  usage: Usage;
}
const NONE: number[] = [];

/** Who may be a newborn's parent, group or session leader, or token, in the trees the sampler knows. */
interface Ties {
  /** The tasks they were made for (the same objects, in the same order, for them to hold). */
  live: { id: string; process: ProcessInfo }[];
  owner: Map<number, string>;
  leaders: Map<number, string>;
  tokens: Map<string, string>;
  monitors: Set<number>;
  pidOf: Map<string, ProcessInfo>;
}
/** A full scan now and then all the same: a process that joined a tree without being born into it (setpgid into its group). */
const FULL_SCAN_EVERY = 30;
/** More pids than this handed out since the last look (a machine forking hard): one scan reads fewer files. */
const MAX_BORN = 4096;

export class Sampler {
  private readonly usage = new Map<string, Usage>();
  /** Each running task's sampling: one lookup per task and tick (each Map lookup costs in lite mode). */
  private readonly tracked = new Map<string, Tracked>();
  /** Each counted process's CPU ticks at its last sample, updated in place. */
  private readonly cpuTicks = new Map<number, { ticks: number; at: number }>();
  private timer: LongTimer | null = null;
  private readonly tickListeners = new Set<(at: number, ids: readonly string[]) => void>();

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

  /**
   * The task's processes now, for a look that must not cost a scan of the machine (`status`
   * lists the ports they listen on): those of the last sample and any born into the tree
   * since. Null when the sampler cannot tell without a full scan (a task it has not sampled
   * yet, pids that wrapped): then the caller scans. Only this task's tree is looked at (the
   * look costs the same beside a thousand tasks), and the next tick looks at the newborns
   * for every tree as it would have.
   */
  membersNow(id: string, process: ProcessInfo): number[] | null {
    const members = this.members.get(id);
    const last = lastPid();
    const seen = this.seenPid;
    if (!members || last === null || seen === null || last < seen || last - seen > MAX_BORN) return null;
    if (last > seen) {
      const task = [{ id, process }];
      this.giveBorn(processesBorn(seen, last, false), this.tiesOf(task, task, false));
    }
    return [...(this.members.get(id) ?? [])];
  }

  /** Calls `listener` after every tick with the tasks it sampled, until the returned function is called. */
  onTick(listener: (at: number, ids: readonly string[]) => void): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  forget(id: string): void {
    this.usage.delete(id);
    this.tracked.delete(id);
    this.members.delete(id);
    this.ties = null;
  }

  private ticks = 0;
  private readonly members = new Map<string, number[]>();
  /** The look at newborns' maps, kept while the tasks and their members stay the same (null when they changed). */
  private ties: Ties | null = null;
  private readonly stats = new KeptStats();

  /** The last pid the kernel had given at the last look: processes born since have higher pids (until pids wrap). */
  private seenPid: number | null = null;

  /**
   * One sample of every running task. Each tick reads the processes already known through
   * their kept stat files, and looks at the processes born since the last tick (the pids
   * handed out since, from /proc/loadavg): a newborn joins the tree of its parent, of the
   * group or session it is in, or of the token it inherited. Reading every process of the
   * machine (a full scan) happens at the first tick, for a task whose processes are older
   * than the last look (one adopted from an earlier daemon), when pids wrapped or were
   * handed out by the thousand, and every thirtieth tick. At a thousand tasks a full scan
   * reads over two thousand files; the look at the newborn reads one per process born.
   */
  tick(now = Date.now(), scan?: ProcEntry[]): void {
    const live = this.live();
    const last = scan === undefined ? lastPid() : null;
    if (live.length === 0 && scan === undefined) {
      // Nothing to sample and no tree to look for: no scan, no look at newborns. The pids
      // handed out until now are none of a task's, so the next task's tick looks after them.
      this.ticks++;
      this.seenPid = last;
      if (this.tracked.size > 0 || this.members.size > 0) {
        this.tracked.clear();
        this.members.clear();
        this.cpuTicks.clear();
        this.stats.close();
        this.ties = null;
      }
      for (const listener of [...this.tickListeners]) listener(now, []);
      return;
    }
    const seenPid = this.seenPid;
    const inRange = (pid: number) => seenPid !== null && last !== null && pid > seenPid && pid <= last;
    const due =
      this.ticks++ % FULL_SCAN_EVERY === 0 ||
      seenPid === null ||
      last === null ||
      last < seenPid ||
      last - seenPid > MAX_BORN ||
      live.some(({ id, process }) => !this.members.has(id) && !inRange(process.pid));
    const full = scan !== undefined || due;
    this.seenPid = last;
    let procs = scan ?? (full ? scanProcesses() : null);
    if (procs && !scan && last !== null) {
      // A scan shared with another caller may be older than the look at the last pid: add what was born after it.
      let newest = 0;
      for (const p of procs) if (p.pid <= last && p.pid > newest) newest = p.pid;
      const since = last - newest <= MAX_BORN ? processesBorn(newest, last) : [];
      if (since.length > 0) procs = [...procs, ...since];
    }
    if (!full) {
      this.adoptBorn(live, seenPid!, last!);
      // A task seen for the first time whose processes all ended already: nothing to read, nothing to look for again.
      for (const { id } of live) if (!this.members.has(id)) this.members.set(id, []);
    }
    const byPid = procs ? new Map(procs.map((p) => [p.pid, p])) : null;
    const stamp = this.ticks;
    for (const { id, process } of live) {
      let tracked = this.tracked.get(id);
      const before = tracked?.lastAt;
      let memoryBytes = 0;
      // CPU used since the task's last sample, by processes seen both times (new ones count from their next sample).
      let used = 0;
      let members: number[];
      if (byPid) {
        members = treeOf(process, procs!);
        this.members.set(id, members);
        this.ties = null;
      } else {
        members = this.members.get(id) ?? NONE;
      }
      let alive = 0;
      for (let i = 0; i < members.length; i++) {
        const pid = members[i]!;
        let cpuTicks: number;
        if (byPid) {
          const p = byPid.get(pid)!;
          cpuTicks = p.cpuTicks;
          memoryBytes += p.rssBytes;
        } else {
          const u = this.stats.usage(pid);
          if (u === null || u.zombie) continue;
          cpuTicks = u.cpuTicks;
          memoryBytes += u.rssBytes;
        }
        alive++;
        // Kept in place, one object per process for its life: a thousand trees sampled every tick should not churn the heap.
        const prev = this.cpuTicks.get(pid);
        if (prev === undefined) this.cpuTicks.set(pid, { ticks: cpuTicks, at: now });
        else {
          if (prev.at === before) used += cpuTicks > prev.ticks ? cpuTicks - prev.ticks : 0;
          prev.ticks = cpuTicks;
          prev.at = now;
        }
      }
      if (alive < members.length) {
        this.members.set(id, members.filter((pid) => this.cpuTicks.get(pid)?.at === now));
        this.ties = null;
      }
      const cpuPercent = before !== undefined && now > before ? (used / CLOCK_TICKS_PER_SECOND / ((now - before) / 1000)) * 100 : 0;
      if (tracked === undefined) {
        let usage = this.usage.get(id);
        if (usage === undefined) {
          usage = { cpuPercent: 0, memoryBytes: 0, peakMemoryBytes: 0, history: [] };
          this.usage.set(id, usage);
        }
        tracked = { lastAt: now, sampledAt: stamp, usage };
        this.tracked.set(id, tracked);
      } else {
        tracked.lastAt = now;
        tracked.sampledAt = stamp;
      }
      const usage = tracked.usage;
      usage.cpuPercent = Math.round(cpuPercent * 10) / 10;
      usage.memoryBytes = memoryBytes;
      if (memoryBytes > usage.peakMemoryBytes) usage.peakMemoryBytes = memoryBytes;
      // Kept in place, the oldest sample's object reused for the newest: a thousand tasks sampled every tick should not churn the heap.
      const sample = usage.history.length >= HISTORY ? usage.history.shift()! : { at: 0, cpuPercent: 0, memoryBytes: 0 };
      sample.at = now;
      sample.cpuPercent = usage.cpuPercent;
      sample.memoryBytes = memoryBytes;
      usage.history.push(sample);
      this.onSample(id, usage);
    }
    // Tasks no longer running: their last tick's stamp is an older one (no set of this tick's ids is built).
    if (this.tracked.size > live.length || this.members.size > live.length) {
      for (const [id, { sampledAt }] of this.tracked) if (sampledAt !== stamp) this.tracked.delete(id);
      for (const id of this.members.keys()) if (this.tracked.get(id)?.sampledAt !== stamp) this.members.delete(id);
      this.ties = null;
    }
    if (full) {
      const members = new Set([...this.members.values()].flat());
      this.stats.keepOnly(members);
      for (const pid of this.cpuTicks.keys()) if (!members.has(pid)) this.cpuTicks.delete(pid);
    }
    if (this.tickListeners.size > 0) {
      const ids = live.map(({ id }) => id);
      for (const listener of [...this.tickListeners]) listener(now, ids);
    }
  }

  /** The maps of the look at newborns, made again only when a task or a tree's members changed. */
  private tiesOf(live: { id: string; process: ProcessInfo }[], everyLive: { id: string; process: ProcessInfo }[], keep = true): Ties {
    const kept = this.ties;
    if (keep && kept && kept.live.length === live.length && everyLive.length === live.length) {
      let same = true;
      for (let i = 0; i < live.length && same; i++) same = kept.live[i] === live[i];
      if (same) return kept;
    }
    const owner = new Map<number, string>();
    const leaders = new Map<number, string>();
    const tokens = new Map<string, string>();
    // Monitors are never members of a tree.
    const monitors = new Set(everyLive.map(({ process }) => process.monitorPid));
    for (const { id, process } of live) {
      const members = this.members.get(id);
      for (const pid of members ?? []) owner.set(pid, id);
      owner.set(process.monitorPid, id);
      // A group outlives its leader, but a pid reused by a stranger is not the task's: only a command seen alive leads its group.
      if (members?.includes(process.pid)) leaders.set(process.pid, id);
      tokens.set(process.token, id);
    }
    const pidOf = new Map(live.map(({ id, process }) => [id, process]));
    const ties = { live, owner, leaders, tokens, monitors, pidOf };
    // Kept only when every task is in it (the common case: no task older than the last look waits for its full scan).
    if (keep) this.ties = everyLive.length === live.length ? ties : null;
    return ties;
  }

  /**
   * Gives each process born since the last look to the tree it belongs to, as treeOf
   * would: the child of a member or of the task's monitor, a process in the group or
   * session the command leads (while the command is the one the task started), or one
   * holding the task's token. Pids in increasing order: a parent comes before its children.
   */
  private adoptBorn(everyLive: { id: string; process: ProcessInfo }[], after: number, upTo: number): void {
    if (upTo <= after) return; // no pid handed out since: nobody was born
    // The trees it can grow: those known, and those of tasks started since the last look
    // (a task whose processes are older waits for the full scan its next tick makes).
    const live = everyLive.filter(({ id, process }) => this.members.has(id) || (process.pid > after && process.pid <= upTo));
    if (live.length === 0) return;
    // Tokens are read only for the newborns nothing else ties to a tree (below).
    const born = processesBorn(after, upTo, false);
    if (born.length > 0) this.giveBorn(born, this.tiesOf(live, everyLive));
  }

  /** Each newborn (in increasing pid order) to the tree it belongs to, as treeOf would tie it. */
  private giveBorn(born: ProcEntry[], { owner, leaders, tokens, monitors, pidOf }: Ties): void {
    // Newborns found to hold no token: their children, born of them, hold none either (the token
    // is a secret only a task's processes have), so a machine forking hard costs one read of
    // an environment per family of strangers, not one per process.
    const strangers = new Set<number>();
    for (const p of born) {
      if (monitors.has(p.pid)) continue;
      let id = owner.get(p.ppid) ?? leaders.get(p.pgid) ?? leaders.get(p.sid);
      if (id === undefined) {
        if (strangers.has(p.ppid)) {
          strangers.add(p.pid);
          continue;
        }
        const token = tokenOfEntry(p);
        id = token !== null ? tokens.get(token) : undefined;
        if (id === undefined) {
          if (token === null) strangers.add(p.pid);
          continue;
        }
      }
      const info = pidOf.get(id)!;
      if (p.pid === info.pid && p.start !== info.pidStart) continue; // the command's pid, reused by a stranger
      owner.set(p.pid, id);
      if (p.pid === info.pid) leaders.set(p.pid, id);
      const members = this.members.get(id);
      if (!members) {
        this.members.set(id, [p.pid]);
        this.ties = null;
      } else if (!members.includes(p.pid)) members.push(p.pid);
    }
  }
}
