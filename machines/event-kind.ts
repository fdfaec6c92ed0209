/**
 * What kind of thing an event says happened, as `events` and `background_monitor` name
 * it: a state change is an `exit` when the task ended, a `restart` when it will start
 * again, a plain `state` change otherwise.
 */
import { isFinal } from './task.types.js';

export const EVENT_KINDS = ['state', 'exit', 'restart', 'health', 'alert', 'skip'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export function eventKind(e: { type: string; status?: string }): EventKind {
  if (e.type !== 'state') return e.type as EventKind;
  if (isFinal(e.status ?? '')) return 'exit';
  return e.status === 'restarting' ? 'restart' : 'state';
}
