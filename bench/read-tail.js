/**
 * Reading the end of a big log: the last 64 KB of a 1 GB stdout log vs of a 1 MB one.
 * Both logs are written by real tasks under corral (`yes <99 chars> | head -c N`: 100-byte
 * lines). Then, over one RPC connection, interleaved, medians of 100 `read` calls each:
 *   - by offset: {offset: size − 65536, maxBytes: 65536}
 *   - by lines:  {tail: 655} (655 lines × 100 bytes ≈ 64 KB)
 * Ratio = the median over the 100 pairs of (1 GB call time / the 1 MB call made next to it);
 * the ratio of the two medians is noted too. The 1 GB log is deleted afterwards.
 * Skipped (with a note) when /tmp has less than 5 GB free.
 */
import { spawnSync } from 'node:child_process';
import { statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { corral, median, now, round, withDaemon } from './lib.js';

const BIG = 1_000_000_000;
const SMALL = 1_000_000;
// The brief asks for medians of ≥ 30 calls; one call is ~1–4 ms, so 100 cost nothing and steady the median.
const N = 100;
const WARMUP = 10;
const LINE = '012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678'; // 99 + \n

export default {
  name: 'read-tail',
  title: 'Reading the last 64 KB of a 1 GB log vs a 1 MB log',
  async run() {
    const fs = statfsSync('/tmp');
    const free = fs.bavail * fs.bsize;
    if (free < 5e9) {
      return { rows: [], notes: [`skipped: only ${round(free / 1e9, 1)} GB free in /tmp (needs 5 GB)`], raw: { skipped: true } };
    }
    const rows = [];
    const notes = [];
    const raw = {};
    // The 1 GB log goes with the home when it is cleaned.
    await withDaemon('read', notes, async ({ home, rpc }) => {
      const t0 = now();
      const big = corral(home, ['run', '--', `yes ${LINE} | head -c ${BIG}`]).stdout.trim();
      const small = corral(home, ['run', '--', `yes ${LINE} | head -c ${SMALL}`]).stdout.trim();
      for (const id of [big, small]) {
        const w = await rpc.call('wait', { ref: id, until: 'exit', timeout: '300s' });
        if (!w.reached) throw new Error(`${id} did not complete: ${w.task.status} ${w.task.reason}`);
      }
      notes.push(`writing the 1 GB log under corral took ${round((now() - t0) / 1000, 1)} s`);
      // Untimed: the kernel writing 1 GB back to disk during the reads would be measured, not the reads.
      spawnSync('sync');
      const size = { [big]: statSync(join(home, 'logs', big, 'stdout.log')).size, [small]: statSync(join(home, 'logs', small, 'stdout.log')).size };
      if (size[big] !== BIG || size[small] !== SMALL) notes.push(`log sizes ${size[big]} / ${size[small]}, expected ${BIG} / ${SMALL}`);

      const modes = {
        offset: (id) => ({ ref: id, stream: 'stdout', offset: size[id] - 65536, maxBytes: 65536 }),
        tail: (id) => ({ ref: id, stream: 'stdout', tail: 655 }),
      };
      for (const [mode, params] of Object.entries(modes)) {
        const times = { [big]: [], [small]: [] };
        const once = async (id, keep) => {
          const t = now();
          const r = await rpc.call('read', params(id));
          const ms = now() - t;
          const got = Buffer.byteLength(r.stdout.data, r.stdout.encoding);
          if (keep) times[id].push(ms);
          if (got < 65_000 || got > 65_536) notes.push(`${mode} read of ${id} returned ${got} bytes`);
          if (r.stdout.omitted) notes.push(`${mode} read of ${id} omitted ${r.stdout.omitted} bytes`);
        };
        for (let i = 0; i < WARMUP; i++) (await once(big, false), await once(small, false));
        for (let i = 0; i < N; i++) {
          if (i % 2) (await once(small, true), await once(big, true));
          else (await once(big, true), await once(small, true));
        }
        const b = median(times[big]);
        const s = median(times[small]);
        const paired = median(times[big].map((x, i) => x / times[small][i]));
        notes.push(`${mode}: ratio of the two medians (1 GB / 1 MB): ${round(b / s, 2)}`);
        raw[mode] = { pairedRatio: round(paired, 3), bigMs: times[big].map((x) => round(x, 2)), smallMs: times[small].map((x) => round(x, 2)) };
        rows.push({
          measure: mode === 'offset' ? 'read `{offset: size − 65536, maxBytes: 65536}`' : 'read `{tail: 655}` (≈ 64 KB)',
          baseline: `1 MB log: ${round(s, 2)} ms`,
          corral: `1 GB log: ${round(b, 2)} ms`,
          // The median of paired ratios: each 1 GB call against the 1 MB call made next to it,
          // so the machine's drift over the run (which moves sub-millisecond calls by half) cancels.
          ratio: round(paired, 2),
          ratioMeaning: 'median of (1 GB call / the 1 MB call next to it)',
          target: '≤ 1.2',
          met: paired <= 1.2,
        });
      }
      notes.push(`medians of ${N} RPC calls per log and mode over one connection, interleaved, after ${WARMUP} warm-up calls and a sync; the 1 GB file is in the page cache (just written)`);
    });
    return { rows, notes, raw };
  },
};
