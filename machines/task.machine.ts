/**
 * The lifecycle of one task, as a pure XState machine.
 *
 * Effects come in from outside through `provide()`: the `process` actor spawns (or
 * adopts) the command, reports its exit, and signals its process tree on request. The
 * machine only decides: when to signal, when to escalate to SIGKILL, whether to restart
 * and after how long, and why the task ended.
 */
import { assign, fromCallback, raise, sendTo, setup, type SnapshotFrom } from 'xstate';
import { decideRestart, isSuccess, type RestartDecision, type RestartHistory } from './policies/restart.js';
import { formatDuration } from './duration.js';
import type { HealthState } from './policies/health.js';
import type { ExitInfo, ProcessInfo, TaskSpec, TaskStatus } from './task.types.js';

/** Commands the machine sends to its process actor. */
export type ProcessCommand =
  | { type: 'SIGNAL'; signal: string }
  /** Run the task's stop command (instead of the stop signal). */
  | { type: 'STOP_COMMAND'; command: string }
  | { type: 'WATCH_TREE' };

/** What the process actor reports back. Times are epoch ms, measured by the actor. */
export type ProcessReport =
  | { type: 'SPAWNED'; process: ProcessInfo; at: number }
  | { type: 'SPAWN_FAILED'; message: string; at: number; random?: number }
  /** The command ended. `random` in [0,1) feeds the restart jitter; `note` explains an unknown status. */
  | { type: 'EXITED'; exitCode: number | null; signal: string | null; at: number; random: number; note?: string }
  /** After WATCH_TREE: no process of the task is left, the monitor included. */
  | { type: 'TREE_EMPTY'; at: number; random: number }
  /** From the health actor: the readiness changed. */
  | { type: 'HEALTH'; health: HealthState; at: number };

/** What the supervisor sends. */
type TaskControl =
  /**
   * Stop the task. `reason` says why when it is not the user (`memory 612 MB over limit 500 MB`);
   * `restart` lets the restart policy start it again afterwards (a limit, not a user's stop).
   */
  | { type: 'STOP'; signal?: string; graceMs?: number; at: number; reason?: string; restart?: boolean }
  | { type: 'DEQUEUE' }
  /** New policies for a live task (`monitor --restart-on-failure`, alert rules): they apply from now on. */
  | { type: 'UPDATE_SPEC'; spec: TaskSpec }
  /** `queue`: the concurrency limit is reached, so the task waits in `queued` for a slot. */
  | { type: 'DEPENDENCIES_READY'; queue?: boolean }
  | { type: 'DEPENDENCY_FAILED'; reason: string; at: number };

export type TaskEvent = ProcessReport | TaskControl;

export interface ProcessActorInput {
  taskId: string;
  spec: TaskSpec;
  /** Set when a new daemon resumes a task that was running: watch this process instead of spawning. */
  adopt: ProcessInfo | null;
}

export interface HealthActorInput {
  taskId: string;
  spec: TaskSpec;
  logStart: ProcessInfo['logStart'];
  process: ProcessInfo | null;
}

export interface TaskInput {
  id: string;
  spec: TaskSpec;
  restarts?: number;
  /** Resume a running task found in the store. */
  adopt?: { process: ProcessInfo; startedAt: number };
  /** Start in `queued` until DEQUEUE (concurrency limit). */
  queued?: boolean;
  /** Start in `waiting` until DEPENDENCIES_READY. */
  waitForDependencies?: boolean;
}

interface TaskContext extends ExitInfo {
  id: string;
  spec: TaskSpec;
  process: ProcessInfo | null;
  adopt: ProcessInfo | null;
  reason: string | null;
  restarts: number;
  startedAt: number | null;
  endedAt: number | null;
  history: RestartHistory;
  restartDelayMs: number;
  restartAt: number | null;
  stop: { signal: string; graceMs: number; escalated: boolean; reason: string | null; restart: boolean } | null;
  health: HealthState | null;
  startIn: 'now' | 'queued' | 'waiting';
}

