/**
 * Timers of any length. Node holds a timer's delay in 32 bits: one over 2^31-1 ms (24.8
 * days) overflows to 1 ms and fires at once, so `--timeout 30d` would stop a task as it
 * starts. A long timer is armed in steps of at most that, each step arming the next; every
 * timer that waits a duration a user wrote goes through here.
 */

/** The longest delay one Node timer holds. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the steps are armed on: Node's timers, or a test's clock. */
export interface TimerBase {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const nodeTimers: TimerBase = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class LongTimer {
  private handle: unknown = null;
  private remaining = 0;
  private weak = false;

  /** `every`: fire again each `ms` until cleared, as setInterval does. */
  constructor(
    private readonly fn: () => void,
    private readonly ms: number,
    private readonly base: TimerBase = nodeTimers,
    private readonly every = false,
  ) {
    this.start();
  }

  /** Stops it: no step is armed any more, and it will not fire. */
  clear(): void {
    if (this.handle !== null) this.base.clearTimeout(this.handle);
    this.handle = null;
  }

  /** Lets the process exit while only this timer waits (Node's `unref`, kept across steps). */
  unref(): this {
    this.weak = true;
    unrefHandle(this.handle);
    return this;
  }

  private start(): void {
    // A negative or NaN delay fires at once, as it does with setTimeout; Infinity never fires.
    this.remaining = this.ms > 0 ? this.ms : 0;
    this.step();
  }

  private step(): void {
    const step = Math.min(this.remaining, MAX_TIMER_MS);
    this.remaining -= step;
    this.handle = this.base.setTimeout(() => this.stepped(), step);
    if (this.weak) unrefHandle(this.handle);
  }

  private stepped(): void {
    this.handle = null;
    if (this.remaining > 0) return this.step();
    if (this.every) this.start();
    this.fn();
  }
}

function unrefHandle(handle: unknown): void {
  (handle as { unref?: () => void } | null)?.unref?.();
}

/** `setTimeout` for any delay. */
export function setLongTimeout(fn: () => void, ms: number, base?: TimerBase): LongTimer {
  return new LongTimer(fn, ms, base);
}

/** `setInterval` for any interval. */
export function setLongInterval(fn: () => void, ms: number, base?: TimerBase): LongTimer {
  return new LongTimer(fn, ms, base, true);
}

/**
 * The timeout to hand a library that arms its own Node timer (execa, wait-on), which would
 * overflow past MAX_TIMER_MS and fire at once: a longer one is held to MAX_TIMER_MS, as a
 * probe or stop command that has not answered in 24.8 days will not.
 */
export function libraryTimeout(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}
