/**
 * Long work of the daemon (bringing up 10,000 tasks) in slices: after each ~20 ms it gives
 * the event loop a turn, so that other clients are answered meanwhile.
 */
const SLICE_MS = 20;

export class Slices {
  private since = performance.now();

  /** Resolves at once within a slice; past it, after one turn of the event loop. */
  async next(): Promise<void> {
    if (performance.now() - this.since < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}
