/**
 * CLI latency: `corral ls` (the table), `ls --json` with 20 running tasks, `status` and
 * `logs --new` of one task, and `corral run -- sleep 1`, each against `node -e 0` (the floor
 * of any Node CLI), timed spawn to exit. Every call is paired with a `node -e 0` made right
 * next to it (the order alternating), and the figure is the median of the pairs' ratios, so
 * a change of load during the run moves both sides of a pair alike. The daemon and the 20
 * tasks (`sleep 300`) are started before timing; every `ls` runs before the first `run`.
 */
import { loadavg } from 'node:os';
import { corral, envFor, median, round, startTasks, timeSync, withDaemon } from './lib.js';

const N = 20;
const WARMUP = 3;

/** What is timed: label, arguments, the target ratio (null: noted only), and a check of the output. */
function measures(firstId) {
  return [
    { label: '`corral ls` (table), 20 running tasks', args: ['ls'], target: 1.3, check: (out) => out.split('\n').filter((l) => / running /.test(l)).length === 20 },
    { label: '`corral ls --json`, 20 running tasks', args: ['ls', '--json'], target: 1.3, check: (out) => JSON.parse(out).filter((t) => t.status === 'running').length === 20 },
    { label: '`corral status ID` of one task', args: ['status', firstId], target: null, check: (out) => out.includes(firstId) },
    { label: '`corral logs --new ID` of one task', args: ['logs', '--new', firstId], target: null, check: () => true },
    { label: '`corral run -- sleep 1`', args: ['run', '--', 'sleep', '1'], target: 1.25, check: (out) => /^bash_\d+$/.test(out.trim()) },
  ];
}

export default {
  name: 'cli-latency',
  title: 'CLI latency vs `node -e 0`',
  async run() {
    const rows = [];
    const notes = [];
    const raw = {};
    const loads = [loadavg()[0]];
    await withDaemon('cli', notes, async ({ home, rpc }) => {
      const [first] = await startTasks(rpc, 20, 'sleep 300');
      const env = envFor(home);
      const node = () => timeSync(process.execPath, ['-e', '0'], { env }).ms;

      for (const m of measures(first.id)) {
        for (let i = 0; i < WARMUP; i++) (node(), corral(home, m.args));
        const base = [];
        const mine = [];
        let failedChecks = 0;
        for (let i = 0; i < N; i++) {
          const call = () => {
            const r = corral(home, m.args);
            if (!m.check(r.stdout)) failedChecks++;
            mine.push(r.ms);
          };
          if (i % 2) (call(), base.push(node()));
          else (base.push(node()), call());
        }
        if (failedChecks) notes.push(`${m.args.join(' ')}: ${failedChecks} of ${N} outputs were not as expected`);
        loads.push(loadavg()[0]);
        const ratio = median(mine.map((ms, i) => ms / base[i]));
        rows.push({
          measure: m.label,
          baseline: `${round(median(base), 1)} ms (\`node -e 0\`)`,
          corral: `${round(median(mine), 1)} ms`,
          ratio: round(ratio, 2),
          ratioMeaning: 'median of paired ratios, corral call / the `node -e 0` next to it',
          target: m.target === null ? 'noted' : `≤ ${m.target}`,
          met: m.target === null ? true : ratio <= m.target,
        });
        raw[m.args[0] + (m.args[1] === '--json' ? 'Json' : '')] = { nodeMs: base.map((x) => round(x, 1)), corralMs: mine.map((x) => round(x, 1)) };
      }
      notes.push(`each: ${N} calls after ${WARMUP} warm-up calls, each paired with a \`node -e 0\` right before or after it (alternating); timed spawn to exit from a Node parent (spawnSync)`);
      notes.push(`NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'not set'}: Node 20 parses that file at start-up, for \`node -e 0\` and corral alike, which makes every ratio here smaller than without it`);
    });
    notes.push(`load average (1 min) during the run: ${loads.map((l) => round(l, 1)).join(' → ')}`);
    return { rows, notes, raw };
  },
};
