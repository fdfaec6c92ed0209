import type { Launcher } from '../process/monitor.js';
import type { Clock } from './clock.js';
import type { LogFn } from './host.js';
import type { Retention } from '../../machines/policies/retention.js';

export interface SupervisorOptions {
  home: string;
  /** Most tasks running at once; more wait in `queued`. */
  maxConcurrent?: number;
  /** How often CPU and memory are sampled (default 2 s). */
  sampleIntervalMs?: number;
  /** The umask tasks get; by default the process's umask when the supervisor opens. */
  taskUmask?: number;
  /** How tasks start; by default the native spawner, or the sh monitor where there is none. */
  launcher?: Launcher;
  /** Time for backoffs, graces, limits and waits; by default the system's. */
  clock?: Clock;
  /** The event journal's bound in bytes (default DEFAULTS.journalMaxBytes). */
  journalMaxBytes?: number;
  /** The log cap of tasks that set none, 0 for no cap; by default `logMaxSize` of <home>/corral.config.json, else DEFAULTS.logMaxBytes. */
  logMaxBytes?: number;
  /** Which finished tasks are kept; by default `retention` of <home>/corral.config.json, else DEFAULTS.retention. */
  retention?: Retention;
  /** Called with notable events for the daemon's log. */
  log?: LogFn;
}

/** The process's umask (reading it means setting it: set it straight back). */
export function currentUmask(): number {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
}
