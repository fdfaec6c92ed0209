/**
 * Big env files.
 *
 * A. Reading: `loadEnvFile` in-process (its CPU time) of a file of 1,000 and of 10,000 tasks (a chain, each
 *    task waiting for the one before), each against the next smaller file (100, 1,000) in
 *    the same run: the cost per task as a ratio. Linear reading is ≈ 1. Target ≤ 1.5.
 * B. Bringing up: the `orchestrate` RPC of the same files in a daemon (each in a fresh home,
 *    after a 5-task file has loaded the reader), the daemon's CPU per task against the next
 *    smaller file's. Only the first task of a file runs: a gate whose health check never
 *    passes, which the chain waits for. Target ≤ 1.5; ≤ 2 from 100 to 1,000 tasks, where
 *    the bigger file is read in a worker thread that loads the reader again (a fixed cost).
 * C. While the 10,000 tasks are brought up, another connection asks for `status` every
 *    20 ms: the slowest answer. Target ≤ 0.5 s.
 *
 * CORRAL_BENCH_ENV_SIZES=100,1000,2000 measures other sizes (the first is the baseline).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, cpuMsOf, median, now, openDaemon, phaseClock, round, sleep } from './lib.js';

const SIZES = (process.env.CORRAL_BENCH_ENV_SIZES ?? '100,1000,10000').split(',').map(Number);
const REPS = 3;

/** Task names are `name`-0 …, so that files brought up in one daemon never share one. */
function chainFile(dir, name, n) {
  const t = (i) => `${name}-${i}`;
  let yaml = `name: ${name}\ntasks:\n  ${name}-gate:\n    command: sleep 1000\n    health: { file: ${join(dir, 'never')} }\n`;
  for (let i = 0; i < n; i++) yaml += `  ${t(i)}:\n    command: "true"\n    depends_on: [${i === 0 ? `${name}-gate` : t(i - 1)}]\n`;
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

async function reading(dir) {
  const { loadEnvFile } = await import(join(DIST, 'config/envfile/index.js'));
  const perTask = {};
  // Warm: the first reads of a process are the JIT's, not the reader's.
  const warm = chainFile(dir, 'warm', SIZES[0]);
  for (let i = 0; i < 5; i++) loadEnvFile(warm, { callerEnv: {} });
  for (const n of SIZES) {
    const file = chainFile(dir, `read${n}`, n);
    const times = [];
    for (let rep = 0; rep < REPS; rep++) {
      // CPU time, not wall time: on a busy machine the wall clock measures the neighbours.
      const t0 = process.cpuUsage();
      loadEnvFile(file, { callerEnv: {} });
      const used = process.cpuUsage(t0);
      times.push((used.user + used.system) / 1000);
    }
    perTask[n] = median(times) / n;
  }
  return perTask;
}

/** A fresh daemon whose reader is warm: a 5-task file brought up, its gate running. */
async function warmDaemon(n, notes) {
  const daemon = await openDaemon(`env${n}`, notes);
  try {
    const callerEnv = { PATH: process.env.PATH, CORRAL_HOME: daemon.home };
    await daemon.rpc.call('orchestrate', { file: chainFile(daemon.home, 'warm', 5), callerEnv });
    // The gate's health check loads its probes once it runs: that too is warming up.
    await daemon.rpc.call('wait', { ref: 'warm-gate', until: 'running', timeout: '60s' });
    return { ...daemon, callerEnv, warmAt: now() };
  } catch (error) {
    daemon.close();
    throw error;
  }
}

async function bringingUp({ home, rpc, pid, callerEnv }, n, notes) {
  const file = chainFile(home, 'big', n);
  const { RpcClient } = await import(join(DIST, 'client/rpc.js'));
  const probe = await RpcClient.open(join(home, 'corral.sock'));
  let probing = true;
  let worst = 0;
  let answers = 0;
  const prober = (async () => {
    while (probing) {
      const t = now();
      await probe.call('status', {});
      worst = Math.max(worst, now() - t);
      answers++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const cpu0 = cpuMsOf(pid);
  const t0 = now();
  const { tasks } = await rpc.call('orchestrate', { file, callerEnv });
  const wallMs = now() - t0;
  const cpuMs = cpuMsOf(pid) - cpu0;
  probing = false;
  await prober;
  probe.close();
  if (tasks.length !== n + 1) notes.push(`${n} tasks: orchestrate returned ${tasks.length}`);
  return { cpuMs, wallMs, worstStatusMs: worst, answers };
}

export default {
  name: 'env-load',
  title: 'Big env files: reading and bringing up 1,000 and 10,000 tasks',
  async run() {
    const notes = [];
    const clock = phaseClock();
    const { mkdtempSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/cb-bench-envread-');
    let read;
    try {
      read = await reading(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    clock.mark('reading');
    const up = {};
    // Every size's daemon warmed first, then one 3 s settle for all (not 3 s each): a warm
    // daemon with one gate task is idle beside the one that orchestrates.
    const daemons = [];
    try {
      // Warmed at once: the settle below begins once the last is warm.
      const warmed = await Promise.allSettled(SIZES.map((n) => warmDaemon(n, notes)));
      for (const w of warmed) if (w.status === 'fulfilled') daemons.push(w.value);
      const failed = warmed.find((w) => w.status === 'rejected');
      if (failed) throw failed.reason;
      clock.mark('daemons warmed');
      await sleep(Math.max(0, 3000 - (now() - Math.max(...daemons.map((d) => d.warmAt)))));
      clock.mark('settle');
      for (const [i, n] of SIZES.entries()) {
        up[n] = await bringingUp(daemons[i], n, notes);
        clock.mark(`orchestrate ${n}`);
        daemons[i].close(); // its tasks' files gone before the next, bigger, orchestrate
        clock.mark(`stop ${n}`);
      }
    } finally {
      for (const d of daemons) d.close();
    }
    const rows = [];
    const pairs = SIZES.slice(1).map((n, i) => [SIZES[i], n]);
    for (const [base, n] of pairs) {
      const r = read[n] / read[base];
      rows.push({
        measure: `read a ${n}-task env file (loadEnvFile, in-process), per task`,
        baseline: `${base} tasks: ${round(read[base] * 1000, 1)} µs/task`,
        corral: `${round(read[n] * 1000, 1)} µs/task (${round((read[n] * n) / 1000, 2)} s)`,
        ratio: round(r, 2),
        target: '≤ 1.5',
        met: r <= 1.5,
      });
    }
    for (const [base, n] of pairs) {
      const per = (x) => up[x].cpuMs / (x + 1);
      const r = per(n) / per(base);
      const target = base < 1000 ? 2 : 1.5;
      rows.push({
        measure: `orchestrate a ${n}-task env file, daemon CPU per task`,
        baseline: `${base} tasks: ${round(per(base), 2)} ms/task`,
        corral: `${round(per(n), 2)} ms/task (${round(up[n].cpuMs / 1000, 2)} s CPU, ${round(up[n].wallMs / 1000, 2)} s wall)`,
        ratio: round(r, 2),
        target: `≤ ${target}`,
        met: r <= target,
      });
    }
    const last = SIZES[SIZES.length - 1];
    rows.push({
      measure: `\`status\` every 20 ms on another connection during the ${last}-task orchestrate: slowest answer`,
      baseline: '—',
      corral: `${round(up[last].worstStatusMs, 1)} ms (${up[last].answers} answers)`,
      ratio: '—',
      target: '≤ 500 ms',
      met: up[last].worstStatusMs <= 500,
    });
    notes.push(String(clock));
    return { rows, notes, raw: { readMsPerTask: read, orchestrate: up } };
  },
};