type ExitedEvent = Extract<ProcessReport, { type: 'EXITED' }>;

/** `exit 3`, `SIGSEGV`, or the monitor's note when the status could not be learned. */
export function describeExit(exit: ExitInfo & { note?: string }): string {
  if (exit.signal) return exit.signal;
  if (exit.exitCode !== null) return `exit ${exit.exitCode}`;
  return exit.note ?? 'exit status unknown';
}

function restartDecision(context: TaskContext, event: ExitedEvent) {
  return decideRestart(
    context.spec.restart,
    event,
    { startedAt: context.startedAt ?? event.at, endedAt: event.at },
    context.history,
    event.random,
  );
}

const limitReached = (decision: RestartDecision): boolean => !decision.restart && decision.reason !== undefined;

/** After a limit stopped the task: a failure, as far as the restart policy is concerned. */
function limitDecision(context: TaskContext, event: Extract<ProcessReport, { type: 'TREE_EMPTY' }>) {
  return decideRestart(
    context.spec.restart,
    { exitCode: null, signal: context.signal ?? 'SIGKILL' },
    { startedAt: context.startedAt ?? event.at, endedAt: event.at },
    context.history,
    event.random,
  );
}

const recordExit = (event: ExitedEvent) => ({
  exitCode: event.exitCode,
  signal: event.signal,
  endedAt: event.at,
});

