/**
 * A chaos run: tasks of three kinds (writers that number their lines and never end,
 * finite ones with known exit codes, crash loops under `restart: always`) on a home of its
 * own, while faults are dealt at random one at a time, a prober looks for a task running
 * twice and a client keeps calling the daemon. At the end it checks what the issue asks
 * (no line lost but while the disk was full, every exit right, nothing run twice, nothing
 * left after `daemon stop`, every call answered or refused in one sentence, the daemon
 * answering again soon after each fault) and returns the figures with what went wrong.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { liveProcesses } from '../helpers.js';
import { deal, type FaultKind } from './faults.js';
import { makeChaosHome, removeChaosHome, rpc, untilAnswered, type ChaosHome } from './home.js';
import { checkWriter, startsOf, wrongExit, type PlannedTask, type TaskEnd, type WriterFigures } from './verify.js';
import { callCli, isOneSentence, probeCopies, type ClientCall, type DoubleRun } from './watchers.js';

export interface ChaosOptions {
  durationMs: number;
  tasks: number;
  faults: FaultKind[];
  /** The pause between two faults, on average (each is drawn from ±50% of it). */
  faultEveryMs: number;
  freezeMs: number;
  diskFullMs: number;
  /** The bound on the daemon's first answer after a fault ends. */
  answerWithinMs: number;
  tmpfsMb: number;
  /** A writer's pause between lines. */
  writerEveryS: number;
  finiteMaxS: number;
  seed: number;
  log: (line: string) => void;
}

export interface FaultRecord {
  kind: FaultKind;
  at: number;
  endedAt: number;
  answeredMs: number;
  detail: string;
  /** The machine's load average (1 min) when the fault was dealt: the figures are read against it. */
  load: number;
}

export interface ChaosResult {
  options: ChaosOptions;
  problems: string[];
  unavailable: string[];
  faults: FaultRecord[];
  calls: ClientCall[];
  writers: Map<string, WriterFigures>;
  /** Finite tasks whose monitor was killed: their exit status cannot be known, and is not asked for. */
  unknowable: string[];
  finiteChecked: number;
  crashRestarts: number;
  leftAfterStop: number[];
  wallMs: number;
}

