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

/** Something armed that can be called off: a LongTimer, or a callback due at once. */
interface Armed {
  clear(): void;
}

/**
 * A delay of 0 (a restart with no backoff, a kill with no grace) runs once the current
 * turn of the event loop ends, as a timer of 0 would; node holds every timer at least
 * 1 ms, and more on a busy machine, which a crashed task's replacement would wait.
 */
function atOnce(fn: () => void): Armed {
  const immediate = setImmediate(fn);
  return { clear: () => clearImmediate(immediate) };
}

/** The real clock, whose timers hold any delay (a 30-day timeout does not fire at once). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => (ms > 0 ? new LongTimer(fn, ms) : atOnce(fn)),
  clearTimeout: (handle) => (handle as Armed | undefined)?.clear(),
};
