/**
 * The MCP server driven as an agent drives it: the SDK's real Client over stdio, spawning
 * `node dist/src/mcp/main.js` with a temporary CORRAL_HOME. Nothing calls a handler directly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, FIXTURES, isRunning, makeHome, waitFor } from '../helpers.js';
import { McpConnection, streamData, textOf } from './client.js';

type Connection = McpConnection;
const connect = (home: string, clientName?: string) => McpConnection.open(home, clientName);

let home: string;
let conn: Connection;

const call = (name: string, args: Record<string, unknown> = {}, c: Connection = conn) => c.call(name, args);
const ok = (name: string, args: Record<string, unknown> = {}, c: Connection = conn) => c.ok(name, args);
const text = textOf;

const stdoutLog = (id: string) => readFileSync(join(home, 'logs', id, 'stdout.log'), 'utf8');

beforeAll(async () => {
  home = makeHome();
  conn = await connect(home);
});

afterAll(async () => {
  await conn?.client.close();
  await cleanupHome(home);
});

describe('corral MCP server', () => {
  it('lists the tools, each described for a model', async () => {
    const { tools } = await conn.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'background_kill',
      'background_list',
      'background_monitor',
      'background_orchestrate',
      'background_output',
      'background_remove',
      'background_restart',
      'background_send',
      'background_spawn',
      'background_status',
      'background_wait',
    ]);
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(100);
      // A client shows the model structured content instead of the text: replies have none, so no schema for it.
      expect(tool.outputSchema).toBeUndefined();
      for (const [arg, schema] of Object.entries(tool.inputSchema.properties!)) expect((schema as { description?: string }).description, `${tool.name}.${arg}`).toBeTruthy();
    }
    // What every conversation pays once, before any call.
    expect(Buffer.byteLength(JSON.stringify({ tools }))).toBeLessThan(8 * 1024);
    const spawn = tools.find((t) => t.name === 'background_spawn')!;
    expect(Object.keys(spawn.inputSchema.properties!)).toEqual(expect.arrayContaining(['command', 'cwd', 'env', 'name', 'wait_for', 'timeout']));
    expect(spawn.inputSchema.required).toEqual(['command']);
    const output = tools.find((t) => t.name === 'background_output')!;
    expect(Object.keys(output.inputSchema.properties!)).toEqual(expect.arrayContaining(['id', 'since', 'filter', 'tail', 'max_bytes']));
  });

  it('starts a server and returns once it is ready, in one call', async () => {
    const t0 = Date.now();
    const r = await ok('background_spawn', {
      command: `node -e "setTimeout(() => console.log('ready'), 300); setInterval(() => {}, 1000)"`,
      name: 'devserver',
      wait_for: { log: 'ready' },
      timeout: '10s',
    });
    const s = r.data;
    expect(r.structuredContent).toBeUndefined();
    expect(s).toMatchObject({ name: 'devserver', status: 'running', ready: true, timed_out: false, exit_code: null });
    expect(streamData(r, 'stdout')).toBe('ready\n');
    expect(s.id).toMatch(/^bash_\d+$/);
    expect(s.waited_ms).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(isRunning(s.pid)).toBe(true);
    expect(text(r)).toMatch(/is ready \(a line matching \/ready\//);
    expect(text(r)).toContain('ready');

    // A command that fails at once says so, with its output, instead of "ready".
    const bad = await ok('background_spawn', { command: 'echo "config missing" >&2; exit 3', wait_for: { log: 'never' } });
    expect(bad.data).toMatchObject({ status: 'failed', ready: false, exit_code: 3 });
    expect(text(bad)).toMatch(/failed before it was ready.*exit 3\n[^]*\nstderr:\n {2}config missing$/);
    // One whose output does not fit the page leads with its last lines, escaped.
    const loud = await ok('background_spawn', {
      command: `node ${join(FIXTURES, 'print-lines.js')} 300; printf 'no\\tconfig\\n' >&2; exit 4`,
      name: 'loud',
      wait_for: { exit: true },
    });
    expect(loud.data).toMatchObject({ status: 'failed', ready: false, exit_code: 4 });
    expect(text(loud)).toMatch(/\nstderr:\n {2}no\\tconfig\nlast lines of stdout \(bytes \d+-\d+ of \d+\):\n {2}line 291 x{41}\n[^]*\n {2}line 300 \nfirst output of stdout/);

    await ok('background_kill', { id: 'devserver', grace: 1 });
    expect(isRunning(s.pid)).toBe(false);
  });

  it('returns every byte once with since "new", across pages and across restarts of the client', async () => {
    // 250 lines over more than half a second: the reads below race the writer.
    const spawned = await ok('background_spawn', { command: `node ${join(FIXTURES, 'print-lines.js')} 250 2` });
    const id: string = spawned.data.id;
    let seen = streamData(spawned, 'stdout');
    let at = spawned.data.next.stdout as number;
    let pages = 0;
    for (;;) {
      const page = await ok('background_output', { id, max_bytes: 1500 });
      const s = page.data;
      expect(s.from.stdout).toBe(at); // starts exactly where the last one stopped
      expect(Buffer.byteLength(streamData(page, 'stdout')) + Buffer.byteLength(streamData(page, 'stderr'))).toBeLessThanOrEqual(1500);
      seen += streamData(page, 'stdout');
      at = s.next.stdout;
      pages++;
      if (s.status === 'completed' && s.omitted.stdout === 0) break;
      if (s.omitted.stdout === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen).toBe(stdoutLog(id));
    expect(seen.split('\n')).toHaveLength(251);

    // Two calls in a row: the second has nothing the first returned.
    const again = await ok('background_output', { id });
    expect(streamData(again, 'stdout')).toBe('');
    expect(text(again)).toContain('nothing new on stdout or stderr');

    // The cursor is the daemon's, per client name: a restarted agent goes on where it was...
    await conn.client.close();
    conn = await connect(home);
    expect(streamData(await ok('background_output', { id }), 'stdout')).toBe('');
    // ...and another client has its own.
    const other = await connect(home, 'other agent/2');
    try {
      const first = await ok('background_output', { id, max_bytes: 1024 * 1024 }, other);
      expect(streamData(first, 'stdout')).toBe(stdoutLog(id));
    } finally {
      await other.client.close();
    }
  });

  it('bounds a page with filter and max_bytes and says exactly what was cut', async () => {
    const done = await ok('background_spawn', { command: `node ${join(FIXTURES, 'print-lines.js')} 300`, wait_for: { exit: true } });
    expect(done.data).toMatchObject({ status: 'completed', ready: true, exit_code: 0 });
    const id: string = done.data.id;
    const size = Buffer.byteLength(stdoutLog(id));

    const small = await ok('background_output', { id, since: 0, stream: 'stdout', max_bytes: 100 });
    const s = small.data;
    expect(Buffer.byteLength(streamData(small, 'stdout'))).toBeLessThanOrEqual(100);
    expect(s.next.stdout).toBe(Buffer.byteLength(streamData(small, 'stdout')));
    expect(s.omitted.stdout).toBe(size - s.next.stdout);
    expect(text(small)).toContain(`omitted; read from offset ${s.next.stdout} to see it]`);
    // The next page starts where this one said.
    const next = await ok('background_output', { id, since: s.next.stdout, stream: 'stdout', max_bytes: 100 });
    expect(streamData(small, 'stdout') + streamData(next, 'stdout')).toBe(stdoutLog(id).slice(0, next.data.next.stdout));

    // A filter searches the whole log, whatever the page size; max_bytes bounds what it returns.
    const filtered = await ok('background_output', { id, since: 0, stream: 'stdout', filter: '^line 7', max_bytes: 2000 });
    const f = filtered.data;
    expect(text(filtered).split('\n').slice(2).map((l) => l.split(' ')[1])).toEqual(['7', '70', '71', '72', '73', '74', '75', '76', '77', '78', '79']);
    expect([f.next.stdout, f.omitted.stdout]).toEqual([size, 0]);

    const tail = await ok('background_output', { id, tail: 2 });
    expect(streamData(tail, 'stdout')).toBe(stdoutLog(id).split('\n').slice(-3).join('\n'));

    // Nothing past the end, and it says so rather than answering "empty".
    const past = await ok('background_output', { id, since: size + 10, stream: 'stdout' });
    expect(text(past)).toContain(`\nstdout: offset ${size + 10} is past the end (the log has ${size} bytes)`);
    expect(text(await ok('background_output', { id, since: size, stream: 'stdout' }))).not.toContain('past the end');

    // Colour codes are dropped from the text a model reads.
    const colour = await ok('background_spawn', { command: "printf '\\033[32mgreen\\033[0m\\n'", wait_for: { exit: true } });
    expect(text(colour)).toContain('\n  green');
    expect(text(colour)).not.toContain('\u001b');
  });

  it('kills the whole tree and leaves no process behind', async () => {
    const pidFile = join(home, 'tree-pids');
    const r = await ok('background_spawn', { command: `sh ${join(FIXTURES, 'tree.sh')} ${pidFile}`, wait_for: { log: '^ready$' } });
    const { id, pid } = r.data;
    const pids = await waitFor(() => {
      try {
        const found = readFileSync(pidFile, 'utf8').match(/\d+/g)?.map(Number) ?? [];
        return found.length >= 2 ? found : null;
      } catch {
        return null;
      }
    }, 'the tree to start');
    for (const p of [pid, ...pids]) expect(isRunning(p)).toBe(true);

    const killed = await ok('background_kill', { id, grace: '500ms' });
    expect(killed.data.tasks).toHaveLength(1);
    expect(killed.data.tasks[0]).toMatchObject({ id, status: 'killed' });
    expect(text(killed)).toMatch(new RegExp(`^${id}: killed: .*\\nno process of it is left$`));
    for (const p of [pid, ...pids]) expect(isRunning(p)).toBe(false);
  });

  it('brings up an environment of inline tasks, then stops it by name', async () => {
    const r = await ok('background_orchestrate', {
      name: 'web',
      tasks: [
        { name: 'api', command: `node -e "console.log('api up'); setInterval(() => {}, 1000)"`, health: 'log:api up' },
        { name: 'front', command: 'sleep 60', depends_on: ['api'] },
      ],
      timeout: 10,
    });
    expect(r.data).toMatchObject({ env: 'web', ready: true, timed_out: false, culprit: null });
    expect(r.data.tasks.map((t: any) => [t.name, t.status])).toEqual([
      ['api', 'running'],
      ['front', 'running'],
    ]);
    const listed = await ok('background_list', { env: 'web' });
    expect(text(listed)).toMatch(/^bash_\d+ web\/api: running, pid \d+, healthy/m);
    const down = await ok('background_kill', { env: 'web', grace: 1 });
    expect(down.data.tasks.map((t: any) => t.status)).toEqual(['killed', 'killed']);
    for (const t of r.data.tasks) expect(isRunning(t.pid)).toBe(false);

    // One that does not come up names the task at fault, with its last lines.
    const failed = await call('background_orchestrate', { name: 'sad', tasks: [{ name: 'db', command: 'echo "bind failed" >&2; exit 3', health: 'log:listening' }], timeout: 10 });
    expect(text(failed)).toMatch(/^sad did not come up\n[^]*\nat fault: db \(bash_\d+\) failed: exit 3\nlast lines of db:\n {2}stderr: bind failed$/);
    // A task without a check that fails at once is not taken for ready in the moment before its exit is seen.
    const half = await call('background_orchestrate', { name: 'half', tasks: [{ name: 'steady', command: 'sleep 30' }, { name: 'crash', command: 'exit 2' }], timeout: 10 });
    expect(half.data).toMatchObject({ ready: false, timed_out: false, culprit: { name: 'crash', status: 'failed', reason: 'exit 2' } });
    expect(text(half)).toMatch(/^half did not come up\n[^]*\nat fault: crash \(bash_\d+\) failed: exit 2$/);
    await ok('background_kill', { env: 'half', grace: 1 });
    // One that keeps running is ready after that moment, with no change to wake the wait.
    const calm = await ok('background_orchestrate', { name: 'calm', tasks: [{ name: 'calm', command: 'sleep 30' }], timeout: 10 });
    expect(calm.data).toMatchObject({ ready: true, culprit: null });
    await ok('background_kill', { env: 'calm', grace: 1 });
  });

  it('monitors: alerts on new matching lines only, restarts on failure, and reports each once', async () => {
    // The first run prints its new line when the test says so (a file), once the rule is set;
    // the run after the restart prints nothing and stays up.
    const go = join(home, 'monitor-go');
    const ran = join(home, 'monitor-ran');
    const command = `if [ -e ${ran} ]; then exec sleep 30; fi; touch ${ran}; echo "old error"; while [ ! -e ${go} ]; do sleep 0.05; done; echo "new error: boom"; exit 1`;
    const spawned = await ok('background_spawn', { command, name: 'flaky' });
    const id = spawned.data.id;
    await waitFor(() => stdoutLog(id).includes('old error'), 'the old line');
    const first = await ok('background_monitor', { ids: [id], alert_on: 'error', restart_on_failure: true });
    expect(first.data.watched).toEqual([id]);
    expect(text(first)).toMatch(/^watching 1 task; alerts on \/error\/ and restart on failure set in the daemon/);
    writeFileSync(go, '');
    const events: any[] = [...first.data.events];
    const texts = [text(first)];
    const poll = async () => {
      const r = await ok('background_monitor', { ids: [id] });
      events.push(...r.data.events);
      texts.push(text(r));
    };
    await waitFor(async () => {
      await poll();
      return events.some((e) => e.kind === 'restart') && events.some((e) => e.kind === 'alert');
    }, 'the alert and the restart', 15_000, 200);
    // Once the second run is up, nothing is reported again.
    await waitFor(async () => {
      const t = (await ok('background_list')).data.tasks.find((x: any) => x.id === id);
      return t.status === 'running' && t.restarts === 1;
    }, 'the second run');
    await poll();
    expect(events.filter((e) => e.kind === 'alert')).toHaveLength(1);
    expect(texts.join('\n').match(/ALERT .*/g)).toEqual([`ALERT ${id} (flaky) stdout: new error: boom`]);
    expect(events.filter((e) => e.kind === 'restart')).toEqual([{ seq: expect.any(Number), kind: 'restart', id, status: 'restarting', exit_code: 1 }]);
    await ok('background_kill', { id });
  });

  it('answers bad input and unknown ids with a tool error, and keeps serving', async () => {
    const before = (await ok('background_list', { all: true })).data.tasks.length;

    const badFilter = await call('background_output', { id: 'bash_1', filter: '(' });
    expect(badFilter.isError).toBe(true);
    expect(text(badFilter)).toBe('filter: "(" is not a valid regular expression (Unterminated group)');

    const badWait = await call('background_spawn', { command: 'sleep 5', wait_for: { log: 'a[' } });
    expect(badWait.isError).toBe(true);
    expect(text(badWait)).toMatch(/^wait_for\.log: "a\[" is not a valid regular expression/);

    const unknown = await call('background_output', { id: 'bash_999' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toBe('no task "bash_999": see background_list for ids and names');
    expect((await call('background_kill', { id: 'nope' })).isError).toBe(true);

    const badDuration = await call('background_spawn', { command: 'true', wait_for: { exit: true }, timeout: 'soon' });
    expect(badDuration.isError).toBe(true);
    expect(text(badDuration)).toBe('timeout: "soon" is not a duration: write it like 500ms, 5s, 2m or 1h');

    const badDependency = await call('background_orchestrate', { name: 'broken', tasks: [{ name: 'a', command: 'sleep 1', depends_on: ['b'] }] });
    expect(text(badDependency)).toBe('tasks[0].depends_on: a depends on "b", which is not one of the tasks given');

    const badSince = await call('background_output', { id: 'bash_1', since: 'yesterday' });
    expect(badSince.isError).toBe(true);
    expect(text(badSince)).toMatch(/since is "new" or a byte offset \(a whole number\) at since$/);

    // The checks every read gets, worded with this server's argument names, not the CLI's flags.
    const badTail = await call('background_output', { id: 'bash_1', tail: 1.5 });
    expect(text(badTail)).toBe('tail: "1.5" is not a number of lines');
    const badGrace = await call('background_kill', { id: 'bash_1', grace: 'soon' });
    expect(text(badGrace)).toBe('grace: "soon" is not a duration: write it like 500ms, 5s, 2m or 1h');
    const tooLong = await call('background_spawn', { command: 'true', wait_for: { exit: true }, timeout: 1e12 });
    expect(text(tooLong)).toBe('timeout: 1000000000000 is too long a duration: at most 1000000d');

    // An env file's bad limit names its field once, at its place in the file.
    const limited = join(home, 'limited.yaml');
    writeFileSync(limited, 'tasks:\n  a:\n    command: sleep 1\n    limits: { timeout: x }\n');
    const badLimit = await call('background_orchestrate', { file: limited });
    expect(badLimit.isError).toBe(true);
    expect(text(badLimit)).toBe(`${limited}:4:24: tasks.a.limits.timeout: "x" is not a duration: write it like 500ms, 5s, 2m or 1h`);

    // Nothing was started by the refused calls, and the server still answers.
    const after = await ok('background_list', { all: true });
    expect(after.data.tasks.length).toBe(before);
    expect(isRunning(conn.transport.pid!)).toBe(true);
    expect(conn.stderr()).toBe('');
  });
});
