import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, FIXTURES, isRunning, makeHome, treePids, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

describe('stopping whole trees', () => {
  it('leaves nothing of a tree with a setsid-ed grandchild and a child that ignores SIGTERM', async () => {
    const pidFile = join(home, 'pids');
    await cli(home, ['run', '--grace', '500ms', '--', 'sh', join(FIXTURES, 'tree.sh'), pidFile]);
    const pids = await treePids(pidFile);
    const task = await cliJson(home, ['status', 'bash_1']);
    expect(isRunning(pids.stubborn)).toBe(true);
    expect(isRunning(pids.escaped)).toBe(true);
    // The grandchild really left the task's session.
    const escapedStat = readFileSync(`/proc/${pids.escaped}/stat`, 'latin1');
    const sid = Number(escapedStat.slice(escapedStat.lastIndexOf(')') + 2).split(' ')[3]);
    expect(sid).not.toBe(task.pid);

    const t0 = Date.now();
    const killed = await cli(home, ['kill', 'bash_1']);
    expect(killed.code).toBe(0);
    expect(killed.stdout).toMatch(/bash_1 killed: SIGKILL after 500ms grace/);
    // kill returns only when the tree is gone.
    expect(isRunning(pids.stubborn)).toBe(false);
    expect(isRunning(pids.escaped)).toBe(false);
    expect(isRunning(task.pid)).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
  });

  it('says how a stop ended: the signal, or the exit code after it', async () => {
    await cli(home, ['run', '--', 'sleep 30']);
    await cli(home, ['run', '--', 'trap "echo bye; exit 0" TERM; echo ready; sleep 30 & wait']);
    await cli(home, ['run', '--stop-signal', 'SIGINT', '--', 'sleep 30']);
    // Separate words, quoted: the program runs as the task itself, so its own exit is seen.
    await cli(home, ['run', '--', 'sh', '-c', 'trap "exit 7" TERM; echo ready; sleep 30 & wait']);
    for (const id of ['bash_2', 'bash_4']) {
      await waitFor(() => readFileSync(join(home, `logs/${id}/stdout.log`), 'utf8').includes('ready'), `${id}'s trap`);
    }
    const stopped = await cliJson<any[]>(home, ['kill', 'bash_1', 'bash_2', 'bash_3', 'bash_4']);
    expect(stopped.map((t) => [t.status, t.reason])).toEqual([
      ['killed', 'SIGTERM'],
      ['killed', 'exit 0 after SIGTERM'],
      ['killed', 'SIGINT'],
      ['killed', 'exit 7 after SIGTERM'],
    ]);
    expect(stopped[0]).toMatchObject({ signal: 'SIGTERM', exitCode: null });
    expect(stopped[1]).toMatchObject({ signal: null, exitCode: 0 });
    // The task's log holds what the task wrote, nothing of corral's (no shell "Terminated" line).
    expect(readFileSync(join(home, 'logs/bash_1/stderr.log'), 'utf8')).toBe('');
    expect(readFileSync(join(home, 'logs/bash_3/stderr.log'), 'utf8')).toBe('');
  });

  it('stops what a finished task left running on kill --all, rm, prune and daemon stop', async () => {
    // Each task starts two sleepers (one in its own session) and ends at once, leaving them.
    const leave = (n: number) => `setsid sleep 3${n}1 & sleep 3${n}2 &`;
    for (let n = 1; n <= 4; n++) await cli(home, ['run', '--', leave(n)]);
    const sleepers = (n: number) =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'latin1').startsWith(`sleep\u00003${n}`);
          } catch {
            return false;
          }
        });
    for (let n = 1; n <= 4; n++) {
      await waitFor(async () => (await cliJson(home, ['status', `bash_${n}`])).status === 'completed', `bash_${n} to end`);
      await waitFor(() => sleepers(n).length === 2, `bash_${n}'s sleepers`);
    }
    const killed = await cliJson<any[]>(home, ['kill', '--all', '--grace', '1s']);
    expect(killed.map((t) => [t.id, t.status])).toEqual([1, 2, 3, 4].map((n) => [`bash_${n}`, 'completed']));
    for (let n = 1; n <= 4; n++) expect(sleepers(n)).toEqual([]);

    await cli(home, ['run', '--', leave(5)]);
    await cli(home, ['run', '--', leave(6)]);
    await cli(home, ['run', '--', leave(7)]);
    for (const n of [5, 6, 7]) await waitFor(() => sleepers(n).length === 2, `bash_${n}'s sleepers`);
    await waitFor(async () => (await cliJson<any[]>(home, ['ls'])).every((t) => t.status === 'completed'), 'all to end');
    expect((await cli(home, ['rm', 'bash_5'])).code).toBe(0);
    expect(sleepers(5)).toEqual([]);
    expect(sleepers(6)).toHaveLength(2);
    expect((await cli(home, ['daemon', 'stop'])).code).toBe(0);
    expect([sleepers(6), sleepers(7)]).toEqual([[], []]);
    await cli(home, ['run', '--', leave(8)]);
    await waitFor(() => sleepers(8).length === 2, "bash_8's sleepers");
    await waitFor(async () => (await cliJson(home, ['status', 'bash_8'])).status === 'completed', 'bash_8 to end');
    expect((await cli(home, ['prune'])).code).toBe(0);
    expect(sleepers(8)).toEqual([]);
    // About twenty calls of the CLI: give a loaded machine the time for them.
  }, 60_000);

  it('kills every live task with --all and leaves finished ones as they were', async () => {
    await cli(home, ['run', '--', 'true']);
    for (let i = 0; i < 4; i++) await cli(home, ['run', '--', 'sleep 30']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'completed', 'completion');
    const stopped = await cliJson<any[]>(home, ['kill', '--all']);
    expect(stopped.map((t) => t.id).sort()).toEqual(['bash_2', 'bash_3', 'bash_4', 'bash_5']);
    const tasks = await cliJson<any[]>(home, ['ls']);
    expect(tasks.map((t) => t.status)).toEqual(['completed', 'killed', 'killed', 'killed', 'killed']);
    for (const t of tasks) expect(isRunning(t.pid)).toBe(false);
  });

  it('kills at once when asked for SIGKILL while a long grace runs', async () => {
    await cli(home, ['run', '--grace', '30s', '--', `trap '' TERM; echo ready; while true; do sleep 0.1; done`]);
    await waitFor(() => readFileSync(join(home, 'logs/bash_1/stdout.log'), 'utf8').includes('ready'), 'the trap');
    const gentle = cli(home, ['kill', 'bash_1']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'stopping', 'stopping');
    const started = Date.now();
    const [t] = await cliJson<any[]>(home, ['kill', 'bash_1', '--signal', 'SIGKILL']);
    expect([t.status, t.reason]).toEqual(['killed', 'SIGKILL']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await gentle).code).toBe(0);
  });

  it('passes the signal a user sends with --signal', async () => {
    await cli(home, ['run', '--', 'trap "echo got-usr1; exit 7" USR1; echo ready; sleep 30 & wait']);
    await waitFor(() => readFileSync(join(home, 'logs/bash_1/stdout.log'), 'utf8').includes('ready'), 'the trap');
    const [t] = await cliJson<any[]>(home, ['kill', 'bash_1', '--signal', 'USR1']);
    expect(t.reason).toBe('exit 7 after SIGUSR1');
    expect((await cli(home, ['logs', 'bash_1'])).stdout).toBe('ready\ngot-usr1\n');
  });
});
