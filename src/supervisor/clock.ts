/**
 * Time as the supervisor sees it: injected (SupervisorOptions.clock), so that tests can
 * drive backoffs, graces and limits with xstate's SimulatedClock, which fits this shape.
 * The task machine's delays (grace, restart backoff) run on it too: createActor gets it.
 */
import { LongTimer } from '../long-timer.js';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock, whose timers hold any delay (a 30-day timeout does not fire at once). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => new LongTimer(fn, ms),
  clearTimeout: (handle) => (handle as LongTimer | undefined)?.clear(),
};
