/**
 * CLI latency: `corral ls --json` with 20 running tasks, and `corral run -- true`, each
 * against `node -e 0` (the floor of any Node CLI), timed spawn to exit, interleaved,
 * medians of 20. The daemon and the 20 tasks (`sleep 300`) are started before timing.
 */
import { corral, envFor, median, round, startTasks, timeSync, withDaemon } from './lib.js';

const N = 20;
const WARMUP = 3;

export default {
  name: 'cli-latency',
  title: 'CLI latency vs `node -e 0`',
  async run() {
    const rows = [];
    const notes = [];
    const raw = {};
    await withDaemon('cli', notes, async ({ home, rpc }) => {
      await startTasks(rpc, 20, 'sleep 300');
      const env = envFor(home);
      const node = () => timeSync(process.execPath, ['-e', '0'], { env }).ms;

      // ls: all the timed runs before any `run`, so ls always sees exactly the 20 tasks.
      for (let i = 0; i < WARMUP; i++) (node(), corral(home, ['ls', '--json']));
      const lsNode = [];
      const ls = [];
      for (let i = 0; i < N; i++) {
        const pair = () => {
          const r = corral(home, ['ls', '--json']);
          const tasks = JSON.parse(r.stdout);
          if (tasks.filter((t) => t.status === 'running').length !== 20) notes.push(`ls run ${i}: ${tasks.length} tasks, not 20 running`);
          ls.push(r.ms);
        };
        if (i % 2) (pair(), lsNode.push(node()));
        else (lsNode.push(node()), pair());
      }

      for (let i = 0; i < WARMUP; i++) (node(), corral(home, ['run', '--', 'true']));
      const runNode = [];
      const run = [];
      for (let i = 0; i < N; i++) {
        const one = () => {
          const r = corral(home, ['run', '--', 'true']);
          if (!/^bash_\d+$/.test(r.stdout.trim())) notes.push(`run ${i} printed ${JSON.stringify(r.stdout)}`);
          run.push(r.ms);
        };
        if (i % 2) (one(), runNode.push(node()));
        else (runNode.push(node()), one());
      }

      const fig = (label, base, mine) => {
        const b = median(base);
        const c = median(mine);
        rows.push({
          measure: label,
          baseline: `${round(b, 1)} ms (\`node -e 0\`)`,
          corral: `${round(c, 1)} ms`,
          ratio: round(c / b, 2),
          ratioMeaning: 'corral time / node -e 0 time',
          target: '≤ 1.5',
          met: c / b <= 1.5,
        });
      };
      fig('`corral ls --json`, 20 running tasks', lsNode, ls);
      fig('`corral run -- true`', runNode, run);
      raw.nodeForLsMs = lsNode.map((x) => round(x, 1));
      raw.lsMs = ls.map((x) => round(x, 1));
      raw.nodeForRunMs = runNode.map((x) => round(x, 1));
      raw.runMs = run.map((x) => round(x, 1));
      notes.push(`medians of ${N} runs each after ${WARMUP} warm-up runs, interleaved with \`node -e 0\`; timed spawn to exit from a Node parent (spawnSync)`);
    });
    return { rows, notes, raw };
  },
};
