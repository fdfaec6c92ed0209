/**
 * Log cap: a task writes 1 GB to stdout under a 100 MB cap; the same command as
 * `sh -c 'CMD > file'`, in the same run.
 *
 * corral:   the task's own startedAt → endedAt, started over the socket with
 *           `logMaxSize: '100M'`, and the log's disk use at the end (st_blocks × 512).
 * Baseline: `sh -c 'CMD > file'`, spawn to exit, and the file's disk use.
 * Both must hold exactly 1,000,000,000 bytes (apparent size); the last 1 MiB of both must
 * have the same SHA-256 (the kept end is the bytes written there). `sync` runs (untimed)
 * before each timed run, and each file is deleted right after it.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync, unlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { envFor, median, round, timeSync, withDaemon } from './lib.js';

const SIZE = 1_000_000_000;
const CAP = 100 * 1024 * 1024;
const REPS = 3;
const CMD = `yes 0123456789012345678901234567890123456789 | head -c ${SIZE}`;

/** SHA-256 of the last MiB of a file. */
function tailHash(file) {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const buf = Buffer.alloc(1024 * 1024);
    const n = readSync(fd, buf, 0, buf.length, size - buf.length);
    return createHash('sha256').update(buf.subarray(0, n)).digest('hex');
  } finally {
    closeSync(fd);
  }
}

const diskUse = (file) => statSync(file).blocks * 512;
const mb = (bytes) => round(bytes / 1e6, 1);

export default {
  name: 'log-cap',
  title: 'Log cap (1 GB to stdout under a 100 MB cap)',
  async run() {
    const rows = [];
    const notes = [];
    const raw = { baselineMs: [], cappedMs: [], baselineDisk: [], cappedDisk: [], keptStart: [] };
    let allOk = true;
    await withDaemon('cap', notes, async ({ home, rpc }) => {
      for (let i = 0; i < REPS; i++) {
        for (const which of i % 2 === 0 ? ['base', 'capped'] : ['capped', 'base']) {
          spawnSync('sync');
          if (which === 'base') {
            const file = join(home, 'base.out');
            const { ms } = timeSync('/bin/sh', ['-c', `${CMD} > ${file}`], { env: envFor(home) });
            if (statSync(file).size !== SIZE) allOk = false;
            raw.baselineMs.push(round(ms, 1));
            raw.baselineDisk.push(diskUse(file));
            raw.baseHash = tailHash(file);
            unlinkSync(file);
          } else {
            const started = await rpc.call('run', { command: CMD, cwd: home, baseEnv: envFor(home), logMaxSize: '100M' });
            const waited = await rpc.call('wait', { ref: started.id, until: 'exit', timeout: '600s' });
            const t = waited.task;
            if (!waited.reached || t.exitCode !== 0) notes.push(`rep ${i}: ${started.id} ended ${t.status} (${t.reason}), exit ${t.exitCode}`);
            const log = join(home, 'logs', started.id, 'stdout.log');
            if (statSync(log).size !== SIZE) allOk = false;
            raw.cappedMs.push(Date.parse(t.endedAt) - Date.parse(t.startedAt));
            raw.cappedDisk.push(diskUse(log));
            const page = await rpc.call('read', { ref: started.id, stream: 'stdout', offset: 0, maxBytes: 1 });
            raw.keptStart.push(page.stdout.from);
            raw.cappedHash = tailHash(log);
            await rpc.call('remove', { refs: [started.id] });
          }
        }
      }
    });
    const b = median(raw.baselineMs);
    const c = median(raw.cappedMs);
    const disk = Math.max(...raw.cappedDisk);
    rows.push({
      measure: "1 GB of 41-byte lines under a 100 MB cap: task's own startedAt → endedAt, started over the socket",
      baseline: `${round(b / 1000, 2)} s (${round(SIZE / 1e6 / (b / 1000), 0)} MB/s)`,
      corral: `${round(c / 1000, 2)} s (${round(SIZE / 1e6 / (c / 1000), 0)} MB/s)`,
      ratio: round(b / c, 2),
      ratioMeaning: 'baseline time / corral time',
      target: '≥ 0.9',
      met: b / c >= 0.9,
    });
    rows.push({
      measure: 'disk use at the end (st_blocks × 512), the largest of the reps',
      baseline: `${mb(Math.max(...raw.baselineDisk))} MB`,
      corral: `${mb(disk)} MB (cap ${mb(CAP)} MB)`,
      ratio: round(disk / Math.max(...raw.baselineDisk), 3),
      ratioMeaning: 'corral disk use / baseline disk use',
      target: `≤ cap + 4 KiB`,
      met: disk <= CAP + 4096,
    });
    const sameEnd = raw.baseHash === raw.cappedHash;
    notes.push(`${REPS} reps each, alternating, medians; every file exactly ${SIZE} bytes (apparent): ${allOk ? 'yes' : 'NO'}; last MiB identical to the baseline file's: ${sameEnd ? 'yes' : 'NO'}; kept starts: ${raw.keptStart.join(', ')}`);
    return { rows, notes, raw };
  },
};
