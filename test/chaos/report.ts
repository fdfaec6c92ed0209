/** What a chaos run cost, fault by fault, as markdown. */
import { cpus } from 'node:os';
import { FAULT_KINDS } from './faults.js';
import type { ChaosResult } from './harness.js';
import { isOneSentence } from './watchers.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function chaosReport(r: ChaosResult): string {
  const o = r.options;
  const out: string[] = [];
  out.push(
    `${Math.round(o.durationMs / 60_000)} min of faults (${(r.wallMs / 60_000).toFixed(1)} min with setup and checks), ${o.tasks} tasks ` +
      `(${r.writers.size} writers, ${r.finiteChecked} finite, ${o.tasks - r.writers.size - r.finiteChecked} crash loops), a fault every ~${o.faultEveryMs / 1000} s, seed ${o.seed}`,
  );
  const loads = r.faults.map((f) => f.load);
  if (loads.length > 0) out.push(`The machine's load average (1 min, ${cpus().length} cores) during the faults: median ${median(loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)}.`);
  out.push('');
  out.push('| fault | times | daemon answered again after (median / max) | cost |');
  out.push('| --- | --- | --- | --- |');
  const lost = [...r.writers.values()].flatMap((w) => w.lost);
  for (const kind of FAULT_KINDS) {
    const dealt = r.faults.filter((f) => f.kind === kind);
    if (dealt.length === 0) continue;
    const ms = dealt.map((f) => f.answeredMs);
    let cost = 'none';
    if (kind === 'disk-full') {
      const windows = dealt.map((f) => [f.at, f.endedAt] as const);
      const inWindows = lost.filter((l) => windows.some(([a, b]) => l.at >= a - 1000 && l.at <= b + 1000)).length;
      cost = `${lost.length} lines could not be written (${inWindows} of them while the disk was full), ${[...r.writers.values()].reduce((n, w) => n + w.torn, 0)} cut short`;
    }
    if (kind === 'monitor-kill') cost = `${r.unknowable.length} finite tasks' exit status unknown (their monitor was killed)`;
    out.push(`| ${kind} | ${dealt.length} | ${Math.round(median(ms))} ms / ${Math.max(...ms)} ms | ${cost} |`);
  }
  const written = [...r.writers.values()].reduce((n, w) => n + w.written, 0);
  const failed = r.calls.filter((c) => c.code !== 0);
  out.push('');
  out.push(`- Lines: ${written} written by ${r.writers.size} writers and found in their logs; ${lost.length} could not be written.`);
  out.push(`- Finite tasks: ${r.finiteChecked - r.unknowable.length} of ${r.finiteChecked} with their exact exit code; ${r.unknowable.length} unknown after their monitor was killed.`);
  out.push(`- Crash loops: ${r.crashRestarts} restarts.`);
  out.push(
    `- Client calls: ${r.calls.length}, ${r.calls.length - failed.length} answered, ${failed.filter((c) => !c.hung && isOneSentence(c.stderr)).length} refused in one sentence, ` +
      `${r.calls.filter((c) => c.hung).length} hung; slowest ${Math.max(0, ...r.calls.map((c) => c.ms))} ms.`,
  );
  out.push(`- Left after \`daemon stop\`: ${r.leftAfterStop.length === 0 ? 'nothing' : r.leftAfterStop.join(', ')}.`);
  for (const u of r.unavailable) out.push(`- Unavailable: ${u}.`);
  out.push(`- Problems: ${r.problems.length === 0 ? 'none' : ''}`);
  for (const p of r.problems) out.push(`  - ${p}`);
  return out.join('\n');
}
