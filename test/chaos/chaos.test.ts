/**
 * The chaos test. In `npm test`: a short run (40 tasks, about a minute of faults).
 * `npm run chaos`: the long one (CORRAL_CHAOS_MINUTES, default 30; CORRAL_CHAOS_TASKS,
 * default 200), whose report goes to stdout and to CORRAL_CHAOS_REPORT when set.
 *
 * The corruption of state.json before a restart is dealt only with CORRAL_CHAOS_CORRUPT=1.
 *
 * In the short run the daemon must answer again within 10 s of a fault's end, not 1 s: it
 * shares two cores with the rest of the suite (and on a CI machine with whatever else
 * runs there), and under a load of 15 a daemon's node start alone was seen to take 3 s.
 * That bound checks that it answers again at all, soon; the long run holds it to 1 s
 * (CORRAL_CHAOS_ANSWER_MS changes either).
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from './faults.js';
import { runChaos, type ChaosOptions } from './harness.js';
import { chaosReport } from './report.js';

const env = process.env;
const long = env.CORRAL_CHAOS_LONG === '1';
const number = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);

const options: ChaosOptions = {
  durationMs: number('CORRAL_CHAOS_MINUTES', long ? 30 : 1) * 60_000,
  tasks: number('CORRAL_CHAOS_TASKS', long ? 200 : 40),
  faults: FAULT_KINDS.filter((k) => k !== 'state-corrupt' || env.CORRAL_CHAOS_CORRUPT === '1'),
  faultEveryMs: number('CORRAL_CHAOS_FAULT_EVERY_S', long ? 10 : 4) * 1000,
  freezeMs: 5_000,
  diskFullMs: long ? 10_000 : 5_000,
  answerWithinMs: number('CORRAL_CHAOS_ANSWER_MS', long ? 1_000 : 10_000),
  tmpfsMb: long ? 256 : 64,
  writerEveryS: long ? 0.5 : 0.25,
  finiteMaxS: long ? 30 : 10,
  seed: number('CORRAL_CHAOS_SEED', Date.now() % 1_000_000),
  log: long ? (line) => console.log(line) : () => {},
};

describe('chaos', () => {
  it(
    `${options.tasks} tasks through ${options.durationMs / 60_000} min of faults: no line lost but while the disk was full, every exit right, nothing run twice, nothing left`,
    async () => {
      const result = await runChaos(options);
      const report = chaosReport(result);
      console.log(report);
      if (env.CORRAL_CHAOS_REPORT) writeFileSync(env.CORRAL_CHAOS_REPORT, `${report}\n`);
      expect(result.problems).toEqual([]);
      expect(result.faults.length).toBeGreaterThan(0);
    },
    options.durationMs + 10 * 60_000,
  );
});
