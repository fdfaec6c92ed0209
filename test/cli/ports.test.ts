/**
 * `ports` and `kill --port` with real listeners: one a corral task, one a process the test
 * starts outside corral, which corral names but never signals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, FIXTURES, freePort, isRunning, killAll, makeHome, waitFor } from '../helpers.js';

const LISTEN = join(FIXTURES, 'listen.js');

let home: string;
let outside: ChildProcess[] = [];
beforeEach(() => {
  home = makeHome();
  outside = [];
});
afterEach(async () => {
  await killAll(outside.map((c) => c.pid!));
  await cleanupHome(home);
});

/** A listener that is no task of corral's: started by the test, outside the daemon's trees. */
async function listenOutside(port: number): Promise<number> {
  const child = spawn(process.execPath, [LISTEN, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  outside.push(child);
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  await waitFor(() => out.includes('listening'), 'the outside listener');
  return child.pid!;
}

const portRow = (rows: any[], port: number) => rows.find((r) => r.port === port);

describe('ports', () => {
  it('names the task on one port and the outside process on another', async () => {
    const [taskPort, outsidePort] = [await freePort(), await freePort()];
    await cli(home, ['run', '--name', 'web', '--', 'node', LISTEN, String(taskPort)]);
    const outsidePid = await listenOutside(outsidePort);
    const rows = await waitFor(async () => {
      const all = await cliJson<any[]>(home, ['ports']);
      return portRow(all, taskPort) && portRow(all, outsidePort) ? all : null;
    }, 'both ports listed');
    const { pid } = await cliJson(home, ['status', 'web']);
    expect(portRow(rows, taskPort)).toMatchObject({ addresses: ['127.0.0.1'], task: { id: 'bash_1', name: 'web', env: null }, pids: [pid], command: `node ${LISTEN} ${taskPort}` });
    expect(portRow(rows, outsidePort)).toEqual({ port: outsidePort, addresses: ['127.0.0.1'], task: null, pids: [outsidePid], command: `${process.execPath} ${LISTEN} ${outsidePort}` });

    const human = (await cli(home, ['ports'])).stdout;
    expect(human.split('\n')[0]).toMatch(/^PORT\s+ADDRESS\s+TASK\s+NAME\s+PROJECT\s+PID\s+COMMAND$/);
    expect(human).toMatch(new RegExp(`^${taskPort}\\s+127\\.0\\.0\\.1\\s+bash_1\\s+web\\s+\\S+\\s+${pid}\\s+.*listen\\.js ${taskPort}$`, 'm'));
    expect(human).toMatch(new RegExp(`^${outsidePort}\\s+127\\.0\\.0\\.1\\s+-\\s+-\\s+-\\s+${outsidePid}\\s+.*listen\\.js ${outsidePort}$`, 'm'));
  });
});

describe('kill --port', () => {
  it('stops the task holding the port, and refuses a process outside corral, which keeps running', async () => {
    const [taskPort, outsidePort] = [await freePort(), await freePort()];
    await cli(home, ['run', '--name', 'web', '--', 'node', LISTEN, String(taskPort)]);
    const outsidePid = await listenOutside(outsidePort);
    await waitFor(async () => portRow(await cliJson<any[]>(home, ['ports']), taskPort), 'the task to listen');
    const { pid } = await cliJson(home, ['status', 'web']);

    const refused = await cli(home, ['kill', '--port', String(outsidePort)]);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `corral: port ${outsidePort} is held by pid ${outsidePid} (${process.execPath} ${LISTEN} ${outsidePort}), outside corral: corral stops only its own tasks, and stopped nothing\n`,
    );
    expect(isRunning(outsidePid)).toBe(true);
    expect(isRunning(pid)).toBe(true);

    const [stopped] = await cliJson<any[]>(home, ['kill', '--port', String(taskPort)]);
    expect(stopped).toMatchObject({ id: 'bash_1', status: 'killed' });
    expect(isRunning(pid)).toBe(false);
    expect(isRunning(outsidePid)).toBe(true);

    const nobody = await cli(home, ['kill', '--port', String(taskPort)]);
    expect([nobody.code, nobody.stderr]).toEqual([3, `corral: nothing listens on TCP port ${taskPort}\n`]);
    expect((await cli(home, ['kill', '--port', '70000'])).code).toBe(2);
    expect((await cli(home, ['kill', 'web', '--port', String(taskPort)])).code).toBe(2);
  });
});
