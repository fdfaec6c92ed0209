/**
 * The MCP tools' promises beyond the basics: background_spawn's wait_for port and url (and
 * its refusal of one that something already answers), the 4 KB first page, background_kill
 * of a list and of all, background_orchestrate from a file, and cursors that outlive a
 * daemon killed with SIGKILL.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, cliJson, FIXTURES, isRunning, makeHome, waitFor } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';
import { McpConnection, streamData, textOf } from './client.js';

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

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const stdoutLog = (id: string) => readFileSync(join(home, 'logs', id, 'stdout.log'), 'utf8');
const taskCount = async () => (await conn.ok('background_list', { all: true })).data.tasks.length;

describe('background_spawn wait_for', () => {
  it('returns once the task listens on the port; then that port returns its task, or is refused with reuse: false', async () => {
    const port = await freePort();
    const server = `setTimeout(() => require('net').createServer().listen(${port}, '127.0.0.1'), 400)`;
    const r = await conn.ok('background_spawn', { command: `node -e "${server}"`, name: 'tcp', wait_for: { port }, timeout: '15s' });
    expect(r.data).toMatchObject({ name: 'tcp', status: 'running', ready: true, timed_out: false });
    expect(r.data.waited_ms).toBeGreaterThanOrEqual(350);
    expect(textOf(r)).toMatch(new RegExp(`is ready \\(port ${port}, after`));

    const before = await taskCount();
    // Start once: the same dev server again, or any command waiting for its port, gets the task that holds it.
    for (const command of [`node -e "${server}"`, 'node other-server.js']) {
      const again = await conn.ok('background_spawn', { command, wait_for: { port } });
      expect(again.data).toMatchObject({ id: r.data.id, reused: true, ready: true, pid: r.data.pid });
      expect(textOf(again)).toMatch(new RegExp(`^${r.data.id} \\(tcp\\) already runs this command \\(pid ${r.data.pid}, for (?:\\d+(?:\\.\\d)?s|\\d+ms)\\): not started again; it is ready \\(port ${port}\\)`));
    }
    const refused = await conn.call('background_spawn', { command: `node -e "${server}"`, wait_for: { port }, reuse: false });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(new RegExp(`^wait_for: port ${port} is already in use by bash_\\d+ \\(tcp\\), a corral task`));
    expect(await taskCount()).toBe(before);
    await conn.ok('background_kill', { id: 'tcp', grace: 1 });
  });

  it('returns once the url answers, and refuses a local url something already answers', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/health`;
    const server = `setTimeout(() => require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'), 400)`;
    const r = await conn.ok('background_spawn', { command: `node -e "${server}"`, name: 'web', wait_for: { url }, timeout: '15s' });
    expect(r.data).toMatchObject({ name: 'web', status: 'running', ready: true });
    expect(r.data.waited_ms).toBeGreaterThanOrEqual(350);
    expect(await (await fetch(url)).text()).toBe('ok');

    const refused = await conn.call('background_spawn', { command: 'sleep 30', wait_for: { url }, reuse: false });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(new RegExp(`^wait_for: ${url.replace(/[./]/g, '\\$&')} \\(port ${port}\\) is already in use by bash_\\d+ \\(web\\)`));
    await conn.ok('background_kill', { id: 'web', grace: 1 });
  });

  it('shows at most the first 4 KB of a running task’s output, and background_output goes on from there', async () => {
    const r = await conn.ok('background_spawn', { command: `node ${join(FIXTURES, 'print-lines.js')} 400; sleep 30`, wait_for: { log: '^line 400 ' } });
    const s = r.data;
    const all = stdoutLog(s.id);
    const shown = streamData(r, 'stdout');
    expect(Buffer.byteLength(all)).toBeGreaterThan(8 * 1024);
    expect(Buffer.byteLength(shown)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(shown)).toBeGreaterThan(3 * 1024);
    expect(all.startsWith(shown)).toBe(true);
    expect(s.omitted.stdout).toBe(Buffer.byteLength(all) - s.next.stdout);
    // What spawn showed counts as read: "new" starts after it.
    const rest = await conn.ok('background_output', { id: s.id, stream: 'stdout', max_bytes: 1024 * 1024 });
    expect(rest.data.from.stdout).toBe(s.next.stdout);
    expect(shown + streamData(rest, 'stdout')).toBe(all);
    // filter and max_bytes choose what it shows, as for background_output.
    const some = await conn.ok('background_spawn', { command: `node ${join(FIXTURES, 'print-lines.js')} 400; sleep 30`, wait_for: { log: '^line 400 ' }, filter: '^line 39', max_bytes: 100, reuse: false });
    expect(textOf(some)).toMatch(/\nstdout \(lines matching \/\^line 39\/ in bytes 0-\d+ of \d+\):\nline 39 x+\nline 390 x*\n\[\.\.\. the page is full/);
    await conn.ok('background_kill', { all: true, grace: 1 });
  });
});

describe('background_spawn of a command that already runs', () => {
  it('returns the running task with what is new, starts another for other variables, a new folder or reuse: false', async () => {
    const command = `node ${join(FIXTURES, 'print-lines.js')} 3; sleep 60`;
    const first = await conn.ok('background_spawn', { command, env: { MODE: 'dev' }, wait_for: { log: '^line 3 ' } });
    const log = stdoutLog(first.data.id);
    const before = await taskCount();

    const again = await conn.ok('background_spawn', { command, env: { MODE: 'dev' } });
    expect(again.data).toMatchObject({ id: first.data.id, reused: true, status: 'running', pid: first.data.pid });
    expect(textOf(again)).toMatch(new RegExp(`^${first.data.id} already runs this command .*not started again: running.*reuse: false starts another copy`));
    // What is new through this client's cursor: the first reply showed every line, so nothing.
    expect(streamData(again, 'stdout')).toBe('');
    expect(stdoutLog(first.data.id)).toBe(log);
    // A log wait on the task that runs it finds the line of this run at once.
    const ready = await conn.ok('background_spawn', { command, env: { MODE: 'dev' }, wait_for: { log: '^line 2 ' } });
    expect(ready.data).toMatchObject({ id: first.data.id, reused: true, ready: true });
    expect(await taskCount()).toBe(before);

    const ids = [
      (await conn.ok('background_spawn', { command, env: { MODE: 'test' } })).data,
      (await conn.ok('background_spawn', { command, env: { MODE: 'dev' }, cwd: FIXTURES })).data,
      (await conn.ok('background_spawn', { command, env: { MODE: 'dev' }, reuse: false })).data,
    ];
    for (const d of ids) expect(d).toMatchObject({ reused: false });
    expect(new Set([first.data.id, ...ids.map((d) => d.id)]).size).toBe(4);
    await conn.ok('background_kill', { all: true, grace: 1 });
  });
});

describe('background_spawn every', () => {
  it('runs the command again and again on an interval, or on a cron schedule; a bad one is refused by name', async () => {
    const r = await conn.ok('background_spawn', { command: 'echo tick', name: 'ticks', every: '1s' });
    await waitFor(async () => (await cliJson(home, ['status', r.data.id])).schedule?.history.filter((e: { kind: string }) => e.kind === 'run').length >= 2, 'two runs of the schedule');
    const status = await cliJson(home, ['status', r.data.id]);
    expect(status.schedule).toMatchObject({ every: expect.stringMatching(/1s|1000/), cron: null });
    expect(status.schedule.history.filter((e: { kind: string }) => e.kind === 'run').every((e: { exitCode: number }) => e.exitCode === 0)).toBe(true);
    await conn.ok('background_kill', { id: r.data.id });

    const cron = await conn.ok('background_spawn', { command: 'true', name: 'hourly', every: '0 * * * *' });
    expect((await cliJson(home, ['status', cron.data.id])).schedule).toMatchObject({ cron: '0 * * * *', every: null, nextRunAt: expect.any(String) });
    await conn.ok('background_kill', { id: cron.data.id });

    for (const every of ['soon', '61 * * * *']) {
      const bad = await conn.call('background_spawn', { command: 'true', every });
      expect(bad.isError, every).toBe(true);
      expect(textOf(bad)).toMatch(/^every: /);
    }
  }, 60_000);
});

describe('background_kill', () => {
  it('stops a list of ids, then all: true stops every live task', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await conn.ok('background_spawn', { command: `sleep ${60 + i}` })).data.id);
    const pids = await Promise.all(ids.map(async (id) => (await cliJson(home, ['status', id])).pid as number));

    const some = await conn.ok('background_kill', { id: [ids[0], ids[1]], grace: 1 });
    expect(some.data.tasks.map((t: any) => [t.id, t.status])).toEqual([
      [ids[0], 'killed'],
      [ids[1], 'killed'],
    ]);
    expect(pids.map(isRunning)).toEqual([false, false, true, true]);

    const all = await conn.ok('background_kill', { all: true, grace: 1 });
    expect(all.data.tasks.map((t: any) => [t.id, t.status])).toEqual([
      [ids[2], 'killed'],
      [ids[3], 'killed'],
    ]);
    expect(pids.map(isRunning)).toEqual([false, false, false, false]);
    const live = (await conn.ok('background_list')).data.tasks.filter((t: any) => ['running', 'starting'].includes(t.status));
    expect(live).toEqual([]);
  });
});

describe('background_orchestrate', () => {
  it('brings up an environment from a file and reports each task', async () => {
    const file = join(home, 'stack.yaml');
    writeFileSync(
      file,
      `name: stack
tasks:
  db:
    command: node -e "setTimeout(() => console.log('db up'), 200); setInterval(() => {}, 1000)"
    health: { log: "db up", interval: 50ms }
  api:
    command: sleep 60
    depends_on: [db]
`,
    );
    const r = await conn.ok('background_orchestrate', { file, timeout: 15 });
    expect(r.data).toMatchObject({ env: 'stack', ready: true, timed_out: false, culprit: null });
    expect(r.data.tasks.map((t: any) => [t.name, t.status])).toEqual([
      ['db', 'running'],
      ['api', 'running'],
    ]);
    expect((await cliJson<any[]>(home, ['ls', '--env', 'stack'])).map((t) => [t.name, t.health])).toEqual([
      ['db', 'healthy'],
      ['api', null],
    ]);
    const down = await conn.ok('background_kill', { env: 'stack', grace: 1 });
    expect(down.data.tasks.map((t: any) => t.status)).toEqual(['killed', 'killed']);
  });
});

describe('background_output after the daemon was killed', () => {
  it('goes on where this client was: every byte once', async () => {
    const go = join(home, 'go-output');
    const spawned = await conn.ok('background_spawn', { command: `node ${join(FIXTURES, 'print-lines.js')} 50 5 0 ${go}`, wait_for: { log: '^line 20 ' } });
    const id: string = spawned.data.id;
    let seen = streamData(spawned, 'stdout');
    seen += streamData(await conn.ok('background_output', { id, stream: 'stdout' }), 'stdout');

    await sigkillDaemon(home);
    writeFileSync(go, '');
    const done = await waitFor(async () => {
      const r = await conn.ok('background_output', { id, stream: 'stdout', max_bytes: 1024 * 1024 });
      const page = r.data;
      seen += streamData(r, 'stdout');
      return page.status === 'completed' ? page : null;
    }, 'the task to end');
    expect(done.exit_code).toBe(0);
    expect(seen).toBe(stdoutLog(id));
  });
});
