/**
 * background_restart, background_remove and background_status through the SDK's real
 * Client over stdio: what `corral restart`, `rm`, `prune` and `status` do, for agents.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, freePort, isRunning, makeHome, waitFor } from '../helpers.js';
import { McpConnection, textOf } from './client.js';

let home: string;
let conn: McpConnection;
let folder: string;

beforeAll(async () => {
  home = makeHome();
  folder = mkdtempSync(join(tmpdir(), 'corral-cwd-'));
  conn = await McpConnection.open(home);
});

afterAll(async () => {
  await conn?.close();
  await cleanupHome(home);
  rmSync(folder, { recursive: true, force: true });
});

const spawn = async (args: Record<string, unknown>) => (await conn.ok('background_spawn', args)).data;
const ended = (command: string) => spawn({ command, wait_for: { exit: true } });

describe('background_restart', () => {
  it('runs the task anew under the same id, with a new pid', async () => {
    const first = await spawn({ command: 'sleep 30', name: 'napper' });
    const r = await conn.ok('background_restart', { id: 'napper' });
    expect(r.data).toMatchObject({ id: first.id, status: 'running', previous_pid: first.pid, restarts: 1 });
    const pid = r.data.pid;
    expect(pid).not.toBe(first.pid);
    expect(isRunning(pid)).toBe(true);
    expect(isRunning(first.pid)).toBe(false);
    expect(textOf(r)).toMatch(new RegExp(`^${first.id} \\(napper\\) restarted: running, pid ${pid}, up [^,]+, 1 restart \\(was pid ${first.pid}\\)$`));
    await conn.ok('background_kill', { id: first.id, grace: 1 });
  });

  it('starts an ended task again', async () => {
    const done = await ended('echo once');
    const r = await conn.ok('background_restart', { id: done.id });
    expect(r.data).toMatchObject({ id: done.id, previous_pid: null, restarts: 1 });
    expect(textOf(r)).toMatch(new RegExp(`^${done.id} restarted: .*\\(was completed: exit 0\\)$`));
  });
});

describe('background_remove', () => {
  it('forgets an ended task, and refuses one that runs, removing nothing of that request', async () => {
    const done = await ended('echo done');
    const live = await spawn({ command: 'sleep 30' });
    const refused = await conn.call('background_remove', { id: [done.id, live.id] });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe(`${live.id} is running: kill it before removing it`);
    expect((await conn.ok('background_status', { id: done.id })).data.status).toBe('completed');
    expect(isRunning(live.pid)).toBe(true);

    const r = await conn.ok('background_remove', { id: done.id });
    expect(r.data).toEqual({ removed: [done.id] });
    expect(textOf(r)).toBe(`removed ${done.id} (completed: exit 0)`);
    expect(existsSync(join(home, 'logs', done.id))).toBe(false);
    const gone = await conn.call('background_status', { id: done.id });
    expect(gone.isError).toBe(true);
    expect(textOf(gone)).toMatch(new RegExp(`^no task "${done.id}"`));
    expect((await conn.ok('background_status', { id: live.id })).data).toMatchObject({ status: 'running', pid: live.pid });
    await conn.ok('background_kill', { id: live.id, grace: 1 });
  });

  it('forgets every ended task with ended: true, and no live one', async () => {
    await ended('exit 0');
    await ended('exit 5');
    const live = await spawn({ command: 'sleep 30' });
    const before = (await conn.ok('background_list', { all: true })).data.tasks;
    const r = await conn.ok('background_remove', { ended: true });
    expect(r.data.removed.sort()).toEqual(before.filter((t: any) => t.status !== 'running').map((t: any) => t.id).sort());
    expect(r.data.removed.length).toBeGreaterThanOrEqual(2);
    expect((await conn.ok('background_list', { all: true })).data.tasks.map((t: any) => t.id)).toEqual([live.id]);
    expect(textOf(await conn.ok('background_remove', { ended: true }))).toBe('nothing to remove: no task has ended');
    await conn.ok('background_kill', { id: live.id, grace: 1 });
    await conn.ok('background_remove', { ended: true });
  });

  it('wants exactly one of id or ended: true', async () => {
    for (const args of [{}, { id: 'bash_1', ended: true }, { ended: false }]) {
      const r = await conn.call('background_remove', args);
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/^(id: give exactly one of id or ended: true|ended: only true means something here)$/);
    }
  });
});

describe('background_status', () => {
  it('shows the cwd, the variables set, the ports of a running task and the last exit of an ended one', async () => {
    const port = await freePort();
    const server = await spawn({
      command: `node -e "require('net').createServer().listen(${port}, '127.0.0.1')"`,
      name: 'listener',
      cwd: folder,
      env: { GREETING: 'hello there' },
      wait_for: { port },
    });
    const r = await waitFor(async () => {
      const s = await conn.ok('background_status', { id: 'listener' });
      return s.data.ports.length > 0 && s.data.cpu_percent !== null ? s : null;
    }, 'the port and a CPU sample in the status');
    expect(r.data).toMatchObject({ id: server.id, status: 'running', pid: server.pid, cwd: folder, env_set: ['GREETING'], ports: [port], exit_code: null });
    const text = textOf(r);
    expect(text).toMatch(new RegExp(`^${server.id} \\(listener\\): running, pid ${server.pid}, healthy, up `));
    expect(text).toContain(`\ncwd: ${folder}\n`);
    expect(text).toContain('\nenv: GREETING=hello there\n');
    expect(text).not.toContain('PATH=');
    expect(text).toContain(`\nhealth: healthy (tcp:127.0.0.1:${port})\n`);
    expect(text).toContain(`\nports: ${port}\n`);
    expect(text).toContain('\nlast exit: none yet\n');
    expect(text).toMatch(/\ncpu: [\d.-]+%, memory: /);

    const failed = await ended('echo bad >&2; exit 3');
    const f = await conn.ok('background_status', { id: failed.id });
    expect(f.data).toMatchObject({ status: 'failed', exit_code: 3, ports: [], env_set: [] });
    expect(textOf(f)).toContain('\nlast exit: exit code 3\n');
    expect(textOf(f)).toContain("\nenv: nothing set (the caller's environment)\n");
    expect(textOf(f)).toMatch(/\nstarted: \d\d:\d\d:\d\dZ \([^)]*\), ended: \d\d:\d\d:\d\dZ \([^)]*\)$/);
    await conn.ok('background_kill', { id: server.id, grace: 1 });
    expect(textOf(await conn.ok('background_status', { id: server.id }))).toContain('\nlast exit: signal SIGTERM\n');
  });

  it("shows the health check's last failure once it passes, and each restart with its reason", async () => {
    // Its check fails until the line comes.
    const late = await spawn({ command: 'sleep 1.2; echo ready; exec sleep 30', wait_for: { log: 'ready' }, timeout: 15 });
    const healthy = await conn.ok('background_status', { id: late.id });
    expect(healthy.data.health).toBe('healthy');
    expect(textOf(healthy)).toContain('\nhealth: healthy (log:/ready/); last failure: no line matching /ready/ yet\n');
    await conn.ok('background_kill', { id: late.id, grace: 1 });

    // It fails once the policy is set, not before.
    const go = join(folder, 'go');
    const crash = await spawn({ command: `until [ -e ${go} ]; do sleep 0.05; done; echo crash >&2; exit 1` });
    await conn.ok('background_monitor', { ids: [crash.id], restart_on_failure: true });
    writeFileSync(go, '');
    const restarted = await waitFor(async () => {
      const r = await conn.ok('background_status', { id: crash.id });
      return r.data.restarts >= 1 ? r : null;
    }, 'a restart on failure', 20_000);
    expect(textOf(restarted)).toMatch(/\nrestarts: \d \(policy on-failure, at most 5\): \d\d:\d\d:\d\dZ \([^)]+\) [^\n]*exit 1/);
    await conn.ok('background_kill', { id: crash.id, grace: 1 });
  }, 60_000);
});
