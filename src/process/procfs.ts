/**
 * The only reader of /proc. One scan gives every process's parentage, group, session,
 * start time and corral token; scans are shared for a few milliseconds, so fifty tasks
 * stopping at once cost one scan per tick, not fifty.
 *
 * (tree-kill and pidtree spawn `ps` for every call; we need start times and the
 * inherited token anyway, which only /proc gives, and a scan costs a few milliseconds.)
 */
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs';

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Start time in clock ticks since boot: with the pid, it names one process for ever. */
  start: number;
  state: string;
  /** CPU time used so far (user + system), in clock ticks (1/100 s). */
  cpuTicks: number;
  /** Resident memory in bytes. */
  rssBytes: number;
  /** The value of CORRAL_TASK_TOKEN in its environment, when it has one we may read. */
  token: string | null;
}

const TOKEN_KEY = Buffer.from('CORRAL_TASK_TOKEN=');

/**
 * A fresh token for a task's processes to inherit: 96 random bits from the kernel (read
 * here rather than through node:crypto, whose OpenSSL costs the daemon 1 MB of RSS).
 */
export function newTaskToken(): string {
  // Read for a hundred tokens at a time: an environment's tasks do not each open /dev/urandom.
  if (tokenBytesUsed + TOKEN_BYTES > tokenPool.length) {
    const fd = openSync('/dev/urandom', 'r');
    try {
      readSync(fd, tokenPool, 0, tokenPool.length, null);
    } finally {
      closeSync(fd);
    }
    tokenBytesUsed = 0;
  }
  const token = tokenPool.toString('hex', tokenBytesUsed, tokenBytesUsed + TOKEN_BYTES);
  tokenBytesUsed += TOKEN_BYTES;
  return token;
}
const TOKEN_BYTES = 12;
const tokenPool = Buffer.alloc(TOKEN_BYTES * 100);
let tokenBytesUsed = tokenPool.length;
/** x86-64 and arm64 Linux both use 4 KiB pages for RSS accounting in /proc/<pid>/stat. */
const PAGE_SIZE = 4096;
/** USER_HZ: /proc reports CPU times in hundredths of a second on every Linux. */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * A byte's place in a buffer, by the typed array's own search: Buffer's indexOf checks and
 * converts its arguments in JavaScript first, which in the daemon's lite mode costs 2-3
 * times the search (a scan parses 2,000 stat files with 21 searches each).
 */
const indexOfByte = Uint8Array.prototype.indexOf;
const lastIndexOfByte = Uint8Array.prototype.lastIndexOf;

/** One buffer for every /proc read: a scan reads hundreds of small files, and allocation dominated. */
let scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * Reads a whole /proc file into the scratch buffer; returns its length, or -1 when it
 * cannot be read. A short read of a small file is the whole file (saves a syscall per
 * file, which is most of a scan's cost); `whole` keeps reading until end of file.
 */
function readProcFile(path: string, whole = false): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    let len = 0;
    for (;;) {
      if (len === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger);
        scratch = bigger;
      }
      const n = readSync(fd, scratch, len, scratch.length - len, null);
      if (n === 0) return len;
      len += n;
      if (!whole && len < scratch.length) return len;
    }
  } catch {
    return -1;
  } finally {
    closeSync(fd);
  }
}

export function readStat(pid: number): ProcEntry | null {
  const len = readProcFile(`/proc/${pid}/stat`);
  return len < 0 ? null : statFromScratch(pid, len);
}

/**
 * The entry of the stat file in the scratch buffer, read from its bytes: no string is made
 * and none is split (a scan of 2,000 processes made 44,000 strings, and in the daemon's lite
 * mode that was most of its cost). The command name may hold spaces and parentheses, so the
 * fields are counted from the last ')'.
 */
