/**
 * What the charts mark on their time axis from a task's events: its restarts and ends (a
 * solid line) and its alerts (dashed), at the second they happened.
 */
export interface Mark {
  /** Seconds since the epoch, as the charts' x axis. */
  t: number;
  kind: 'restart' | 'alert';
  text: string;
}

export interface TaskEvent {
  at: string;
  type: string;
  status?: string;
  reason?: string | null;
  line?: string;
}

const MARKED_STATES = ['restarting', 'failed', 'killed'];

export function marksOf(events: readonly TaskEvent[]): Mark[] {
  const marks: Mark[] = [];
  for (const e of events) {
    const t = Date.parse(e.at) / 1000;
    if (!Number.isFinite(t)) continue;
    if (e.type === 'alert') marks.push({ t, kind: 'alert', text: e.line ?? 'alert' });
    else if (e.type === 'state' && e.status && MARKED_STATES.includes(e.status)) marks.push({ t, kind: 'restart', text: e.reason ? `${e.status}: ${e.reason}` : e.status });
  }
  return marks;
}
