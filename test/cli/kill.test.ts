/**
 * `kill` as the README promises it: what a finished task left goes too, `--grace 0`
 * does not wait, and `--all` (like `daemon stop`) stops dependents before what they need.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, isRunning, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

/** The task's log holds `text` (a log not made yet holds nothing: its monitor makes it as the task starts). */
const logHas = (id: string, text: string) => () => {
  const file = join(home, `logs/${id}/stdout.log`);
  return existsSync(file) && readFileSync(file, 'utf8').includes(text);
};

describe('kill', () => {
  it('stops what a finished task left running when that task is named', async () => {
    const pids = join(home, 'pids');
    // Ends at once, leaving a daemonised child (own session) and a background job.
    await cli(home, ['run', '--name', 'leaver', '--', `setsid sleep 60 & echo $! > ${pids}; sleep 60 & echo $! >> ${pids}`]);
    await cli(home, ['run', '--name', 'other', '--', `setsid sleep 60 & echo $! > ${pids}.other`]);
    const left = await waitFor(() => {
      try {
        const found = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
        return found.length === 2 ? found : null;
      } catch {
        return null;
      }
    }, 'the leftovers');
    await waitFor(async () => (await cliJson<any[]>(home, ['ls'])).every((t) => t.status === 'completed'), 'both tasks to end');
    for (const pid of left) expect(isRunning(pid)).toBe(true);

    const [t] = await cliJson<any[]>(home, ['kill', 'leaver', '--grace', '1s']);
    expect(t).toMatchObject({ id: 'bash_1', status: 'completed', exitCode: 0 });
    for (const pid of left) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    // Another task's leftovers are not its to stop.
    expect(isRunning(Number(readFileSync(`${pids}.other`, 'utf8')))).toBe(true);
  });

  it('kills at once with --grace 0, however long the task grace is', async () => {
    await cli(home, ['run', '--', `trap '' TERM; echo ready; while true; do sleep 0.1; done`]);
    await waitFor(logHas('bash_1', 'ready'), 'the trap');
    const { pid } = await cliJson(home, ['status', 'bash_1']);
    const t0 = Date.now();
    const [t] = await cliJson<any[]>(home, ['kill', 'bash_1', '--grace', '0']);
    // Not the default 5 s grace: SIGKILL went at once, and kill returned before 5 s had passed.
    expect(t).toMatchObject({ status: 'killed', signal: 'SIGKILL', reason: 'SIGKILL after 0ms grace' });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(isRunning(pid)).toBe(false);
  });
});

describe('stopping an environment in dependency order', () => {
  // Each task takes a while to stop, the dependents longest: stopped all at once, the
  // dependencies would finish first; stopped in order, they finish last.
  const file = () => {
    const events = join(home, 'events');
    const task = (name: string, stopSeconds: string) =>
      `command: "trap 'sleep ${stopSeconds}; echo ${name} $(date +%s%N) >> ${events}; exit 0' TERM; echo up; sleep 60 & wait"`;
    const path = join(home, 'corral.yaml');
    writeFileSync(
      path,
      `name: chain
tasks:
  db: { ${task('db', '0.05')} }
  api: { ${task('api', '0.3')}, depends_on: [db] }
  web: { ${task('web', '0.3')}, depends_on: [api] }
  side: { ${task('side', '0.05')} }
`,
    );
    return { path, events };
  };
  const stopOrder = (events: string) =>
    readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
  const upChain = async (path: string) => {
    expect((await cli(home, ['orchestrate', '-f', path])).code).toBe(0);
    for (const n of [1, 2, 3, 4]) await waitFor(logHas(`bash_${n}`, 'up'), `bash_${n} to be up`);
  };

  it('kill --all stops dependents first', async () => {
    const { path, events } = file();
    await upChain(path);
    const stopped = await cliJson<any[]>(home, ['kill', '--all']);
    expect(stopped.map((t) => t.status)).toEqual(['killed', 'killed', 'killed', 'killed']);
    const order = stopOrder(events).filter((n) => n !== 'side');
    expect(order).toEqual(['web', 'api', 'db']);
  });

  it('daemon stop stops dependents first', async () => {
    const { path, events } = file();
    await upChain(path);
    expect((await cli(home, ['daemon', 'stop'])).code).toBe(0);
    expect(stopOrder(events).filter((n) => n !== 'side')).toEqual(['web', 'api', 'db']);
  });
});
