import { describe, expect, it } from 'vitest';
import type { DependencyEdge } from './dependencies.js';
import type { TaskSpec } from '../task.types.js';
import { spec as taskSpec } from '../task.machine.test-harness.js';
import { appliedText, changedKeys, definitionOf, planApply, type FileTask, type RunTask } from './apply.js';

const spec = (command: string, more: Partial<TaskSpec> = {}): TaskSpec => taskSpec({ command, envSet: [], ...more });
const edge = (on: string, restart = false): DependencyEdge => ({ on, condition: 'started', timeoutMs: 300_000, ...(restart ? { restart: true } : {}) });
const file = (name: string, command = `run ${name}`, dependsOn: DependencyEdge[] = []): FileTask => ({ name, definition: definitionOf(spec(command), dependsOn, true) });
const running = (name: string, command = `run ${name}`, dependsOn: DependencyEdge[] = [], ended: string | null = null): RunTask => ({
  name,
  definition: definitionOf(spec(command), dependsOn, true),
  ended,
});
const actions = (plan: ReturnType<typeof planApply>) => plan.map((a) => `${a.name} ${a.action}`);

describe('the definition of a task', () => {
  it('is equal for equal specs, whatever the order of keys and the caller environment', () => {
    const a = definitionOf(spec('x', { env: { A: '1', B: '2', PATH: '/bin' }, envSet: ['A', 'B'] }), [], true);
    const b = definitionOf(spec('x', { env: { PATH: '/usr/local/bin', B: '2', A: '1' }, envSet: ['B', 'A'] }), [], true);
    expect(changedKeys(a, b)).toEqual([]);
  });

  it('names each key that changed, in env-file terms', () => {
    const before = definitionOf(spec('x', { env: { A: '1' }, envSet: ['A'] }), [edge('db')], true);
    const after = definitionOf(spec('y', { env: { A: '2' }, envSet: ['A'], graceMs: 1000, alertOn: 'error' }), [edge('db', true)], false);
    expect(changedKeys(before, after)).toEqual(['command', 'env', 'background', 'depends_on', 'stop', 'monitor']);
  });

  it('sees a variable the file no longer sets, and a health check added', () => {
    const before = definitionOf(spec('x', { env: { A: '1' }, envSet: ['A'] }), [], true);
    const health = { probes: [{ kind: 'listen' as const }], intervalMs: 1000, timeoutMs: 2000, retries: 3, startPeriodMs: 0 };
    const after = definitionOf(spec('x', { env: { A: '1' }, envSet: [], health }), [], true);
    expect(changedKeys(before, after)).toEqual(['env', 'health']);
  });
});

describe('applying a file to an environment that is up', () => {
  it('keeps every task when nothing changed', () => {
    const plan = planApply([running('db'), running('api')], [file('db'), file('api')], ['db', 'api']);
    expect(plan).toEqual([
      { name: 'db', action: 'kept', why: 'unchanged', changed: [] },
      { name: 'api', action: 'kept', why: 'unchanged', changed: [] },
    ]);
  });

  it('restarts only the task whose definition changed, saying what changed', () => {
    const plan = planApply([running('db'), running('api'), running('web')], [file('db'), file('api', 'run api --fast'), file('web')], ['db', 'api', 'web']);
    expect(actions(plan)).toEqual(['db kept', 'api restarted', 'web kept']);
    expect(plan[1]).toEqual({ name: 'api', action: 'restarted', why: 'its command changed', changed: ['command'] });
    expect(appliedText(plan[1]!)).toBe('api restarted: its command changed');
  });

  it('starts added tasks and stops removed ones', () => {
    const plan = planApply([running('db'), running('old')], [file('db'), file('new')], ['db', 'new']);
    expect(plan).toEqual([
      { name: 'db', action: 'kept', why: 'unchanged', changed: [] },
      { name: 'new', action: 'started', why: 'not in the environment yet', changed: [] },
      { name: 'old', action: 'stopped', why: 'no longer in the file', changed: [] },
    ]);
  });

  it('starts again a task of the run that ended, and does not stop a removed one that ended', () => {
    const plan = planApply([running('db', 'run db', [], 'killed'), running('gone', 'run gone', [], 'failed')], [file('db')], ['db']);
    expect(plan).toEqual([{ name: 'db', action: 'started', why: 'it had ended (killed)', changed: [] }]);
  });

  it('restarts a dependent only when its edge says restart: true, down a chain of them', () => {
    const current = [running('db'), running('api', 'run api', [edge('db', true)]), running('web', 'run web', [edge('api', true)]), running('worker', 'run worker', [edge('db')])];
    const declared = [file('db', 'run db --v2'), file('api', 'run api', [edge('db', true)]), file('web', 'run web', [edge('api', true)]), file('worker', 'run worker', [edge('db')])];
    const plan = planApply(current, declared, ['db', 'api', 'web', 'worker']);
    expect(actions(plan)).toEqual(['db restarted', 'api restarted', 'web restarted', 'worker kept']);
    expect(plan[1]).toEqual({ name: 'api', action: 'restarted', why: 'it depends on db (restart: true), which restarted', changed: [] });
  });

  it('leaves tasks outside the part alone, but restarts a running dependent that asks for it', () => {
    const current = [running('db'), running('api', 'run api', [edge('db')]), running('tail', 'run tail', [edge('db', true)])];
    const declared = [file('db', 'run db --v2'), file('api', 'run api --v2', [edge('db')]), file('tail', 'run tail', [edge('db', true)])];
    expect(actions(planApply(current, declared, ['db']))).toEqual(['db restarted', 'tail restarted']);
  });

  it('does not bring back an ended dependent through restart: true', () => {
    const current = [running('db'), running('api', 'run api', [edge('db', true)], 'killed')];
    const declared = [file('db', 'run db --v2'), file('api', 'run api', [edge('db', true)])];
    expect(actions(planApply(current, declared, ['db']))).toEqual(['db restarted']);
  });
});
