/**
 * A task never runs twice at once: not when its monitor is killed while the command goes
 * on (under `restart: always`), and not when the state file a new daemon reads is older
 * than the run that goes on (a write lost to a full disk, then the daemon killed).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, isRunning, makeHome, processesOf, waitFor } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(() => cleanupHome(home));

const state = () => JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));

/** The `sleep` processes of the home's task `id`: the copies of its command that run. */
function copies(id: string): number[] {
  return processesOf(home).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === 'sleep' && readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`\0CORRAL_TASK=${id}\0`);
    } catch {
      return false;
    }
  });
}

/** Long enough for the exit watch's sweep (2 s) to have looked, twice. */
const pastTheSweep = () => new Promise((r) => setTimeout(r, 4_500));

describe.each([['native spawner'], ['sh monitor']])('under the %s, a task runs once', (launcher) => {
  const env: Record<string, string> = launcher === 'sh monitor' ? { CORRAL_MONITOR: 'sh' } : {};

  it('keeps a command whose monitor was killed as the running task, and restarts it only once it has ended', async () => {
    expect((await cli(home, ['run', '--restart', 'always', '--backoff', '0', '--', 'sleep 60'], { env })).code).toBe(0);
    const first = state().tasks.bash_1.process;
    process.kill(first.monitorPid, 'SIGKILL');
    await pastTheSweep();
    expect(copies('bash_1')).toEqual([first.pid]);
    const status = await cliJson(home, ['status', 'bash_1']);
    expect([status.status, status.pid, status.restarts]).toEqual(['running', first.pid, 0]);

    // Once the command has ended too, the task has ended (how, nobody can say) and comes back, once.
    process.kill(first.pid, 'SIGKILL');
    const again = await waitFor(async () => {
      const s = await cliJson(home, ['status', 'bash_1']);
      return s.status === 'running' && s.pid !== first.pid ? s : null;
    }, 'the restart', 15_000);
    expect(again.restarts).toBe(1);
    expect(copies('bash_1')).toEqual([again.pid]);
  });

  it('finds the run of a task the state file left between launch and pid, and the status it ended with', async () => {
    const go = join(home, 'go');
    expect((await cli(home, ['run', '--', `while [ ! -e ${go} ]; do sleep 0.05; done; exit 3`], { env })).code).toBe(0);
    const pid = state().tasks.bash_1.process.pid;
    await sigkillDaemon(home);
    const s = state();
    s.tasks.bash_1 = { ...s.tasks.bash_1, status: 'starting', process: null, startedAt: null };
    writeFileSync(join(home, 'state.json'), JSON.stringify(s));

    const found = await cliJson(home, ['status', 'bash_1']);
    expect([found.status, found.pid]).toEqual(['running', pid]);
    writeFileSync(go, '');
    const ended = await waitFor(async () => {
      const view = await cliJson(home, ['status', 'bash_1']);
      return view.status === 'failed' ? view : null;
    }, 'the task to end');
    expect([ended.exitCode, ended.reason]).toEqual([3, 'exit 3']);
  });

  it('watches the run that goes on when the state file names an earlier one', async () => {
    expect((await cli(home, ['run', '--restart', 'always', '--backoff', '0', '--', 'sleep 60'], { env })).code).toBe(0);
    const stale = readFileSync(join(home, 'state.json'), 'utf8');
    const first = state().tasks.bash_1.process;
    // The first run ends and the task is restarted; the new run's record never reaches the disk.
    process.kill(first.pid, 'SIGKILL');
    const second = await waitFor(async () => {
      const s = await cliJson(home, ['status', 'bash_1']);
      return s.status === 'running' && s.pid !== first.pid ? s : null;
    }, 'the restart', 15_000);
    await sigkillDaemon(home);
    writeFileSync(join(home, 'state.json'), stale);

    const adopted = await cliJson(home, ['status', 'bash_1']);
    await pastTheSweep();
    expect(copies('bash_1')).toEqual([second.pid]);
    const now = await cliJson(home, ['status', 'bash_1']);
    expect([adopted.pid, now.status, now.pid]).toEqual([second.pid, 'running', second.pid]);
    expect(isRunning(second.pid)).toBe(true);
  });
});