/** mulberry32: a seeded run can be dealt again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function plan(options: ChaosOptions, rand: () => number): PlannedTask[] {
  const writers = Math.round(options.tasks * 0.4);
  const crashes = Math.round(options.tasks * 0.2);
  const tasks: PlannedTask[] = [];
  for (let i = 0; i < options.tasks; i++) {
    if (i < writers) tasks.push({ name: `w${i}`, kind: 'writer' });
    else if (i < writers + crashes) tasks.push({ name: `c${i}`, kind: 'crash' });
    else tasks.push({ name: `f${i}`, kind: 'finite', sleepS: 1 + Math.floor(rand() * options.finiteMaxS), exitCode: Math.floor(rand() * 6) });
  }
  return tasks;
}

function commandOf(t: PlannedTask, h: ChaosHome, o: ChaosOptions): string {
  const note = join(h.side, 'tasks', t.name);
  if (t.kind === 'writer') return `bash ${h.side}/writer.sh ${note} ${o.writerEveryS}`;
  if (t.kind === 'crash') return `bash ${h.side}/crash.sh ${note}`;
  return `bash ${h.side}/finite.sh ${note} ${t.sleepS} ${t.exitCode}`;
}

/** Starts a task, through faults: a call that got no answer is looked up before it is tried again. */
async function start(t: PlannedTask, h: ChaosHome, o: ChaosOptions): Promise<void> {
  const input = {
    command: commandOf(t, h, o),
    name: t.name,
    cwd: h.side,
    restart: t.kind === 'finite' ? 'no' : 'always',
    maxRestarts: 1_000_000,
    backoff: '1s',
    maxBackoff: '5s',
  };
  for (;;) {
    try {
      await untilAnswered(h.home, Date.now());
      const known = (await rpc<TaskEnd[] & { id: string }[]>(h.home, 'list', {}, 15_000)).find((v) => v.name === t.name) as { id: string } | undefined;
      t.id = known?.id ?? (await rpc<{ id: string }>(h.home, 'run', input, 15_000)).id;
      return;
    } catch {
      await sleep(200);
    }
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const began = Date.now();
  const rand = random(o.seed);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  const h = makeChaosHome(o.tmpfsMb);
  const problems: string[] = [];
  const unavailable: string[] = [];
  let faults = o.faults;
  if (!h.tmpfs && faults.includes('disk-full')) {
    unavailable.push('disk-full: the home could not be mounted as a tmpfs of its own (it needs root)');
    faults = faults.filter((f) => f !== 'disk-full');
  }
  const tasks = plan(o, rand);
  const records: FaultRecord[] = [];
  const calls: ClientCall[] = [];
  const doubles = new Map<string, DoubleRun>();
  const monitorKilledPids = new Set<number>();
  let running = true;
  try {
    await untilAnswered(h.home, Date.now());
    // Writers and crash loops from the start; finite tasks spread over the first 70% of the run.
    for (const t of tasks.filter((t) => t.kind !== 'finite')) await start(t, h, o);
    o.log(`${tasks.length} tasks planned, home ${h.home}${h.tmpfs ? ` (tmpfs ${o.tmpfsMb} MiB)` : ''}, seed ${o.seed}`);
    const end = Date.now() + o.durationMs;
    const finite = tasks.filter((t) => t.kind === 'finite');
    const starter = (async () => {
      for (const [i, t] of finite.entries()) {
        const due = began + (o.durationMs * 0.7 * i) / Math.max(1, finite.length);
        if (due > Date.now()) await sleep(due - Date.now());
        await start(t, h, o);
      }
    })();
    const prober = (async () => {
      while (running) {
        for (const d of probeCopies(h.side)) doubles.set(`${d.task} ${d.pids.join(',')}`, d);
        await sleep(500);
      }
    })();
    const client = (async () => {
      while (running) {
        const t = pick(tasks);
        const args = pick([['ls', '--json'], ['status', t.name], ['logs', t.name, '--tail', '3']]);
        calls.push(await callCli(h.home, args, 30_000));
      }
    })();
    // Rounds of every kind in a shuffled order: a short run deals each kind, too.
    let round: FaultKind[] = [];
    while (Date.now() < end) {
      await sleep(o.faultEveryMs * (0.5 + rand()));
      if (Date.now() >= end) break;
      if (round.length === 0) round = [...faults].sort(() => rand() - 0.5);
      const kind = round.pop()!;
      const at = Date.now();
      const done = await deal(kind, h, { freezeMs: o.freezeMs, diskFullMs: o.diskFullMs }, pick);
      if (done.taskPid) monitorKilledPids.add(done.taskPid);
      const answeredMs = await untilAnswered(h.home, done.endedAt);
      records.push({ kind, at, endedAt: done.endedAt, answeredMs, detail: done.detail, load: loadavg()[0]! });
      o.log(`${((at - began) / 1000).toFixed(1)}s ${kind}: ${done.detail}; answered after ${answeredMs} ms`);
      if (answeredMs > o.answerWithinMs) problems.push(`after ${kind} (${done.detail}) the daemon answered after ${answeredMs} ms, not within ${o.answerWithinMs} ms`);
    }
    await starter;
    // Every finite task has had the time to end.
    const finishBy = Date.now() + (o.finiteMaxS + 30) * 1000;
    let ends: TaskEnd[] = [];
    while (Date.now() < finishBy) {
      ends = await rpc<TaskEnd[]>(h.home, 'list', {}, 15_000);
      if (finite.every((t) => ['completed', 'failed', 'killed'].includes(ends.find((e) => e.name === t.name)?.status ?? ''))) break;
      await sleep(500);
    }
    running = false;
    await Promise.all([prober, client]);

    const unknowable: string[] = [];
    for (const t of finite) {
      const wrong = wrongExit(t, ends.find((e) => e.name === t.name));
      if (!wrong) continue;
      if (startsOf(h.side, t.name).some((pid) => monitorKilledPids.has(pid))) unknowable.push(wrong);
      else problems.push(wrong);
    }
    for (const t of tasks.filter((t) => t.kind === 'writer')) {
      const end = ends.find((e) => e.name === t.name);
      if (end?.status !== 'running') problems.push(`${t.name} (${t.id}) never ends, the daemon says ${end?.status ?? 'nothing'}${end?.reason ? ` (${end.reason})` : ''}`);
      const starts = startsOf(h.side, t.name).length;
      if (starts !== 1) problems.push(`${t.name} (${t.id}) never ends but was started ${starts} times`);
    }
    for (const d of doubles.values()) problems.push(`${d.task} ran twice at once: pids ${d.pids.join(' and ')}`);
    for (const c of calls) {
      if (c.hung) problems.push(`corral ${c.args.join(' ')} hung past ${c.ms} ms`);
      else if (c.code !== 0 && !isOneSentence(c.stderr)) problems.push(`corral ${c.args.join(' ')} failed (exit ${c.code}) without one sentence: ${JSON.stringify(c.stderr.slice(0, 300))}`);
    }

    const stop = await callCli(h.home, ['daemon', 'stop'], 120_000);
    if (stop.code !== 0) problems.push(`daemon stop exited ${stop.code}: ${stop.stderr.trim()}`);
    const leftAfterStop = await leftovers(h);
    if (leftAfterStop.length > 0) problems.push(`left after daemon stop: ${leftAfterStop.join(', ')}`);
    const writers = new Map<string, WriterFigures>();
    for (const t of tasks.filter((t) => t.kind === 'writer' && t.id)) {
      writers.set(t.name, checkWriter(join(h.home, 'logs', t.id!), h.side, t.name, problems));
    }
    const crashRestarts = tasks.filter((t) => t.kind === 'crash').reduce((n, t) => n + Math.max(0, startsOf(h.side, t.name).length - 1), 0);
    return { options: o, problems, unavailable, faults: records, calls, writers, unknowable, finiteChecked: finite.length, crashRestarts, leftAfterStop, wallMs: Date.now() - began };
  } finally {
    running = false;
    await forceClean(h);
    removeChaosHome(h);
  }
}

/** Processes of the run still alive: anything with the home in its environment or a task script in its arguments. */
function survivors(h: ChaosHome): number[] {
  return liveProcesses((env, args) => env.includes(`CORRAL_HOME=${h.home}\0`) || args.includes(`${h.side}/`));
}

async function leftovers(h: ChaosHome): Promise<number[]> {
  const deadline = Date.now() + 5_000;
  let left = survivors(h);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = survivors(h);
  }
  return left;
}

/** Whatever a failed run left goes, so that no run leaks into the next. */
async function forceClean(h: ChaosHome): Promise<void> {
  for (const pid of survivors(h)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await sleep(50);
}
