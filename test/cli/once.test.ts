/**
 * Start once: `run --once` and `exec` of a server that already runs answer with the task
 * that runs it (same command, folder and variables set), and start nothing.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

/** `run` takes its options before the command only: --json goes first. */
async function runJson(args: string[]): Promise<any> {
  const r = await cli(home, ['--json', 'run', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const count = async () => (await cliJson<unknown[]>(home, ['ls'])).length;

describe('run --once', () => {
  it('answers with the task that runs the same command here, and starts another only when something differs', async () => {
    const other = join(home, 'other');
    mkdirSync(other);
    const first = await cli(home, ['run', '--once', '--env', 'PORT=1', '--', 'sleep 300']);
    expect(first.stdout).toBe('bash_1\n');
    expect(first.stderr).toBe('');

    const again = await cli(home, ['run', '--once', '--env', 'PORT=1', '--', 'sleep', '300'], { env: { UNRELATED: 'x' } });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('bash_1\n');
    expect(again.stderr).toMatch(/^corral: bash_1 already runs this command \(pid \d+, for [\d.hms]+\): not started again\n$/);
    expect(await runJson(['--once', '--env', 'PORT=1', '--', 'sleep 300'])).toMatchObject({ id: 'bash_1', status: 'running', reused: true });
    expect(await count()).toBe(1);

    // Another variable, another folder, or no --once: another task.
    expect((await cli(home, ['run', '--once', '--env', 'PORT=2', '--', 'sleep 300'])).stdout).toBe('bash_2\n');
    expect((await cli(home, ['run', '--once', '--cwd', other, '--env', 'PORT=1', '--', 'sleep 300'])).stdout).toBe('bash_3\n');
    expect((await cli(home, ['run', '--env', 'PORT=1', '--', 'sleep 300'])).stdout).toBe('bash_4\n');
    const fresh = await runJson(['--env', 'PORT=1', '--', 'sleep 300']);
    expect(fresh.reused).toBeUndefined();

    // Once it has ended, --once starts it again.
    await cli(home, ['kill', 'bash_1', 'bash_4', 'bash_5']);
    expect((await cli(home, ['run', '--once', '--env', 'PORT=1', '--', 'sleep 300'])).stdout).toBe('bash_6\n');
  });
});

describe('exec', () => {
  it('answers a second start of a server with the first, and runs a foreground command again', async () => {
    const first = await cli(home, ['exec', '--', 'tail -f /dev/null']);
    expect(first.code).toBe(0);
    const id = first.stdout.trim();
    const again = await cli(home, ['exec', '--', 'tail -f /dev/null']);
    expect(again.stdout.trim()).toBe(id);
    expect(again.stderr).toMatch(new RegExp(`corral: ${id} already runs this command .*: not started again; read it with: corral logs ${id} --new\\n$`));
    expect(await count()).toBe(1);

    const a = await cli(home, ['exec', '--', 'echo hi']);
    const b = await cli(home, ['exec', '--', 'echo hi']);
    expect([a.stdout, b.stdout]).toEqual(['hi\n', 'hi\n']);
    expect(await count()).toBe(3);
  });
});
