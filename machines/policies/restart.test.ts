/**
 * The restart policy as a pure function: which exits restart under which policy, how the
 * delay grows and is capped, how the jitter spreads it, when the backoff starts over, and
 * how restarts are counted in the sliding window.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../defaults.js';
import type { ExitInfo, RestartPolicy, RestartPolicyName } from '../task.types.js';
import {
  decideRestart,
  defaultRestartPolicy,
  isSuccess,
  RESTART_POLICIES,
  type RestartDecision,
  type RestartHistory,
} from './restart.js';

const FRESH: RestartHistory = { restartTimes: [], backoffMs: 0 };
const exit = (exitCode: number | null, signal: string | null = null): ExitInfo => ({ exitCode, signal });
/** A run that crashed quickly: 100 ms of uptime ending at `at`. */
const quick = (at = 10_000) => ({ startedAt: at - 100, endedAt: at });
/** random = 0.5 makes the jitter exactly 0. */
const NO_JITTER = 0.5;

function restarted(decision: RestartDecision): Extract<RestartDecision, { restart: true }> {
  if (!decision.restart) throw new Error(`expected a restart, got ${JSON.stringify(decision)}`);
  return decision;
}

describe('defaultRestartPolicy', () => {
  it('takes every default from DEFAULTS and 0 as the only success code', () => {
    expect(defaultRestartPolicy()).toEqual({
      policy: 'no',
      backoffMs: 1_000,
      factor: 2,
      maxBackoffMs: 30_000,
      jitter: 0.1,
      minUptimeMs: 10_000,
      maxRestarts: 5,
      windowMs: 60_000,
      successExitCodes: [0],
    });
    expect(defaultRestartPolicy().backoffMs).toBe(DEFAULTS.restart.backoffMs);
  });

  it('applies overrides and hands out a fresh success-code array each time', () => {
    const p = defaultRestartPolicy({ policy: 'always', maxRestarts: 2, successExitCodes: [0, 3] });
    expect(p).toMatchObject({ policy: 'always', maxRestarts: 2, successExitCodes: [0, 3], backoffMs: 1_000 });
    const a = defaultRestartPolicy();
    a.successExitCodes.push(9);
    expect(defaultRestartPolicy().successExitCodes).toEqual([0]);
  });

  it('lists the four policy names (what front ends accept; config/normalize.ts validates against it)', () => {
    expect(RESTART_POLICIES).toEqual(['no', 'on-failure', 'always', 'unless-stopped']);
  });
});

describe('isSuccess', () => {
  const policy = defaultRestartPolicy({ successExitCodes: [0, 3] });
  it.each<[string, ExitInfo, boolean]>([
    ['exit 0', exit(0), true],
    ['exit 3 (listed)', exit(3), true],
    ['exit 1', exit(1), false],
    ['exit 255', exit(255), false],
    ['killed by a signal', exit(null, 'SIGTERM'), false],
    ['a signal even with a listed code', exit(0, 'SIGKILL'), false],
    ['unknown status', exit(null), false],
  ])('%s → %s', (_, e, expected) => {
    expect(isSuccess(policy, e)).toBe(expected);
  });

  it('does not count 0 as success when the list leaves it out', () => {
    expect(isSuccess(defaultRestartPolicy({ successExitCodes: [2] }), exit(0))).toBe(false);
    expect(isSuccess(defaultRestartPolicy({ successExitCodes: [2] }), exit(2))).toBe(true);
  });
});

describe('decideRestart: which exits restart', () => {
  const cases: Array<[RestartPolicyName, string, ExitInfo, boolean]> = [
    ['no', 'exit 0', exit(0), false],
    ['no', 'exit 1', exit(1), false],
    ['no', 'SIGSEGV', exit(null, 'SIGSEGV'), false],
    ['on-failure', 'exit 0', exit(0), false],
    ['on-failure', 'exit 1', exit(1), true],
    ['on-failure', 'SIGSEGV', exit(null, 'SIGSEGV'), true],
    ['on-failure', 'unknown status', exit(null), true],
    ['always', 'exit 0', exit(0), true],
    ['always', 'exit 1', exit(1), true],
    ['always', 'SIGKILL', exit(null, 'SIGKILL'), true],
    ['unless-stopped', 'exit 0', exit(0), true],
    ['unless-stopped', 'exit 1', exit(1), true],
    ['unless-stopped', 'SIGTERM', exit(null, 'SIGTERM'), true],
  ];
  it.each(cases)('%s after %s → restart %s', (policy, _, e, expected) => {
    const decision = decideRestart(defaultRestartPolicy({ policy }), e, quick(), FRESH, NO_JITTER);
    expect(decision.restart).toBe(expected);
    // Not restarting for policy reasons carries no reason: only the limit has one.
    if (!expected) expect(decision).toEqual({ restart: false });
  });

  it('honours success exit codes under on-failure', () => {
    const policy = defaultRestartPolicy({ policy: 'on-failure', successExitCodes: [0, 3] });
    expect(decideRestart(policy, exit(3), quick(), FRESH, NO_JITTER)).toEqual({ restart: false });
    expect(decideRestart(policy, exit(0), quick(), FRESH, NO_JITTER)).toEqual({ restart: false });
    expect(decideRestart(policy, exit(4), quick(), FRESH, NO_JITTER).restart).toBe(true);
  });

  it('restarts a success code under always anyway', () => {
    const policy = defaultRestartPolicy({ policy: 'always', successExitCodes: [0, 3] });
    expect(decideRestart(policy, exit(3), quick(), FRESH, NO_JITTER).restart).toBe(true);
  });
});

