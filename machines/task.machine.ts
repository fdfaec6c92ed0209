/**
 * The lifecycle of one task, as a pure XState machine.
 *
 * Effects come in from outside through `provide()`: the `process` actor spawns (or
 * adopts) the command, reports its exit, and signals its process tree on request. The
 * machine only decides: when to signal, when to escalate to SIGKILL, whether to restart
 * and after how long, and why the task ended.
 */
import { assign, fromCallback, raise, sendTo, setup } from 'xstate';
import { isSuccess } from './policies/restart.js';
import type {
  ExitedEvent,
  HealthActorInput,
  ProcessActorInput,
  ProcessCommand,
  TaskContext,
  TaskEvent,
  TaskInput,
  TreeEmptyEvent,
} from './task.contracts.js';
import { initialContext, limitDecision, limitReached, recordExit, restartDecision } from './task.decisions.js';
import { describeExit, describeStop, restartingReason } from './task.reasons.js';

/** The context once the exit an event reports is recorded. */
const exited = (context: TaskContext, event: ExitedEvent): TaskContext => ({ ...context, ...recordExit(event) });

/** A limit stopped it, and the policy restarts failures: the stop ends in a restart. */
const restartsAfterLimit = (context: TaskContext, event: StopEndEvent) => context.stop?.restart === true && limitDecision(context, event).restart;

/** What a stop that ends in a restart (restartsAfterLimit) records. */
function restartAfterLimit(context: TaskContext, event: StopEndEvent): Partial<TaskContext> {
  const decision = limitDecision(context, event);
  if (!decision.restart) return {};
  return {
    endedAt: context.endedAt ?? event.at,
    adopt: null,
    restarts: context.restarts + 1,
    history: decision.history,
    restartDelayMs: decision.delayMs,
    restartAt: event.at + decision.delayMs,
    reason: restartingReason(`${context.stop!.reason}`, decision.delayMs, decision.history, context.spec.restart.maxRestarts),
  };
}

/** What a stop that ends the task records: why it ended. */
function killedBy(context: TaskContext, event: StopEndEvent): Partial<TaskContext> {
  const stop = context.stop?.reason ? `${context.stop.reason} (${describeStop(context)})` : describeStop(context);
  // A limit stop the policy would have restarted: say that the restart limit refused it.
  const decision = context.stop?.restart ? limitDecision(context, event) : null;
  const refused = decision && !decision.restart ? decision.reason : undefined;
  return { endedAt: context.endedAt ?? event.at, reason: refused ? `${stop}; ${refused}` : stop };
}

/** The tree found empty: on its own, or with the exit seen in the same look. */
type StopEndEvent = Pick<TreeEmptyEvent, 'at' | 'random'>;

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
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => initialContext(input),
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
              context.stop!.command
                ? { type: 'STOP_COMMAND' as const, command: context.stop!.command }
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
            EXITED: [
              {
                // The exit and the empty tree seen in one look: one transition, where a stop of a
                // thousand tasks would take two microsteps each (the exit, then TREE_EMPTY).
                guard: ({ context, event }) => event.treeEmpty === true && restartsAfterLimit(exited(context, event), event),
                target: '#task.restarting',
                actions: assign(({ context, event }) => ({ ...recordExit(event), ...restartAfterLimit(exited(context, event), event) })),
              },
              {
                guard: ({ event }) => event.treeEmpty === true,
                target: '#task.killed',
                actions: assign(({ context, event }) => ({ ...recordExit(event), ...killedBy(exited(context, event), event) })),
              },
              { actions: assign(({ event }) => recordExit(event)) },
            ],
            TREE_EMPTY: [
              {
                // A limit stopped it, and the policy restarts failures: it counts as one.
                guard: ({ context, event }) => restartsAfterLimit(context, event),
                target: '#task.restarting',
                actions: assign(({ context, event }) => restartAfterLimit(context, event)),
              },
              {
                target: '#task.killed',
                actions: assign(({ context, event }) => killedBy(context, event)),
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
                command: context.spec.stopCommand,
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
                reason: restartingReason(describeExit(event), decision.delayMs, decision.history, context.spec.restart.maxRestarts),
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
