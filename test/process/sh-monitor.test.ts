/**
 * The fallback `sh` monitor end to end: a daemon started with CORRAL_MONITOR=sh runs,
 * reads, reports exits and stops whole trees through it, as it does through the spawner.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readNotes, timesPath } from '../../src/logs/time-index.js';
import { cleanupHome, cli, cliJson, FIXTURES, isRunning, makeHome, waitFor } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';

let home: string;
beforeEach(async () => {
  home = makeHome();
  // The first call starts the daemon, which keeps the environment it was started with.
  const first = await cli(home, ['daemon', 'start'], { env: { CORRAL_MONITOR: 'sh' } });
  expect(first.code, first.stderr).toBe(0);
});
afterEach(async () => {
  await cleanupHome(home);
});

const until = (id: string, statuses: string[]) =>
  waitFor(async () => {
    const t = await cliJson(home, ['status', id]);
    return statuses.includes(t.status) ? t : null;
  }, `${id} to be ${statuses.join(' or ')}`);

describe('a daemon under the sh monitor', () => {
  it('says so, runs tasks with their output and exit codes, and 127 for a missing program', async () => {
    expect((await cliJson(home, ['daemon', 'status'])).launcher).toBe('the sh monitor');
    await cli(home, ['run', '--', 'echo out; echo err >&2; exit 3']);
    await cli(home, ['run', '--', 'no-such-program-here']);
    expect(await until('bash_1', ['failed'])).toMatchObject({ exitCode: 3, reason: 'exit 3' });
    expect(await cliJson(home, ['logs', 'bash_1'])).toMatchObject({ stdout: { data: 'out\n' }, stderr: { data: 'err\n' } });
    expect(await until('bash_2', ['failed'])).toMatchObject({ exitCode: 127 });
  });

  it('stops a whole tree, setsid-ed grandchild and TERM-ignoring child included', async () => {
    const pidFile = join(home, 'pids');
    await cli(home, ['run', '--grace', '300ms', '--', 'sh', join(FIXTURES, 'tree.sh'), pidFile]);
    const pids = await waitFor(() => {
      try {
        const found = readFileSync(pidFile, 'utf8').match(/\d+/g)?.map(Number) ?? [];
        return found.length >= 2 ? found : null;
      } catch {
        return null;
      }
    }, 'the tree to start');
    const { pid } = await until('bash_1', ['running']);
    const [killed] = await cliJson<any[]>(home, ['kill', 'bash_1']);
    expect(killed).toMatchObject({ status: 'killed', reason: 'SIGKILL after 300ms grace' });
    for (const p of [pid, ...pids]) expect(isRunning(p), `pid ${p}`).toBe(false);
  });

  it('leaves tasks running through a daemon SIGKILL, and learns their exit code after', async () => {
    const go = join(home, 'go');
    // Prints until the test says go, then exits 4.
    await cli(home, ['run', '--', 'node', join(FIXTURES, 'print-lines.js'), '20', '5', '4', go]);
    await waitFor(async () => (await cli(home, ['logs', 'bash_1'])).stdout.length > 0, 'output');
    await sigkillDaemon(home);
    const { pid } = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')).tasks.bash_1.process;
    expect(isRunning(pid)).toBe(true);
    writeFileSync(go, '');
    await waitFor(() => !isRunning(pid), 'the task to end', 15_000);
    // The daemon started now (by this call) has the default launcher: the task's monitor wrote the exit file anyway.
    expect(await until('bash_1', ['failed'])).toMatchObject({ exitCode: 4 });
    const lines = (await cli(home, ['logs', 'bash_1', '--stream', 'stdout'])).stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(20);
    expect(lines.map((l) => Number(l.split(' ')[1]))).toEqual(lines.map((_, i) => i + 1));
  });

  it('has the daemon note its tasks\' time index, before and after the daemon is replaced (as for runs of an older monitor)', async () => {
    const id = (await cli(home, ['run', '--', 'while true; do echo tick; sleep 0.3; done'])).stdout.trim();
    // No `logTimes: monitor` in its record: the daemon notes it.
    expect(JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')).tasks[id].process.logTimes).toBeUndefined();
    const times = timesPath(join(home, 'logs', id), 'stdout');
    await waitFor(() => readNotes(times).length >= 2, 'the daemon to note the log');
    await sigkillDaemon(home);
    const down = Date.now();
    const noted = readNotes(times).length;
    // Nothing notes it while no daemon runs (the log grows all the same)...
    const size = readFileSync(join(home, 'logs', id, 'stdout.log')).length;
    await waitFor(() => readFileSync(join(home, 'logs', id, 'stdout.log')).length >= size + 50, 'more output');
    expect(readNotes(times).length).toBe(noted);
    // ...and the next daemon, which adopts the run, notes it again.
    expect((await cli(home, ['daemon', 'start'], { env: { CORRAL_MONITOR: 'sh' } })).code).toBe(0);
    await waitFor(() => readNotes(times).filter((n) => n.at > down).length >= 2, 'the new daemon to note the log');
  });
});
