/** `corral grep`: matching lines of every task's logs with their byte offsets, --env, exit codes. */
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFinal } from '../../machines/task.types.js';
import { writeKept } from '../../src/logs/kept.js';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';

let home: string;
const ended = async (ref: string) => isFinal((await cliJson(home, ['status', ref])).status);

beforeAll(async () => {
  home = makeHome();
  await cli(home, ['run', '--', 'sh', '-c', 'printf "alpha\\nneedle one\\nbeta\\nneedle three\\n"; printf "oops\\nneedle err\\n" >&2']);
  await cli(home, ['orchestrate', 'web', '--background', 'printf "x\\nyy\\nneedle two\\n"']);
  await waitFor(async () => (await ended('bash_1')) && (await ended('bash_2')), 'both tasks to end');
}, 30_000);
afterAll(async () => {
  await cleanupHome(home);
});

/** The byte offset of `line`'s start in a task's log, found independently of corral. */
const offsetOf = (id: string, stream: string, line: string) => {
  const text = readFileSync(join(home, 'logs', id, `${stream}.log`));
  return text.indexOf(`${line}\n`);
};

describe('corral grep', () => {
  it("prints each matching line of every task's logs with its offset and stream", async () => {
    const r = await cli(home, ['grep', 'needle']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `bash_1:stdout:${offsetOf('bash_1', 'stdout', 'needle one')}: needle one`,
        `bash_1:stdout:${offsetOf('bash_1', 'stdout', 'needle three')}: needle three`,
        `bash_1:stderr:${offsetOf('bash_1', 'stderr', 'needle err')}: needle err`,
        `bash_2:stdout:${offsetOf('bash_2', 'stdout', 'needle two')}: needle two`,
      ].join('\n') + '\n',
    );
    // The offsets are where the lines start: 6 ("alpha\n"), 5 ("x\nyy\n").
    expect(offsetOf('bash_1', 'stdout', 'needle one')).toBe(6);
    expect(offsetOf('bash_2', 'stdout', 'needle two')).toBe(5);
  });

  it('--json gives one object per match', async () => {
    const r = await cli(home, ['grep', '--json', 'needle (one|two)']);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { id: 'bash_1', stream: 'stdout', offset: 6, line: 'needle one' },
      { id: 'bash_2', stream: 'stdout', offset: 5, line: 'needle two' },
    ]);
  });

  it('--env and ids narrow the tasks searched', async () => {
    const env = await cli(home, ['grep', 'needle', '--env', 'web']);
    expect([env.code, env.stdout]).toEqual([0, 'bash_2:stdout:5: needle two\n']);
    const ids = await cli(home, ['grep', '^needle (one|two)$', 'bash_1']);
    expect([ids.code, ids.stdout]).toEqual([0, 'bash_1:stdout:6: needle one\n']);
  });

  it('exits 1 when nothing matched, 2 for a bad regex, 3 for an unknown id', async () => {
    const none = await cli(home, ['grep', 'no such text']);
    expect([none.code, none.stdout]).toEqual([1, '']);
    const bad = await cli(home, ['grep', 'needle(']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('needle(');
    const unknown = await cli(home, ['grep', 'needle', 'bash_99']);
    expect(unknown.code).toBe(3);
    expect(unknown.stdout).toBe('');
  });

  it('finds a line at the end of a 1 GB log', async () => {
    const id = (await cli(home, ['run', '--log-max-size', 'off', '--', 'sleep', '600'])).stdout.trim();
    const log = join(home, 'logs', id, 'stdout.log');
    // 1 GB in no time and no disk: a sparse file (a hole reads as zeros), then real lines.
    writeFileSync(log, 'the first line\n');
    truncateSync(log, 1024 ** 3);
    appendFileSync(log, '\nthe needle at the end\n');
    const r = await cli(home, ['grep', 'needle at the end', id]);
    expect(r.stdout).toBe(`${id}:stdout:${1024 ** 3 + 1}: the needle at the end\n`);
    expect(r.code).toBe(0);
    await cli(home, ['kill', id]);
  }, 120_000);

  // Last: it marks the head of bash_1's stdout as released, as the log cap does.
  it('searches a capped log from its kept start', async () => {
    writeKept(join(home, 'logs/bash_1/stdout.log'), offsetOf('bash_1', 'stdout', 'beta'));
    const r = await cli(home, ['grep', 'needle', 'bash_1']);
    expect(r.stdout).toBe(`bash_1:stdout:${offsetOf('bash_1', 'stdout', 'needle three')}: needle three\nbash_1:stderr:5: needle err\n`);
  });
});
