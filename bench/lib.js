/**
 * Shared helpers of the benchmark suite: running the CLI with a home, timing, medians,
 * the RPC client, and the cleanup every benchmark runs in its `finally` (stop the daemon,
 * kill whatever is left that carries the home in its environment, remove the home).
 * Node built-ins only.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist/src/cli/main.js');
export const DIST = join(ROOT, 'dist/src');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.now();

export function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const round = (x, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

/** The environment every process of a benchmark gets: the home, so leftovers can be found by it. */
export function envFor(home) {
  const env = { ...process.env, CORRAL_HOME: home };
  delete env.CORRAL_TASK;
  delete env.CORRAL_TASK_TOKEN;
  return env;
}

/** Runs `corral ARGS` synchronously with CORRAL_HOME=home; returns its output and wall time (ms). */
export function corral(home, args, { timeout = 120_000, check = true } = {}) {
  const t0 = now();
  const r = spawnSync(process.execPath, [CLI, ...args], { env: envFor(home), encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  const ms = now() - t0;
  if (check && r.status !== 0) {
    throw new Error(`corral ${args.join(' ')} exited ${r.status ?? r.signal}: ${(r.stderr || '').trim()}`);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms };
}

/** Runs a command synchronously and returns its wall time (ms), spawn to exit. */
export function timeSync(file, args, { env = process.env, timeout = 120_000 } = {}) {
  const t0 = now();
  const r = spawnSync(file, args, { env, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  const ms = now() - t0;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status ?? r.signal}: ${(r.stderr || '').trim()}`);
  return { ms, stdout: r.stdout };
}

/**
 * Where a benchmark's time goes: `mark(name)` closes the phase since the last mark;
 * `toString()` gives "name 1.2 s, …" for the notes (the suite has a budget of its own).
 */
export function phaseClock() {
  const phases = [];
  let at = now();
  return {
    mark(name) {
      phases.push(`${name} ${round((now() - at) / 1000, 1)} s`);
      at = now();
    },
    toString: () => `where the time went: ${phases.join(', ')}`,
  };
}

// ---------------------------------------------------------------- homes and cleanup

const activeHomes = new Set();

/** A fresh, short home under /tmp. */
export function makeHome(tag) {
  const home = mkdtempSync(`/tmp/cb-bench-${tag}-`);
  activeHomes.add(home);
  return home;
}

/** Live processes (zombies excluded) whose environment has CORRAL_HOME=home. */
export function processesOfHome(home, { exclude = [] } = {}) {
  const needle = Buffer.from(`CORRAL_HOME=${home}\0`);
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid || exclude.includes(pid)) continue;
    let environ;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue;
    }
    const at = environ.indexOf(needle);
    if (at < 0 || (at > 0 && environ[at - 1] !== 0)) continue;
    const state = procState(pid);
    if (state === null || state === 'Z' || state === 'X') continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {}
    found.push({ pid, state, cmd });
  }
  return found;
}

/** The state letter of a process (R, S, Z…), or null when it is gone. */
export function procState(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return null;
  }
}

export const isAlive = (pid) => {
  const s = procState(pid);
  return s !== null && s !== 'Z' && s !== 'X';
};

/** VmRSS / VmHWM of a process, in bytes. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')) || [])[1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** User + system CPU time a process has used so far, in ms. */
export function cpuMsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // utime, stime in clock ticks (USER_HZ = 100)
}

/**
 * CPU time a process has used so far, in ms with microsecond precision: the sum over its
 * threads of the time the scheduler ran them (/proc/PID/task/TID/schedstat, in ns), where
 * `cpuMsOf` counts in 10 ms clock ticks, too coarse for a few seconds of an idle daemon.
 * Threads that ended are not counted: use it over windows where none should.
 */
export function preciseCpuMsOf(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

/** The sampler's period in the daemon, and how many ticks apart its full scans of /proc are (src/policies/sampler.ts). */
export const SAMPLER_TICK_MS = 2_000;
const FULL_SCAN_EVERY_TICKS = 30;

/**
 * The daemon's own CPU time over an idle window of `ms`, as % of one core. A window that is
 * a whole number of sampler periods holds that many ticks whatever its phase. The full scan
 * of /proc (every thirtieth tick, once a minute) falls in a short window only by chance, so
 * its share is measured apart (`fullScanShare`) and added where the figure is the whole
 * idle cost: callers start the window well clear of the daemon's first minute's end.
 */
export async function idleCpuOver(pid, ms) {
  const c0 = preciseCpuMsOf(pid);
  const t0 = now();
  await sleep(ms);
  const usedMs = preciseCpuMsOf(pid) - c0;
  const wallMs = now() - t0;
  return { percent: (usedMs / wallMs) * 100, usedMs, wallMs, ticks: Math.round(wallMs / SAMPLER_TICK_MS) };
}

/**
 * The CPU of one full scan of /proc as the daemon makes it: its own scanProcesses, in a node
 * started with the daemon's flags (lite mode runs it about twice as slowly as a plain node),
 * over the machine's processes as they are now (take it while the tasks run; other work on
 * the machine counts too), median of `reps` after one that fills the caches; and that scan's
 * share of a core once spread over its minute.
 */
export async function fullScanShare(reps = 5) {
  const { DAEMON_NODE_FLAGS } = await import(join(DIST, 'client/daemon.js'));
  const script = `
    const { scanProcesses } = await import(${JSON.stringify(join(DIST, 'process/procfs.js'))});
    scanProcesses(0, false);
    const times = [];
    for (let i = 0; i < ${reps}; i++) {
      const t0 = process.cpuUsage();
      scanProcesses(0, false);
      const used = process.cpuUsage(t0);
      times.push((used.user + used.system) / 1000);
    }
    process.stdout.write(JSON.stringify(times));`;
  const r = spawnSync(process.execPath, [...DAEMON_NODE_FLAGS, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`timing a full scan failed: ${r.stderr}`);
  const scanMs = median(JSON.parse(r.stdout));
  return { scanMs, processes: readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length, percent: (scanMs / (SAMPLER_TICK_MS * FULL_SCAN_EVERY_TICKS)) * 100 };
}

/**
 * Stops the home's daemon (which stops its tasks), kills anything still carrying the home,
 * removes the home. Returns what had to be killed by hand (should be nothing).
 */
export function cleanupHome(home) {
  const notes = [];
  if (existsSync(home)) {
    const r = spawnSync(process.execPath, [CLI, 'daemon', 'stop', '--json'], { env: envFor(home), encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) notes.push(`daemon stop exited ${r.status ?? r.signal}: ${(r.stderr || '').trim()}`);
  }
  let left = processesOfHome(home);
  if (left.length) {
    notes.push(`${left.length} process(es) left after daemon stop: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {}
    }
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && (left = processesOfHome(home)).length) spawnSync('sleep', ['0.02']);
    if (left.length) notes.push(`still alive after SIGKILL: ${left.map((p) => p.pid).join(' ')}`);
  }
  rmSync(home, { recursive: true, force: true });
  activeHomes.delete(home);
  return notes;
}

