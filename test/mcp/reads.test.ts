/**
 * Reads as an agent makes them on a 5,000-line test run with three failures: a filter
 * searches the whole log, filter + tail is grep | tail, tail after an offset, max_bytes
 * capped, cursors of one's own (`as`), and a spawn whose command failed leads with its end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, FIXTURES, makeHome } from '../helpers.js';
import { McpConnection, streamData, textOf } from './client.js';

let home: string;
let conn: McpConnection;
let id: string;
let spawned: Awaited<ReturnType<McpConnection['ok']>>;
let log: string;

const FAILS = [1200, 3100, 4990].map((n) => `FAIL test ${n}: expected 200, got 500`);

beforeAll(async () => {
  home = makeHome();
  conn = await McpConnection.open(home);
  spawned = await conn.ok('background_spawn', { command: `node ${join(FIXTURES, 'test-run.js')}`, wait_for: { exit: true } });
  id = spawned.data.id;
  log = readFileSync(join(home, 'logs', id, 'stdout.log'), 'utf8');
}, 30_000);

afterAll(async () => {
  await conn?.close();
  await cleanupHome(home);
});

describe('a spawn whose command failed', () => {
  it('leads with its exit, its first error lines and its last lines, each line once', () => {
    const text = textOf(spawned);
    const lines = text.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      expect.stringMatching(new RegExp(`^${id} finished in [\\d.]+m?s without success: failed: exit 1$`)),
      'first error line of stderr: marked » below',
      `first error line of stdout (byte ${Buffer.byteLength(log.slice(0, log.indexOf(FAILS[0]!)))}): ${FAILS[0]}`,
      'stderr:',
      '» Error: 3 tests failed',
      expect.stringMatching(/^last lines of stdout \(bytes \d+-187801 of 187801\):$/),
    ]);
    expect(lines.slice(6, 16)).toEqual(log.trimEnd().split('\n').slice(-10).map((l) => `  ${l}`));
    // Then the first output, in what room is left, and where the rest is.
    expect(text).toMatch(/\nfirst output of stdout \(bytes 0-\d+\):\n {2}ok 1 - handles input case 1 \.\n/);
    expect(text).toMatch(/\n\[\.\.\. [\d.]+ KB of stdout not shown, bytes \d+-\d+: background_output with since "new"/);
    // Every line once: none of the output lines above is shown twice.
    const shown = lines.filter((l) => /^[ »] /.test(l));
    expect(new Set(shown).size).toBe(shown.length);
    expect(text.split('Error: 3 tests failed')).toHaveLength(2);
    expect(Buffer.byteLength(text)).toBeLessThan(2500);
    expect(spawned.data).toMatchObject({ status: 'failed', exit_code: 1, ready: false, next: { stderr: 22 } });
    expect(spawned.data).not.toHaveProperty('stdout');
  });
});

describe('a filtered read', () => {
  it('finds the three FAIL lines among 5,000 in one call at the default max_bytes', async () => {
    expect(Buffer.byteLength(log)).toBeGreaterThan(180_000);
    const r = await conn.ok('background_output', { id, since: 0, stream: 'stdout', filter: 'FAIL' });
    expect(textOf(r)).toBe(`${id} failed (exit 1)\nstdout (lines matching /FAIL/ in bytes 0-187801 of 187801):\n${FAILS.join('\n')}`);
    expect(r.data).toMatchObject({ from: { stdout: 0 }, next: { stdout: 187801 }, omitted: { stdout: 0 } });
  });

  it('with tail: 2 gives the last two matching lines', async () => {
    const r = await conn.ok('background_output', { id, since: 0, stream: 'stdout', filter: 'FAIL', tail: 2 });
    expect(textOf(r).split('\n').slice(1)).toEqual([
      expect.stringMatching(/^stdout \(last lines matching \/FAIL\/, bytes \d+-187801 of 187801\):$/),
      FAILS[1],
      FAILS[2],
      expect.stringMatching(/^\[\.\.\. [\d.]+ KB before this omitted; read from offset 0 to see it\]$/),
    ]);
  });

  it('stops when the page is full and says where to go on', async () => {
    const r = await conn.ok('background_output', { id, since: 0, stream: 'stdout', filter: 'FAIL', max_bytes: 80 });
    const second = Buffer.byteLength(log.slice(0, log.indexOf(FAILS[2]!)));
    expect(textOf(r)).toContain(`${FAILS[0]}\n${FAILS[1]}\n[... the page is full: `);
    expect(textOf(r)).toContain(`not searched yet; read from offset ${second} with the same filter to go on]`);
  });
});

describe('a tail after an offset', () => {
  it('gives the last lines of that range', async () => {
    const lines = log.trimEnd().split('\n');
    const offset = Buffer.byteLength(lines.slice(0, -3).join('\n') + '\n');
    const r = await conn.ok('background_output', { id, since: offset, stream: 'stdout', tail: 2 });
    expect(streamData(r, 'stdout')).toBe(lines.slice(-2).join('\n') + '\n');
    const all = await conn.ok('background_output', { id, since: offset, stream: 'stdout', tail: 50 });
    expect(streamData(all, 'stdout')).toBe(lines.slice(-3).join('\n') + '\n');
  });
});

describe('max_bytes', () => {
  it('over the maximum is capped, with a note', async () => {
    const r = await conn.ok('background_output', { id, since: 0, stream: 'stdout', max_bytes: 5_000_000 });
    expect(textOf(r).split('\n')[1]).toBe('(max_bytes 5000000 is over the limit: capped at 1048576)');
    expect(streamData(r, 'stdout')).toBe(log);
  });
});

describe('cursors', () => {
  it('"as" gives a cursor of one’s own: two names read the same output independently', async () => {
    const a1 = await conn.ok('background_output', { id, stream: 'stdout', as: 'reviewer', max_bytes: 100 });
    const b1 = await conn.ok('background_output', { id, stream: 'stdout', as: 'tester', max_bytes: 300 });
    expect(a1.data.from.stdout).toBe(0);
    expect(b1.data.from.stdout).toBe(0);
    const a2 = await conn.ok('background_output', { id, stream: 'stdout', as: 'reviewer', max_bytes: 100 });
    expect(a2.data.from.stdout).toBe(a1.data.next.stdout);
    expect(streamData(a1, 'stdout') + streamData(a2, 'stdout')).toBe(log.slice(0, a2.data.next.stdout));
    const b2 = await conn.ok('background_output', { id, stream: 'stdout', as: 'tester', max_bytes: 100 });
    expect(b2.data.from.stdout).toBe(b1.data.next.stdout);
    // The client's own cursor (no `as`) is another still: spawn moved it past what it showed.
    const own = await conn.ok('background_output', { id, stream: 'stdout', max_bytes: 100 });
    expect(own.data.from.stdout).toBe(spawned.data.next.stdout);
    const bad = await conn.call('background_output', { id, as: 'two words' });
    expect([bad.isError, textOf(bad)]).toEqual([true, 'as: "two words" is not a cursor name (1-128 letters, digits, ".", "_", ":" or "-")']);
  });

  it('"as" on background_spawn reads its first output through that cursor', async () => {
    const r = await conn.ok('background_spawn', { command: 'echo one; echo two; sleep 30', wait_for: { log: '^two$' }, as: 'builder' });
    const spawnedId = r.data.id;
    expect(streamData(r, 'stdout')).toBe('one\ntwo\n');
    const theirs = await conn.ok('background_output', { id: spawnedId, as: 'builder' });
    expect(textOf(theirs)).toContain('nothing new on stdout or stderr (at bytes 8/0)');
    const mine = await conn.ok('background_output', { id: spawnedId });
    expect(streamData(mine, 'stdout')).toBe('one\ntwo\n');
    await conn.ok('background_kill', { id: spawnedId, grace: 1 });
  });

  it('says "nothing new" once for both streams, naming both', async () => {
    await conn.ok('background_output', { id, as: 'drain', max_bytes: 1024 * 1024 });
    const r = await conn.ok('background_output', { id, as: 'drain' });
    expect(textOf(r)).toBe(`${id} failed (exit 1)\nnothing new on stdout or stderr (at bytes 187801/22)`);
  });
});
