/**
 * `status`: everything known about one task — its view, its policies, its resource
 * history, recent alerts and restarts, and the ports its processes listen on.
 */
import { describeProbe } from '../../machines/policies/health.js';
import { formatDuration } from '../../machines/duration.js';
import type { TaskRecord } from '../../machines/task.types.js';
import type { TaskDetails, TaskView } from '../api.js';
import { listeningPorts } from '../process/ports.js';
import { treeOf } from '../process/tree.js';
import type { Usage } from '../policies/sampler.js';
import type { TaskHistory } from './history.js';

export function describeTask(record: TaskRecord, view: TaskView, usage: Usage | undefined, history: TaskHistory, watchReady = false): TaskDetails {
  const spec = record.spec;
  const watch = spec.watch ?? null;
  return {
    ...view,
    restartPolicy: spec.restart.policy,
    maxRestarts: spec.restart.maxRestarts,
    stopSignal: spec.stopSignal,
    stopCommand: spec.stopCommand,
    graceMs: spec.graceMs,
    nice: spec.nice,
    ionice: spec.ionice ? `${spec.ionice.class}${spec.ionice.level !== null ? `:${spec.ionice.level}` : ''}` : null,
    limits: spec.limits,
    alertOn: spec.alertOn,
    logMaxBytes: spec.logMaxBytes ?? null,
    color: spec.color === true,
    healthChecks: spec.health?.probes.map(describeProbe) ?? [],
    lastHealthFailure: record.health?.lastError ?? null,
    envSet: Object.fromEntries((spec.envSet ?? []).filter((name) => name in spec.env).map((name) => [name, spec.env[name]!])),
    peakMemoryBytes: usage?.peakMemoryBytes ?? null,
    samples: usage?.history ?? [],
    alerts: history.alertsOf(record.id),
    restartHistory: history.restartsOf(record.id),
    stdin: spec.stdin ?? null,
    watch: watch && { ...watch, watching: watchReady, lastChange: record.lastChange ?? null },
    schedule: spec.schedule
      ? {
          every: 'every' in spec.schedule ? formatDuration(spec.schedule.every) : null,
          cron: 'cron' in spec.schedule ? spec.schedule.cron : null,
          nextRunAt: record.scheduled?.nextRunAt ?? null,
          history: record.scheduled?.history ?? [],
        }
      : null,
    ports: record.status === 'running' && record.process ? listeningPorts(treeOf(record.process)) : [],
  };
}
