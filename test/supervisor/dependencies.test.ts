/**
 * The dependency coordinator (src/supervisor/dependencies.ts) on a group of copies: a
 * dependent on `api` starts once every copy meets the edge, a copy added by a scale joins
 * the group it waits on, a copy scaled down is not waited for, and one copy that fails
 * fails the dependent.
 */
import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../../machines/task.contracts.js';
import type { TaskRecord, TaskStatus } from '../../machines/task.types.js';
import { DependencyCoordinator } from '../../src/supervisor/dependencies.js';
import { freshRun, restartedRecord } from '../../src/supervisor/records.js';

function task(id: string, name: string, status: TaskStatus, more: Partial<TaskRecord> = {}): TaskRecord {
  const started = status === 'waiting' ? {} : { startedAt: '2026-01-01T00:00:00.000Z' };
  return { id, name, env: 'dev', envRun: 1, spec: {} as TaskRecord['spec'], dependsOn: [], background: true, status, ...freshRun(0), ...started, ...more };
}
const copy = (id: string, index: number, status: TaskStatus, scaledDown = false) =>
  task(id, `api.${index}`, status, { replica: { of: 'api', index, ...(scaledDown ? { scaledDown: true as const } : {}) } });

/** A coordinator over `records`, and what it sent to whom. */
function coordinator(records: Map<string, TaskRecord>) {
  const sent: [string, TaskEvent['type'], string?][] = [];
  const deps = new DependencyCoordinator({
    clock: { now: () => 0, setTimeout: () => null, clearTimeout: () => {} },
    records: () => [...records.values()],
    record: (id) => records.get(id),
    send: (id, event) => sent.push([id, event.type, 'reason' in event ? (event.reason as string) : undefined]),
  });
  const change = (record: TaskRecord) => {
    records.set(record.id, record);
    deps.evaluate(record);
  };
  return { deps, sent, change };
}

const web = task('bash_9', 'web', 'waiting', { dependsOn: [{ on: 'api', condition: 'started', timeoutMs: 60_000 }] });

describe('a dependency on a task with replicas', () => {
  it('is met once every copy meets it, a copy added meanwhile included', () => {
    const records = new Map([copy('bash_1', 1, 'running'), copy('bash_2', 2, 'waiting'), web].map((r) => [r.id, r]));
    const { deps, sent, change } = coordinator(records);
    deps.track(web);
    expect(sent).toEqual([]);
    // A scale adds api.3 before api.2 starts: it is waited for too.
    change(copy('bash_3', 3, 'waiting'));
    change(copy('bash_2', 2, 'running'));
    expect(sent).toEqual([]);
    change(copy('bash_3', 3, 'running'));
    expect(sent).toEqual([['bash_9', 'DEPENDENCIES_READY', undefined]]);
  });

  it('does not wait for a copy that a scale took out', () => {
    const records = new Map([copy('bash_1', 1, 'running'), copy('bash_2', 2, 'waiting'), web].map((r) => [r.id, r]));
    const { deps, sent, change } = coordinator(records);
    deps.track(web);
    change(copy('bash_2', 2, 'killed', true));
    expect(sent).toEqual([['bash_9', 'DEPENDENCIES_READY', undefined]]);
  });

  it('fails the dependent when one copy fails, naming it', () => {
    const records = new Map([copy('bash_1', 1, 'waiting'), copy('bash_2', 2, 'waiting'), web].map((r) => [r.id, r]));
    const { deps, sent, change } = coordinator(records);
    deps.track(web);
    change({ ...copy('bash_2', 2, 'failed'), startedAt: null, reason: 'could not start' });
    expect(sent).toEqual([['bash_9', 'DEPENDENCY_FAILED', 'dependency api.2 failed: could not start']]);
  });

  it('still judges a task without replicas by its own name', () => {
    const records = new Map([task('bash_1', 'api', 'waiting'), web].map((r) => [r.id, r]));
    const { deps, sent, change } = coordinator(records);
    deps.track(web);
    change(task('bash_1', 'api', 'running'));
    expect(sent).toEqual([['bash_9', 'DEPENDENCIES_READY', undefined]]);
  });
});

describe('a dependency started again under the same id', () => {
  const healthyApi = task('bash_1', 'api', 'running', { health: { status: 'healthy', failures: 0, lastError: null } });

  it('is not "started" again until its new run starts', () => {
    const records = new Map([healthyApi, web].map((r) => [r.id, r]));
    const { deps, sent, change } = coordinator(records);
    change(restartedRecord(healthyApi));
    deps.track(web);
    expect(sent).toEqual([]);
    change({ ...restartedRecord(healthyApi), status: 'running', startedAt: '2026-01-01T00:01:00.000Z' });
    expect(sent).toEqual([['bash_9', 'DEPENDENCIES_READY', undefined]]);
  });

  it('is not "healthy" on the strength of the run before it', () => {
    const onHealthy = task('bash_8', 'web', 'waiting', { dependsOn: [{ on: 'api', condition: 'healthy', timeoutMs: 60_000 }] });
    const records = new Map([healthyApi, onHealthy].map((r) => [r.id, r]));
    const { deps, sent, change } = coordinator(records);
    change({ ...restartedRecord(healthyApi), status: 'running', startedAt: '2026-01-01T00:01:00.000Z' });
    deps.track(onHealthy);
    expect(sent).toEqual([]);
    change({ ...restartedRecord(healthyApi), status: 'running', startedAt: '2026-01-01T00:01:00.000Z', health: { status: 'healthy', failures: 0, lastError: null } });
    expect(sent).toEqual([['bash_8', 'DEPENDENCIES_READY', undefined]]);
  });
});
