/**
 * What a new daemon does with each task record a previous one left: a finished one is
 * history; a live process is adopted (never spawned again); a task that had not started
 * yet takes up where it was; one caught between launch and pid was lost.
 */
import { isFinal, type TaskRecord } from '../task.types.js';

export type Resumption = 'history' | 'adopt' | 'stop-adopted' | 'wait' | 'start-again' | 'lost';

export function resumptionOf(record: TaskRecord): Resumption {
  if (isFinal(record.status)) return 'history';
  if (record.process && (record.status === 'running' || record.status === 'starting')) return 'adopt';
  // It was being stopped: the new daemon finishes the stop.
  if (record.process && record.status === 'stopping') return 'stop-adopted';
  if (record.status === 'waiting') return 'wait';
  // Nothing of it runs: a backoff or a queue slot, taken up again.
  if (record.status === 'restarting' || record.status === 'queued') return 'start-again';
  return 'lost';
}

export const LOST_REASON = 'lost: the daemon stopped while starting it';
