/**
 * background_orchestrate's inline tasks through the SDK's real Client: checked as an env
 * file is (a cycle is refused before anything starts), `depends_on` meaning what it means
 * in a file, and the same task named at fault as the file form names.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, cleanupHome, freePort, isRunning, makeHome, processesOf, waitFor } from '../helpers.js';
import { McpConnection, textOf, type ToolResult } from './client.js';

let home: string;
let conn: McpConnection;

beforeAll(async () => {
  home = makeHome();
  conn = await McpConnection.open(home);
});

afterAll(async () => {
  await conn?.close();
  await cleanupHome(home);
});

const tasksOf = async (env: string): Promise<any[]> => cliJson<any[]>(home, ['ls', '--env', env]);

describe('background_orchestrate with inline tasks', () => {
  it('refuses a dependency cycle as a tool error naming it, and starts nothing; kill all and daemon stop work after it', async () => {
    const cycles: [unknown[], string][] = [
      [
        [
          { name: 'a', command: 'sleep 30', depends_on: ['b'] },
          { name: 'b', command: 'sleep 30', depends_on: ['a'] },
        ],
        'tasks[0].depends_on: a dependency cycle: a -> b -> a',
      ],
      [[{ name: 'a', command: 'sleep 30', depends_on: ['a'] }], 'tasks[0].depends_on: a depends on itself'],
      [
        [
          { name: 'web', command: 'sleep 30', depends_on: ['api'] },
          { name: 'api', command: 'sleep 30', depends_on: [{ name: 'db', condition: 'started' }] },
          { name: 'db', command: 'sleep 30', depends_on: ['web'] },
        ],
        'tasks[0].depends_on: web dependency cycle: web -> api -> db -> web',
      ],
    ];
    for (const [tasks, message] of cycles) {
      const r = await conn.call('background_orchestrate', { name: 'loop', tasks, timeout: 2 });
      expect(r.isError, textOf(r)).toBe(true);
      expect(textOf(r)).toBe(message);
    }
    expect((await conn.ok('background_list')).data.tasks).toEqual([]);
    const daemon = (await cliJson<{ pid: number }>(home, ['daemon', 'status'])).pid;
    expect(processesOf(home).filter((pid) => pid !== daemon && pid !== conn.transport.pid)).toEqual([]);

    const killed = await conn.call('background_kill', { all: true });
    expect(killed.isError, textOf(killed)).toBeFalsy();
    const t0 = Date.now();
    const stopped = await cli(home, ['daemon', 'stop']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await waitFor(() => !isRunning(daemon), 'the daemon to end', 5_000);
  });

  it('starts a dependent of a task with a health check once it is healthy; {name, condition} picks started', async () => {
    const go = join(home, 'db-go');
    const r = await conn.ok('background_orchestrate', {
      name: 'order',
      tasks: [
        { name: 'db', command: `while [ ! -e ${go} ]; do sleep 0.05; done; echo ready; exec sleep 30`, health: 'log:ready' },
        { name: 'api', command: 'sleep 30', depends_on: ['db'] },
        { name: 'early', command: 'sleep 30', depends_on: [{ name: 'db', condition: 'started' }] },
      ],
      wait_healthy: false,
    });
    expect(r.data.tasks.map((t: any) => t.name)).toEqual(['db', 'api', 'early']);
    // `early` starts with db; api, which waits for db to be healthy, does not.
    const before = await waitFor(async () => {
      const tasks = await tasksOf('order');
      return tasks.find((t) => t.name === 'early')?.status === 'running' ? tasks : null;
    }, 'early to run');
    expect(before.map((t) => [t.name, t.status])).toEqual([
      ['db', 'running'],
      ['api', 'waiting'],
      ['early', 'running'],
    ]);
    const goAt = Date.now();
    writeFileSync(go, '');
    const after = await waitFor(async () => {
      const tasks = await tasksOf('order');
      return tasks.find((t) => t.name === 'api')?.status === 'running' ? tasks : null;
    }, 'api to run');
    const startedAt = Object.fromEntries(after.map((t) => [t.name, Date.parse(t.startedAt)]));
    expect(startedAt.early).toBeLessThan(goAt);
    expect(startedAt.api).toBeGreaterThanOrEqual(goAt);
    expect(after.find((t) => t.name === 'db').health).toBe('healthy');
    await conn.ok('background_kill', { env: 'order', grace: 1 });
  });

  it('names the api at fault when its check looks at the wrong port, as the file form does', async () => {
    const [listens, checked] = [await freePort(), await freePort()];
    const api = `node -e "require('http').createServer((q, s) => s.end('ok')).listen(${listens}, '127.0.0.1')"`;
    // The front end gives up at once when the api is not where it looks.
    const front = `node -e "require('http').get('http://127.0.0.1:${checked}/', () => setInterval(() => {}, 1000)).on('error', (e) => { console.error(e.message); process.exit(1); })"`;
    const health = `http://127.0.0.1:${checked}/`;
    const namesTheApi = (r: ToolResult) => {
      expect(r.data, textOf(r)).toMatchObject({ ready: false, culprit: { name: 'api', status: 'running' } });
      expect(r.data.tasks.map((t: any) => [t.name, t.status])).toEqual([
        ['api', 'running'],
        ['front', 'waiting'],
      ]);
      expect(textOf(r)).toMatch(/\nat fault: api \(bash_\d+\) running: (health unknown|unhealthy)/);
    };
    const tasks = [
      { name: 'api', command: api, health },
      { name: 'front', command: front, depends_on: ['api'] },
    ];
    namesTheApi(await conn.call('background_orchestrate', { name: 'inl', tasks, timeout: 3 }));
    await conn.ok('background_kill', { env: 'inl', grace: 1 });
    const file = join(home, 'wrong-port.yaml');
    writeFileSync(file, `name: fil\ntasks:\n  api:\n    command: ${JSON.stringify(api)}\n    health: { http: "${health}" }\n  front:\n    command: ${JSON.stringify(front)}\n    depends_on: [api]\n`);
    namesTheApi(await conn.call('background_orchestrate', { file, timeout: 3 }));
    await conn.ok('background_kill', { env: 'fil', grace: 1 });
  });

  it('applies a changed file to an environment that is up, for the part and profiles asked for', async () => {
    const file = join(home, 'apply.yaml');
    const text = (api: string) => `name: app\ntasks:\n  db:\n    command: sleep 600\n  api:\n    command: ${api}\n    depends_on: [db]\n  debugger:\n    command: sleep 604\n    profiles: [debug]\n`;
    writeFileSync(file, text('sleep 601'));
    const first = await conn.ok('background_orchestrate', { file, only: ['api'], timeout: 20 });
    expect(first.data.applied, textOf(first)).toBeNull();
    const before = Object.fromEntries((await tasksOf('app')).map((t) => [t.name, t.pid]));
    expect(Object.keys(before).sort()).toEqual(['api', 'db']);
    writeFileSync(file, text('sleep 611'));
    const again = await conn.ok('background_orchestrate', { file, profiles: ['debug'], timeout: 20 });
    expect(again.data.applied.map((a: any) => `${a.name} ${a.action}`)).toEqual(['db kept', 'api restarted', 'debugger started']);
    expect(again.data.applied[1].changed).toEqual(['command']);
    expect(textOf(again)).toContain('applied the file to app (1 task kept):\n  api restarted: its command changed\n  debugger started: not in the environment yet');
    const after = Object.fromEntries((await tasksOf('app')).map((t) => [t.name, t.pid]));
    expect(after.db).toBe(before.db);
    expect(after.api).not.toBe(before.api);
    const inline = await conn.call('background_orchestrate', { name: 'x', tasks: [{ command: 'sleep 1' }], only: ['a'] });
    expect(inline.isError).toBe(true);
    expect(textOf(inline)).toMatch(/only.*picks tasks of an env file or template, not of inline tasks/);
    await conn.ok('background_kill', { env: 'app', grace: 1 });
  });
});
