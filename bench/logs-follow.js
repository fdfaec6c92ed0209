/**
 * Following many logs: 20 tasks of one environment each print a line every 100 ms; (A) one
 * `corral logs --env E --follow` against (B) 20 `corral logs ID --follow`, one per task,
 * over the same 6 s, from 2 s after every follower printed its first lines (start-up and
 * the lines already written are not measured; 6 s holds 60 lines of each task, six of the
 * merged follow's once-a-second asks and three of the daemon's sampler ticks). The figure is
 * the CPU the followers use, plus the daemon's over the same time (a single follow asks the
 * daemon for every page; the merged follow reads the files itself and asks once a second
 * whether the tasks run), and the lines each side printed, to show that both kept up. CPU
 * times are the threads' schedstat (µs precision): 21 processes counted in 10 ms ticks over
 * 6 s would be coarse.
 */
import { preciseCpuMsOf as cpuMsOf, envFor, CLI, now, round, sleep, spawn, withDaemon } from './lib.js';

const TASKS = 20;
const WARM_MS = 2_000;
const MEASURE_MS = 6_000;

/** Starts followers, lets them warm up, then measures their CPU and the daemon's over MEASURE_MS. */
async function measure(home, daemonPid, argsList) {
  const lines = { count: 0 };
  const started = new Set();
  const children = argsList.map((args) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: envFor(home), stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (b) => {
      started.add(child);
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines.count++;
    });
    return child;
  });
  try {
    // Every follower started and printed what was there before it: only the following is measured.
    for (const t0 = now(); started.size < children.length; await sleep(50)) if (now() - t0 > 120_000) throw new Error('followers did not start');
    await sleep(WARM_MS);
    const cpu = () => children.reduce((sum, c) => sum + cpuMsOf(c.pid), 0);
    const f0 = cpu();
    const d0 = cpuMsOf(daemonPid);
    const l0 = lines.count;
    const t0 = now();
    await sleep(MEASURE_MS);
    const ms = now() - t0;
    return {
      followersPercent: ((cpu() - f0) / ms) * 100,
      daemonPercent: ((cpuMsOf(daemonPid) - d0) / ms) * 100,
      linesPerSecond: ((lines.count - l0) / ms) * 1000,
    };
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', resolve);
            c.kill('SIGINT');
          }),
      ),
    );
  }
}

export default {
  name: 'logs-follow',
  title: 'Following 20 logs: one `logs --env --follow` against 20 `logs ID --follow`',
  async run() {
    const rows = [];
    const notes = [];
    await withDaemon('follow', notes, async ({ home, rpc, pid }) => {
      const command = 'i=0; while :; do i=$((i+1)); echo "tick $i of $CORRAL_TASK"; sleep 0.1; done';
      const { tasks } = await rpc.call('orchestrate', { name: 'flw', tasks: Array.from({ length: TASKS }, () => ({ command })), cwd: '/tmp' });
      for (const t of tasks) await rpc.call('wait', { ref: t.id, until: 'running', timeout: '60s' });
      const merged = await measure(home, pid, [['logs', '--env', 'flw', '--follow']]);
      const single = await measure(home, pid, tasks.map((t) => ['logs', t.id, '--follow']));
      const total = (r) => r.followersPercent + r.daemonPercent;
      rows.push({
        measure: `CPU of following ${TASKS} tasks (a line each every 100 ms) for ${MEASURE_MS / 1000} s: followers + daemon, % of one core`,
        baseline: `${round(total(single), 1)} % (${TASKS} × logs ID --follow: ${round(single.followersPercent, 1)} + daemon ${round(single.daemonPercent, 1)})`,
        corral: `${round(total(merged), 1)} % (logs --env --follow: ${round(merged.followersPercent, 1)} + daemon ${round(merged.daemonPercent, 1)})`,
        ratio: round(total(merged) / total(single), 3),
        ratioMeaning: 'merged / single follows',
        target: '< 1',
        met: total(merged) < total(single),
      });
      notes.push(`lines printed per second: merged ${round(merged.linesPerSecond, 1)}, ${TASKS} single follows ${round(single.linesPerSecond, 1)} (the tasks write ${TASKS * 10} a second)`);
    });
    return { rows, notes };
  },
};
