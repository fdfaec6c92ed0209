#!/usr/bin/env node
/**
 * corral benchmark suite. `npm run bench` (builds first) or `node bench/run.js [filter...]`:
 * a filter runs only the benchmarks whose name contains it (`node bench/run.js stop`).
 * Prints a markdown table, the seconds each benchmark took and the total, and writes
 * bench/out/results.json. The whole suite is meant to take at most SUITE_BUDGET_S on the
 * 2-core machine; a run over it says so in one line.
 *
 * Every figure is compared with a baseline measured in the same run, on the same machine.
 * Every benchmark uses its own temporary home under /tmp and, even on failure, stops its
 * daemon and kills whatever it started.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, cleanupAll, round } from './lib.js';
import logThroughput from './log-throughput.js';
import cliLatency from './cli-latency.js';
import stop from './stop.js';
import readTail from './read-tail.js';
import readFilter from './read-filter.js';
import daemonRss from './daemon-rss.js';
import orchestrate from './orchestrate.js';
import restart from './restart.js';
import envLoad from './env-load.js';
import events from './events.js';
import logCap from './log-cap.js';
import watch from './watch.js';
import grep from './grep.js';
import logsFollow from './logs-follow.js';
import dashboard from './dashboard.js';
import scale from './scale.js';
import apply from './apply.js';

/** What the whole suite may take, in seconds: past it, a warning line. */
const SUITE_BUDGET_S = 300;

const ALL = [logThroughput, cliLatency, stop, readTail, readFilter, daemonRss, orchestrate, restart, envLoad, events, logCap, watch, grep, dashboard, logsFollow, scale, apply];

const filters = process.argv.slice(2);
const selected = filters.length ? ALL.filter((b) => filters.some((f) => b.name.includes(f))) : ALL;
if (selected.length === 0) {
  process.stderr.write(`no benchmark matches ${filters.join(' ')}; there are: ${ALL.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}
if (!existsSync(CLI)) {
  process.stderr.write(`${CLI} is missing: build first (npm run build)\n`);
  process.exit(2);
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${sig}: cleaning up…\n`);
    for (const note of cleanupAll()) process.stderr.write(`  ${note}\n`);
    process.exit(130);
  });
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGB: round(totalmem() / 1e9, 1),
  kernel: release(),
  node: process.version,
};

const started = performance.now();
const results = [];
let failed = false;
for (const bench of selected) {
  process.stderr.write(`▶ ${bench.name} … `);
  const t0 = performance.now();
  // The machine's load beside every figure: on a shared machine, it says how far to trust the absolute times.
  const loadBefore = loadavg()[0];
  try {
    const r = await bench.run();
    const seconds = round((performance.now() - t0) / 1000, 1);
    const load = `load average ${round(loadBefore, 1)} at the start, ${round(loadavg()[0], 1)} at the end`;
    results.push({ name: bench.name, title: bench.title, seconds, load, ...r, notes: [...(r.notes ?? []), load] });
    process.stderr.write(`${seconds} s\n`);
  } catch (error) {
    failed = true;
    const seconds = round((performance.now() - t0) / 1000, 1);
    results.push({ name: bench.name, title: bench.title, seconds, error: String(error?.stack ?? error), rows: [], notes: [] });
    process.stderr.write(`FAILED after ${seconds} s: ${error?.message ?? error}\n`);
  }
}
const totalSeconds = round((performance.now() - started) / 1000, 1);

// ---------------------------------------------------------------- report

const cell = (x) => String(x ?? '').replace(/\|/g, '\\|');
let md = `| benchmark | measurement | baseline | corral | ratio | target | met |\n| --- | --- | --- | --- | --- | --- | --- |\n`;
for (const r of results) {
  if (r.error) md += `| ${cell(r.name)} | **failed**: ${cell(r.error.split('\n')[0])} | | | | | |\n`;
  for (const row of r.rows) {
    md += `| ${cell(r.name)} | ${cell(row.measure)} | ${cell(row.baseline)} | ${cell(row.corral)} | ${cell(row.ratio)} | ${cell(row.target)} | ${row.met === undefined ? '' : row.met ? 'yes' : '**no**'} |\n`;
  }
}
let notes = '';
for (const r of results) for (const n of r.notes ?? []) notes += `- ${r.name}: ${n}\n`;

process.stdout.write(
  `\n## corral benchmarks — ${new Date().toISOString().slice(0, 10)}, ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}\n\n${md}\n` +
    (notes ? `Notes:\n${notes}\n` : '') +
    `Suite time: ${totalSeconds} s (${results.map((r) => `${r.name} ${r.seconds}`).join(', ')})\n`,
);
if (totalSeconds > SUITE_BUDGET_S) {
  process.stdout.write(`warning: the suite took ${totalSeconds} s, over its budget of ${SUITE_BUDGET_S} s (load average ${round(loadavg()[0], 1)} now)\n`);
}

const outDir = join(ROOT, 'bench/out');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), machine, filters, totalSeconds, benchmarks: results }, null, 2)}\n`,
);
process.stderr.write(`results written to bench/out/results.json\n`);
// The in-process Supervisor (stop benchmark) may keep timers; nothing else is left to wait for.
process.exit(failed ? 1 : 0);