function statFromScratch(pid: number, len: number): ProcEntry | null {
  let at = lastIndexOfByte.call(scratch, 0x29 /* ) */, len - 1) + 2;
  if (at < 2 || at >= len) return null;
  const state = scratch[at] === 0x5a ? 'Z' : scratch[at] === 0x58 ? 'X' : String.fromCharCode(scratch[at]!);
  let ppid = 0, pgid = 0, sid = 0, start = 0, cpuTicks = 0, rssPages = 0;
  // Fields 4 to 24 (ppid … rss); field 3, the state, is read above.
  for (let field = 4; field <= 24; field++) {
    at = indexOfByte.call(scratch, 0x20, at) + 1;
    if (at <= 0 || at >= len) return null;
    if (field === 4) ppid = digitsAt(at);
    else if (field === 5) pgid = digitsAt(at);
    else if (field === 6) sid = digitsAt(at);
    else if (field === 14 || field === 15) cpuTicks += digitsAt(at);
    else if (field === 22) start = digitsAt(at);
    else if (field === 24) rssPages = digitsAt(at);
  }
  return {
    pid,
    state,
    ppid,
    pgid,
    sid,
    start,
    cpuTicks,
    rssBytes: rssPages * PAGE_SIZE,
    token: null,
  };
}

const reading = { zombie: false, cpuTicks: 0, rssBytes: 0 };
/** The thread count of the stat file parseUsage read last (KeptStats keeps it; samples need not). */
let parsedThreads = 0;

/** The decimal number at `at` in the scratch buffer. */
function digitsAt(at: number): number {
  let n = 0;
  for (let c = scratch[at]!; c >= 48 && c <= 57; c = scratch[++at]!) n = n * 10 + (c - 48);
  return n;
}

/** What KeptStats knows of one process: its open file, and the figures of its last read. */
interface Kept {
  /** Its stat file, or while it is quiet its schedstat file (see KeptStats). */
  fd: number;
  probing: boolean;
  /** The stat file as last read (its first `length` bytes). */
  bytes: Buffer;
  length: number;
  zombie: boolean;
  cpuTicks: number;
  rssBytes: number;
  threads: number;
  /** Reads of its stat file in a row that found it unchanged. */
  quiet: number;
  /** While probing: the CPU time the schedstat file gave, and how many probes found it the same. */
  runtime: number;
  probes: number;
}

/** Unchanged stat reads in a row before a single-threaded process is watched through its schedstat. */
const QUIET_READS = 2;
/**
 * Probes in a row that found no CPU time spent before the stat file is read all the same:
 * a process that does not run keeps its figures, but the kernel may reclaim its pages
 * (its RSS falls without it running), and such a fall shows within this many samples.
 */
const PROBES_BEFORE_READ = 15;
/** False once a schedstat file said 0 (a kernel without scheduler statistics): then no probing. */
let schedstatCounts = true;

/**
 * /proc/<pid>/stat files held open for processes read again and again (the sampler's): a
 * read at offset 0 regenerates the file, so a sample costs one pread instead of open,
 * read and close. An open file stays bound to its process: once that ends, the read fails
 * (ESRCH) and the file is closed, so a recycled pid is never read through it.
 *
 * A single-threaded process whose stat did not change over two reads is quiet (a server
 * waiting, a `sleep`): it is then watched through /proc/<pid>/schedstat instead, whose
 * first field is the CPU time it has used, in nanoseconds. The kernel writes that file at
 * half the cost of the stat file, and the same number read again means the process has
 * not run, so its stat (times, RSS, state, threads) is what it was. Once it runs, its stat
 * file is opened again. One file is held per process either way; each swap opens the new
 * file by pid and then reads the old one, which succeeds only while the process still
 * lives: the pid was not given to another process in between.
 */
export class KeptStats {
  private readonly kept = new Map<number, Kept>();

  /**
   * What a sample needs (alive, CPU ticks, RSS), parsed from the bytes into one shared
   * object that the next call overwrites: no string and no object per process, for the
   * sampler that reads a hundred of them every tick. Null when the process is gone.
   * A process that did not run since its last read gives the same bytes (its times, faults,
   * size and last CPU are unchanged): then one comparison stands for the parse, which in
   * lite mode cost twice the read itself.
   */
  usage(pid: number): Readonly<typeof reading> | null {
    let kept = this.kept.get(pid);
    if (kept === undefined) {
      let fd: number;
      try {
        fd = openSync(`/proc/${pid}/stat`, 'r');
      } catch {
        return null;
      }
      kept = { fd, probing: false, bytes: EMPTY, length: -1, zombie: false, cpuTicks: 0, rssBytes: 0, threads: 0, quiet: 0, runtime: 0, probes: 0 };
      this.kept.set(pid, kept);
    }
    if (kept.probing) {
      const runtime = readRuntime(kept.fd);
      if (runtime < 0) return this.drop(pid);
      if (runtime === kept.runtime) return ++kept.probes < PROBES_BEFORE_READ ? this.known(kept) : this.reread(pid, kept);
      if (!this.swap(pid, kept, 'stat')) return this.drop(pid);
    }
    let len: number;
    try {
      len = readSync(kept.fd, scratch, 0, scratch.length, 0);
    } catch {
      return this.drop(pid);
    }
    if (len !== kept.length || scratch.compare(kept.bytes, 0, len, 0, len) !== 0) {
      if (!parseUsage(len)) return null;
      if (kept.bytes.length < len) kept.bytes = Buffer.allocUnsafe(Math.max(len, 512));
      scratch.copy(kept.bytes, 0, 0, len);
      kept.length = len;
      kept.zombie = reading.zombie;
      kept.cpuTicks = reading.cpuTicks;
      kept.rssBytes = reading.rssBytes;
      kept.threads = parsedThreads;
      kept.quiet = 0;
      return reading;
    }
    if (++kept.quiet >= QUIET_READS && kept.threads === 1 && !kept.zombie && schedstatCounts && !this.swap(pid, kept, 'schedstat')) return this.drop(pid);
    return this.known(kept);
  }

