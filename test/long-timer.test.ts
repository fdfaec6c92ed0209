/**
 * Timers of any length (src/long-timer.ts), on vitest's fake timers, which overflow a delay
 * over 2^31-1 ms to 1 ms as Node does: a 30-day timer must neither fire early nor be lost.
 */
import { stat } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { LongTimer, MAX_TIMER_MS, setLongInterval, setLongTimeout } from '../src/long-timer.js';
import { Sampler } from '../src/policies/sampler.js';
import { systemClock } from '../src/supervisor/clock.js';
import { EventLog } from '../src/supervisor/events.js';

const DAY = 86_400_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a long timeout', () => {
  it('overflows when armed on a plain timer (what the fake timers hold us to)', () => {
    const fired = vi.fn();
    setTimeout(fired, 30 * DAY);
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('of 30 days does not fire after 1 ms nor after 24.9 days, and fires at 30 days, once', () => {
    const fired = vi.fn();
    setLongTimeout(fired, 30 * DAY);
    vi.advanceTimersByTime(1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2_151_360_000 - 1); // 24.9 days in all
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * DAY - 2_151_360_000 - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100 * DAY);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('of exactly the longest Node timer, and of a short delay, fires on time', () => {
    const long = vi.fn();
    const short = vi.fn();
    setLongTimeout(long, MAX_TIMER_MS);
    setLongTimeout(short, 5);
    vi.advanceTimersByTime(5);
    expect(short).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(MAX_TIMER_MS - 6);
    expect(long).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(long).toHaveBeenCalledTimes(1);
  });

  it('cleared before its first step ends, or between steps, never fires and leaves no timer', () => {
    const early = vi.fn();
    const between = vi.fn();
    const a = setLongTimeout(early, 60 * DAY);
    const b = setLongTimeout(between, 60 * DAY);
    vi.advanceTimersByTime(DAY);
    a.clear();
    vi.advanceTimersByTime(30 * DAY); // b is in its second step now
    b.clear();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100 * DAY);
    expect(early).not.toHaveBeenCalled();
    expect(between).not.toHaveBeenCalled();
  });

  it('fires at once for a negative or NaN delay (as setTimeout does), never for Infinity', () => {
    const negative = vi.fn();
    const nan = vi.fn();
    const never = vi.fn();
    setLongTimeout(negative, -5);
    setLongTimeout(nan, Number.NaN);
    const infinite = setLongTimeout(never, Infinity);
    vi.advanceTimersByTime(1);
    expect(negative).toHaveBeenCalledTimes(1);
    expect(nan).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(3650 * DAY);
    expect(never).not.toHaveBeenCalled();
    infinite.clear();
  });

  it('keeps unref across its steps', () => {
    const timer = setLongTimeout(() => {}, 60 * DAY).unref();
    const handle = () => (timer as unknown as { handle: { hasRef(): boolean } }).handle;
    expect(handle().hasRef()).toBe(false);
    vi.advanceTimersByTime(30 * DAY);
    expect(handle().hasRef()).toBe(false);
    timer.clear();
  });

  it('steps on the base it is given (a test clock, say)', () => {
    const armed: number[] = [];
    const base = { setTimeout: (_fn: () => void, ms: number) => armed.push(ms), clearTimeout: () => {} };
    new LongTimer(() => {}, 2 * MAX_TIMER_MS + 7, base);
    expect(armed).toEqual([MAX_TIMER_MS]);
  });
});

describe('a long interval', () => {
  it('of 30 days fires every 30 days, not every millisecond, until cleared', () => {
    const fired = vi.fn();
    const timer = setLongInterval(fired, 30 * DAY);
    vi.advanceTimersByTime(30 * DAY - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(30 * DAY);
    expect(fired).toHaveBeenCalledTimes(2);
    timer.clear();
    vi.advanceTimersByTime(90 * DAY);
    expect(fired).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('what arms long timers', () => {
  it("the supervisor's clock: xstate's delays (grace, backoff) and its own timers step", () => {
    const machine = createMachine({ initial: 'stopping', states: { stopping: { after: { [30 * DAY]: 'killed' } }, killed: {} } });
    const actor = createActor(machine, { clock: systemClock }).start();
    vi.advanceTimersByTime(25 * DAY);
    expect(actor.getSnapshot().value).toBe('stopping');
    vi.advanceTimersByTime(5 * DAY);
    expect(actor.getSnapshot().value).toBe('killed');

    const fired = vi.fn();
    const handle = systemClock.setTimeout(fired, 30 * DAY);
    vi.advanceTimersByTime(29 * DAY);
    systemClock.clearTimeout(handle);
    vi.advanceTimersByTime(2 * DAY);
    expect(fired).not.toHaveBeenCalled();
  });

  it("the supervisor's clock: a delay of 0 (a restart without backoff) runs as the turn ends, ahead of node's timers, and can be called off", async () => {
    vi.useRealTimers();
    const order: string[] = [];
    await new Promise<void>((done) => {
      // From an I/O callback, node runs what is due at the turn's end before any timer: armed first, the plain timer still comes after.
      stat('.', () => {
        setTimeout(() => {
          order.push('timer');
          done();
        }, 0);
        systemClock.setTimeout(() => order.push('clock'), 0);
        systemClock.clearTimeout(systemClock.setTimeout(() => order.push('called off'), 0));
      });
    });
    expect(order).toEqual(['clock', 'timer']);
  });

  it('the event log: a long wait for events waits', async () => {
    const log = new EventLog();
    let done = false;
    void log.wait(0, 30 * DAY).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(DAY);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(29 * DAY);
    expect(done).toBe(true);
  });

  it('the sampler: a 30-day check interval samples every 30 days', () => {
    const live = vi.fn(() => []);
    const sampler = new Sampler(live, () => {}, 2_000);
    sampler.setInterval(30 * DAY);
    sampler.start();
    vi.advanceTimersByTime(DAY);
    expect(live).not.toHaveBeenCalled();
    vi.advanceTimersByTime(29 * DAY);
    expect(live).toHaveBeenCalledTimes(1);
    sampler.stop();
  });
});