/** For Ctrl-C: clean every home still in use, synchronously. */
export function cleanupAll() {
  const notes = [];
  for (const home of [...activeHomes]) notes.push(...cleanupHome(home));
  return notes;
}

// ---------------------------------------------------------------- RPC

export async function rpcOpen(home) {
  const { RpcClient } = await import(join(DIST, 'client/rpc.js'));
  return RpcClient.open(join(home, 'corral.sock'));
}

/**
 * The frame of most benchmarks: a fresh home, its daemon started, one RPC connection open;
 * then `fn({home, rpc, pid})`; then, whatever happened, the connection closed and the home
 * cleaned (what cleaning had to kill goes to `notes`). Returns what `fn` returns.
 */
export async function withDaemon(tag, notes, fn) {
  const daemon = await openDaemon(tag, notes);
  try {
    return await fn(daemon);
  } finally {
    daemon.close();
  }
}

/**
 * A daemon in a fresh home, left running: `{ home, rpc, pid, close }`, where `close()` (safe
 * to call twice) closes the connection, stops the daemon and cleans the home, into `notes`.
 * For benchmarks that keep several daemons up at once (their idle windows measured together).
 */
export async function openDaemon(tag, notes) {
  const home = makeHome(tag);
  let rpc;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    rpc?.close();
    notes.push(...cleanupHome(home));
  };
  try {
    const { pid } = JSON.parse(corral(home, ['daemon', 'start', '--json']).stdout);
    rpc = await rpcOpen(home);
    return { home, rpc, pid, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * `orchestrate` of an env file, timed until every task it started is running: the moment
 * `ls` would show them all running, heard from the event journal (a few long-polled
 * `events` calls, not a call per task). `waitEnv` after it gives the environment's report;
 * its readiness adds the rule for services without a check (running for 250 ms), which is
 * not part of the start. `atRunning` is called the moment all run (to read a clock then).
 */
export async function orchestrateTimed(rpc, file, env, callerEnv, atRunning = () => {}) {
  let cursor = 0;
  for (let batch = { more: true }; batch.more; cursor = batch.last) batch = await rpc.call('events', { since: cursor, timeoutMs: 0 });
  const t0 = now();
  const { tasks } = await rpc.call('orchestrate', { file, callerEnv });
  const waiting = new Set(tasks.filter((t) => t.status !== 'running').map((t) => t.id));
  while (waiting.size > 0) {
    const batch = await rpc.call('events', { since: cursor, timeoutMs: 60_000, env });
    if (batch.events.length === 0 && !batch.more) throw new Error(`${waiting.size} task(s) of ${env} not running after 60 s`);
    for (const e of batch.events) if (e.type === 'state' && e.status === 'running') waiting.delete(e.id);
    cursor = batch.last;
  }
  const runningMs = now() - t0;
  atRunning();
  const report = await rpc.call('waitEnv', { env, timeout: '120s' });
  return { runningMs, readyMs: now() - t0, report };
}

/** Starts `count` tasks through RPC and waits until each is running; returns their views. */
export async function startTasks(rpc, count, command, extra = {}) {
  const views = [];
  for (let i = 0; i < count; i++) views.push(await rpc.call('run', { command, ...extra }));
  const waited = await Promise.all(views.map((v) => rpc.call('wait', { ref: v.id, until: 'running', timeout: '60s' })));
  const notRunning = waited.filter((w) => !w.reached);
  if (notRunning.length) throw new Error(`${notRunning.length} task(s) did not reach running`);
  return waited.map((w) => w.task);
}

/**
 * `count` bare `sh -c COMMAND` children started at once, until each one's 'spawn': the
 * floor a supervisor's start of as many tasks (of the same command) is judged against.
 * Killed after.
 */
export async function bareSpawns(count, command = 'exec sleep 600') {
  const t0 = now();
  const children = [];
  await Promise.all(
    Array.from({ length: count }, () => {
      const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: 'ignore' });
      children.push(child);
      return new Promise((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    }),
  );
  const ms = now() - t0;
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {}
  }
  await sleep(200);
  return ms;
}

export { spawn };