  /** Closes the files of every process not in `pids`. */
  keepOnly(pids: Set<number>): void {
    for (const pid of this.kept.keys()) if (!pids.has(pid)) this.drop(pid);
  }

  close(): void {
    for (const pid of [...this.kept.keys()]) this.drop(pid);
  }

  /**
   * A quiet process's stat read through a file opened for this read alone (its schedstat
   * stays held): its RSS may have fallen by reclaim. The schedstat file read after it says
   * the process still lives, so the stat read was its own.
   */
  private reread(pid: number, kept: Kept): Readonly<typeof reading> | null {
    kept.probes = 0;
    const len = readProcFile(`/proc/${pid}/stat`);
    if (len < 0 || !parseUsage(len) || readRuntime(kept.fd) < 0) return this.drop(pid);
    kept.zombie = reading.zombie;
    kept.cpuTicks = reading.cpuTicks;
    kept.rssBytes = reading.rssBytes;
    kept.length = -1; // the bytes kept are an older read's
    return this.known(kept);
  }

  /** The figures of its last stat read, in the shared object. */
  private known(kept: Kept): Readonly<typeof reading> {
    reading.zombie = kept.zombie;
    reading.cpuTicks = kept.cpuTicks;
    reading.rssBytes = kept.rssBytes;
    return reading;
  }

  /**
   * Holds the process's other file instead of the one it holds; false when the process is
   * gone. Where schedstat files cannot be had (a kernel without them, or one that keeps no
   * scheduler statistics and writes 0), the stat file stays held and nothing is probed.
   */
  private swap(pid: number, kept: Kept, to: 'stat' | 'schedstat'): boolean {
    let fd = -1;
    try {
      fd = openSync(`/proc/${pid}/${to}`, 'r');
    } catch {
      // told apart below: the process is gone, or the file is not there to have
    }
    try {
      // The process still lives through the file held: a file just opened is its own.
      readSync(kept.fd, scratch, 0, scratch.length, 0);
    } catch {
      if (fd >= 0) closeSync(fd);
      return false;
    }
    if (to === 'stat') {
      if (fd < 0) return false;
    } else {
      const runtime = fd >= 0 ? readRuntime(fd) : 0;
      if (runtime <= 0) {
        if (fd >= 0) closeSync(fd);
        if (runtime === 0) schedstatCounts = false;
        return true;
      }
      kept.runtime = runtime;
    }
    closeSync(kept.fd);
    kept.fd = fd;
    kept.probing = to === 'schedstat';
    kept.probes = 0;
    kept.quiet = 0;
    return true;
  }

  private drop(pid: number): null {
    const kept = this.kept.get(pid);
    this.kept.delete(pid);
    if (kept !== undefined) {
      try {
        closeSync(kept.fd);
      } catch {
        // already closed
      }
    }
    return null;
  }
}

const EMPTY = Buffer.alloc(0);

/** The CPU time (ns) in a schedstat file held open, 0 where the kernel keeps none, -1 when the process is gone. */
function readRuntime(fd: number): number {
  let len: number;
  try {
    len = readSync(fd, scratch, 0, 64, 0);
  } catch {
    return -1;
  }
  return len > 0 ? digitsAt(0) : -1;
}

