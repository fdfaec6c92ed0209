/**
 * `corral grep` over a 1 GB log: a real task (its log cap off) writes 1 GB of 100-byte
 * lines with one FAIL line in every 100 MB; then `corral grep FAIL <id>` (a whole CLI
 * call: start, ask the daemon for the task, search the file) against `grep -c FAIL` on the
 * same file, in the same run. Medians of 3 calls each, after one warm-up; the file is in
 * the page cache (just written). Not in the test suite: it writes 1 GB.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { corral, median, now, round, withDaemon } from './lib.js';

const CHUNK = 100_000_000;
const CHUNKS = 10;
const N = 3;
const LINE = '012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678'; // 99 + \n

export default {
  name: 'grep',
  title: '`corral grep` over a 1 GB log',
  async run() {
    const rows = [];
    const notes = [];
    const raw = {};
    await withDaemon('grep', notes, async ({ home, rpc }) => {
      const script = `for i in $(seq ${CHUNKS}); do yes ${LINE} | head -c ${CHUNK}; echo "FAIL $i"; done`;
      const id = corral(home, ['run', '--log-max-size', 'off', '--', script]).stdout.trim();
      const w = await rpc.call('wait', { ref: id, until: 'exit', timeout: '600s' });
      if (!w.reached) throw new Error(`${id} did not complete: ${w.task.status} ${w.task.reason}`);
      const file = join(home, 'logs', id, 'stdout.log');
      notes.push(`log of ${round(statSync(file).size / 1e6, 1)} MB`);

      const grep = () => {
        const t = now();
        const r = spawnSync('grep', ['-c', 'FAIL', file], { encoding: 'utf8' });
        if (r.stdout.trim() !== String(CHUNKS)) throw new Error(`grep -c found ${JSON.stringify(r.stdout)}`);
        return now() - t;
      };
      const ours = () => {
        const r = corral(home, ['grep', 'FAIL', id], { timeout: 600_000 });
        const lines = r.stdout.trim().split('\n');
        if (lines.length !== CHUNKS || !lines[0].endsWith(': FAIL 1')) throw new Error(`corral grep found ${JSON.stringify(r.stdout.slice(0, 200))}`);
        return r.ms;
      };
      const times = (fn) => {
        fn();
        const all = [];
        for (let i = 0; i < N; i++) all.push(fn());
        return all;
      };
      const base = times(grep);
      const t = times(ours);
      raw.grep = { corralMs: t.map((x) => round(x, 1)), grepMs: base.map((x) => round(x, 1)) };
      rows.push({
        measure: '`corral grep FAIL <id>` over a 1 GB log (10 matches), the whole CLI call',
        baseline: `grep -c FAIL: ${round(median(base), 1)} ms`,
        corral: `${round(median(t), 1)} ms`,
        ratio: round(median(t) / median(base), 2),
        ratioMeaning: 'median corral grep / median grep -c',
        target: 'noted only',
        met: true,
      });
    });
    return { rows, notes, raw };
  },
};
