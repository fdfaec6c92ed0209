/**
 * The event stream (GET /api/events): journal events update the tasks, `log` events tell
 * an open log view that its log grew, `samples` events (every sampler tick) carry the
 * running tasks' CPU and memory to the list and to an open task's charts. EventSource reconnects by itself, sending the last
 * seq it saw, so no event is missed across a daemon's blip.
 */
import type { JournalEvent } from './lib/types.js';
import type { Samples } from './lib/tasks.js';
import { applySamples, changed, onJournalEvent, scheduleRefetch, state } from './state.js';

export interface LogGrowth {
  id: string;
  stream: string;
  size: number;
}

const logListeners = new Set<(growth: LogGrowth) => void>();
export function onLogGrowth(listener: (growth: LogGrowth) => void): () => void {
  logListeners.add(listener);
  return () => logListeners.delete(listener);
}

const sampleListeners = new Set<(samples: Samples) => void>();
export function onSamples(listener: (samples: Samples) => void): () => void {
  sampleListeners.add(listener);
  return () => sampleListeners.delete(listener);
}

export function connect(): EventSource {
  const source = new EventSource('/api/events');
  source.onopen = () => {
    state.connected = true;
    changed();
    // Whatever happened while disconnected is in the list fetched now.
    scheduleRefetch(true);
  };
  source.onerror = () => {
    state.connected = false;
    changed();
  };
  source.onmessage = (message) => {
    try {
      onJournalEvent(JSON.parse(message.data) as JournalEvent);
    } catch {
      // not an event of ours
    }
  };
  source.addEventListener('log', (message) => {
    const growth = JSON.parse((message as MessageEvent).data) as LogGrowth;
    for (const l of [...logListeners]) l(growth);
  });
  source.addEventListener('samples', (message) => {
    const samples = JSON.parse((message as MessageEvent).data) as Samples;
    applySamples(samples);
    for (const l of [...sampleListeners]) l(samples);
  });
  source.addEventListener('trimmed', () => scheduleRefetch(true));
  return source;
}
