/**
 * background_list's window through the SDK's real Client: live tasks and those that ended
 * in the last hour (at most 20), the rest named and reachable with all: true. End times
 * are back-dated in the state file while the daemon is stopped, as a later start reads them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration } from '../../machines/duration.js';
import { cleanupHome, cli, makeHome, ROOT } from '../helpers.js';
import { McpConnection, textOf } from './client.js';

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

const HOUR = 60 * 60 * 1000;
const ids = (r: { data?: any }) => r.data.tasks.map((t: any) => t.id);

/** Rewrites the state file with the daemon stopped; the next call starts a daemon that reads it. */
async function editState(edit: (tasks: Record<string, any>) => void): Promise<void> {
  expect((await cli(home, ['daemon', 'stop'])).code).toBe(0);
  const file = join(home, 'state.json');
  const state = JSON.parse(readFileSync(file, 'utf8'));
  edit(state.tasks);
  writeFileSync(file, JSON.stringify(state));
}

describe('background_list', () => {
  it('shows live tasks and recent ended ones with cwd and run time; older ones only with all: true', async () => {
    const spawn = async (args: Record<string, unknown>) => (await conn.ok('background_spawn', args)).data;
    const old = await spawn({ command: 'echo old', wait_for: { exit: true } });
    const recent = await spawn({ command: 'sleep 0.3', name: 'nap', wait_for: { exit: true } });
    await editState((tasks) => {
      tasks[old.id].startedAt = new Date(Date.now() - 2 * HOUR - 5_000).toISOString();
      tasks[old.id].endedAt = new Date(Date.now() - 2 * HOUR).toISOString();
    });
    const live = await spawn({ command: 'sleep 30' });

    const r = await conn.ok('background_list');
    expect(ids(r)).toEqual([recent.id, live.id]);
    expect(r.data.left_out).toBe(1);
    const lines = textOf(r).split('\n');
    expect(lines[0]).toBe('2 tasks: 1 live, 1 ended');
    const ran = r.data.tasks[0].uptime_ms;
    expect(ran).toBeGreaterThanOrEqual(250);
    expect(lines[1]).toMatch(new RegExp(`^${recent.id} nap: completed: exit 0, ran ${formatDuration(ran)}, ended \\d\\d:\\d\\d:\\d\\dZ \\([^)]+\\) · cwd ${ROOT.replace(/\/$/, '')} · sleep 0.3$`));
    expect(lines[2]).toMatch(new RegExp(`^${live.id}: running, pid ${live.pid}, up [^·]+ · cwd ${ROOT.replace(/\/$/, '')} · sleep 30$`));
    expect(lines[3]).toBe(`left out: 1 ended task (1 ended over an hour ago): ${old.id}; all: true lists them, background_remove {ended: true} forgets them`);
    expect(lines).toHaveLength(4);

    const all = await conn.ok('background_list', { all: true });
    expect(ids(all)).toEqual([old.id, recent.id, live.id]);
    expect(all.data.left_out).toBe(0);
    expect(textOf(all)).toMatch(new RegExp(`\\n${old.id}: completed: exit 0, ran 5s, ended [^(]+\\(2h00m ago\\) · cwd `));

    // status narrows the list (one status or several); the window still applies to ended tasks.
    expect(ids(await conn.ok('background_list', { status: 'running' }))).toEqual([live.id]);
    expect(ids(await conn.ok('background_list', { status: ['completed'] }))).toEqual([recent.id]);
    expect(ids(await conn.ok('background_list', { status: ['completed', 'running'], all: true }))).toEqual([old.id, recent.id, live.id]);
    const bad = await conn.call('background_list', { status: 'done' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/^status: "done" is not a status \(queued, .*killed\)$/);
    await conn.ok('background_kill', { id: live.id, grace: 1 });
  }, 60_000);

  it('lists at most the 20 latest ended tasks, and says which it left out', async () => {
    await conn.ok('background_remove', { ended: true });
    const done = (await conn.ok('background_spawn', { command: 'true', wait_for: { exit: true } })).data;
    // Copies of it: 24 that ended in the last hour, each a minute before the one before, and one two hours ago.
    const copies: string[] = [];
    await editState((tasks) => {
      for (let i = 0; i < 25; i++) {
        const id = `bash_${100 + i}`;
        copies.push(id);
        tasks[id] = { ...tasks[done.id], id, endedAt: new Date(Date.now() - (i < 24 ? (i + 1) * 60_000 : 2 * HOUR)).toISOString() };
      }
    });
    const r = await conn.ok('background_list', { status: 'completed' });
    expect(ids(r)).toHaveLength(20);
    expect(ids(r)).toContain(done.id);
    expect(ids(r)).toEqual(expect.arrayContaining(copies.slice(0, 19)));
    const leftOut = textOf(r).split('\n').at(-1)!;
    // The rest: five copies beyond the 20 latest, and the one that ended two hours ago.
    expect(r.data.left_out).toBe(6);
    expect(leftOut).toMatch(/^left out: 6 ended tasks \(5 beyond the 20 latest, 1 ended over an hour ago\): /);
    expect(leftOut).toContain(copies.slice(19).join(', '));
    await conn.ok('background_remove', { ended: true });
    expect(textOf(await conn.ok('background_list'))).toBe('no tasks');
  }, 60_000);
});
