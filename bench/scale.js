/**
 * Scale: 10, 100 and 1,000 idle tasks (`sleep 600`) from one env file, each size in a
 * fresh daemon. At each size:
 *  - orchestrate → every task running (the orchestrate RPC, then the state events until the
 *    last task's `running`; see orchestrateTimed in lib.js), against the same number
 *    of bare `spawn()` calls from node, in the same run;
 *  - `corral ls --json`, `corral status <one> --json`, `corral logs <one> --new --json`:
 *    medians of 3 whole CLI calls, and the daemon's own part (the `list`, `describe` and
 *    `read {newAs}` RPCs on an open connection, medians of 9);
 *  - the daemon's RSS and its own CPU time over 8 s of idle, from 14 s after the tasks run (4
 *    ticks of the sampler, which ticks every 2 s): one window for the three sizes' daemons
 *    at once, after the last size's calls (so each size's calls run beside the smaller
 *    sizes' idle daemons, about 1 % of a core each), plus the share of the full /proc scan it
 *    makes every thirtieth tick (once a minute, so a window holds it only by chance): one
 *    such scan timed in this process with the daemon's code while the tasks run, spread
 *    over its minute;
 *  - the daemon's own CPU time for orchestrate, describe, read --new and kill --all (a
 *    loaded machine stretches wall times far more than CPU times);
 *  - the `kill {all: true}` RPC: every tree stopped and verified gone.
 * Targets at 1,000 tasks: `ls --json` ≤ 2× its time at 10, status and logs of one task
 * ≤ 1.25× their time at 10, stop of all ≤ 1 s, RSS ≤ 80 MB, idle CPU ≤ 1 % of a core.
 * Also per-task figures (time to running, RSS, idle CPU) from 100 to 1,000, which should
 * not grow: the cost of a task should not depend on how many others there are.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { bareSpawns, corral, cpuMsOf, fullScanShare, idleCpuOver, median, memoryOf, now, openDaemon, orchestrateTimed, phaseClock, processesOfHome, round, sleep } from './lib.js';

const SIZES = [10, 100, 1000];
/** The idle CPU window at every size: 4 sampler ticks (the suite stays under 5 minutes). */
const IDLE_MS = 8_000;
/**
 * The start's aftermath is over by then: at 1,000 tasks V8's memory reducer runs a full
 * collection 6–8 s after the starts (about 250 ms of CPU over the daemon's threads), a
 * one-off cost of the start that an idle window must not hold.
 */
const SETTLE_MS = 14_000;
const CLI_REPS = 3;
const RPC_REPS = 9;

async function timeRpc(rpc, method, params) {
  const times = [];
  for (let i = 0; i < RPC_REPS; i++) {
    const t0 = now();
    await rpc.call(method, params);
    times.push(now() - t0);
  }
  return median(times);
}

function timeCli(home, args) {
  const times = [];
  for (let i = 0; i < CLI_REPS; i++) times.push(corral(home, args).ms);
  return median(times);
}

/**
 * One size in its fresh daemon: the tasks brought up and the CLI and RPC calls timed. The
 * daemon and its tasks are left running (for the idle window, taken at every size at once).
 */
async function upAndCalls(count, notes) {
  const daemon = await openDaemon(`scale${count}`, notes);
  const { home, pid, rpc } = daemon;
  const m = { count, load: [] };
  const size = { ...daemon, m };
  try {
    const file = join(home, 'corral.yaml');
    writeFileSync(file, `name: many\ntasks:\n${Array.from({ length: count }, (_, i) => `  t${i}:\n    command: sleep 600\n`).join('')}`);
    m.bareMs = await bareSpawns(count);
    m.load.push(loadavg()[0]);
    let cpu0 = cpuMsOf(pid);
    const { runningMs, report } = await orchestrateTimed(rpc, file, 'many', { ...process.env, CORRAL_HOME: home }, () => {
      size.runningAt = now();
      m.runningCpuMs = cpuMsOf(pid) - cpu0;
    });
    m.runningMs = runningMs;
    const running = report.tasks.filter((t) => t.status === 'running').length;
    if (running !== count) notes.push(`${count}: ${running} of ${count} running`);

    m.lsCliMs = timeCli(home, ['ls', '--json']);
    const listed = JSON.parse(corral(home, ['ls', '--json']).stdout);
    const shown = (Array.isArray(listed) ? listed : listed.tasks ?? []).filter((t) => t.status === 'running').length;
    if (shown !== count) notes.push(`${count}: ls --json shows ${shown} running`);
    m.statusCliMs = timeCli(home, ['status', 'many/t1', '--json']);
    m.logsCliMs = timeCli(home, ['logs', 'many/t1', '--new', '--json']);
    m.listRpcMs = await timeRpc(rpc, 'list', {});
    // The daemon's own CPU for each kind of call (RPC_REPS calls): a loaded machine stretches wall times, much less CPU times.
    cpu0 = cpuMsOf(pid);
    m.describeRpcMs = await timeRpc(rpc, 'describe', { ref: 'many/t1' });
    m.describeCpuMs = (cpuMsOf(pid) - cpu0) / RPC_REPS;
    cpu0 = cpuMsOf(pid);
    m.readRpcMs = await timeRpc(rpc, 'read', { ref: 'many/t1', newAs: 'bench' });
    m.readCpuMs = (cpuMsOf(pid) - cpu0) / RPC_REPS;
    return size;
  } catch (error) {
    daemon.close();
    throw error;
  }
}

