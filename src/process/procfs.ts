/**
 * The only reader of /proc. One scan gives every process's parentage, group, session,
 * start time and corral token; scans are shared for a few milliseconds, so fifty tasks
 * stopping at once cost one scan per tick, not fifty.
 *
 * (tree-kill and pidtree spawn `ps` for every call; we need start times and the
 * inherited token anyway, which only /proc gives, and a scan costs a few milliseconds.)
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Start time in clock ticks since boot: with the pid, it names one process for ever. */
  start: number;
  state: string;
  /** The value of CORRAL_TASK_TOKEN in its environment, when it has one we may read. */
  token: string | null;
}

const TOKEN_KEY = Buffer.from('CORRAL_TASK_TOKEN=');

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses, so cut at the last ')'. */
export function parseStat(text: string): Omit<ProcEntry, 'token' | 'pid'> | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state); field N is f[N - 3].
  return {
    state: f[0] ?? '?',
    ppid: Number(f[1]),
    pgid: Number(f[2]),
    sid: Number(f[3]),
    start: Number(f[19]),
  };
}

export function readStat(pid: number): ProcEntry | null {
  try {
    const st = parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    return st ? { pid, ...st, token: null } : null;
  } catch {
    return null;
  }
}

/** Is this exact process (pid and start time) still there, and not a zombie? */
export function isAlive(pid: number, start: number): boolean {
  const st = readStat(pid);
  return st !== null && st.start === start && st.state !== 'Z' && st.state !== 'X';
}

function readToken(pid: number): string | null {
  let buf: Buffer;
  try {
    buf = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
  const at = buf.indexOf(TOKEN_KEY);
  if (at < 0 || (at > 0 && buf[at - 1] !== 0)) return null;
  const from = at + TOKEN_KEY.length;
  const end = buf.indexOf(0, from);
  return buf.toString('latin1', from, end < 0 ? buf.length : end);
}

let cached: { at: number; procs: ProcEntry[] } | null = null;

/** Every live process. `maxAgeMs` lets callers within the same few milliseconds share one scan. */
export function scanProcesses(maxAgeMs = 4): ProcEntry[] {
  const now = performance.now();
  if (cached && now - cached.at <= maxAgeMs) return cached.procs;
  const procs: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    const st = readStat(pid);
    if (!st || st.state === 'Z' || st.state === 'X') continue;
    st.token = readToken(pid);
    procs.push(st);
  }
  cached = { at: performance.now(), procs };
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