/** Alive, CPU ticks, RSS and threads from the stat file in the scratch buffer, into `reading`; false when it does not parse. */
function parseUsage(len: number): boolean {
  const close = lastIndexOfByte.call(scratch, 0x29 /* ) */, len - 1);
  if (close < 0) return false;
  let at = close + 2; // field 3, the state
  reading.zombie = scratch[at] === 0x5a /* Z */ || scratch[at] === 0x58; /* X */
  for (let field = 3; field < 14 && at > 0; field++) at = indexOfByte.call(scratch, 0x20, at) + 1;
  const utime = digitsAt(at);
  at = indexOfByte.call(scratch, 0x20, at) + 1;
  const stime = digitsAt(at);
  for (let field = 15; field < 20 && at > 0; field++) at = indexOfByte.call(scratch, 0x20, at) + 1;
  const threads = digitsAt(at);
  for (let field = 20; field < 24 && at > 0; field++) at = indexOfByte.call(scratch, 0x20, at) + 1;
  if (at <= 0 || at >= len) return false;
  reading.cpuTicks = utime + stime;
  reading.rssBytes = digitsAt(at) * PAGE_SIZE;
  parsedThreads = threads;
  return true;
}

/** Is this exact process (pid and start time) still there, and not a zombie? */
export function isAlive(pid: number, start: number): boolean {
  const st = readStat(pid);
  return st !== null && st.start === start && st.state !== 'Z' && st.state !== 'X';
}

function readToken(pid: number): string | null {
  const len = readProcFile(`/proc/${pid}/environ`, true);
  if (len < 0) return null;
  const env = scratch.subarray(0, len);
  const at = env.indexOf(TOKEN_KEY);
  if (at < 0 || (at > 0 && env[at - 1] !== 0)) return null;
  const from = at + TOKEN_KEY.length;
  const end = indexOfByte.call(env, 0, from);
  return env.toString('latin1', from, end < 0 ? len : end);
}

/**
 * A process's environment is fixed when it starts (and the token survives exec), so the
 * token is read once per process, keyed by pid and start time, not on every scan.
 */
const tokens = new Map<number, { start: number; token: string | null }>();

function tokenOf(pid: number, start: number): string | null {
  const known = tokens.get(pid);
  if (known && known.start === start) return known.token;
  const token = readToken(pid);
  tokens.set(pid, { start, token });
  return token;
}

/** A process's arguments, or null when it cannot be read (gone, or another user's). */
export function readCmdline(pid: number): string[] | null {
  const len = readProcFile(`/proc/${pid}/cmdline`, true);
  if (len <= 0) return null;
  const text = scratch.toString('utf8', 0, scratch[len - 1] === 0 ? len - 1 : len);
  return text.split('\0');
}

/** A process's name as the kernel keeps it (at most 15 characters: what `pkill` without `-f` matches), or null. */
export function readComm(pid: number): string | null {
  const len = readProcFile(`/proc/${pid}/comm`);
  if (len <= 0) return null;
  return scratch.toString('utf8', 0, scratch[len - 1] === 0x0a ? len - 1 : len);
}

/** The user a process runs as (the owner of its /proc folder), or null when it is gone. */
export function readUid(pid: number): number | null {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return null;
  }
}