/**
 * Every size's daemon over the same idle window, SETTLE_MS after the last size's tasks all
 * run (the first seconds after the starts still cost): idle daemons barely load each other,
 * and the window sees the same neighbours at every size. Then RSS, and one full /proc scan
 * timed apart (the machine now holds every size's tasks: the scan is what it would be).
 */
async function idleTogether(sizes) {
  await sleep(Math.max(0, SETTLE_MS - (now() - sizes.at(-1).runningAt)));
  for (const { m } of sizes) m.load.push(loadavg()[0]);
  const windows = await Promise.all(sizes.map(({ pid }) => idleCpuOver(pid, IDLE_MS)));
  const scan = await fullScanShare();
  for (const [i, { m, pid }] of sizes.entries()) {
    m.rssBytes = memoryOf(pid).rss;
    m.windowCpuPercent = windows[i].percent;
    m.scanMs = scan.scanMs;
    m.scanProcesses = scan.processes;
    m.idleCpuPercent = windows[i].percent + scan.percent;
    m.load.push(loadavg()[0]);
  }
}

/** The `kill {all: true}` RPC of one size, every tree verified gone; then its daemon goes. */
async function stopAll(size, notes) {
  const { m, pid, rpc, home, m: { count } } = size;
  const t0 = now();
  const cpu0 = cpuMsOf(pid);
  const killed = await rpc.call('kill', { all: true });
  m.stopMs = now() - t0;
  m.stopCpuMs = cpuMsOf(pid) - cpu0;
  const left = processesOfHome(home, { exclude: [pid] }).filter((p) => !/corral-spawner/.test(readComm(p.pid)));
  if (left.length) notes.push(`${count}: ${left.length} process(es) left right after kill --all`);
  m.killedCount = Array.isArray(killed) ? killed.length : killed?.tasks?.length;
}

function readComm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1');
  } catch {
    return '';
  }
}

const ms = (x) => `${round(x, 1)} ms`;
const MB = (b) => `${round(b / 1e6, 1)} MB`;

