/** Judging a latency measured in the page, on a machine shared with other work. */
export interface Try {
  /** From the action to the DOM change. */
  total: number;
  /** From the action to the daemon's answer that carried the change. */
  daemon: number;
}

/**
 * A latency claim on a shared machine: the page's own share (from the daemon's answer to the
 * DOM) is small on every try, and some try meets `budgetMs` end to end — unless on every
 * try the daemon's answer alone took most of the budget, which is the machine's load and
 * not the page's doing (the figures are in the message either way).
 */
export function checkLatency(what: string, tries: Try[], budgetMs: number): void {
  const figures = tries.map((t) => `${Math.round(t.total)} ms (daemon ${Math.round(t.daemon)} ms)`).join(', ');
  const pageShare = Math.min(...tries.map((t) => Math.max(0, t.total - t.daemon)));
  if (pageShare > 250) throw new Error(`${what}: the page took ${Math.round(pageShare)} ms after the daemon's answer; tries: ${figures}`);
  if (tries.some((t) => t.total <= budgetMs)) return;
  if (tries.every((t) => t.daemon > budgetMs - 100)) return;
  throw new Error(`${what}: no try within ${budgetMs} ms; tries: ${figures}`);
}
