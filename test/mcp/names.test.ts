/**
 * Names scoped to their environment, through the MCP tools: env/name reaches a task of an
 * environment, a bare name that two environments have is a tool error with the candidates.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, makeHome, waitFor } from '../helpers.js';
import { McpConnection, streamData, textOf } from './client.js';

let home: string;
let conn: McpConnection;
beforeEach(async () => {
  home = makeHome();
  conn = await McpConnection.open(home);
});
afterEach(async () => {
  await conn?.close();
  await cleanupHome(home);
});

describe('MCP tools and scoped names', () => {
  it('reaches env/name, refuses an ambiguous bare name with its candidates, and lists env/name', async () => {
    for (const env of ['dev', 'other']) {
      await conn.ok('background_orchestrate', { name: env, tasks: [{ name: 'web', command: `echo ${env}-web; sleep 30` }], wait_healthy: false });
    }
    const ambiguous = await conn.call('background_output', { id: 'web' });
    expect(ambiguous.isError).toBe(true);
    expect(textOf(ambiguous)).toMatch(/^"web" names several tasks: dev\/web \(bash_1, \w+\), other\/web \(bash_2, \w+\); give env\/name or the id$/);

    const page = await waitFor(async () => {
      const r = await conn.ok('background_output', { id: 'other/web', since: 0 });
      return streamData(r, 'stdout') === 'other-web\n' ? r : null;
    }, 'other/web output');
    expect(page.data.id).toBe('bash_2');
    expect(textOf(await conn.ok('background_list'))).toMatch(/\nbash_1 dev\/web: \w+[^]*\nbash_2 other\/web: running/);

    const killed = await conn.ok('background_kill', { id: 'dev/web', grace: 1 });
    expect(killed.data.tasks.map((t: any) => [t.id, t.status])).toEqual([['bash_1', 'killed']]);
    expect((await conn.ok('background_list')).data.tasks.map((t: any) => [t.id, t.env, t.name, t.status])).toEqual([
      ['bash_1', 'dev', 'web', 'killed'],
      ['bash_2', 'other', 'web', 'running'],
    ]);
  }, 60_000);

  it('refuses an inline task or environment name that could not be told apart or would cross a scope', async () => {
    for (const [args, message] of [
      [{ name: 'dev', tasks: [{ name: 'a/b', command: 'sleep 30' }] }, /"a\/b" is not a task name/],
      [{ name: 'dev', tasks: [{ name: 'bash_7', command: 'sleep 30' }] }, /cannot look like a task id/],
      [{ name: 'x/y', tasks: [{ name: 'web', command: 'sleep 30' }] }, /"x\/y" is not an environment name/],
    ] as const) {
      const r = await conn.call('background_orchestrate', { ...args, wait_healthy: false });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(message);
    }
    expect((await conn.ok('background_list')).data.tasks).toEqual([]);
  }, 60_000);
});
