/**
 * Sessions through MCP: a spawned task belongs to the session named in the call, else to
 * the client (by name); `keep` marks it to outlive its session; background_list narrows
 * by session, by this client's own (`mine`) and by project.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cliJson, makeHome } from '../helpers.js';
import { McpConnection, textOf } from './client.js';

let home: string;
let conns: McpConnection[] = [];
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  for (const c of conns) await c.close();
  conns = [];
  await cleanupHome(home);
});

const open = async (name: string) => {
  const c = await McpConnection.open(home, name);
  conns.push(c);
  return c;
};

describe('MCP sessions', () => {
  it('gives spawned tasks their session and keep, and lists by session, mine and project', async () => {
    const project = join(home, 'app');
    mkdirSync(join(project, '.git'), { recursive: true });
    mkdirSync(join(project, 'src'));
    const one = await open('agent-one');
    const two = await open('agent-two');
    await one.ok('background_spawn', { command: 'sleep 300' });
    await one.ok('background_spawn', { command: 'sleep 300', session: 'abc123', keep: true, cwd: project });
    await two.ok('background_spawn', { command: 'sleep 300', cwd: join(project, 'src') });

    expect((await cliJson<any[]>(home, ['ls'])).map(({ id, session, project: p, keep }) => [id, session, p, keep])).toEqual([
      ['bash_1', 'agent-one', expect.any(String), false],
      ['bash_2', 'abc123', project, true],
      ['bash_3', 'agent-two', project, false],
    ]);

    const ids = async (c: McpConnection, args: Record<string, unknown>) => (await c.ok('background_list', args)).data.tasks.map((t: any) => t.id);
    expect(await ids(one, { mine: true })).toEqual(['bash_1']);
    expect(await ids(two, { mine: true })).toEqual(['bash_3']);
    expect(await ids(two, { session: 'abc123' })).toEqual(['bash_2']);
    expect(await ids(one, { project: join(project, 'src') })).toEqual(['bash_2', 'bash_3']);
    expect(await ids(one, { project, mine: true })).toEqual([]);

    const both = await one.call('background_list', { mine: true, session: 'abc123' });
    expect(both.isError).toBe(true);
    expect(textOf(both)).toBe('mine: give mine or session, not both');
  }, 60_000);
});