export default {
  name: 'scale',
  title: 'Scale: 10, 100 and 1,000 idle tasks from one env file',
  async run() {
    const notes = [];
    const sizes = [];
    const clock = phaseClock();
    const open = [];
    try {
      for (const count of SIZES) {
        open.push(await upAndCalls(count, notes));
        clock.mark(`${count} tasks up, calls timed`);
      }
      await idleTogether(open);
      clock.mark('idle window (every size at once)');
      // Largest first, each daemon gone before the next kill: a kill verifies that its trees
      // are gone, which costs more with more processes on the machine, so the 100 tasks'
      // kill (the baseline of the per-task figures) must not run beside the 1,000 tasks;
      // the 1,000 tasks' kill has the other 110 beside it (against ~2,000 on the machine).
      for (const size of [...open].reverse()) {
        await stopAll(size, notes);
        size.close();
      }
      clock.mark('stops');
    } finally {
      for (const size of open) size.close();
    }
    notes.push(String(clock));
    for (const size of open) sizes.push(size.m);
    const [small, mid, big] = sizes;
    const rows = [];
    for (const s of sizes) {
      rows.push(
        { measure: `${s.count} tasks: orchestrate → all running`, baseline: `${s.count} bare spawn() ${ms(s.bareMs)}`, corral: ms(s.runningMs), ratio: round(s.runningMs / s.bareMs, 2), target: '—' },
        { measure: `${s.count} tasks: \`ls --json\` (CLI) · list RPC`, baseline: '—', corral: `${ms(s.lsCliMs)} · ${ms(s.listRpcMs)}`, ratio: '—', target: '—' },
        { measure: `${s.count} tasks: \`status\` of one (CLI) · describe RPC`, baseline: '—', corral: `${ms(s.statusCliMs)} · ${ms(s.describeRpcMs)}`, ratio: '—', target: '—' },
        { measure: `${s.count} tasks: \`logs --new\` of one (CLI) · read RPC`, baseline: '—', corral: `${ms(s.logsCliMs)} · ${ms(s.readRpcMs)}`, ratio: '—', target: '—' },
        { measure: `${s.count} tasks: daemon RSS · idle CPU (${IDLE_MS / 1000} s + the full scan's share) · kill --all RPC`, baseline: '—', corral: `${MB(s.rssBytes)} · ${round(s.idleCpuPercent, 3)} % (${round(s.windowCpuPercent, 3)} + a ${round(s.scanMs, 1)} ms scan a minute) · ${ms(s.stopMs)}`, ratio: '—', target: '—' },
        {
          measure: `${s.count} tasks: daemon CPU for orchestrate → running · one describe · one read --new · kill --all`,
          baseline: '—',
          corral: `${ms(s.runningCpuMs)} · ${ms(s.describeCpuMs)} · ${ms(s.readCpuMs)} · ${ms(s.stopCpuMs)}`,
          ratio: '—',
          target: '—',
        },
      );
    }
    const per = (s, key) => s[key] / s.count;
    /** A per-task figure at 1,000 tasks against 100: linear when it grows at most by half. */
    const linear = (what, at100, at1000, show) => ({
      measure: `per task, 1,000 vs 100: ${what}`,
      baseline: show(at100),
      corral: show(at1000),
      ratio: round(at1000 / at100, 2),
      target: '≤ 1.5 (linear)',
      met: at1000 <= 1.5 * at100,
    });
    rows.push(
      { measure: '1,000 vs 10: `ls --json` (CLI)', baseline: ms(small.lsCliMs), corral: ms(big.lsCliMs), ratio: round(big.lsCliMs / small.lsCliMs, 2), target: '≤ 2', met: big.lsCliMs / small.lsCliMs <= 2 },
      { measure: '1,000 vs 10: `status` of one (CLI)', baseline: ms(small.statusCliMs), corral: ms(big.statusCliMs), ratio: round(big.statusCliMs / small.statusCliMs, 2), target: '≤ 1.25', met: big.statusCliMs / small.statusCliMs <= 1.25 },
      { measure: '1,000 vs 10: `logs --new` of one (CLI)', baseline: ms(small.logsCliMs), corral: ms(big.logsCliMs), ratio: round(big.logsCliMs / small.logsCliMs, 2), target: '≤ 1.25', met: big.logsCliMs / small.logsCliMs <= 1.25 },
      { measure: '1,000 tasks: stop of all (kill --all RPC, trees verified gone)', baseline: '—', corral: ms(big.stopMs), ratio: '—', target: '≤ 1 s', met: big.stopMs <= 1000 },
      { measure: '1,000 tasks: daemon RSS', baseline: '—', corral: MB(big.rssBytes), ratio: '—', target: '≤ 80 MB', met: big.rssBytes <= 80e6 },
      { measure: '1,000 tasks: daemon idle CPU', baseline: '—', corral: `${round(big.idleCpuPercent, 3)} %`, ratio: '—', target: '≤ 1 %', met: big.idleCpuPercent <= 1 },
      linear('time to running (against bare spawn per task)', mid.runningMs / mid.bareMs, big.runningMs / big.bareMs, (x) => `${round(x, 2)}× bare`),
      linear('RSS above the 10-task daemon', (mid.rssBytes - small.rssBytes) / (mid.count - small.count), (big.rssBytes - small.rssBytes) / (big.count - small.count), (x) => `${round(x / 1e3, 1)} kB`),
      linear('daemon CPU of orchestrate → running', per(mid, 'runningCpuMs'), per(big, 'runningCpuMs'), ms),
      linear('daemon CPU of kill --all', per(mid, 'stopCpuMs'), per(big, 'stopCpuMs'), ms),
      {
        measure: '1,000 vs 10: daemon CPU of one describe · one read --new',
        baseline: `${ms(small.describeCpuMs)} · ${ms(small.readCpuMs)}`,
        corral: `${ms(big.describeCpuMs)} · ${ms(big.readCpuMs)}`,
        ratio: `${round(big.describeCpuMs / small.describeCpuMs, 2)} · ${round(big.readCpuMs / small.readCpuMs, 2)}`,
        target: '—',
      },
      linear('kill --all', per(mid, 'stopMs'), per(big, 'stopMs'), ms),
    );
    notes.push(`idle CPU: the daemon's own CPU time (its threads' schedstat) over ${IDLE_MS / 1000} s from ${SETTLE_MS / 1000} s after all run, plus one full /proc scan (the sampler's every thirtieth tick, held by so short a window only by chance) timed apart with the daemon's code and flags while the tasks run, spread over its 60 s; processes on the machine then: ${sizes.map((s) => `${s.count}: ${s.scanProcesses}`).join(', ')}`);
    notes.push(`load average (1 min) at each size, before orchestrate / before idle / after idle: ${sizes.map((s) => `${s.count}: ${s.load.map((l) => round(l, 1)).join('/')}`).join('; ')}`);
    return { rows, notes, raw: { sizes } };
  },
};