describe('decideRestart: the delay', () => {
  const onFailure = (overrides: Partial<RestartPolicy> = {}) => defaultRestartPolicy({ policy: 'on-failure', ...overrides });

  it('starts at the backoff and records the restart and the base delay', () => {
    const d = restarted(decideRestart(onFailure(), exit(1), quick(10_000), FRESH, NO_JITTER));
    expect(d).toEqual({ restart: true, delayMs: 1_000, history: { restartTimes: [10_000], backoffMs: 1_000 } });
  });

  it('grows by the factor on every quick crash, up to the cap', () => {
    const policy = onFailure({ maxRestarts: 100, windowMs: 1_000_000_000 });
    let history = FRESH;
    let at = 1_000;
    const delays: number[] = [];
    const bases: number[] = [];
    for (let i = 0; i < 8; i++) {
      const d = restarted(decideRestart(policy, exit(1), quick(at), history, NO_JITTER));
      delays.push(d.delayMs);
      bases.push(d.history.backoffMs);
      history = d.history;
      at += d.delayMs + 100;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(bases).toEqual(delays);
    expect(history.restartTimes).toHaveLength(8);
  });

  it('uses the configured factor and cap', () => {
    const policy = onFailure({ backoffMs: 500, factor: 3, maxBackoffMs: 10_000 });
    const step = (backoffMs: number) =>
      restarted(decideRestart(policy, exit(1), quick(), { restartTimes: [], backoffMs }, NO_JITTER)).delayMs;
    expect(step(0)).toBe(500);
    expect(step(500)).toBe(1_500);
    expect(step(1_500)).toBe(4_500);
    expect(step(4_500)).toBe(10_000);
    expect(step(10_000)).toBe(10_000);
  });

  it.each<[number, number]>([
    [0, 900],
    [0.25, 950],
    [0.5, 1_000],
    [0.75, 1_050],
    [0.999, 1_100], // 1000 + 1000 × 0.1 × 0.998 = 1099.8, rounded
  ])('jitter with random %s gives %s ms on a 1 s backoff', (random, expected) => {
    const d = restarted(decideRestart(onFailure(), exit(1), quick(), FRESH, random));
    expect(d.delayMs).toBe(expected);
    // The jitter moves the delay, never the base the next restart grows from.
    expect(d.history.backoffMs).toBe(1_000);
  });

  it('keeps the jitter within ±jitter of the base on a grown delay', () => {
    const grown: RestartHistory = { restartTimes: [], backoffMs: 4_000 };
    const low = restarted(decideRestart(onFailure(), exit(1), quick(), grown, 0)).delayMs;
    const high = restarted(decideRestart(onFailure(), exit(1), quick(), grown, 0.999)).delayMs;
    expect(low).toBe(7_200);
    expect(high).toBeGreaterThan(8_790);
    expect(high).toBeLessThanOrEqual(8_800);
  });

  it('has no spread without jitter, and never a negative delay', () => {
    expect(restarted(decideRestart(onFailure({ jitter: 0 }), exit(1), quick(), FRESH, 0)).delayMs).toBe(1_000);
    expect(restarted(decideRestart(onFailure({ jitter: 0 }), exit(1), quick(), FRESH, 0.999)).delayMs).toBe(1_000);
    expect(restarted(decideRestart(onFailure({ jitter: 2 }), exit(1), quick(), FRESH, 0)).delayMs).toBe(0);
    expect(restarted(decideRestart(onFailure({ backoffMs: 0 }), exit(1), quick(), FRESH, 0)).delayMs).toBe(0);
  });

  it('starts the backoff over after a run that stayed up for min_uptime', () => {
    const grown: RestartHistory = { restartTimes: [], backoffMs: 16_000 };
    const policy = onFailure();
    const at = 100_000;
    const stable = restarted(decideRestart(policy, exit(1), { startedAt: at - 10_000, endedAt: at }, grown, NO_JITTER));
    expect(stable.delayMs).toBe(1_000);
    expect(stable.history.backoffMs).toBe(1_000);
    const almost = restarted(decideRestart(policy, exit(1), { startedAt: at - 9_999, endedAt: at }, grown, NO_JITTER));
    expect(almost.delayMs).toBe(30_000);
    expect(almost.history.backoffMs).toBe(30_000);
  });
});

describe('decideRestart: the limit', () => {
  const policy = defaultRestartPolicy({ policy: 'on-failure' });
  const LIMIT = { restart: false, reason: 'restart limit reached (5 in 60s)' };

  it('allows maxRestarts restarts within the window, then refuses with the reason', () => {
    let history = FRESH;
    let at = 0;
    for (let i = 0; i < 5; i++) {
      at += 1_000;
      history = restarted(decideRestart(policy, exit(1), quick(at), history, NO_JITTER)).history;
    }
    expect(history.restartTimes).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    expect(decideRestart(policy, exit(1), quick(6_000), history, NO_JITTER)).toEqual(LIMIT);
  });

  it('counts only restarts less than windowMs ago and forgets the older ones', () => {
    const history: RestartHistory = { restartTimes: [0, 10_000, 20_000, 30_000, 40_000], backoffMs: 1_000 };
    // At 59 999 ms all five are within 60 s.
    expect(decideRestart(policy, exit(1), quick(59_999), history, NO_JITTER)).toEqual(LIMIT);
    // At 60 000 ms the first is exactly 60 s old: out of the window.
    const d = restarted(decideRestart(policy, exit(1), quick(60_000), history, NO_JITTER));
    expect(d.history.restartTimes).toEqual([10_000, 20_000, 30_000, 40_000, 60_000]);
    // Much later, everything fell out.
    const later = restarted(decideRestart(policy, exit(1), quick(500_000), history, NO_JITTER));
    expect(later.history.restartTimes).toEqual([500_000]);
  });

  it('names the configured limit and window, rounded to seconds', () => {
    const p = defaultRestartPolicy({ policy: 'always', maxRestarts: 2, windowMs: 90_400 });
    const history: RestartHistory = { restartTimes: [1, 2], backoffMs: 1_000 };
    expect(decideRestart(p, exit(0), quick(3), history, NO_JITTER)).toEqual({
      restart: false,
      reason: 'restart limit reached (2 in 90s)',
    });
  });

  it('never restarts with maxRestarts 0', () => {
    const p = defaultRestartPolicy({ policy: 'always', maxRestarts: 0 });
    expect(decideRestart(p, exit(1), quick(), FRESH, NO_JITTER)).toEqual({
      restart: false,
      reason: 'restart limit reached (0 in 60s)',
    });
  });

  it('does not reach the limit for an exit the policy would not restart anyway', () => {
    const full: RestartHistory = { restartTimes: [1, 2, 3, 4, 5], backoffMs: 1_000 };
    expect(decideRestart(policy, exit(0), quick(10), full, NO_JITTER)).toEqual({ restart: false });
  });

  it('does not change the history it was given', () => {
    const history: RestartHistory = { restartTimes: [1_000], backoffMs: 1_000 };
    const snapshot = structuredClone(history);
    decideRestart(policy, exit(1), quick(2_000), history, NO_JITTER);
    expect(history).toEqual(snapshot);
  });
});

describe('decideRestart: a short window', () => {
  it('names a window under 10 s as given, not rounded to seconds', () => {
    const history: RestartHistory = { restartTimes: [1, 2], backoffMs: 1_000 };
    const reason = (windowMs: number) => (decideRestart(defaultRestartPolicy({ policy: 'always', maxRestarts: 2, windowMs }), exit(1), quick(3), history, NO_JITTER) as { reason: string }).reason;
    expect(reason(300)).toBe('restart limit reached (2 in 300ms)');
    expect(reason(1_500)).toBe('restart limit reached (2 in 1.5s)');
    expect(reason(5_000)).toBe('restart limit reached (2 in 5s)');
  });
});

describe('decideRestart: a long window', () => {
  it('names a window of an hour or more as every duration is shown, not in seconds', () => {
    const history: RestartHistory = { restartTimes: [1, 2], backoffMs: 1_000 };
    const reason = (windowMs: number) => (decideRestart(defaultRestartPolicy({ policy: 'always', maxRestarts: 2, windowMs }), exit(1), quick(3), history, NO_JITTER) as { reason: string }).reason;
    expect(reason(3_599_000)).toBe('restart limit reached (2 in 3599s)');
    expect(reason(3_600_000)).toBe('restart limit reached (2 in 1h00m)');
    expect(reason(30 * 86_400_000)).toBe('restart limit reached (2 in 30d00h)');
  });
});
