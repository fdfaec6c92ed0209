/**
 * A stop of many trees at once: the daemon hears each command's end from its monitor and
 * looks at /proc only to see each tree gone. Every task still ends with its own reason,
 * journaled once, and nothing of any tree is left when `kill --all` returns.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, liveProcesses, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
}, 60_000);

const COUNT = 40;
/** Its command goes on SIGTERM; a child that ignores SIGTERM stays until the grace's SIGKILL. */
const STUBBORN = `sh -c '(trap "" TERM; exec sleep 600) & exec sleep 600'`;

const taskProcesses = (home: string) => liveProcesses((env) => env.includes(`CORRAL_HOME=${home}\0`) && env.includes('CORRAL_TASK_TOKEN='));

describe('a stop of many trees at once', () => {
  it('sees every tree gone, and records each end once, with its reason', async () => {
    const file = join(home, 'many.yaml');
    // The stubborn ones wait out a short grace; the others a long one, which a loaded machine does not run out.
    const tasks = Array.from({ length: COUNT }, (_, i) =>
      i % 4 === 0 ? `  t${i}:\n    command: ${JSON.stringify(STUBBORN)}\n    stop: { grace: 300ms }\n` : `  t${i}:\n    command: sleep 600\n    stop: { grace: 60s }\n`,
    );
    writeFileSync(file, `name: many\ntasks:\n${tasks.join('')}`);
    expect((await cli(home, ['orchestrate', '-f', file])).code).toBe(0);
    await waitFor(async () => (await cliJson<any[]>(home, ['ls'])).filter((t) => t.status === 'running').length === COUNT, 'every task running', 60_000);
    // Each stubborn tree has its TERM-ignoring child before the stop.
    await waitFor(() => taskProcesses(home).length === COUNT + COUNT / 4, 'every process of every tree', 30_000);

    const stopped = await cliJson<any[]>(home, ['kill', '--all']);
    // kill --all returns once no process of any tree is left.
    expect(taskProcesses(home)).toEqual([]);
    expect(stopped).toHaveLength(COUNT);
    const byName = new Map(stopped.map((t) => [t.name, t]));
    for (let i = 0; i < COUNT; i++) {
      const t = byName.get(`t${i}`);
      expect([t.status, t.reason]).toEqual(['killed', i % 4 === 0 ? 'SIGKILL after 300ms grace' : 'SIGTERM']);
      expect(t.endedAt).toBeTruthy();
    }

    // The journal has each task stopping, then killed, once each, in that order.
    const states = readFileSync(join(home, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .filter((e) => e.type === 'state');
    for (const t of stopped) {
      expect(states.filter((e) => e.id === t.id && ['stopping', 'killed'].includes(e.status)).map((e) => e.status)).toEqual(['stopping', 'killed']);
    }
  }, 240_000);
});
