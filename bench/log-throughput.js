/**
 * Log throughput: a task writes 100 MB to stdout; corral's log file vs a shell redirection.
 * (200 MB until the suite had to fit in 5 minutes: a run now takes 0.1–0.3 s, so the fixed
 * start and exit of a task, the `corral run -- true` context figure, weighs twice as much.)
 *
 * Baseline: `sh -c 'CMD > file'`, timed from spawn to exit.
 * corral:   the task's own start-to-end (startedAt → endedAt of the task view), started
 *           over the socket (the `run` RPC, as the MCP server and library callers start tasks):
 *           the target row. For context, the same started by `corral run -- CMD`, whose own
 *           exit (~20 ms of node teardown) overlaps the task's first milliseconds on a 2-core
 *           machine, and the wall time from just before `corral run` to the `wait` RPC's answer
 *           (one CLI start included, which cli-latency measures on its own).
 * `sync` runs (untimed) before every timed run. Every file must hold exactly SIZE bytes;
 * on the last repetition the SHA-256 of both must match. Each file is hashed (untimed) and
 * deleted right after its run: the megabytes left in the page cache slowed the runs after it.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync, unlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cpuMsOf, corral, envFor, median, now, round, timeSync, withDaemon } from './lib.js';

/** 100 MB; `CORRAL_BENCH_LOG_MB=200` runs the 200 MB of the original issue. */
const SIZE = Number(process.env.CORRAL_BENCH_LOG_MB ?? 100) * 1_000_000;
const REPS = 6; // each of the three orders twice

const VARIANTS = [
  { key: 'lines', label: `lines (\`yes …40 chars… | head -c ${SIZE}\`, 4 KiB writes)`, cmd: `yes 0123456789012345678901234567890123456789 | head -c ${SIZE}` },
  { key: '128k', label: `128 KiB writes (\`head -c ${SIZE} /dev/zero | dd bs=128k iflag=fullblock\`)`, cmd: `head -c ${SIZE} /dev/zero | dd bs=128k iflag=fullblock status=none` },
];

