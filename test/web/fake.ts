/** Small stand-ins for what the API answers, for the page's pure modules. */
import type { Task } from '../../web/src/lib/types.js';

export function fakeTask(fields: Partial<Task> & { id: string }): Task {
  return {
    name: fields.id,
    env: null,
    command: 'node x.js',
    status: 'running',
    reason: null,
    pid: 100,
    exitCode: null,
    signal: null,
    restarts: 0,
    health: null,
    healthReason: null,
    dependsOn: [],
    startedAt: '2026-01-01T00:00:00Z',
    endedAt: null,
    cpuPercent: 1,
    memoryBytes: 1000,
    ...fields,
  };
}
