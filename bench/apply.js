/**
 * Applying a changed env file: a 4-task environment is up in a daemon; its file is saved
 * with one task's command changed, and `orchestrate` of it (what `up`, `up --watch-file` and
 * the MCP tool do) is timed until that task runs its new command; the other three must keep
 * their pids. Baseline, in the same daemon: `restart` of that one task, timed the same way
 * (until it runs with a new pid). Both are RPC calls, so the figures are the daemon's; the
 * apply pays for reading and checking the file, comparing every task and the stop and start.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, now, round, sleep, withDaemon } from './lib.js';

const REPS = 10;

const envFile = (apiCommand) => `name: bench
tasks:
  db:
    command: sleep 600
  api:
    command: ${apiCommand}
    depends_on: [db]
  web:
    command: sleep 602
    depends_on: [api]
  worker:
    command: sleep 603
`;

/** The environment's tasks by name. */
async function tasksOf(rpc) {
  return Object.fromEntries((await rpc.call('list', { env: 'bench' })).map((t) => [t.name, t]));
}

/** Until `api` runs with a pid other than `pid` (and `command`, when given). */
async function apiRunsAgain(rpc, pid, command) {
  for (const t0 = now(); ; await sleep(2)) {
    const api = (await tasksOf(rpc)).api;
    if (api.status === 'running' && api.pid !== null && api.pid !== pid && (!command || api.command === command)) return api;
    if (now() - t0 > 60_000) throw new Error(`api did not run again (${api.status})`);
  }
}

export default {
  name: 'apply',
  title: 'Applying a changed env file: one task of four changed, against restart of that task',
  async run() {
    const notes = [];
    return withDaemon('apply', notes, async ({ home, rpc }) => {
      const file = join(home, 'corral.yaml');
      writeFileSync(file, envFile('sleep 601'));
      await rpc.call('orchestrate', { file, callerEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
      const ready = await rpc.call('waitEnv', { env: 'bench', timeout: '60s' });
      if (!ready.ready) throw new Error('the environment did not come up');
      const applies = [];
      const restarts = [];
      let kept = true;
      for (let rep = 0; rep < REPS; rep++) {
        // Alternately: an apply of a changed command, and a restart of the same task.
        const before = await tasksOf(rpc);
        const command = `sleep ${rep % 2 === 0 ? 611 : 601}`;
        writeFileSync(file, envFile(command));
        let t0 = now();
        const { applied } = await rpc.call('orchestrate', { file, callerEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
        const api = await apiRunsAgain(rpc, before.api.pid, command);
        applies.push(now() - t0);
        if (applied.filter((a) => a.action !== 'kept').map((a) => `${a.name} ${a.action}`).join() !== 'api restarted') throw new Error(`unexpected apply: ${JSON.stringify(applied)}`);
        const after = await tasksOf(rpc);
        kept &&= ['db', 'web', 'worker'].every((n) => after[n].pid === before[n].pid);
        await sleep(50);
        t0 = now();
        await rpc.call('restart', { ref: api.id });
        await apiRunsAgain(rpc, api.pid);
        restarts.push(now() - t0);
        await sleep(50);
      }
      const a = median(applies);
      const r = median(restarts);
      return {
        rows: [
          {
            measure: `apply of a 4-task file with one command changed, until it runs (median of ${REPS})`,
            baseline: `restart of that task ${round(r, 1)} ms`,
            corral: `${round(a, 1)} ms; other 3 pids kept: ${kept ? 'yes' : 'no'}`,
            ratio: round(a / r, 2),
            target: '≤ 2, others kept',
            met: a / r <= 2 && kept,
          },
        ],
        notes,
        raw: { applyMs: applies.map((x) => round(x, 1)), restartMs: restarts.map((x) => round(x, 1)) },
      };
    });
  },
};
