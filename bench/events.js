/**
 * The event journal: (A) exit → its line printed by `corral events --follow --json`
 * (arrival at this process − the `endedAt` the journal records), against a `wait` RPC
 * (until exit) started before the exit, in the same run; (B) the journal's size per
 * 10,000 events like those (A) journaled; (C) `corral daemon start` with a 10,000-event
 * journal in the home vs an empty one, alternating, medians.
 * Targets: (A) ≤ 100 ms; (C) ≤ 1.1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, DIST, corral, envFor, makeHome, cleanupHome, median, round, sleep, withDaemon } from './lib.js';

const { EventLog } = await import(join(DIST, 'supervisor/events.js'));
const { JournalFile } = await import(join(DIST, 'supervisor/journal-file.js'));

const EXITS = 12;
const STARTS = 7;

/** Waits until `probe()` is truthy (polling every 2 ms), or fails after `ms`. */
async function until(probe, what, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** (A): returns the latencies (ms) of the follower and of the wait RPC, and the events the follower printed. */
async function exitLatency(home, rpc) {
  const follower = spawn(process.execPath, [CLI, 'events', '--follow', '--json', '--since', '0'], { env: envFor(home), stdio: ['ignore', 'pipe', 'inherit'] });
  const arrived = [];
  let carry = '';
  follower.stdout.on('data', (chunk) => {
    const at = Date.now();
    const parts = (carry + chunk.toString()).split('\n');
    carry = parts.pop();
    for (const line of parts.filter(Boolean)) arrived.push({ event: JSON.parse(line), at });
  });
  const follow = [];
  const wait = [];
  try {
    for (let i = 0; i < EXITS; i++) {
      const go = join(home, `go-${i}`);
      const { id } = await rpc.call('run', { command: `while [ ! -e ${go} ]; do sleep 0.005; done` });
      await until(() => arrived.some(({ event }) => event.id === id && event.status === 'running'), `${id} running`);
      let waited = null;
      const waiting = rpc.call('wait', { ref: id, until: 'exit', timeout: '30s' }).then(() => (waited = Date.now()));
      await sleep(20);
      writeFileSync(go, '');
      const exit = await until(() => arrived.find(({ event }) => event.id === id && event.kind === 'exit'), `the exit of ${id}`);
      await waiting;
      const endedAt = Date.parse(exit.event.endedAt);
      follow.push(exit.at - endedAt);
      wait.push(waited - endedAt);
    }
  } finally {
    follower.kill('SIGINT');
  }
  return { follow, wait, events: arrived.map(({ event }) => event) };
}

/** A journal of `count` events shaped like `samples` (as the daemon writes them), in `dir`; returns its path. */
function journalOf(dir, samples, count) {
  const path = join(dir, 'events.jsonl');
  const log = new EventLog(new JournalFile(path, 1 << 30));
  for (let i = 0; i < count; i++) {
    const { seq: _seq, at: _at, ...event } = samples[i % samples.length];
    log.push({ ...event, id: `bash_${1000 + (i >> 1)}` });
  }
  log.close();
  return path;
}

/** (C): wall time of `corral daemon start` (the daemon answering), then its stop. */
function timedStart(home) {
  const { ms } = corral(home, ['daemon', 'start', '--json']);
  corral(home, ['daemon', 'stop', '--json']);
  return ms;
}

export default {
  name: 'events',
  title: 'The event journal: follow latency, size, daemon start',
  async run() {
    const rows = [];
    const notes = [];
    const raw = {};
    let samples = [];
    await withDaemon('events', notes, async ({ home, rpc }) => {
      const { follow, wait, events } = await exitLatency(home, rpc);
      samples = events.map(({ seq, time, kind, ...rest }) => ({ seq, at: time, type: kind === 'exit' || kind === 'restart' ? 'state' : kind, ...rest }));
      raw.followMs = follow;
      raw.waitMs = wait;
      rows.push({
        measure: `exit → its line printed by \`events --follow --json\` (from the journal's endedAt), median of ${EXITS}`,
        baseline: `${round(median(wait), 1)} ms (\`wait\` RPC until exit)`,
        corral: `${round(median(follow), 1)} ms (worst ${Math.max(...follow)} ms)`,
        ratio: round(median(follow) / Math.max(1, median(wait)), 2),
        ratioMeaning: 'follow / wait RPC, medians',
        target: '≤ 100 ms',
        met: Math.max(...follow) <= 100,
      });
    });

    const dir = mkdtempSync('/tmp/cb-bench-journal-');
    try {
      const path = journalOf(dir, samples, 10_000);
      const bytes = statSync(path).size;
      raw.journalBytesPer10k = bytes;
      rows.push({
        measure: 'the journal per 10,000 events (state changes and exits as (A) journaled them)',
        baseline: '—',
        corral: `${round(bytes / 1e6, 2)} MB (${Math.round(bytes / 10_000)} bytes an event)`,
        ratio: '—',
        target: '—',
      });

      // What a new daemon does with the journal, in-process: open it and read its last seq.
      const opened = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        new EventLog(new JournalFile(path, 1 << 30)).close();
        opened.push(performance.now() - t0);
      }
      raw.journalOpenMs = opened;
      notes.push(`opening the 10,000-event journal and reading its last seq takes ${round(median(opened), 3)} ms in-process (median of 20)`);

      const empty = makeHome('events-empty');
      const full = makeHome('events-full');
      try {
        writeFileSync(join(full, 'events.jsonl'), readFileSync(path));
        const times = { empty: [], full: [] };
        for (let i = 0; i < STARTS; i++) {
          // Alternating, so that a slow moment of the machine falls on both.
          for (const which of i % 2 ? ['full', 'empty'] : ['empty', 'full']) times[which].push(timedStart(which === 'full' ? full : empty));
        }
        raw.startMs = times;
        const ratio = median(times.full) / median(times.empty);
        rows.push({
          measure: `\`corral daemon start\` with a 10,000-event journal, median of ${STARTS}`,
          baseline: `${round(median(times.empty), 1)} ms (empty home)`,
          corral: `${round(median(times.full), 1)} ms`,
          ratio: round(ratio, 2),
          ratioMeaning: 'with the journal / without',
          target: '≤ 1.1',
          met: ratio <= 1.1,
        });
        corral(full, ['run', '--', 'true']);
        const next = corral(full, ['events', '--since', '10000', '--json']).stdout.trim().split('\n')[0];
        notes.push(`a task run after those starts is journaled from seq ${JSON.parse(next || '{}').seq ?? '?'} (the journal's last was 10,000): a new daemon reads only the journal's tail`);
      } finally {
        notes.push(...cleanupHome(empty), ...cleanupHome(full));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { rows, notes, raw };
  },
};
