/**
 * The log cap where tasks run under the sh monitor (no C compiler to build the native
 * one, or CORRAL_MONITOR=sh): the daemon releases the head of each log at its 2 s sample
 * with util-linux's `fallocate --punch-hole`, as the native monitor does on every write
 * (spawner.c, "the log cap"): down to 15/16 of the cap, block-aligned, the kept start
 * written first. So the cap holds to within two seconds of output, and only while a
 * daemon runs.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { keptStart, writeKept } from './kept.js';
import type { Stream } from './read.js';

/** Releases what is over the cap in each log; the reason when this file system (or machine) cannot. */
export function capBySample(logDir: string, streams: Stream[], cap: number): string | null {
  for (const stream of streams) {
    const path = join(logDir, `${stream}.log`);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) continue;
    const kept = keptStart(path, st.size);
    if (st.size - kept <= cap) continue;
    const block = st.blksize > 0 ? st.blksize : 4096;
    const start = Math.floor((st.size - (cap - Math.floor(cap / 16))) / block) * block;
    if (start <= kept) continue;
    const from = Math.floor(kept / block) * block;
    writeKept(path, start);
    const punched = spawnSync('fallocate', ['--punch-hole', '--keep-size', '--offset', String(from), '--length', String(start - from), path], { encoding: 'utf8', timeout: 10_000 });
    if (punched.status !== 0) {
      writeKept(path, kept);
      return (punched.stderr || String(punched.error ?? `fallocate exited ${punched.status}`)).trim();
    }
  }
  return null;
}