function sha256(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

export default {
  name: 'log-throughput',
  title: `Log throughput (${SIZE / 1e6} MB to stdout)`,
  async run() {
    const rows = [];
    const notes = [];
    const raw = {};
    await withDaemon('log', notes, async ({ home, rpc, pid: daemonPid }) => {

      // Context: the fixed cost of a task's start and exit as the daemon sees them.
      const trueOwn = [];
      for (let i = 0; i < 5; i++) {
        const id = corral(home, ['run', '--', 'true']).stdout.trim();
        const w = await rpc.call('wait', { ref: id, until: 'exit', timeout: '30s' });
        trueOwn.push(Date.parse(w.task.endedAt) - Date.parse(w.task.startedAt));
        await rpc.call('remove', { refs: [id] });
      }
      raw.trueTaskMs = trueOwn;
      notes.push(`context: \`corral run -- true\` takes ${median(trueOwn)} ms from startedAt to endedAt (median of 5): the fixed part of the task's own time`);
      for (const v of VARIANTS) {
        const base = [];
        const wall = [];
        const own = [];
        const viaRpc = [];
        const daemonCpu = [];
        let allSizesOk = true;
        let baseHash = null;
        let corralHash = null;
        for (let i = 0; i < REPS; i++) {
          const last = i === REPS - 1;
          const order = [['base', 'corral', 'rpc'], ['corral', 'rpc', 'base'], ['rpc', 'base', 'corral']][i % 3];
          for (const which of order) {
            // Start each timed run with no dirty pages pending from the previous one: writeback
            // of an earlier 100 MB would otherwise land in whichever run comes next.
            spawnSync('sync');
            if (which === 'base') {
              const file = join(home, `base-${v.key}.out`);
              const { ms } = timeSync('/bin/sh', ['-c', `${v.cmd} > ${file}`], { env: envFor(home) });
              const size = statSync(file).size;
              if (size !== SIZE) allSizesOk = false;
              if (size !== SIZE) notes.push(`baseline ${v.key} rep ${i}: file has ${size} bytes, not ${SIZE}`);
              base.push(ms);
              if (last) baseHash = await sha256(file);
              unlinkSync(file);
            } else if (which === 'rpc') {
              const started = await rpc.call('run', { command: v.cmd, cwd: home, baseEnv: envFor(home) });
              const waited = await rpc.call('wait', { ref: started.id, until: 'exit', timeout: '300s' });
              const t = waited.task;
              if (!waited.reached || t.exitCode !== 0) notes.push(`rpc ${v.key} rep ${i}: ${started.id} ended ${t.status} (${t.reason}), exit ${t.exitCode}`);
              const size = statSync(join(home, 'logs', started.id, 'stdout.log')).size;
              if (size !== SIZE) allSizesOk = false;
              if (size !== SIZE) notes.push(`rpc ${v.key} rep ${i}: the log has ${size} bytes, not ${SIZE}`);
              viaRpc.push(Date.parse(t.endedAt) - Date.parse(t.startedAt));
              await rpc.call('remove', { refs: [started.id] });
            } else {
              const cpu0 = cpuMsOf(daemonPid);
              const t0 = now();
              const id = corral(home, ['run', '--', v.cmd]).stdout.trim();
              const waited = await rpc.call('wait', { ref: id, until: 'exit', timeout: '300s' });
              const ms = now() - t0;
              daemonCpu.push(cpuMsOf(daemonPid) - cpu0);
              const t = waited.task;
              if (!waited.reached || t.exitCode !== 0) notes.push(`corral ${v.key} rep ${i}: ${id} ended ${t.status} (${t.reason}), exit ${t.exitCode}`);
              const log = join(home, 'logs', id, 'stdout.log');
              const size = statSync(log).size;
              if (size !== SIZE) allSizesOk = false;
              if (size !== SIZE) notes.push(`corral ${v.key} rep ${i}: ${log} has ${size} bytes, not ${SIZE} (${SIZE - size} missing)`);
              const errSize = statSync(join(home, 'logs', id, 'stderr.log')).size;
              if (errSize !== 0) notes.push(`corral ${v.key} rep ${i}: stderr.log has ${errSize} bytes`);
              wall.push(ms);
              own.push(Date.parse(t.endedAt) - Date.parse(t.startedAt));
              if (last) corralHash = await sha256(log);
              await rpc.call('remove', { refs: [id] });
            }
          }
        }
        const [hb, hc] = [baseHash, corralHash];
        const sameBytes = hb === hc;
        if (!sameBytes) notes.push(`${v.key}: the corral log differs from the baseline file (sha256 ${hc.slice(0, 12)}… vs ${hb.slice(0, 12)}…)`);

        const b = median(base);
        const w = median(wall);
        const o = median(own);
        const r = median(viaRpc);
        raw[v.key] = { baselineMs: base.map((x) => round(x, 1)), corralTaskMs: viaRpc, corralCliTaskMs: own, corralCliWallMs: wall.map((x) => round(x, 1)), daemonCpuMs: daemonCpu, sha256Match: sameBytes };
        rows.push({
          measure: `${v.key}: task's own startedAt → endedAt, started over the socket`,
          baseline: `${round(b / 1000, 3)} s (${round(SIZE / 1e6 / (b / 1000), 0)} MB/s)`,
          corral: `${round(r / 1000, 3)} s (${round(SIZE / 1e6 / (r / 1000), 0)} MB/s)`,
          ratio: round(b / r, 2),
          ratioMeaning: 'baseline time / corral time',
          target: '≥ 0.95',
          met: b / r >= 0.95,
        });
        rows.push({
          measure: `context — ${v.key}: the same, started by \`corral run\` (its exit overlaps the task's start)`,
          baseline: `${round(b / 1000, 3)} s`,
          corral: `${round(o / 1000, 3)} s (${round(SIZE / 1e6 / (o / 1000), 0)} MB/s)`,
          ratio: round(b / o, 2),
          ratioMeaning: 'baseline time / corral time',
          target: '—',
        });
        rows.push({
          measure: `context — ${v.key}: wall, \`corral run\` → exit seen (incl. 1 CLI start)`,
          baseline: `${round(b / 1000, 3)} s`,
          corral: `${round(w / 1000, 3)} s (${round(SIZE / 1e6 / (w / 1000), 0)} MB/s)`,
          ratio: round(b / w, 2),
          ratioMeaning: 'baseline time / corral time',
          target: '—',
        });
        notes.push(`${v.key}: ${REPS} reps each, medians; every file and log exactly ${SIZE} bytes: ${allSizesOk ? 'yes' : 'NO'}; sha256 of last rep equal to the baseline file: ${sameBytes ? 'yes' : 'NO'}; daemon CPU time during a corral rep (run → exit): median ${median(daemonCpu)} ms`);
      }
    });
    return { rows, notes, raw };
  },
};
