/**
 * Time as the supervisor sees it: injected (SupervisorOptions.clock), so that tests can
 * drive backoffs, graces and limits with xstate's SimulatedClock, which fits this shape.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
