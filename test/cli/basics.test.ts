import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, FIXTURES, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

describe('run, ls, status, logs', () => {
  it('prints the id alone, numbers ids per home, and lists running and finished tasks', async () => {
    const first = await cli(home, ['run', '--', 'sh', '-c', 'echo hi\nexit 3']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('bash_1\n');
    const second = await cli(home, ['run', '--name', 'api', '--', 'sleep 30']);
    expect(second.stdout).toBe('bash_2\n');

    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'failed', 'bash_1 to fail');
    const tasks = await cliJson<any[]>(home, ['ls']);
    expect(tasks.map((t) => [t.id, t.name, t.status])).toEqual([
      ['bash_1', null, 'failed'],
      ['bash_2', 'api', 'running'],
    ]);
    const failed = tasks[0];
    expect(failed).toMatchObject({ command: "sh -c 'echo hi\nexit 3'", exitCode: 3, signal: null, reason: 'exit 3', restarts: 0 });
    for (const key of ['id', 'name', 'env', 'command', 'cwd', 'status', 'reason', 'pid', 'exitCode', 'signal', 'restarts', 'health', 'startedAt', 'endedAt', 'cpuPercent', 'memoryBytes']) {
      expect(failed).toHaveProperty(key);
    }
    expect(new Date(failed.startedAt).toISOString()).toBe(failed.startedAt);

    const human = await cli(home, ['ls']);
    expect(human.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATUS\s+HEALTH\s+PID\s+UPTIME\s+EXIT\s+RESTARTS\s+CPU\s+MEM\s+COMMAND$/);
    expect(human.stdout).toMatch(/bash_2\s+api\s+running\s+-\s+\d+/);
    // One line per task: a line break in a command is shown as \n.
    expect(human.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(human.stdout).toContain("sh -c 'echo hi\\nexit 3'");

    // A name addresses the task like its id.
    const byName = await cliJson(home, ['status', 'api']);
    expect(byName.id).toBe('bash_2');
    expect(byName.pid).toBeGreaterThan(1);
    // A task that is never restarted has no maximum of restarts to show.
    const described = (await cli(home, ['status', 'api'])).stdout;
    expect(described).toMatch(/^restart\s+no$/m);
    const restarting = await cli(home, ['run', '--restart', 'on-failure', '--', 'sleep 30']);
    expect((await cli(home, ['status', restarting.stdout.trim()])).stdout).toMatch(/^restart\s+on-failure, at most \d+$/m);
  });

  it('keeps output in per-task files owned by the user alone, and reads it back by stream', async () => {
    await cli(home, ['run', '--', 'echo out; echo err >&2']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    expect(readFileSync(join(home, 'logs/bash_1/stdout.log'), 'utf8')).toBe('out\n');
    expect(readFileSync(join(home, 'logs/bash_1/stderr.log'), 'utf8')).toBe('err\n');
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'corral.sock')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'state.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'logs/bash_1/stdout.log')).mode & 0o777).toBe(0o600);

    const raw = await cli(home, ['logs', 'bash_1']);
    expect(raw.stdout).toBe('out\n');
    expect(raw.stderr).toBe('err\n');
    const onlyErr = await cli(home, ['logs', 'bash_1', '--stream', 'stderr']);
    expect(onlyErr.stdout).toBe('err\n');
    const json = await cliJson(home, ['logs', 'bash_1', '--stream', 'stdout', '--offset', '1']);
    expect(json).toMatchObject({ id: 'bash_1', status: 'completed', exitCode: 0, stdout: { data: 'ut\n', from: 1, next: 4 } });
    expect(json.stderr).toBeUndefined();
    expect(typeof json.at).toBe('string');
  });

  it('gives the command the user umask, not the daemon private one', async () => {
    await cli(home, ['run', '--', 'umask']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    const out = (await cli(home, ['logs', 'bash_1'])).stdout.trim();
    expect(out).toBe(process.umask(0o022).toString(8).padStart(4, '0'));
    process.umask(Number.parseInt(out, 8));
  });

  it('filters lines by regex and tails the last lines', async () => {
    await cli(home, ['run', '--', 'node', join(FIXTURES, 'print-lines.js'), '30']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    const filtered = await cli(home, ['logs', 'bash_1', '--filter', '^line (7|17|27) ']);
    expect(filtered.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[1])).toEqual(['7', '17', '27']);
    const tail = await cli(home, ['logs', 'bash_1', '--tail', '3']);
    expect(tail.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[1])).toEqual(['28', '29', '30']);
    const tailFiltered = await cli(home, ['logs', 'bash_1', '--tail', '10', '--filter', '5 ']);
    // grep | tail: the last 10 lines that match, wherever they are.
    expect(tailFiltered.stdout.split('\n').filter(Boolean).map((l) => l.split(' ')[1])).toEqual(['5', '15', '25']);
  });

  it('follows output until the task ends', async () => {
    await cli(home, ['run', '--', 'node', join(FIXTURES, 'print-lines.js'), '5', '100']);
    const followed = await cli(home, ['logs', 'bash_1', '--follow']);
    expect(followed.code).toBe(0);
    expect(followed.stdout.split('\n').filter(Boolean)).toHaveLength(5);
  });

  it('waits for exit, and times out with exit 1', async () => {
    await cli(home, ['run', '--', 'sleep 0.3']);
    const ok = await cli(home, ['wait', 'bash_1', '--until', 'exit', '--timeout', '10s']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/bash_1 completed: exit 0/);
    await cli(home, ['run', '--', 'sleep 30']);
    const t0 = Date.now();
    const late = await cli(home, ['wait', 'bash_2', '--timeout', '300ms']);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/timed out waiting for bash_2/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('restarts a task under the same id, and forgets finished ones with rm and prune', async () => {
    await cli(home, ['run', '--name', 'counter', '--', 'echo run']);
    await waitFor(async () => (await cliJson(home, ['status', 'counter'])).status === 'completed', 'completion');
    const restarted = await cliJson(home, ['restart', 'counter']);
    expect(restarted.id).toBe('bash_1');
    expect(restarted.restarts).toBe(1);
    await waitFor(async () => (await cli(home, ['logs', 'bash_1'])).stdout === 'run\nrun\n', 'both runs in one log');

    await cli(home, ['run', '--', 'sleep 30']);
    // Several at once: all of them, or none when one is running or unknown.
    const refused = await cli(home, ['rm', 'bash_1', 'bash_2']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bash_2 is running: kill it before removing it/);
    expect((await cli(home, ['rm', 'bash_1', 'nope'])).code).toBe(3);
    expect((await cliJson<any[]>(home, ['ls'])).map((t) => t.id)).toEqual(['bash_1', 'bash_2']);
    await cli(home, ['kill', 'bash_2']);
    expect((await cli(home, ['rm', 'bash_2', 'bash_2'])).stdout).toMatch(/^removed bash_2 \(killed, exit SIGTERM\)\n$/);
    expect((await cli(home, ['prune'])).stdout).toBe('removed bash_1\n');
    expect(await cliJson(home, ['ls'])).toEqual([]);
    // Ids are never reused.
    expect((await cli(home, ['run', '--', 'true'])).stdout).toBe('bash_3\n');
  });
});
