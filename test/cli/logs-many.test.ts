/**
 * `corral logs --env E` and `logs ID1 ID2`: several tasks' whole lines, each behind its
 * task's name, live with --follow; --json, --no-prefix, --since, --tail; exit codes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, startCli, waitFor } from '../helpers.js';

let home: string;
const LINES = 8;

beforeAll(() => {
  home = makeHome();
});
afterAll(async () => {
  await cleanupHome(home);
});

/** Every line of a task's stdout and stderr, as written. */
const written = (id: string, stream: string) => readFileSync(join(home, 'logs', id, `${stream}.log`), 'utf8').split('\n').slice(0, -1);

describe('logs of several tasks', () => {
  it('--env --follow prints both tasks\' lines live, prefixed, none cut by the other\'s partial writes, then exits with them', async () => {
    const file = join(home, 'two.yaml');
    const go = join(home, 'go');
    // Each says it is ready, then waits for the follower to have printed that: the lines after are read live.
    const ready = (name: string) => `echo ${name}-ready; while [ ! -f ${go} ]; do sleep 0.05; done`;
    // slow writes each line in three pieces; fast writes whole lines in between.
    writeFileSync(
      file,
      `name: pair
tasks:
  slow:
    command: '${ready('slow')}; for i in $(seq ${LINES}); do printf "slow-$i-"; sleep 0.05; printf "middle-"; sleep 0.05; printf "end\\\\n"; done; printf "slow-err\\\\n" >&2'
  fast-writer:
    command: '${ready('fast')}; for i in $(seq ${LINES}); do echo "fast-$i-whole"; sleep 0.03; done'
`,
    );
    expect((await cli(home, ['orchestrate', 'pair', '-f', file])).code).toBe(0);
    const follow = startCli(home, ['logs', '--env', 'pair', '--follow']);
    await waitFor(() => follow.stdout().includes('slow-ready') && follow.stdout().includes('fast-ready'), 'both tasks ready, as the follower shows', 30_000);
    writeFileSync(go, '');
    const r = await follow.done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').slice(0, -1);
    // Every line whole and behind its own task's name, padded to the longer name.
    for (const line of lines) expect(line).toMatch(/^(slow        \| slow-\d+-middle-end|slow        \| slow-(err|ready)|fast-writer \| fast-(\d+-whole|ready))$/);
    const of = (prefix: string) => lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(l.indexOf('| ') + 2));
    expect(of('slow ')).toEqual(['slow-ready', ...Array.from({ length: LINES }, (_, i) => `slow-${i + 1}-middle-end`), 'slow-err']);
    expect(of('fast-writer ')).toEqual(['fast-ready', ...Array.from({ length: LINES }, (_, i) => `fast-${i + 1}-whole`)]);
  }, 60_000);

  it('--follow prints a line as soon as it is whole, and holds a partial one until its newline', async () => {
    const gate = join(home, 'gate');
    const bWrote = join(home, 'b-wrote');
    const file = join(home, 'gated.yaml');
    const waitFile = (f: string) => `while [ ! -f ${f} ]; do sleep 0.05; done`;
    const wait = waitFile(gate);
    writeFileSync(
      file,
      `name: gated
tasks:
  a:
    command: 'echo first-a; ${waitFile(bWrote)}; echo a-after-b; ${wait}; echo last-a'
  b:
    command: 'printf "b-start-"; touch ${bWrote}; ${wait}; printf "b-end\\n"'
`,
    );
    expect((await cli(home, ['orchestrate', 'gated', '-f', file])).code).toBe(0);
    const follow = startCli(home, ['logs', '--env', 'gated', '--follow']);
    // a's line written after b's partial write is printed while the tasks run; b's partial line is not.
    // (Both logs' changes come through one inotify queue, in order: b's was read before a's.)
    await waitFor(() => follow.stdout().includes('a | a-after-b\n'), "a's line after b's partial write, while the tasks run", 30_000);
    const bId = (await cliJson(home, ['status', 'gated/b'])).id;
    expect(readFileSync(join(home, 'logs', bId, 'stdout.log'), 'utf8')).toBe('b-start-');
    expect(follow.stdout()).not.toContain('b-start');
    writeFileSync(gate, '');
    const r = await follow.done;
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, -1).sort()).toEqual(['a | a-after-b', 'a | first-a', 'a | last-a', 'b | b-start-b-end']);
  }, 60_000);

  it('without --follow, prints the lines written so far, merged, and exits; --no-prefix, --stream, --tail and --since pick', async () => {
    const all = await cli(home, ['logs', '--env', 'pair']);
    expect(all.code).toBe(0);
    const lines = all.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(2 * LINES + 3);
    // Each task's lines keep their order in the merge.
    expect(lines.filter((l) => l.startsWith('fast-writer '))).toEqual(['fast-writer | fast-ready', ...Array.from({ length: LINES }, (_, i) => `fast-writer | fast-${i + 1}-whole`)]);
    const plain = await cli(home, ['logs', '--env', 'pair', '--no-prefix', '--stream', 'stderr']);
    expect(plain.stdout).toBe('slow-err\n');
    const tail = await cli(home, ['logs', '--env', 'pair', '--tail', '1', '--stream', 'stdout']);
    expect(tail.stdout.split('\n').slice(0, -1).sort()).toEqual([`fast-writer | fast-${LINES}-whole`, `slow        | slow-${LINES}-middle-end`]);
    // Everything was written before now: nothing since.
    const since = await cli(home, ['logs', '--env', 'pair', '--since', '0s']);
    expect([since.code, since.stdout]).toEqual([0, '']);
    const hour = await cli(home, ['logs', '--env', 'pair', '--since', '1h']);
    expect(hour.stdout.split('\n').slice(0, -1).sort()).toEqual([...lines].sort());
  }, 30_000);

  it('takes tasks by id, and --json gives one object per line with the task, stream and offset', async () => {
    const slow = (await cliJson(home, ['status', 'pair/slow'])).id;
    const fast = (await cliJson(home, ['status', 'pair/fast-writer'])).id;
    const r = await cli(home, ['logs', slow, fast, '--json']);
    expect(r.code).toBe(0);
    const objects = r.stdout.split('\n').slice(0, -1).map((l) => JSON.parse(l));
    expect(objects).toHaveLength(2 * LINES + 3);
    expect(objects).toContainEqual({ id: slow, name: 'slow', stream: 'stderr', offset: 0, line: 'slow-err' });
    for (const o of objects) {
      expect(Object.keys(o).sort()).toEqual(['id', 'line', 'name', 'offset', 'stream']);
      // The offset is where the line starts in its log.
      const log = readFileSync(join(home, 'logs', o.id, `${o.stream}.log`), 'utf8');
      expect(log.slice(o.offset, o.offset + o.line.length + 1)).toBe(`${o.line}\n`);
    }
    expect(objects.filter((o) => o.id === fast).map((o) => o.line)).toEqual(written(fast, 'stdout'));
  }, 30_000);

  it('refuses an unknown task or environment (3) and flags that place a read in one log (2), in one sentence', async () => {
    for (const [args, code, said] of [
      [['logs', '--env', 'nowhere'], 3, /nowhere/],
      [['logs', 'pair/slow', 'bash_99'], 3, /bash_99/],
      [['logs', '--env', 'pair', '--offset', '3'], 2, /--offset/],
      [['logs', '--env', 'pair', '--new'], 2, /--new/],
      [['logs', 'pair/slow', '--env', 'pair'], 2, /ids or --env/],
      [['logs'], 2, /name a task/],
      [['logs', '--env', 'pair', '--filter', '('], 2, /\(/],
    ] as const) {
      const r = await cli(home, [...args]);
      expect([args, r.code]).toEqual([args, code]);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(said);
    }
  });
});
