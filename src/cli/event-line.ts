/** An event as `monitor` and `events` print it: one line of text, or (`events --json`) one JSON object. */
import { eventKind } from '../../machines/event-kind.js';
import type { CorralEvent } from '../api.js';

const LABEL: Record<string, string> = {
  queued: 'QUEUED',
  waiting: 'WAIT',
  starting: 'START',
  running: 'RUN',
  stopping: 'STOP',
  restarting: 'EXIT',
  completed: 'EXIT',
  failed: 'FAILED',
  killed: 'KILLED',
};

/** `18:43:36 bash_1 web    FAILED failed: exit 1`; with `qualify`, a task of an environment is `env/name`. */
export function eventLine(e: CorralEvent, width = 6, qualify = false): string {
  const time = new Date(e.at).toTimeString().slice(0, 8);
  const name = e.name === null ? '-' : qualify && e.env !== null ? `${e.env}/${e.name}` : e.name;
  const who = `${e.id} ${name.padEnd(width)}`;
  if (e.type === 'alert') return `${time} ${who} ALERT  ${e.stream}: ${e.line}`;
  if (e.type === 'health') return `${time} ${who} HEALTH ${e.reason}`;
  if (e.type === 'skip') return `${time} ${who} SKIP   ${e.reason}`;
  const label = (LABEL[e.status] ?? e.status.toUpperCase()).padEnd(6);
  return `${time} ${who} ${label} ${e.status}${e.reason ? `: ${e.reason.replace('; ', ' — ')}` : ''}`;
}

/** `events --json`: seq, time, kind, who, then the details (the event's own `type` and `at` renamed). */
export function eventJson(e: CorralEvent): Record<string, unknown> {
  const { seq, at, type: _type, id, name, env, session, ...details } = e;
  return { seq, time: at, kind: eventKind(e), id, name, env, ...(session !== undefined ? { session } : {}), ...details };
}
