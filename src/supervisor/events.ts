/**
 * What happened, in order: state changes, exits, restarts, alerts. Clients (monitor,
 * the terminal UI, the MCP server) ask for everything after the last sequence number
 * they saw, and wait when there is nothing new yet (long polling over plain RPC).
 * A state change carries how far the task's logs reached when it happened (`logSizes`),
 * so that `up` prints a task's last lines before the line saying it ended.
 */
import type { LogSizes } from '../logs/sizes.js';
import { setLongTimeout } from '../long-timer.js';

export type SupervisorEvent =
  | { seq: number; at: string; type: 'state'; id: string; name: string | null; env: string | null; status: string; reason: string | null; logSizes: LogSizes }
  | { seq: number; at: string; type: 'alert'; id: string; name: string | null; env: string | null; stream: string; line: string; rule: string };

type NewEvent = SupervisorEvent extends infer E ? (E extends SupervisorEvent ? Omit<E, 'seq' | 'at'> : never) : never;

export class EventLog {
  private readonly events: SupervisorEvent[] = [];
  private seq = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly capacity = 2_000) {}

  get last(): number {
    return this.seq;
  }

  push(event: NewEvent): void {
    const full = { ...event, seq: ++this.seq, at: new Date().toISOString() } as SupervisorEvent;
    this.events.push(full);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    for (const wake of [...this.waiters]) wake();
  }

  since(seq: number): SupervisorEvent[] {
    // Sequence numbers are consecutive: the first one after `seq` is found by subtraction.
    const first = this.events[0]?.seq ?? this.seq + 1;
    return this.events.slice(Math.max(0, seq + 1 - first));
  }

  /** Events after `seq`; waits up to `timeoutMs` for the first one when there is none. */
  async wait(seq: number, timeoutMs: number, accept: (e: SupervisorEvent) => boolean = () => true): Promise<SupervisorEvent[]> {
    const now = this.since(seq).filter(accept);
    if (now.length > 0 || timeoutMs <= 0) return now;
    return new Promise((resolve) => {
      const done = () => {
        const found = this.since(seq).filter(accept);
        if (found.length === 0) return;
        finish(found);
      };
      const timer = setLongTimeout(() => finish([]), timeoutMs);
      const finish = (found: SupervisorEvent[]) => {
        timer.clear();
        this.waiters.delete(done);
        resolve(found);
      };
      this.waiters.add(done);
    });
  }
}
