/**
 * background_monitor reads the event journal through a cursor the daemon keeps per client
 * name: a restarted server (or a restarted daemon) repeats nothing and misses nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, makeHome } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';
import { McpConnection, textOf } from './client.js';

let home: string;
let conn: McpConnection | null = null;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await conn?.close();
  conn = null;
  await cleanupHome(home);
});

/** A server for the client `agent`, as a new session of the same agent starts one. */
async function restartServer(): Promise<McpConnection> {
  await conn?.close();
  conn = await McpConnection.open(home, 'agent');
  return conn;
}

/** Runs `command` until it exits (its exit is journaled by then); returns its id. */
async function exited(c: McpConnection, command: string): Promise<string> {
  const r = await c.ok('background_spawn', { command, wait_for: { exit: true } });
  expect(r.data.status).toMatch(/^(completed|failed)$/);
  return r.data.id;
}

describe('background_monitor across restarts', () => {
  // Three servers, a daemon killed and started again: a minute on a loaded machine.
  it('gives each exit once to a client name, whatever restarts in between', { timeout: 60_000 }, async () => {
    let c = await restartServer();
    const first = await exited(c, 'exit 3');
    const seen = await c.ok('background_monitor');
    expect(seen.data.events).toEqual([{ seq: expect.any(Number), kind: 'exit', id: first, status: 'failed', exit_code: 3 }]);
    expect(textOf(seen)).toMatch(new RegExp(`^watching 1 task; 1 event since the last call\\n.* ${first} failed: exit 3$`));

    // A new server of the same client: nothing again.
    c = await restartServer();
    const again = await c.ok('background_monitor');
    expect(again.data).toMatchObject({ events: [], more: false });
    expect(textOf(again)).toBe('watching 1 task; nothing new since the last call');

    // What ends while the agent is away, the daemon killed and started again in between, comes next, once.
    const second = await exited(c, 'exit 5');
    await conn!.close();
    conn = null;
    await sigkillDaemon(home);
    c = await restartServer();
    const next = await c.ok('background_monitor');
    expect(next.data.events.map((e: any) => [e.id, e.kind, e.exit_code])).toEqual([[second, 'exit', 5]]);
    expect((await c.ok('background_monitor')).data.events).toEqual([]);

    // Another client name has a cursor of its own: it starts with the latest events.
    const other = await McpConnection.open(home, 'someone-else');
    try {
      const theirs = await other.ok('background_monitor');
      expect(theirs.data.events.map((e: any) => e.id)).toEqual([first, second]);
    } finally {
      await other.close();
    }
  });
});