export const taskMachine = setup({
  types: {
    context: {} as TaskContext,
    events: {} as TaskEvent,
    input: {} as TaskInput,
  },
  actors: {
    // Replaced through provide(): the real one lives in src/actors/process.actor.ts.
    process: fromCallback<ProcessCommand, ProcessActorInput>(() => () => {}),
    health: fromCallback<{ type: 'noop' }, HealthActorInput>(() => () => {}),
  },
  delays: {
    grace: ({ context }) => context.stop?.graceMs ?? context.spec.graceMs,
    restartDelay: ({ context }) => context.restartDelayMs,
  },
  guards: {
    adopting: ({ context }) => context.adopt !== null,
    restarts: ({ context, event }) => restartDecision(context, event as ExitedEvent).restart,
    // A success the policy wanted to restart but the restart limit refused is a failure: the limit says why.
    succeeded: ({ context, event }) =>
      isSuccess(context.spec.restart, event as ExitedEvent) && !limitReached(restartDecision(context, event as ExitedEvent)),
    restartsAfterLimit: ({ context, event }) =>
      context.stop?.restart === true && limitDecision(context, event as Extract<ProcessReport, { type: 'TREE_EMPTY' }>).restart,
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => ({
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
  }),
  initial: 'init',
  on: {
    UPDATE_SPEC: { actions: assign(({ event }) => ({ spec: event.spec })) },
  },
  states: {
    init: {
      always: [
        { guard: 'adopting', target: 'alive.adopting' },
        { guard: ({ context }) => context.startIn === 'queued', target: 'queued' },
        { guard: ({ context }) => context.startIn === 'waiting', target: 'waiting' },
        { target: 'alive' },
      ],
    },
    queued: {
      on: {
        DEQUEUE: 'alive',
        STOP: {
          target: 'killed',
          actions: assign(({ event }) => ({ reason: 'stopped before it started', endedAt: event.at })),
        },
      },
    },
    waiting: {
      on: {
        DEPENDENCIES_READY: [{ guard: ({ event }) => event.queue === true, target: 'queued' }, { target: 'alive' }],
        DEPENDENCY_FAILED: {
          target: 'failed',
          actions: assign(({ event }) => ({ reason: event.reason, endedAt: event.at })),
        },
        STOP: {
          target: 'killed',
          actions: assign(({ event }) => ({ reason: 'stopped before it started', endedAt: event.at })),
        },
      },
    },
    alive: {
      invoke: {
        id: 'process',
        src: 'process',
        input: ({ context }) => ({ taskId: context.id, spec: context.spec, adopt: context.adopt }),
      },
      initial: 'starting',
      states: {
        starting: {
          entry: assign({ exitCode: null, signal: null, reason: null, endedAt: null, stop: null, restartAt: null, health: null }),
          on: {
            SPAWNED: {
              target: 'running',
              actions: assign(({ event }) => ({ process: event.process, startedAt: event.at })),
            },
            SPAWN_FAILED: [
              {
                // A restart that cannot start (a binary being rebuilt) is a failed run: the
                // restart policy and its limit decide, as for an exit.
                guard: ({ context }) => context.restarts > 0,
                actions: raise(({ event }) => ({
                  type: 'EXITED' as const,
                  exitCode: null,
                  signal: null,
                  at: event.at,
                  random: event.random ?? 0.5,
                  note: `could not start: ${event.message}`,
                })),
              },
              {
                target: '#task.failed',
                actions: assign(({ event }) => ({ reason: `could not start: ${event.message}`, endedAt: event.at })),
              },
            ],
          },
        },
        adopting: {
          on: {
            SPAWNED: {
              target: 'running',
              actions: assign(({ event }) => ({ process: event.process })),
            },
          },
        },
        running: {
          entry: assign(({ context }) => ({ health: context.spec.health ? (context.health ?? { status: 'unknown' as const, failures: 0, lastError: null }) : null })),
          invoke: {
            id: 'health',
            src: 'health',
            input: ({ context }) => ({
              taskId: context.id,
              spec: context.spec,
              logStart: context.process?.logStart ?? { stdout: 0, stderr: 0 },
              process: context.process,
            }),
          },
          on: {
            HEALTH: { actions: assign(({ event }) => ({ health: event.health })) },
          },
        },
        stopping: {
          entry: [
            sendTo('process', ({ context }) =>
              context.spec.stopCommand
                ? { type: 'STOP_COMMAND' as const, command: context.spec.stopCommand }
                : { type: 'SIGNAL' as const, signal: context.stop!.signal },
            ),
            sendTo('process', { type: 'WATCH_TREE' as const }),
          ],
          after: {
            grace: {
              actions: [
                assign(({ context }) => ({ stop: { ...context.stop!, escalated: true } })),
                sendTo('process', { type: 'SIGNAL' as const, signal: 'SIGKILL' }),
              ],
            },
          },
          on: {
            EXITED: { actions: assign(({ event }) => recordExit(event)) },
            TREE_EMPTY: [
              {
                // A limit stopped it, and the policy restarts failures: it counts as one.
                guard: 'restartsAfterLimit',
                target: '#task.restarting',
                actions: assign(({ context, event }) => {
                  const decision = limitDecision(context, event);
                  if (!decision.restart) return {};
                  const restarts = context.restarts + 1;
                  return {
                    endedAt: context.endedAt ?? event.at,
                    adopt: null,
                    restarts,
                    history: decision.history,
                    restartDelayMs: decision.delayMs,
                    restartAt: event.at + decision.delayMs,
                    reason: `${context.stop!.reason}; restarting in ${formatDuration(decision.delayMs)} (restart ${decision.history.restartTimes.length}/${context.spec.restart.maxRestarts})`,
                  };
                }),
              },
              {
                target: '#task.killed',
                actions: assign(({ context, event }) => {
                  const stop = context.stop?.reason ? `${context.stop.reason} (${describeStop(context)})` : describeStop(context);
                  // A limit stop the policy would have restarted: say that the restart limit refused it.
                  const decision = context.stop?.restart ? limitDecision(context, event) : null;
                  const refused = decision && !decision.restart ? decision.reason : undefined;
                  return { endedAt: context.endedAt ?? event.at, reason: refused ? `${stop}; ${refused}` : stop };
                }),
              },
            ],
          },
        },
      },
      on: {
        STOP: [
          {
            target: '.stopping',
            // A second STOP while stopping does not restart the grace period.
            guard: ({ context }) => context.stop === null,
            actions: assign(({ context, event }) => ({
              stop: {
                signal: event.signal ?? context.spec.stopSignal,
                graceMs: event.graceMs ?? context.spec.graceMs,
                escalated: false,
                reason: event.reason ?? null,
                restart: event.restart ?? false,
              },
            })),
          },
          {
            // ...but one that asks for SIGKILL, or for no grace, kills at once (a second Ctrl-C).
            guard: ({ event }) => event.signal === 'SIGKILL' || event.graceMs === 0,
            actions: [
              assign(({ context, event }) => ({
                stop: { ...context.stop!, signal: 'SIGKILL', restart: context.stop!.restart && event.restart === true },
              })),
              sendTo('process', { type: 'SIGNAL' as const, signal: 'SIGKILL' }),
            ],
          },
          {
            // ...and a user's stop during a limit's stop means the task stays down.
            guard: ({ context, event }) => context.stop!.restart && event.restart !== true,
            actions: assign(({ context }) => ({ stop: { ...context.stop!, restart: false } })),
          },
        ],
        EXITED: [
          {
            guard: 'restarts',
            target: 'restarting',
            actions: assign(({ context, event }) => {
              const decision = restartDecision(context, event);
              if (!decision.restart) return {};
              const restarts = context.restarts + 1;
              return {
                ...recordExit(event),
                adopt: null,
                restarts,
                history: decision.history,
                restartDelayMs: decision.delayMs,
                restartAt: event.at + decision.delayMs,
                reason: `${describeExit(event)}; restarting in ${formatDuration(decision.delayMs)} (restart ${decision.history.restartTimes.length}/${context.spec.restart.maxRestarts})`,
              };
            }),
          },
          {
            guard: 'succeeded',
            target: 'completed',
            actions: assign(({ event }) => ({ ...recordExit(event), adopt: null, reason: describeExit(event) })),
          },
          {
            target: 'failed',
            actions: assign(({ context, event }) => {
              const decision = restartDecision(context, event);
              const limit = !decision.restart && decision.reason ? `${decision.reason} after ` : '';
              return { ...recordExit(event), adopt: null, reason: `${limit}${describeExit(event)}` };
            }),
          },
        ],
      },
    },
    restarting: {
      after: { restartDelay: 'alive' },
      on: {
        STOP: {
          target: 'killed',
          actions: assign(({ event }) => ({ reason: 'stopped while waiting to restart', endedAt: event.at, restartAt: null })),
        },
      },
    },
    completed: { type: 'final' },
    failed: { type: 'final' },
    killed: { type: 'final' },
  },
});

/** How a stop ended: `SIGTERM`, `exit 0 after SIGTERM`, `SIGKILL after 5s grace`. */
function describeStop(context: TaskContext): string {
  const stop = context.stop!;
  if (stop.escalated) return `SIGKILL after ${formatDuration(stop.graceMs)} grace`;
  if (context.signal) return context.signal === stop.signal ? stop.signal : `${context.signal} after ${stop.signal}`;
  if (context.exitCode !== null) return `exit ${context.exitCode} after ${stop.signal}`;
  return stop.signal;
}

export type TaskSnapshot = SnapshotFrom<typeof taskMachine>;

/** The user-facing status of a snapshot: `alive.running` is `running`, and so on. */
export function statusOf(snapshot: TaskSnapshot): TaskStatus {
  const value = snapshot.value;
  if (typeof value === 'string') {
    if (value === 'init') return 'starting';
    return value as TaskStatus;
  }
  const inner = (value as { alive?: string }).alive;
  if (inner === 'adopting') return 'running';
  return (inner ?? 'starting') as TaskStatus;
}
