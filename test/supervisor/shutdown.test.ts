/**
 * The stop order (src/supervisor/shutdown.ts): dependents before what they depend on,
 * without recursion, for chains of any length and for records whose edges make a cycle.
 */
import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../machines/task.types.js';
import { stopInOrder } from '../../src/supervisor/shutdown.js';

/** A record of environment `env` named `name`, depending on `on` (started). */
const task = (id: number, name: string, on: string[] = [], env = 'dev'): TaskRecord =>
  ({ id: `bash_${id}`, env, name, dependsOn: on.map((o) => ({ on: o, condition: 'started', timeoutMs: 1000 })) }) as unknown as TaskRecord;

/** The names in the order their stops began; each stop takes a turn of the event loop. */
async function order(records: TaskRecord[]): Promise<string[]> {
  const began: string[] = [];
  await stopInOrder(records, async (r) => {
    began.push(r.name!);
    await new Promise((resolve) => setImmediate(resolve));
  });
  return began;
}

describe('stopInOrder', () => {
  it('stops dependents first, a level at a time, and answers in the order it was given', async () => {
    const records = [task(1, 'db'), task(2, 'api', ['db']), task(3, 'web', ['api']), task(4, 'worker', ['db'])];
    const began = await order(records);
    expect(began.indexOf('web')).toBeLessThan(began.indexOf('api'));
    expect(began.indexOf('api')).toBeLessThan(began.indexOf('db'));
    expect(began.indexOf('worker')).toBeLessThan(began.indexOf('db'));
    expect(await stopInOrder(records, async (r) => r.id)).toEqual(['bash_1', 'bash_2', 'bash_3', 'bash_4']);
  });

  it('stops a chain of 20,000 tasks from its end, without running out of stack', async () => {
    const records = Array.from({ length: 20_000 }, (_, i) => task(i + 1, `t${i}`, i === 0 ? [] : [`t${i - 1}`]));
    const began = await order(records);
    expect(began).toEqual(records.map((r) => r.name).reverse());
  });

  it('stops every task once, even when two runs of an environment make a cycle of their edges', async () => {
    // A run where a waited for b, and a later one (another file) where b waited for a.
    const records = [task(1, 'a', ['b']), task(2, 'b'), task(3, 'b', ['a']), task(4, 'a'), task(1, 'a', ['b'])];
    const began = await order(records);
    expect(began.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('stops every task of a cycle within one run once, after the tasks that depend on the cycle', async () => {
    const began = await order([task(1, 'a', ['b']), task(2, 'b', ['a']), task(3, 'web', ['a']), task(4, 'self', ['self'])]);
    expect([...began].sort()).toEqual(['a', 'b', 'self', 'web']);
    expect(began.indexOf('web')).toBeLessThan(began.indexOf('a'));
    const ring = Array.from({ length: 20_000 }, (_, i) => task(i + 1, `t${i}`, [`t${(i + 1) % 20_000}`]));
    expect(new Set(await order(ring)).size).toBe(20_000);
  });

  it('keeps environments apart: a name of another environment is not a dependency', async () => {
    const began = await order([task(1, 'db', [], 'one'), task(2, 'api', ['db'], 'two'), task(3, 'db', [], 'two')]);
    expect(began.indexOf('api')).toBeLessThan(began.lastIndexOf('db'));
    expect(began[0]).toBe('db');
  });
});
