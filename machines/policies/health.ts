/**
 * Health checks, with Kubernetes' meanings: a check that passes makes the task healthy
 * (ready: it gates dependents); `retries` failures in a row make it unhealthy; failures
 * during `start_period` do not count. Several probes on one task must all pass.
 */
import { counted } from '../counted.js';
import { DEFAULTS } from '../defaults.js';
import { userRegExp } from '../pattern.js';

export type HealthProbe =
  | { kind: 'http'; url: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'file'; path: string }
  | { kind: 'socket'; path: string }
  | { kind: 'exec'; command: string }
  | { kind: 'log'; pattern: string }
  /** Ready once any process of the task listens on a TCP port. */
  | { kind: 'listen' };

export interface HealthSpec {
  probes: HealthProbe[];
  /** Also a liveness check: `retries` failures in a row restart the task (when its policy allows). */
  liveness?: boolean;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

type HealthStatus = 'unknown' | 'healthy' | 'unhealthy';

export interface HealthState {
  status: HealthStatus;
  /** Failures in a row. */
  failures: number;
  lastError: string | null;
}

export const INITIAL_HEALTH: HealthState = { status: 'unknown', failures: 0, lastError: null };

export class HealthSpecError extends Error {}

export function healthDefaults(probes: HealthProbe[], overrides: Partial<Omit<HealthSpec, 'probes'>> = {}): HealthSpec {
  return {
    probes,
    intervalMs: DEFAULTS.health.intervalMs,
    timeoutMs: DEFAULTS.health.timeoutMs,
    retries: DEFAULTS.health.retries,
    startPeriodMs: DEFAULTS.health.startPeriodMs,
    ...overrides,
  };
}

/**
 * One probe from its short form, as the CLI's `--health` takes it: `http://…`,
 * `tcp:host:port` (or `:port`, or a bare port), `file:PATH`, `socket:PATH`, `exec:CMD`, `log:REGEX`.
 */
export function parseProbe(text: string): HealthProbe {
  const t = text.trim();
  if (/^https?:\/\//i.test(t)) {
    let host = '';
    try {
      host = new URL(t).hostname;
    } catch {
      // not a URL: said below
    }
    if (!host) throw new HealthSpecError(`"${text}" is not an http URL: write it like http://127.0.0.1:4000/health`);
    return { kind: 'http', url: t };
  }
  if (/^\d+$/.test(t)) return tcpProbe(t);
  if (t === 'listen' || t === 'port') return { kind: 'listen' };
  const colon = t.indexOf(':');
  const kind = colon > 0 ? t.slice(0, colon) : '';
  const rest = t.slice(colon + 1);
  switch (kind) {
    case 'tcp':
      return tcpProbe(rest);
    case 'file':
    case 'socket':
      if (!rest) throw new HealthSpecError(`${kind}: needs a path`);
      return { kind, path: rest };
    case 'exec':
      if (!rest.trim()) throw new HealthSpecError('exec: needs a command');
      return { kind: 'exec', command: rest };
    case 'log':
      checkRegex(rest);
      return { kind: 'log', pattern: rest };
    default:
      if (t.startsWith(':')) return tcpProbe(t);
      throw new HealthSpecError(
        `"${text}" is not a health check: use http://host:port/path, tcp:host:port, listen (any port it opens), file:PATH, socket:PATH, exec:COMMAND or log:REGEX`,
      );
  }
}

export function tcpProbe(address: string): HealthProbe {
  const m = /^(?:\[?([^\]]*)\]?:)?(\d{1,5})$/.exec(address.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new HealthSpecError(`tcp: "${address}" is not host:port`);
  return { kind: 'tcp', host: m[1] || '127.0.0.1', port };
}

export function checkRegex(pattern: string): void {
  try {
    userRegExp(pattern);
  } catch (error) {
    throw new HealthSpecError(`log: "${pattern}" is not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`);
  }
}

export function describeProbe(probe: HealthProbe): string {
  switch (probe.kind) {
    case 'http':
      return probe.url;
    case 'tcp':
      return `tcp:${probe.host}:${probe.port}`;
    case 'file':
    case 'socket':
      return `${probe.kind}:${probe.path}`;
    case 'exec':
      return `exec:${probe.command}`;
    case 'log':
      return `log:/${probe.pattern}/`;
    case 'listen':
      return 'listen (any TCP port)';
  }
}

/** The health after one round of probes (`error` null = every probe passed). */
export function nextHealth(spec: HealthSpec, state: HealthState, error: string | null, sinceStartMs: number): HealthState {
  if (error === null) return { status: 'healthy', failures: 0, lastError: state.lastError };
  if (sinceStartMs < spec.startPeriodMs && state.status !== 'healthy') return { ...state, lastError: error };
  const failures = state.failures + 1;
  if (failures >= spec.retries) return { status: 'unhealthy', failures, lastError: error };
  return { status: state.status, failures, lastError: error };
}

/** `healthy`, `unhealthy (3 failures: connection refused)`. */
export function describeHealth(state: HealthState): string {
  if (state.status === 'unhealthy') {
    return `unhealthy (${counted(state.failures, 'failure')}${state.lastError ? `: ${state.lastError}` : ''})`;
  }
  return state.status;
}
