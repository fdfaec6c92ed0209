import { describe, expect, it } from 'vitest';
import { Turns } from '../../src/supervisor/turns.js';

/** A piece of work that logs its start and end and finishes when told to. */
function work(log: string[], name: string) {
  let finish: (fail?: boolean) => void = () => {};
  const run = () =>
    new Promise<string>((resolve, reject) => {
      log.push(`${name} start`);
      finish = (fail) => {
        log.push(`${name} end`);
        if (fail) reject(new Error(name));
        else resolve(name);
      };
    });
  return { run, finish: (fail?: boolean) => finish(fail) };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('turns', () => {
  it('runs the work of one key one after the other, even when one fails', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const [a, b, c] = [work(log, 'a'), work(log, 'b'), work(log, 'c')];
    const pa = turns.take('dev', a.run);
    const pb = turns.take('dev', b.run);
    const pc = turns.take('dev', c.run);
    await turn();
    expect(log).toEqual(['a start']);
    a.finish(true);
    await expect(pa).rejects.toThrow('a');
    await turn();
    expect(log).toEqual(['a start', 'a end', 'b start']);
    b.finish();
    expect(await pb).toBe('b');
    await turn();
    c.finish();
    expect(await pc).toBe('c');
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('does not make different keys wait for each other', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const [a, b] = [work(log, 'a'), work(log, 'b')];
    const pa = turns.take('dev', a.run);
    const pb = turns.take('test', b.run);
    await turn();
    expect(log).toEqual(['a start', 'b start']);
    b.finish();
    a.finish();
    expect(await Promise.all([pa, pb])).toEqual(['a', 'b']);
  });
});
