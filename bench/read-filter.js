/**
 * A filtered read over a whole 100 MB log: `read {offset: 0, filter: "FAIL", maxBytes: 16384}`
 * (and with `tail: 2`) over a log of 100-byte lines with one FAIL line in its middle, written
 * by a real task under corral. Baseline: `grep FAIL` over the same file, in the same run.
 * Medians of 5 calls each, after one warm-up; the file is in the page cache (just written).
 * Not a bound the suite holds corral to: it says what a filter costs per 100 MB.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { corral, median, now, round, withDaemon } from './lib.js';

const HALF = 50_000_000;
const N = 5;
const LINE = '012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678'; // 99 + \n

export default {
  name: 'read-filter',
  title: 'A filtered read over a whole 100 MB log',
  async run() {
    const rows = [];
    const notes = [];
    const raw = {};
    await withDaemon('filter', notes, async ({ home, rpc }) => {
      const id = corral(home, ['run', '--', `yes ${LINE} | head -c ${HALF}; echo 'FAIL here'; yes ${LINE} | head -c ${HALF}`]).stdout.trim();
      const w = await rpc.call('wait', { ref: id, until: 'exit', timeout: '300s' });
      if (!w.reached) throw new Error(`${id} did not complete: ${w.task.status} ${w.task.reason}`);
      const file = join(home, 'logs', id, 'stdout.log');
      notes.push(`log of ${round(statSync(file).size / 1e6, 1)} MB`);

      const grep = () => {
        const t = now();
        const r = spawnSync('grep', ['FAIL', file], { encoding: 'utf8' });
        if (r.stdout !== 'FAIL here\n') throw new Error(`grep found ${JSON.stringify(r.stdout)}`);
        return now() - t;
      };
      const read = (extra) => async () => {
        const t = now();
        const r = await rpc.call('read', { ref: id, stream: 'stdout', offset: 0, filter: 'FAIL', maxBytes: 16384, ...extra });
        const ms = now() - t;
        if (r.stdout.data !== 'FAIL here\n') throw new Error(`the read found ${JSON.stringify(r.stdout.data)}`);
        return ms;
      };
      const times = async (fn) => {
        await fn();
        const all = [];
        for (let i = 0; i < N; i++) all.push(await fn());
        return all;
      };
      const base = await times(async () => grep());
      for (const [mode, fn] of [['forward', read({})], ['tail: 2', read({ tail: 2 })]]) {
        const t = await times(fn);
        raw[mode] = { corralMs: t.map((x) => round(x, 1)), grepMs: base.map((x) => round(x, 1)) };
        rows.push({
          measure: `read \`{offset: 0, filter: "FAIL"${mode === 'forward' ? '' : ', tail: 2'}}\` over 100 MB`,
          baseline: `grep FAIL: ${round(median(base), 1)} ms`,
          corral: `${round(median(t), 1)} ms`,
          ratio: round(median(t) / median(base), 2),
          ratioMeaning: 'median corral read / median grep',
          target: 'noted only',
          met: true,
        });
      }
    });
    return { rows, notes, raw };
  },
};
