/**
 * A walk of the task machine's state graph (xstate/graph): which states lead to which
 * final state, from each way a task can start.
 */
import { describe, expect, it } from 'vitest';
import { fromCallback } from 'xstate';
import { getAdjacencyMap, getShortestPaths, getSimplePaths, type StatePath } from 'xstate/graph';
import type { TaskEvent, TaskInput } from './task.contracts.js';
import { taskMachine } from './task.machine.js';
import { proc, spec, withPolicy } from './task.machine.test-harness.js';
import { statusOf, type TaskSnapshot } from './task.status.js';
import type { TaskStatus } from './task.types.js';

describe('task machine: the state graph', () => {
  /** The machine with a process actor that does nothing: the walk plays its reports as events. */
  const machine = taskMachine.provide({ actors: { process: fromCallback(() => () => {}) } });
  // Delayed transitions are events named after the delay and the state node: the walk does
  // not fire them by itself, so they are part of the sample.
  const GRACE = { type: 'xstate.after.grace.task.alive.stopping' } as unknown as TaskEvent;
  const RESTART_DELAY = { type: 'xstate.after.restartDelay.task.restarting' } as unknown as TaskEvent;
  const events: TaskEvent[] = [
    { type: 'SPAWNED', process: proc(1), at: 1 },
    { type: 'SPAWN_FAILED', message: 'ENOENT', at: 1 },
    { type: 'EXITED', exitCode: 0, signal: null, at: 2, random: 0.5 },
    { type: 'EXITED', exitCode: 1, signal: null, at: 2, random: 0.5 },
    { type: 'EXITED', exitCode: null, signal: 'SIGTERM', at: 2, random: 0.5 },
    { type: 'STOP', at: 3 },
    { type: 'STOP', at: 3, reason: 'memory over limit', restart: true },
    { type: 'TREE_EMPTY', at: 4, random: 0.5 },
    { type: 'DEQUEUE' },
    { type: 'DEPENDENCIES_READY' },
    { type: 'DEPENDENCY_FAILED', reason: 'dependency db failed', at: 1 },
    GRACE,
    RESTART_DELAY,
  ];
  const inputs: Record<string, TaskInput> = {
    plain: { id: 'plain', spec: spec() },
    onFailure: { id: 'onFailure', spec: withPolicy({ policy: 'on-failure', maxRestarts: 2 }) },
    always: { id: 'always', spec: withPolicy({ policy: 'always', maxRestarts: 2 }) },
    queued: { id: 'queued', spec: spec(), queued: true },
    waiting: { id: 'waiting', spec: spec(), waitForDependencies: true },
    adopted: { id: 'adopted', spec: withPolicy({ policy: 'on-failure', maxRestarts: 1 }), adopt: { process: proc(9), startedAt: 0 } },
  };
  const FINAL: TaskStatus[] = ['completed', 'failed', 'killed'];
  const statusOfAny = (s: unknown) => statusOf(s as TaskSnapshot);
  const label = (s: unknown) => {
    const value = (s as TaskSnapshot).value;
    return typeof value === 'string' ? value : `alive.${(value as { alive: string }).alive}`;
  };

  type Path = StatePath<TaskSnapshot, TaskEvent>;
  const pathsOf = new Map<string, Path[]>();
  for (const [name, input] of Object.entries(inputs)) {
    pathsOf.set(name, getShortestPaths(machine, { events, input }) as unknown as Path[]);
  }
  const allPaths = [...pathsOf.values()].flat();

  it('reaches every final state, and every status, from some start', () => {
    const reached = new Set(allPaths.map((p) => statusOfAny(p.state)));
    for (const status of FINAL) expect(reached, status).toContain(status);
    for (const status of ['queued', 'waiting', 'starting', 'running', 'stopping', 'restarting'] as TaskStatus[]) {
      expect(reached, status).toContain(status);
    }
    const nodes = new Set(allPaths.map((p) => label(p.state)));
    expect(nodes).toContain('alive.adopting');
  });

  it('reaches from each start exactly the final states it should', () => {
    const finals = (name: string) => new Set(pathsOf.get(name)!.map((p) => statusOfAny(p.state)).filter((s) => FINAL.includes(s)));
    expect(finals('plain')).toEqual(new Set(['completed', 'failed', 'killed']));
    expect(finals('onFailure')).toEqual(new Set(['completed', 'failed', 'killed']));
    // A task that restarts even success can only fail at the limit, or be stopped.
    expect(finals('always')).toEqual(new Set(['failed', 'killed']));
    expect(finals('queued')).toEqual(new Set(['completed', 'failed', 'killed']));
    expect(finals('waiting')).toEqual(new Set(['completed', 'failed', 'killed']));
  });

  it('steps through statuses that make sense on every shortest path', () => {
    expect(allPaths.length).toBeGreaterThan(50);
    for (const path of allPaths) {
      const statuses = path.steps.map((s) => statusOfAny(s.state));
      const events = path.steps.map((s) => s.event.type);
      expect(path.steps.at(-1)!.state).toBe(path.state);
      const final = statusOfAny(path.state);
      const before = statuses.at(-2);
      const how = events.at(-1);
      const where = `${statuses.join(' → ')} via ${events.join(', ')}`;
      // Nothing comes after a final state.
      for (const s of statuses.slice(0, -1)) expect(FINAL, where).not.toContain(s);
      if (final === 'killed') {
        expect(['stopping', 'queued', 'waiting', 'restarting'], where).toContain(before);
        expect(how, where).toBe(before === 'stopping' ? 'TREE_EMPTY' : 'STOP');
        expect(events, where).toContain('STOP');
      }
      if (final === 'completed') {
        expect(['starting', 'running'], where).toContain(before);
        expect(how, where).toBe('EXITED');
      }
      if (final === 'failed') {
        expect(['starting', 'running', 'waiting'], where).toContain(before);
        expect(['EXITED', 'SPAWN_FAILED', 'DEPENDENCY_FAILED'], where).toContain(how);
        if (how === 'DEPENDENCY_FAILED') expect(before, where).toBe('waiting');
        if (how === 'SPAWN_FAILED') expect(before, where).toBe('starting');
      }
      if (final === 'stopping') expect(events, where).toContain('STOP');
      if (final === 'restarting') {
        expect(['starting', 'running', 'stopping'], where).toContain(before);
        // Only a limit's stop restarts from stopping.
        if (before === 'stopping') expect(path.steps.at(-2)!.state.context.stop?.restart, where).toBe(true);
      }
      // alive.adopting only at the start of a walk.
      path.steps.slice(1).forEach((s, i) => {
        if (label(s.state) === 'alive.adopting') expect(label(path.steps[i]!.state), where).toBe('alive.adopting');
      });
    }
  });

  it('never leaves a final state, on any event', () => {
    for (const input of Object.values(inputs)) {
      const adjacency = getAdjacencyMap(machine, { events, input });
      let finals = 0;
      for (const { state, transitions } of Object.values(adjacency)) {
        const from = statusOfAny(state);
        // Keyed by a branded string: Object.values() cannot see the value type through it.
        const edges = Object.values(transitions) as Array<{ state: TaskSnapshot; event: TaskEvent }>;
        for (const { state: next, event } of edges) {
          const to = statusOfAny(next);
          if (FINAL.includes(from)) {
            finals++;
            expect(next, `${from} on ${event.type}`).toBe(state);
          }
          // Every edge into killed comes from a state that has nothing running, or from stopping.
          if (to === 'killed' && from !== 'killed') expect(['stopping', 'queued', 'waiting', 'restarting']).toContain(from);
          // Nothing goes back to queued or waiting.
          if ((to === 'queued' || to === 'waiting') && from !== to) expect.fail(`${from} → ${to} on ${event.type}`);
        }
      }
      expect(finals).toBeGreaterThan(0);
    }
  });

  it('counts restarts along a path: the restart limit ends every restart loop', () => {
    for (const path of pathsOf.get('always')!) {
      const restarts = path.steps.filter((s) => statusOfAny(s.state) === 'restarting').length;
      expect(restarts).toBeLessThanOrEqual(2);
      expect(path.state.context.restarts).toBe(restarts);
    }
    const limit = pathsOf.get('always')!.filter((p) => p.state.context.reason?.startsWith('restart limit reached'));
    expect(limit.length).toBeGreaterThan(0);
    for (const p of limit) {
      expect(statusOfAny(p.state)).toBe('failed');
      expect(p.state.context.reason).toMatch(/^restart limit reached \(2 in 60s\) after (exit 0|exit 1|SIGTERM|could not start: ENOENT)$/);
    }
  });

  it('has every simple path to killed pass through a STOP (small walk)', () => {
    const small = getSimplePaths(machine, {
      input: inputs.plain!,
      events: [
        { type: 'SPAWNED', process: proc(1), at: 1 },
        { type: 'EXITED', exitCode: 0, signal: null, at: 2, random: 0.5 },
        { type: 'EXITED', exitCode: 1, signal: null, at: 2, random: 0.5 },
        { type: 'STOP', at: 3 },
        { type: 'TREE_EMPTY', at: 4, random: 0.5 },
        GRACE,
      ],
    }) as unknown as Path[];
    const killed = small.filter((p) => statusOfAny(p.state) === 'killed');
    expect(killed.length).toBeGreaterThan(3);
    const reasons = new Set(killed.map((p) => p.state.context.reason));
    expect(reasons).toEqual(new Set(['SIGTERM', 'exit 0 after SIGTERM', 'exit 1 after SIGTERM', 'SIGKILL after 5s grace']));
    for (const p of killed) {
      const statuses = p.steps.map((s) => statusOfAny(s.state));
      const stopAt = p.steps.findIndex((s) => s.event.type === 'STOP');
      expect(stopAt).toBeGreaterThan(0);
      expect(statuses[stopAt]).toBe('stopping');
      expect(statuses.slice(stopAt, -1).every((s) => s === 'stopping')).toBe(true);
      // Escalation is named exactly when the grace expired on the way.
      const escalated = p.steps.some((s) => s.event.type === GRACE.type);
      expect(p.state.context.reason === 'SIGKILL after 5s grace').toBe(escalated);
    }
  });
});
