import { DEFAULTS } from '../defaults.js';
import { formatDuration } from '../duration.js';
import type { ExitInfo, RestartPolicy, RestartPolicyName } from '../task.types.js';

export const RESTART_POLICIES: readonly RestartPolicyName[] = ['no', 'on-failure', 'always', 'unless-stopped'];

export function defaultRestartPolicy(overrides: Partial<RestartPolicy> = {}): RestartPolicy {
  const d = DEFAULTS.restart;
  return {
    policy: d.policy,
    backoffMs: d.backoffMs,
    factor: d.factor,
    maxBackoffMs: d.maxBackoffMs,
    jitter: d.jitter,
    minUptimeMs: d.minUptimeMs,
    maxRestarts: d.maxRestarts,
    windowMs: d.windowMs,
    successExitCodes: [0],
    ...overrides,
  };
}

export const isSuccess = (policy: RestartPolicy, exit: ExitInfo): boolean =>
  exit.signal === null && exit.exitCode !== null && policy.successExitCodes.includes(exit.exitCode);

/** What the restart history looks like to the policy: when recent restarts happened and the current delay. */
export interface RestartHistory {
  /** Epoch ms of the restarts that count towards the limit. */
  restartTimes: number[];
  /** The delay the next restart would use before growth (0 before the first restart). */
  backoffMs: number;
}

export type RestartDecision =
  | { restart: false; reason?: string }
  | { restart: true; delayMs: number; history: RestartHistory };

/**
 * Whole seconds from 10 s to an hour (`60s`, `90s`, as the window is usually written); any
 * other window as every duration is shown (`1.5s`, `300ms`, `2h00m`, `30d00h`).
 */
const windowText = (ms: number): string => (ms >= 10_000 && ms < 3_600_000 ? `${Math.round(ms / 1000)}s` : formatDuration(ms));

/**
 * Decides what happens after a process exited on its own (never after a user's stop).
 * `random` in [0, 1) comes from outside so the decision stays pure and testable.
 */
export function decideRestart(
  policy: RestartPolicy,
  exit: ExitInfo,
  run: { startedAt: number; endedAt: number },
  history: RestartHistory,
  random: number,
): RestartDecision {
  const success = isSuccess(policy, exit);
  const wants =
    policy.policy === 'always' || policy.policy === 'unless-stopped' || (policy.policy === 'on-failure' && !success);
  if (!wants) return { restart: false };

  const now = run.endedAt;
  const recent = history.restartTimes.filter((t) => now - t < policy.windowMs);
  if (recent.length >= policy.maxRestarts) {
    return {
      restart: false,
      reason: `restart limit reached (${policy.maxRestarts} in ${windowText(policy.windowMs)})`,
    };
  }
  // A run that stayed up for min_uptime was stable: start the backoff over.
  const stable = now - run.startedAt >= policy.minUptimeMs;
  const base =
    stable || history.backoffMs === 0
      ? policy.backoffMs
      : Math.min(policy.maxBackoffMs, history.backoffMs * policy.factor);
  const spread = base * policy.jitter * (random * 2 - 1);
  const delayMs = Math.max(0, Math.round(base + spread));
  return { restart: true, delayMs, history: { restartTimes: [...recent, now], backoffMs: base } };
}
