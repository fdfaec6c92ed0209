/**
 * Schedule decisions with an injected clock and a stand-in cron: the first tick, the tick
 * after (never a past one), the take-up after a daemon restart, skip versus run, the
 * bounded history, and the refusals.
 */
import { describe, expect, it } from 'vitest';
import {
  everyProblem,
  firstRunAt,
  nextRunAfter,
  onTick,
  resumedRunAt,
  scheduleProblem,
  SCHEDULE_HISTORY_KEPT,
  waitingReason,
  withEntry,
  type CronNext,
  type ScheduleEntry,
} from './schedule.js';

/** A cron stand-in: "every N ms" dates on multiples of N (`@N`), none for `never`. */
const cronNext: CronNext = (expression, after) => {
  if (expression === 'never') return null;
  const n = Number(expression.slice(1));
  return (Math.floor(after / n) + 1) * n;
};

describe('firstRunAt', () => {
  it('runs an every schedule at once, and a cron one at its next date', () => {
    expect(firstRunAt({ every: 10_000 }, 5_000, cronNext)).toBe(5_000);
    expect(firstRunAt({ cron: '@60000' }, 5_000, cronNext)).toBe(60_000);
    expect(firstRunAt({ cron: 'never' }, 5_000, cronNext)).toBeNull();
  });
});

describe('nextRunAfter', () => {
  it('keeps the rate of an every schedule from its tick', () => {
    expect(nextRunAfter({ every: 2_000 }, 10_000, 10_000, cronNext)).toBe(12_000);
    expect(nextRunAfter({ every: 2_000 }, 10_000, 11_999, cronNext)).toBe(12_000);
  });

  it('never gives a tick already past: a late timer or an absent daemon skips the missed ones', () => {
    expect(nextRunAfter({ every: 2_000 }, 10_000, 12_000, cronNext)).toBe(14_000);
    expect(nextRunAfter({ every: 2_000 }, 10_000, 17_500, cronNext)).toBe(18_000);
  });

  it('takes the cron date after the tick, or after now when the timer fired late', () => {
    expect(nextRunAfter({ cron: '@60000' }, 60_000, 60_000, cronNext)).toBe(120_000);
    expect(nextRunAfter({ cron: '@60000' }, 60_000, 130_000, cronNext)).toBe(180_000);
  });

  it('does not find the same cron date again when the timer fired a little early', () => {
    expect(nextRunAfter({ cron: '@60000' }, 60_000, 59_999, cronNext)).toBe(120_000);
  });
});

describe('resumedRunAt', () => {
  it('keeps a persisted tick still to come', () => {
    expect(resumedRunAt({ every: 10_000 }, 50_000, 45_000, cronNext)).toBe(50_000);
  });

  it('goes on from the first tick after now when the persisted one passed', () => {
    expect(resumedRunAt({ every: 10_000 }, 50_000, 73_000, cronNext)).toBe(80_000);
    expect(resumedRunAt({ cron: '@60000' }, 60_000, 200_000, cronNext)).toBe(240_000);
  });

  it('starts afresh without a persisted tick', () => {
    expect(resumedRunAt({ every: 10_000 }, null, 7_000, cronNext)).toBe(7_000);
  });
});

describe('onTick', () => {
  it('skips while the last run goes on, runs otherwise', () => {
    expect(onTick(true)).toBe('skip');
    expect(onTick(false)).toBe('run');
  });
});

describe('withEntry', () => {
  it(`keeps the last ${SCHEDULE_HISTORY_KEPT} runs and skips, oldest first`, () => {
    let history: ScheduleEntry[] = [];
    for (let i = 0; i < 25; i++) history = withEntry(history, { kind: 'skip', at: String(i), reason: 'x' });
    expect(history).toHaveLength(SCHEDULE_HISTORY_KEPT);
    expect(history[0]).toMatchObject({ at: '5' });
    expect(history.at(-1)).toMatchObject({ at: '24' });
  });
});

describe('scheduleProblem', () => {
  it('refuses both keys, a service, and a restart policy that never ends the run', () => {
    expect(scheduleProblem({ every: 1, schedule: 'x' })).toMatchObject({ key: 'every', message: expect.stringMatching(/not both/) });
    expect(scheduleProblem({ schedule: 'x', background: true })).toMatchObject({ key: 'schedule', message: expect.stringMatching(/one-shot/) });
    expect(scheduleProblem({ every: 1, restart: 'always' })).toMatchObject({ key: 'every', message: expect.stringMatching(/restart always/) });
    expect(scheduleProblem({ every: 1, restart: 'unless-stopped' })).not.toBeNull();
  });

  it('accepts a step with on-failure, no, or no restart policy', () => {
    expect(scheduleProblem({ every: 1 })).toBeNull();
    expect(scheduleProblem({ schedule: 'x', restart: 'on-failure', background: false })).toBeNull();
  });
});

describe('everyProblem and waitingReason', () => {
  it('refuses an interval under a second', () => {
    expect(everyProblem(999)).toMatch(/at least 1s/);
    expect(everyProblem(1_000)).toBeNull();
  });

  it('names the next run in local clock time', () => {
    const at = new Date(2026, 0, 2, 14, 5, 9).getTime();
    expect(waitingReason(at)).toBe('next run at 14:05:09');
    expect(waitingReason(null)).toMatch(/no run to come/);
  });
});
