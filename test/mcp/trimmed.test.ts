/** background_output on a capped log: a read from a released offset starts at the kept start and says what the cap took. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';
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

describe('a read behind the log cap', () => {
  it('says in text and data how many bytes were released, and reads from the first kept byte', async () => {
    const id = (await cli(home, ['run', '--log-max-size', '1M', '--', 'seq -w 1 500000'])).stdout.trim();
    await waitFor(async () => (await cliJson(home, ['status', id])).status === 'completed', 'the task to end', 20_000, 50);
    const r = await conn.ok('background_output', { id, since: 0, stream: 'stdout', max_bytes: 64 });
    const kept = r.data.from.stdout;
    expect(kept).toBeGreaterThan(0);
    expect(r.data.trimmed).toEqual({ stdout: kept });
    expect(textOf(r)).toMatch(new RegExp(`\\[\\.\\.\\. [\\d.]+ [KM]B before byte ${kept} were released by the log cap and cannot be read\\]`));
    // From an offset after the kept start, nothing was lost.
    const later = await conn.ok('background_output', { id, since: kept + 7, stream: 'stdout', max_bytes: 64 });
    expect(later.data.trimmed).toBeUndefined();
  });
});