/** The environment a process was started with (its last exec's), or null when it cannot be read. */
export function readEnviron(pid: number): Record<string, string> | null {
  const len = readProcFile(`/proc/${pid}/environ`, true);
  if (len < 0) return null;
  const env: Record<string, string> = {};
  for (const entry of scratch.toString('utf8', 0, len).split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Where one of a process's links points (`cwd`, `fd/1`), or null. */
export function readProcLink(pid: number, link: string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/${link}`);
  } catch {
    return null;
  }
}

/** When a process started, in ms since the epoch, from its start time in clock ticks since boot. */
export function startedAtMs(startTicks: number): number | null {
  if (bootTimeMs === undefined) {
    try {
      const line = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
      bootTimeMs = line ? Number(line[1]) * 1000 : null;
    } catch {
      bootTimeMs = null;
    }
  }
  return bootTimeMs === null ? null : bootTimeMs + Math.round((startTicks * 1000) / CLOCK_TICKS_PER_SECOND);
}
let bootTimeMs: number | null | undefined;

/**
 * The pid the kernel gave last (the last field of /proc/loadavg), or null when it cannot be
 * read. Pids are handed out in increasing order until they wrap at pid_max, so the
 * processes born since an earlier look are the pids after the one it saw: a look at those
 * alone finds them, where a scan would read every process of the machine.
 */
export function lastPid(): number | null {
  const len = readProcFile('/proc/loadavg');
  if (len <= 0) return null;
  const end = scratch[len - 1] === 0x0a ? len - 1 : len;
  const at = lastIndexOfByte.call(scratch, 0x20, end - 1) + 1;
  const pid = at > 0 ? digitsAt(at) : 0;
  return pid > 0 ? pid : null;
}

/**
 * At most this many pids handed out since a look: try each one (~6 µs for a pid gone, up to
 * 40 µs for a live thread, whose stat is read to tell) rather than list /proc (~1.5 µs per
 * process of the machine, 3 ms and more at 2,000). A quiet machine hands out a few a tick.
 */
const PROBE_AT_MOST = 64;

/**
 * The live processes among the pids after `after` up to `upTo`, as a scan would list them
 * (tokens included unless `withTokens` is false: then `token` is null and `tokenOf` reads
 * it). A few pids are tried one by one, threads skipped (a thread's id opens in /proc too);
 * more are found by listing /proc (one call): most pids handed out since are gone already,
 * and a failed open costs an exception.
 */
export function processesBorn(after: number, upTo: number, withTokens = true): ProcEntry[] {
  const found: ProcEntry[] = [];
  if (upTo <= after) return found;
  const probe = upTo - after <= PROBE_AT_MOST;
  let pids: number[];
  if (probe) {
    pids = [];
    for (let pid = after + 1; pid <= upTo; pid++) if (statSync(`/proc/${pid}`, { throwIfNoEntry: false })) pids.push(pid);
  } else {
    pids = [];
    for (const name of readdirSync('/proc')) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      if (pid > after && pid <= upTo) pids.push(pid);
    }
    pids.sort((a, b) => a - b);
  }
  for (const pid of pids) {
    const len = readProcFile(`/proc/${pid}/stat`);
    if (len < 0 || (probe && isThreadStat(len))) continue;
    const st = statFromScratch(pid, len);
    if (!st || st.state === 'Z' || st.state === 'X') continue;
    if (withTokens) st.token = tokenOf(pid, st.start);
    found.push(st);
  }
  return found;
}

/** The token of a process listed without it (`processesBorn(…, false)`), read once and kept on the entry. */
export function tokenOfEntry(p: ProcEntry): string | null {
  return (p.token ??= tokenOf(p.pid, p.start));
}

/** Is the stat file in the scratch buffer a thread's (not its group's leader)? Its exit signal (field 38) is -1. */
function isThreadStat(len: number): boolean {
  let at = lastIndexOfByte.call(scratch, 0x29 /* ) */, len - 1) + 2;
  for (let field = 3; field < 38 && at > 0; field++) at = indexOfByte.call(scratch, 0x20, at) + 1;
  return at > 0 && at < len && scratch[at] === 0x2d; /* - */
}

let cached: { at: number; procs: ProcEntry[] } | null = null;
/** True until the current turn of the event loop ends: one synchronous batch (a stop of fifty tasks) shares one scan. */
let scannedThisTurn = false;

/**
 * Every live process. `maxAgeMs` lets callers within the same few milliseconds share one
 * scan; `share: false` keeps this scan to its caller (a look taken just before a task
 * starts must not stand for the processes of the next moments, which include the task).
 */
export function scanProcesses(maxAgeMs = 4, share = true): ProcEntry[] {
  const now = performance.now();
  if (cached && (scannedThisTurn || now - cached.at <= maxAgeMs)) return cached.procs;
  const procs: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    const st = readStat(pid);
    if (!st || st.state === 'Z' || st.state === 'X') continue;
    st.token = tokenOf(pid, st.start);
    procs.push(st);
  }
  if (!share) return procs;
  if (tokens.size > procs.length * 2) {
    const live = new Set(procs.map((p) => p.pid));
    for (const pid of tokens.keys()) if (!live.has(pid)) tokens.delete(pid);
  }
  cached = { at: performance.now(), procs };
  scannedThisTurn = true;
  setImmediate(() => (scannedThisTurn = false));
  return procs;
}

let boot: string | null = null;
export function bootId(): string {
  if (boot === null) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    } catch {
      boot = 'unknown';
    }
  }
  return boot;
}
