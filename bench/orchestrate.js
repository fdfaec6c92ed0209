/**
 * Environments.
 *
 * A. 100 tasks (`sleep 300`), no dependencies: `orchestrate` of an env file until all are
 *    running (the orchestrate RPC, then the state events until the last task's `running`),
 *    against 100 bare `spawn()` calls of the same command from node, until each reported
 *    'spawn'. Target: ≤ 1.2x. Also noted: until `waitEnv` calls the environment ready, which
 *    adds its rule for services without a check (running for 250 ms).
 * B. A chain of 10 tasks, each depending on the previous one being healthy (log check,
 *    interval 50 ms): the time from a dependency turning healthy to its dependent leaving
 *    `waiting`, from the supervisor's own events (in-process). Target: each ≤ 20 ms.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, bareSpawns, cleanupHome, corral, makeHome, median, now, orchestrateTimed, round, rpcOpen, sleep } from './lib.js';

const TASKS = 100;
const REPS = 3;

async function orchestrate100(notes) {
  const times = [];
  const readyTimes = [];
  for (let rep = 0; rep < REPS; rep++) {
    const home = makeHome('orch');
    try {
      const file = join(home, 'corral.yaml');
      writeFileSync(file, `name: many\ntasks:\n${Array.from({ length: TASKS }, (_, i) => `  t${i}:\n    command: sleep 300\n`).join('')}`);
      corral(home, ['daemon', 'start']);
      const rpc = await rpcOpen(home);
      try {
        const { runningMs, readyMs, report } = await orchestrateTimed(rpc, file, 'many', { ...process.env, CORRAL_HOME: home });
        times.push(runningMs);
        readyTimes.push(readyMs);
        if (!report.ready) notes.push(`orchestrate rep ${rep}: not ready: ${JSON.stringify(report.culprit)}`);
        const running = report.tasks.filter((t) => t.status === 'running').length;
        if (running !== TASKS) notes.push(`orchestrate rep ${rep}: ${running} running`);
      } finally {
        rpc.close();
      }
    } finally {
      notes.push(...cleanupHome(home));
    }
  }
  return { times, readyTimes };
}

async function chain(notes) {
  const home = makeHome('chain');
  const { Supervisor } = await import(join(DIST, 'supervisor/supervisor.js'));
  let sup;
  const gaps = [];
  try {
    const file = join(home, 'corral.yaml');
    const n = 10;
    let yaml = 'name: chain\ntasks:\n';
    for (let i = 0; i < n; i++) {
      yaml += `  c${i}:\n    command: sh -c 'echo ready; exec sleep 300'\n    health: { log: "ready", interval: 50ms }\n`;
      if (i > 0) yaml += `    depends_on: { c${i - 1}: healthy }\n`;
    }
    writeFileSync(file, yaml);
    sup = await Supervisor.open({ home });
    const healthyAt = new Map();
    const startAt = new Map();
    sup.onChange((v) => {
      const t = now();
      if (v.health === 'healthy' && !healthyAt.has(v.name)) healthyAt.set(v.name, t);
      if (v.status === 'starting' && !startAt.has(v.name)) startAt.set(v.name, t);
    });
    await sup.orchestrate({ file, callerEnv: { ...process.env, CORRAL_HOME: home } });
    const report = await sup.waitEnv('chain', '60s');
    if (!report.ready) notes.push(`chain: not ready: ${JSON.stringify(report.culprit)}`);
    for (let i = 1; i < n; i++) gaps.push(startAt.get(`c${i}`) - healthyAt.get(`c${i - 1}`));
  } finally {
    if (sup) {
      try {
        await sup.down('chain');
      } catch {}
      await sup.close();
    }
    notes.push(...cleanupHome(home));
  }
  return gaps;
}

export default {
  name: 'orchestrate',
  title: 'Environments: orchestrate 100 tasks; dependency latency',
  async run() {
    const notes = [];
    const bare = [];
    for (let i = 0; i < REPS; i++) bare.push(await bareSpawns(TASKS, 'sleep 300'));
    const { times: orch, readyTimes } = await orchestrate100(notes);
    const gaps = await chain(notes);
    const b = median(bare);
    const o = median(orch);
    const ready = median(readyTimes);
    const worst = Math.max(...gaps);
    return {
      rows: [
        {
          measure: `${TASKS} × \`sleep 300\` from an env file, orchestrate → all running`,
          baseline: `${TASKS} bare spawn() ${round(b, 1)} ms`,
          corral: `${round(o, 1)} ms`,
          ratio: round(o / b, 2),
          target: '≤ 1.2',
          met: o / b <= 1.2,
        },
        {
          measure: `context — the same, until \`waitEnv\` calls the environment ready (a service without a check counts once it has run 250 ms)`,
          baseline: `${TASKS} bare spawn() ${round(b, 1)} ms`,
          corral: `${round(ready, 1)} ms`,
          ratio: round(ready / b, 2),
          target: '—',
        },
        {
          measure: 'chain of 10 (healthy → next starts), worst gap of 9',
          baseline: '—',
          corral: `median ${round(median(gaps), 2)} ms, worst ${round(worst, 2)} ms`,
          ratio: '—',
          target: '≤ 20 ms',
          met: worst <= 20,
        },
      ],
      notes,
      raw: { bareMs: bare.map((x) => round(x, 1)), orchestrateMs: orch.map((x) => round(x, 1)), readyMs: readyTimes.map((x) => round(x, 1)), chainGapsMs: gaps.map((x) => round(x, 2)) },
    };
  },
};
