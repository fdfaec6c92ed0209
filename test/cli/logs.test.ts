/** `logs --filter` over a whole log, `--filter --tail` (grep | tail) and `--tail` with `--offset`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, FIXTURES, makeHome, waitFor } from '../helpers.js';

let home: string;
let log: string;
beforeAll(async () => {
  home = makeHome();
  await cli(home, ['run', '--', 'node', join(FIXTURES, 'test-run.js')]);
  await waitFor(async () => (await cliJson(home, ['status', 'bash_1'])).status === 'failed', 'the test run to end');
  log = readFileSync(join(home, 'logs/bash_1/stdout.log'), 'utf8');
}, 30_000);
afterAll(async () => {
  await cleanupHome(home);
});

const FAILS = ['FAIL test 1200: expected 200, got 500', 'FAIL test 3100: expected 200, got 500', 'FAIL test 4990: expected 200, got 500'];

describe('logs --filter', () => {
  it('finds every matching line of the whole log, even with a small --max-bytes', async () => {
    expect(Buffer.byteLength(log)).toBeGreaterThan(150_000);
    expect((await cli(home, ['logs', 'bash_1', '--stream', 'stdout', '--filter', 'FAIL'])).stdout).toBe(FAILS.join('\n') + '\n');
    const page = await cliJson(home, ['logs', 'bash_1', '--stream', 'stdout', '--filter', 'FAIL', '--max-bytes', '200']);
    expect(page.stdout).toMatchObject({ data: FAILS.join('\n') + '\n', from: 0, next: Buffer.byteLength(log), omitted: 0 });
  });

  it('with --tail N gives the last N matching lines (grep | tail)', async () => {
    const two = await cli(home, ['logs', 'bash_1', '--stream', 'stdout', '--filter', 'FAIL', '--tail', '2']);
    expect([two.code, two.stdout, two.stderr]).toEqual([0, FAILS.slice(1).join('\n') + '\n', '']);
    const json = await cliJson(home, ['logs', 'bash_1', '--stream', 'stdout', '--filter', 'FAIL', '--tail', '2']);
    expect(json.stdout.from).toBe(Buffer.byteLength(log.slice(0, log.indexOf(FAILS[1]!))));
  });
});

describe('logs --tail with --offset', () => {
  it('gives the last lines of the range from the offset, never a line before it', async () => {
    const lines = log.split('\n').slice(0, -1);
    const offset = Buffer.byteLength(lines.slice(0, -3).join('\n') + '\n');
    const three = await cli(home, ['logs', 'bash_1', '--stream', 'stdout', '--offset', String(offset), '--tail', '2']);
    expect([three.code, three.stdout, three.stderr]).toEqual([0, lines.slice(-2).join('\n') + '\n', '']);
    const all = await cli(home, ['logs', 'bash_1', '--stream', 'stdout', '--offset', String(offset), '--tail', '50']);
    expect(all.stdout).toBe(lines.slice(-3).join('\n') + '\n');
    // With a filter: the last matching lines after the offset.
    const after = await cli(home, ['logs', 'bash_1', '--stream', 'stdout', '--offset', String(log.indexOf(FAILS[1]!) + 1), '--filter', 'FAIL', '--tail', '5']);
    expect(after.stdout).toBe(`${FAILS[2]}\n`);
  });
});
