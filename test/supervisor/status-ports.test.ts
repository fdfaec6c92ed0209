/**
 * `status` lists the ports of the task's processes without a scan of the whole of /proc:
 * through the sampler, which knows the tree at its last tick and looks at the processes
 * born since. A server a task's shell starts after the task's first sample is found.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(() => cleanupHome(home));

describe('status ports', () => {
  it('lists the port of a server born into the tree after the task started', async () => {
    // The shell stays the parent: python is its child, born a second after the start.
    const id = (await cli(home, ['run', '--', 'sh -c "sleep 1; python3 -m http.server 0 --bind 127.0.0.1; true"'])).stdout.trim();
    const details = await waitFor(async () => {
      const d = await cliJson<any>(home, ['status', id]);
      return d.ports.length > 0 ? d : null;
    }, 'the server port in status', 20_000, 200);
    expect(details.ports).toHaveLength(1);
    expect(details.ports[0]).toBeGreaterThan(1024);
    // The port is the server's: what the machine's socket table says it holds.
    const ports = await cli(home, ['ports', '--json']);
    expect(ports.stdout).toContain(String(details.ports[0]));
    expect((await cli(home, ['kill', id])).code).toBe(0);
  }, 40_000);
});
