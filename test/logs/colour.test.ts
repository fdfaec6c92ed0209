/** Colour: `run --color` makes programs colour their output in the log; `logs --strip-ansi` prints it without escapes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(() => cleanupHome(home));

const script = `printf '%s %s\\n' "\${FORCE_COLOR:-none}" "\${CLICOLOR_FORCE:-none}"; printf '\\033[1;31mred\\033[0m \\033]0;title\\007plain\\n'`;

async function ran(args: string[]): Promise<string> {
  const id = (await cli(home, ['run', ...args, '--', script])).stdout.trim();
  await waitFor(async () => (await cliJson(home, ['status', id])).status === 'completed', 'the task to end');
  return id;
}

describe('colour', () => {
  it('sets FORCE_COLOR and CLICOLOR_FORCE with --color, and only then', async () => {
    const coloured = await ran(['--color']);
    const plain = await ran([]);
    expect((await cli(home, ['logs', coloured, '--stream', 'stdout'])).stdout.split('\n')[0]).toBe('1 1');
    expect((await cli(home, ['logs', plain, '--stream', 'stdout'])).stdout.split('\n')[0]).toBe('none none');
    expect(await cliJson(home, ['status', coloured])).toMatchObject({ color: true, logMaxBytes: null });
    expect((await cli(home, ['status', coloured])).stdout).toMatch(/\ncolor +FORCE_COLOR=1 CLICOLOR_FORCE=1\n/);
    expect((await cli(home, ['status', plain])).stdout).not.toMatch(/\ncolor /);
  });

  it('keeps escapes in the log and removes every one with --strip-ansi, in text and JSON', async () => {
    const id = await ran(['--color']);
    const raw = await cli(home, ['logs', id, '--stream', 'stdout']);
    expect(raw.stdoutBytes.includes(0x1b)).toBe(true);
    const stripped = await cli(home, ['logs', id, '--stream', 'stdout', '--strip-ansi']);
    expect(stripped.stdoutBytes.includes(0x1b)).toBe(false);
    expect(stripped.stdout).toBe('1 1\nred plain\n');
    const json = await cliJson(home, ['logs', id, '--stream', 'stdout', '--strip-ansi']);
    expect(json.stdout.data).toBe('1 1\nred plain\n');
  });
});
