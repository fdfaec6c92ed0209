import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';
import { McpConnection, textOf } from '../mcp/client.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

const stdoutOf = (id: string) => {
  try {
    return readFileSync(join(home, 'logs', id, 'stdout.log'), 'utf8');
  } catch {
    return '';
  }
};

const ended = (id: string) => waitFor(async () => {
  const t = await cliJson(home, ['status', id]);
  return ['completed', 'failed', 'killed'].includes(t.status) ? t : null;
}, `${id} to end`);

const PROMPT = `printf 'Proceed? [y/N] '; read answer; if [ "$answer" = y ]; then echo proceeding; else echo "no: $answer"; exit 3; fi`;

describe('input to a running task', () => {
  it('send answers a read prompt, and the task exits 0', async () => {
    const id = (await cli(home, ['run', '--stdin', '--', PROMPT])).stdout.trim();
    await waitFor(() => stdoutOf(id).includes('Proceed? [y/N]'), 'the prompt');
    expect((await cliJson(home, ['status', id])).stdin).toBe('pipe');
    expect((await cli(home, ['status', id])).stdout).toMatch(/^stdin +a pipe: corral send writes to it$/m);
    const sent = await cli(home, ['send', id, 'y']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toBe(`${id}: 2 bytes sent\n`);
    expect(await ended(id)).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(stdoutOf(id)).toBe('Proceed? [y/N] proceeding\n');
  });

  it('keeps the input open between sends, and --eof ends it', async () => {
    const id = (await cli(home, ['run', '--stdin', '--', 'cat; echo "end of input"'])).stdout.trim();
    await waitFor(async () => (await cliJson(home, ['status', id])).status === 'running', 'cat to run');
    expect((await cli(home, ['send', id, 'one'])).code).toBe(0);
    await waitFor(() => stdoutOf(id) === 'one\n', 'the first line');
    expect((await cliJson(home, ['status', id])).status).toBe('running');
    const last = await cliJson(home, ['send', id, 'two', '--eof']);
    expect(last).toMatchObject({ bytes: 4, eof: true });
    expect(await ended(id)).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(stdoutOf(id)).toBe('one\ntwo\nend of input\n');
  });

  it('under a log cap: the monitor releases the head of the log while it holds the input open, and --eof still ends it', async () => {
    const MiB = 1024 * 1024;
    const script = `head -c ${4 * MiB} /dev/zero | tr '\\0' x; echo; cat; echo "end of input"`;
    const id = (await cli(home, ['run', '--stdin', '--log-max-size', '1M', '--', script])).stdout.trim();
    const log = join(home, 'logs', id, 'stdout.log');
    await waitFor(() => statSync(log, { throwIfNoEntry: false })?.size === 4 * MiB + 1, 'the 4 MB line');
    // The cap is kept while cat waits on the open pipe: the monitor's wait loop serves both.
    await waitFor(() => statSync(log).blocks * 512 <= MiB + 4096, 'the log to be trimmed to its cap');
    expect((await cliJson(home, ['status', id])).status).toBe('running');
    expect((await cli(home, ['send', id, 'one'])).code).toBe(0);
    await waitFor(() => statSync(log).size === 4 * MiB + 5, 'the first line');
    expect((await cli(home, ['send', id, 'two', '--eof'])).code).toBe(0);
    expect(await ended(id)).toMatchObject({ status: 'completed', exitCode: 0 });
    expect((await cli(home, ['logs', id, '--stream', 'stdout', '--tail', '3'])).stdout).toBe('one\ntwo\nend of input\n');
    const head = (await cliJson(home, ['logs', id, '--stream', 'stdout', '--offset', '0', '--max-bytes', '4'])).stdout;
    expect(head.trimmed).toBeGreaterThan(2 * MiB);
    expect(statSync(log).blocks * 512).toBeLessThanOrEqual(MiB + 4096);
  });

  it('reaches a task the daemon adopted after it was killed', async () => {
    const id = (await cli(home, ['run', '--stdin', '--', PROMPT])).stdout.trim();
    await waitFor(() => stdoutOf(id).includes('Proceed?'), 'the prompt');
    await sigkillDaemon(home);
    expect((await cli(home, ['send', id, 'y'])).code).toBe(0);
    expect(await ended(id)).toMatchObject({ status: 'completed', exitCode: 0 });
  });

  it('refuses a task without a pipe (2), an unknown one (3), and one that ended (1); stdin stays /dev/null without --stdin', async () => {
    const plain = (await cli(home, ['run', '--', 'read line; echo "read gave $?"'])).stdout.trim();
    expect(await ended(plain)).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(stdoutOf(plain)).toBe('read gave 1\n');
    const refused = await cli(home, ['send', plain, 'y']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`${plain} has no stdin pipe: start it with run --stdin`));
    expect((await cli(home, ['send', 'bash_99', 'y'])).code).toBe(3);
    const done = (await cli(home, ['run', '--stdin', '--', 'true'])).stdout.trim();
    await ended(done);
    const late = await cli(home, ['send', done, 'y']);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/is completed: only a running task reads its input/);
    // Its FIFO goes with it.
    const fifo = join(home, 'run', `${done}.stdin`);
    expect(existsSync(fifo)).toBe(true);
    expect((await cli(home, ['rm', done])).code).toBe(0);
    expect(existsSync(fifo)).toBe(false);
  });

  it('takes stdin: pipe in an env file, and refuses a bad value at its place', async () => {
    const file = join(home, 'corral.yaml');
    writeFileSync(file, `tasks:\n  ask:\n    command: '${PROMPT.replace(/'/g, "''")}'\n    stdin: pipe\n`);
    expect((await cli(home, ['orchestrate', 'in', '-f', file])).code).toBe(0);
    await waitFor(() => stdoutOf('bash_1').includes('Proceed?'), 'the prompt');
    expect((await cli(home, ['send', 'in/ask', 'n'])).code).toBe(0);
    expect(await ended('bash_1')).toMatchObject({ status: 'failed', exitCode: 3 });
    writeFileSync(file, 'tasks:\n  ask:\n    command: cat\n    stdin: pip\n');
    const bad = await cli(home, ['orchestrate', 'bad', '-f', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/corral\.yaml:4:\d+: .*stdin is pipe/);
  });

  it('background_send answers a prompt over MCP', async () => {
    const conn = await McpConnection.open(home);
    try {
      const spawned = await conn.ok('background_spawn', { command: PROMPT, stdin: true });
      const id = (spawned.data as { id: string }).id;
      await waitFor(() => stdoutOf(id).includes('Proceed?'), 'the prompt');
      const sent = await conn.ok('background_send', { id, text: 'y' });
      expect(textOf(sent)).toMatch(new RegExp(`${id}.*: 2 bytes sent`));
      expect(await ended(id)).toMatchObject({ status: 'completed', exitCode: 0 });
    } finally {
      await conn.close();
    }
  });
});
