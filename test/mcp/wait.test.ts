/**
 * background_wait through the SDK's real Client over stdio. The reply cap is set to a few
 * seconds (CORRAL_MCP_WAIT_CAP) so that "a line that comes after the cap" takes seconds, not
 * minutes: the first reply is `waiting` with a resume token, and the resumed call finds the
 * line with nothing lost between the calls, while the task keeps writing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, FIXTURES, makeHome, waitFor } from '../helpers.js';
import { McpConnection, textOf, type ToolResult } from './client.js';

const CAP_MS = 2_500;

let home: string;
let conn: McpConnection;

beforeAll(async () => {
  home = makeHome();
  conn = await McpConnection.open(home, 'wait-test', { CORRAL_MCP_WAIT_CAP: `${CAP_MS}ms` });
});

afterAll(async () => {
  await conn?.close();
  await cleanupHome(home);
});

const stdoutLog = (id: string) => readFileSync(join(home, 'logs', id, 'stdout.log'), 'utf8');

async function spawn(command: string): Promise<string> {
  return (await conn.ok('background_spawn', { command })).data.id;
}

/** A call with progress notifications counted. */
async function waitCall(args: Record<string, unknown>): Promise<{ r: ToolResult; ms: number; progress: number }> {
  let progress = 0;
  const t0 = Date.now();
  const r = await conn.call('background_wait', args, { onprogress: () => progress++ });
  return { r, ms: Date.now() - t0, progress };
}

describe('background_wait', () => {
  it('returns waiting with a resume token at the cap, then the line that came after it, none lost', async () => {
    const trigger = join(home, 'go-1');
    const id = await spawn(`node ${join(FIXTURES, 'ticker.js')} 20 ${trigger}`);
    setTimeout(() => writeFileSync(trigger, ''), 4_000);

    const first = await waitCall({ id, until: 'log:^READY', timeout: 60 });
    expect(first.r.isError).toBeFalsy();
    expect(first.r.data).toMatchObject({ id, waiting: true, reached: false, timed_out: false });
    expect(first.ms).toBeGreaterThanOrEqual(CAP_MS - 100);
    expect(first.ms).toBeLessThan(CAP_MS + 2_000);
    expect(first.progress).toBeGreaterThan(0);
    const token = first.r.data.resume as string;
    expect(textOf(first.r)).toContain(`resume: "${token}"`);
    expect(textOf(first.r)).toMatch(/^bash_\d+ \(running.*\): not yet log:\^READY after/);
    // Everything the task wrote up to the stop was searched, to a line's start.
    const searched = first.r.data.searched;
    expect(searched.stdout).toBeGreaterThan(0);
    expect(stdoutLog(id).slice(0, searched.stdout)).toMatch(/\n$/);

    let reply = first.r;
    let calls = 1;
    while (reply.data.waiting) {
      reply = (await waitCall({ resume: reply.data.resume })).r;
      calls++;
    }
    expect(calls).toBeGreaterThanOrEqual(2);
    const log = stdoutLog(id);
    const offset = log.indexOf('READY after tick');
    expect(reply.data).toMatchObject({ reached: true, waiting: false, match_stream: 'stdout', match_offset: offset });
    expect(textOf(reply)).toMatch(new RegExp(`a line matches /\\^READY/ \\(stdout, byte ${offset}\\):\\n {2}READY after tick \\d+`));
    // The structured content carries offsets, not the line again.
    expect(JSON.stringify(reply.data)).not.toContain('READY after');
  }, 30_000);

  it('finds a line written exactly between two calls', async () => {
    const trigger = join(home, 'go-2');
    const id = await spawn(`node ${join(FIXTURES, 'ticker.js')} 20 ${trigger}`);
    const first = await waitCall({ id, until: 'log:^READY', timeout: 60 });
    expect(first.r.data.waiting).toBe(true);
    // Between the calls: the line is written, and ticks go on after it.
    writeFileSync(trigger, '');
    await waitFor(() => /READY after tick \d+\n(tick \d+\n){5}/.test(stdoutLog(id)), 'the line and more ticks after it');
    const second = await waitCall({ resume: first.r.data.resume });
    expect(second.r.data).toMatchObject({ reached: true, match_offset: stdoutLog(id).indexOf('READY after') });
    expect(second.ms).toBeLessThan(CAP_MS);
  }, 30_000);

  it('gives the exit code with the first error line and the last stderr lines', async () => {
    const id = await spawn(`sh -c 'echo building; echo "panic: nil map" >&2; echo "goroutine 1" >&2; exit 2'`);
    const { r } = await waitCall({ id, until: 'exit' });
    expect(r.isError).toBeFalsy();
    expect(r.data).toMatchObject({ reached: false, waiting: false, timed_out: false, exit_code: 2, error_stream: 'stderr', error_offset: 0 });
    expect(textOf(r)).toBe(`${id} failed: exit 2\nfirst error line (stderr, byte 0): panic: nil map\nlast lines of stderr:\n  panic: nil map\n  goroutine 1\nlast lines of stdout:\n  building`);
  });

  it('ends at the timeout, however many resumes it took, with the last lines', async () => {
    const id = await spawn('sh -c "echo only line; sleep 30"');
    let reply = (await waitCall({ id, until: 'port:1', timeout: 3 })).r;
    while (reply.data.waiting) reply = (await waitCall({ resume: reply.data.resume })).r;
    expect(reply.data).toMatchObject({ reached: false, timed_out: true, waiting: false, ports: [] });
    expect(textOf(reply)).toMatch(/^timed out waiting for bash_\d+ \(running\) after .* \(until port:1\)\n/);
    expect(textOf(reply)).toContain('  only line');
  }, 20_000);

  it('refuses a bad token, a token with another condition, and a bad until, in one sentence', async () => {
    const id = await spawn('sleep 30');
    for (const resume of ['nonsense', 'w1.e30', `w1.${Buffer.from(JSON.stringify({ id: 'bash_1', until: 'lunch', deadline: 1 })).toString('base64url')}`]) {
      const r = await conn.call('background_wait', { resume });
      expect(r.isError, resume).toBe(true);
      expect(textOf(r)).toMatch(/^resume: this is not a token background_wait gave: [^.]*$/);
    }
    const first = await waitCall({ id, until: 'log:x', timeout: 10 });
    const other = await conn.call('background_wait', { resume: first.r.data.resume, until: 'exit' });
    expect(textOf(other)).toMatch(/^until: the token waits until log:x: /);
    const bad = await conn.call('background_wait', { id, until: 'port:0' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toBe('until: "0" is not a TCP port (1-65535)');
    expect(textOf(await conn.call('background_wait', { until: 'exit' }))).toMatch(/^id: give the task to wait for/);
  }, 20_000);
});
