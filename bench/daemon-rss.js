/**
 * Daemon memory: VmRSS of the daemon (pid from `corral daemon start --json`) with 100 idle
 * tasks (`sleep 600`), read after they are all running and ~2 s of idle, vs the VmRSS of an
 * idle `node -e 'setInterval(()=>{},1000)'` after 2 s. Target: ≤ 45 MB absolute (round two; it was 55 MB)
 * (MB = 10^6 bytes). Also, for context: the daemon with no task, the same idle node with
 * the flags the daemon is started with, and the memory of the tasks' own processes.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, isAlive, memoryOf, processesOfHome, round, sleep, startTasks, withDaemon } from './lib.js';

const { DAEMON_NODE_FLAGS } = await import(join(DIST, 'client/daemon.js'));

/** The daemon's spawner (a child named corral-spawner), or null. */
function spawnerOf(daemonPid) {
  const children = readFileSync(`/proc/${daemonPid}/task/${daemonPid}/children`, 'latin1').trim().split(' ').filter(Boolean);
  return children.map(Number).find((pid) => readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === 'corral-spawner') ?? null;
}

const MB = (bytes) => round(bytes / 1e6, 1);

async function idleNodeRss(flags) {
  const child = spawn(process.execPath, [...flags, '-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' });
  try {
    await sleep(2000);
    return memoryOf(child.pid).rss;
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
  }
}

export default {
  name: 'daemon-rss',
  title: 'Daemon memory with 100 idle tasks',
  async run() {
    const rows = [];
    const notes = [];
    const raw = {};
    await withDaemon('rss', notes, async ({ home, rpc, pid }) => {
      if (!pid || !isAlive(pid)) throw new Error(`daemon start gave pid ${pid}`);
      // Both idle nodes (plain and with the daemon's flags) through the empty daemon's 2 s of
      // idle: each one's RSS depends on neither the other nor the daemon, so one 2 s wait for all.
      const idleNodes = Promise.all([idleNodeRss([]), idleNodeRss(DAEMON_NODE_FLAGS)]);
      idleNodes.catch(() => {}); // awaited below; not an unhandled rejection if the daemon's part throws first
      await sleep(2000);
      const empty = memoryOf(pid).rss;

      await startTasks(rpc, 100, 'sleep 600');
      await sleep(2000);
      const withTasks = memoryOf(pid);
      const samples = [];
      for (let i = 0; i < 6; i++) (await sleep(500), samples.push(memoryOf(pid).rss));
      const tasksRss = processesOfHome(home, { exclude: [pid] }).reduce((sum, p) => {
        try {
          return sum + memoryOf(p.pid).rss;
        } catch {
          return sum;
        }
      }, 0);
      const taskProcs = processesOfHome(home, { exclude: [pid] }).length;
      const spawner = spawnerOf(pid);
      const spawnerRss = spawner ? memoryOf(spawner).rss : null;

      const [nodeRss, nodeLite] = await idleNodes;

      raw.daemonRssBytes = withTasks.rss;
      raw.daemonPeakBytes = withTasks.hwm;
      raw.daemonNoTasksBytes = empty;
      raw.daemonNext3sBytes = samples;
      raw.idleNodeBytes = nodeRss;
      raw.idleNodeLiteBytes = nodeLite;
      raw.taskProcesses = taskProcs;
      raw.taskProcessesRssBytes = tasksRss;
      raw.spawnerRssBytes = spawnerRss;

      rows.push({
        measure: 'daemon VmRSS, 100 idle `sleep 600` tasks, after 2 s idle',
        baseline: `${MB(nodeRss)} MB (idle \`node -e 'setInterval(…)'\`)`,
        corral: `${MB(withTasks.rss)} MB`,
        ratio: round(withTasks.rss / nodeRss, 2),
        ratioMeaning: 'daemon RSS / idle node RSS',
        target: '≤ 45 MB',
        met: withTasks.rss <= 45e6,
      });
      rows.push({
        measure: `context: daemon with 0 tasks; idle node with the daemon's flags (\`${DAEMON_NODE_FLAGS.join(' ')}\`)`,
        baseline: `${MB(nodeLite)} MB`,
        corral: `${MB(empty)} MB`,
        ratio: round(empty / nodeLite, 2),
        ratioMeaning: 'daemon (no tasks) RSS / idle node (same flags) RSS',
        target: '—',
      });
      notes.push(
        `daemon peak (VmHWM) ${MB(withTasks.hwm)} MB; over the next 3 s its RSS ranged ${MB(Math.min(...samples))}–${MB(Math.max(...samples))} MB; ` +
          `the tasks' own ${taskProcs} processes (a monitor and the command each) add ${MB(tasksRss)} MB of RSS (shared pages counted in each); ` +
          `the daemon's spawner ${spawnerRss === null ? 'was not found' : `${MB(spawnerRss)} MB`}`,
      );
    });
    return { rows, notes, raw };
  },
};
