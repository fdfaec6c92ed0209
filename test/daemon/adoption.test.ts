/**
 * What a new daemon makes of the tasks a killed one left: it adopts live ones by pid and
 * start time (never a process that got a recycled pid), keeps every read cursor, and can
 * still stop a whole tree it did not start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, FIXTURES, isRunning, makeHome, waitFor } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';

let home: string;
let strangers: ChildProcess[] = [];
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  for (const s of strangers) s.kill('SIGKILL');
  strangers = [];
  await cleanupHome(home);
});

const state = () => JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
const startOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
};

const killDaemon = () => sigkillDaemon(home);

/** A process that has nothing to do with corral, leading its own group, as a recycled pid's new owner would be. */
function stranger(): number {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CORRAL_')));
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', env });
  strangers.push(child);
  return child.pid!;
}

describe('re-adoption after the daemon was killed', () => {
  it('does not take a process that got a recycled pid for the task, and never signals it', async () => {
    await cli(home, ['run', '--name', 'gone', '--', 'sleep 60']);
    const before = state().tasks.bash_1.process;
    await killDaemon();
    // The task and its monitor die while no daemon watches (no exit file: the monitor goes first)...
    process.kill(before.monitorPid, 'SIGKILL');
    process.kill(before.pid, 'SIGKILL');
    await waitFor(() => !isRunning(before.pid) && !isRunning(before.monitorPid), 'the task to die');
    // ...and their pids now belong to other processes, started later.
    const [pid, monitorPid] = [stranger(), stranger()];
    await waitFor(() => isRunning(pid) && isRunning(monitorPid), 'the strangers to start');
    expect(startOf(pid)).not.toBe(before.pidStart);
    const s = state();
    s.tasks.bash_1.process = { ...before, pid, monitorPid };
    writeFileSync(join(home, 'state.json'), JSON.stringify(s));

    const after = await cliJson(home, ['status', 'gone']);
    expect(after.status).toBe('failed');
    expect(after.reason).toMatch(/^exit status unknown/);
    // A stop of what the task might have left, its removal and the daemon's stop leave them be.
    expect((await cli(home, ['kill', 'gone', '--grace', '0'])).code).toBe(0);
    expect((await cli(home, ['kill', '--all', '--grace', '0'])).code).toBe(0);
    expect((await cli(home, ['daemon', 'stop'])).code).toBe(0);
    expect((await cli(home, ['rm', 'gone'])).code).toBe(0);
    expect([isRunning(pid), isRunning(monitorPid)]).toEqual([true, true]);
  });

  it('keeps --new cursors through a SIGKILL: every byte once, none twice', async () => {
    const go = join(home, 'go');
    // Prints 50 lines at once, then goes on until the test says so.
    await cli(home, ['run', '--', 'node', join(FIXTURES, 'print-lines.js'), '50', '5', '0', go]);
    let seen = '';
    await waitFor(async () => {
      seen += (await cli(home, ['logs', 'bash_1', '--new', '--stream', 'stdout'])).stdout;
      return seen.split('\n').length > 20;
    }, 'some output');
    await killDaemon();
    writeFileSync(go, '');
    await waitFor(() => !isRunning(state().tasks.bash_1.process.pid), 'the task to end');
    seen += (await cli(home, ['logs', 'bash_1', '--new', '--stream', 'stdout'])).stdout;
    expect(seen).toBe(readFileSync(join(home, 'logs/bash_1/stdout.log'), 'utf8'));
    expect((await cli(home, ['logs', 'bash_1', '--new', '--stream', 'stdout'])).stdout).toBe('');
  });

  it('stops a re-adopted tree whole: setsid-ed grandchild and TERM-ignoring child included', async () => {
    const pidFile = join(home, 'pids');
    await cli(home, ['run', '--grace', '300ms', '--', 'sh', join(FIXTURES, 'tree.sh'), pidFile]);
    const pids = await waitFor(() => {
      try {
        const found = Object.fromEntries(
          readFileSync(pidFile, 'utf8')
            .trim()
            .split('\n')
            .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]),
        );
        return found.stubborn && found.escaped ? found : null;
      } catch {
        return null;
      }
    }, 'the tree to start');
    const { pid } = await cliJson(home, ['status', 'bash_1']);
    await killDaemon();

    expect((await cliJson(home, ['status', 'bash_1'])).status).toBe('running');
    const [killed] = await cliJson<any[]>(home, ['kill', 'bash_1']);
    expect(killed).toMatchObject({ status: 'killed', reason: 'SIGKILL after 300ms grace' });
    for (const p of [pid, pids.stubborn, pids.escaped]) expect(isRunning(p), `pid ${p}`).toBe(false);
  });
});
