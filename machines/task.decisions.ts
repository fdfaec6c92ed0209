/**
 * The pure computations behind the task machine's transitions: its first context, what
 * an exit records, and what the restart policy decides after an exit or a limit's stop.
 */
import { decideRestart, type RestartDecision } from './policies/restart.js';
import type { ExitedEvent, TaskContext, TaskInput, TreeEmptyEvent } from './task.contracts.js';

export function initialContext(input: TaskInput): TaskContext {
  return {
    id: input.id,
    spec: input.spec,
    process: input.adopt?.process ?? null,
    adopt: input.adopt?.process ?? null,
    exitCode: null,
    signal: null,
    reason: null,
    restarts: input.restarts ?? 0,
    startedAt: input.adopt?.startedAt ?? null,
    endedAt: null,
    history: { restartTimes: [], backoffMs: 0 },
    restartDelayMs: 0,
    restartAt: null,
    stop: null,
    health: null,
    startIn: input.queued ? 'queued' : input.waitForDependencies ? 'waiting' : 'now',
  };
}

export function restartDecision(context: TaskContext, event: ExitedEvent) {
  return decideRestart(
    context.spec.restart,
    event,
    { startedAt: context.startedAt ?? event.at, endedAt: event.at },
    context.history,
    event.random,
  );
}

export const limitReached = (decision: RestartDecision): boolean => !decision.restart && decision.reason !== undefined;

/** After a limit stopped the task: a failure, as far as the restart policy is concerned. */
export function limitDecision(context: TaskContext, event: Pick<TreeEmptyEvent, 'at' | 'random'>) {
  return decideRestart(
    context.spec.restart,
    { exitCode: null, signal: context.signal ?? 'SIGKILL' },
    { startedAt: context.startedAt ?? event.at, endedAt: event.at },
    context.history,
    event.random,
  );
}

export const recordExit = (event: ExitedEvent) => ({
  exitCode: event.exitCode,
  signal: event.signal,
  endedAt: event.at,
});
