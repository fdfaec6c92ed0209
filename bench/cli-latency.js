/**
 * CLI latency: `corral ls` (the table), `ls --json` with 20 running tasks, `status` and
 * `logs --new` of one task, and `corral run -- sleep 1`, each against `node -e 0` (the floor
 * of any Node CLI), timed spawn to exit. Every call is paired with a `node -e 0` made right
 * next to it (the order alternating), and the figure is the median of the pairs' ratios, so
 * a change of load during the run moves both sides of a pair alike. The daemon and the 20
 * tasks (`sleep 300`) are started before timing; every `ls` runs before the first `run`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { CLI, corral, envFor, median, round, startTasks, timeSync, withDaemon } from './lib.js';

const N = 11;
const WARMUP = 1;

/**
 * With CORRAL_BENCH_INSTRUCTIONS=1 (and valgrind installed): the instructions a process runs,
 * from callgrind, which repeat within 1 % whatever the load. Taken without NODE_EXTRA_CA_CERTS
 * (its parsing would be most of the count), and less V8's random hash-seed prime search
 * (HashSeed::InitializeRoots, 4–22 M instructions, different in every run).
 */
function instructions(args, env) {
  const dir = mkdtempSync('/tmp/cb-bench-callgrind-');
  try {
    const out = join(dir, 'callgrind.out');
    const quiet = { ...env };
    delete quiet.NODE_EXTRA_CA_CERTS;
    const r = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, ...args], { env: quiet, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`valgrind ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.slice(-500)}`);
    const total = Number(/^summary:\s+(\d+)/m.exec(readFileSync(out, 'utf8'))[1]);
    const annotated = spawnSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', out], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
    const seed = /^\s*([\d,]+)\s.*HashSeed::InitializeRoots/m.exec(annotated);
    return total - (seed ? Number(seed[1].replaceAll(',', '')) : 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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

      if (process.env.CORRAL_BENCH_INSTRUCTIONS === '1') {
        const floor = instructions(['-e', '0'], env);
        for (const m of measures(first.id)) {
          const count = instructions([CLI, ...m.args], env);
          rows.push({
            measure: `instructions: ${m.label}`,
            baseline: `${round(floor / 1e6, 1)} M (\`node -e 0\`)`,
            corral: `${round(count / 1e6, 1)} M (+${round((count - floor) / 1e6, 1)} M)`,
            ratio: round(count / floor, 2),
            ratioMeaning: 'corral instructions / node -e 0 instructions (callgrind, no NODE_EXTRA_CA_CERTS, hash-seed search taken out)',
            target: 'noted',
            met: true,
          });
        }
      }
      notes.push(`each: ${N} calls after ${WARMUP} warm-up calls, each paired with a \`node -e 0\` right before or after it (alternating); timed spawn to exit from a Node parent (spawnSync)`);
      notes.push(`NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'not set'}: Node 20 parses that file at start-up, for \`node -e 0\` and corral alike, which makes every ratio here smaller than without it`);
    });
    notes.push(`load average (1 min) during the run: ${loads.map((l) => round(l, 1)).join(' → ')}`);
    return { rows, notes, raw };
  },
};
