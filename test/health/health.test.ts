/**
 * Health checks through the daemon: failures during `start_period` do not count, and
 * `socket:` passes once something accepts connections on that Unix socket.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

const untilHealth = (name: string, health: string, what: string, ms = 10_000) =>
  waitFor(async () => {
    const t = await cliJson(home, ['status', name]);
    return t.health === health ? t : null;
  }, what, ms, 30);

describe('health checks', () => {
  it('does not count failures during start_period', async () => {
    const go = join(home, 'go');
    const file = join(home, 'corral.yaml');
    // Each check notes that it ran, and fails until the test says go.
    const check = (name: string, startPeriod: string) =>
      `{ exec: "echo x >> ${join(home, name)}; test -e ${go}", interval: 50ms, retries: 1, start_period: ${startPeriod} }`;
    writeFileSync(
      file,
      `name: h
tasks:
  patient: { command: sleep 30, health: ${check('patient', '30s')} }
  strict: { command: sleep 30, health: ${check('strict', '0s')} }
`,
    );
    expect((await cli(home, ['orchestrate', '-f', file])).code).toBe(0);
    const calls = (name: string) => (existsSync(join(home, name)) ? readFileSync(join(home, name), 'utf8').split('\n').length - 1 : 0);
    await waitFor(() => calls('patient') >= 3 && calls('strict') >= 3, 'checks to have failed');
    // Two failed checks of each are over: one was enough to make the strict task unhealthy.
    const tasks = await cliJson<any[]>(home, ['ls']);
    expect(tasks.map((t) => [t.name, t.health])).toEqual([
      ['patient', 'unknown'],
      ['strict', 'unhealthy'],
    ]);
    writeFileSync(go, '');
    await untilHealth('patient', 'healthy', 'patient to pass');
  });

  it('passes a socket: check once the socket accepts connections', async () => {
    const sock = join(home, 'api.sock');
    const file = join(home, 'corral.yaml');
    const server = `require('net').createServer().listen(process.argv[1])`;
    writeFileSync(
      file,
      `name: s
tasks:
  api:
    command: sleep 0.5; exec node -e "${server}" ${sock}
    health: { socket: "${sock}", interval: 100ms }
  client:
    command: sleep 30
    depends_on: { api: healthy }
`,
    );
    const up = await cli(home, ['orchestrate', '-f', file, '--wait-healthy', '--timeout', '15s']);
    expect(up.code, up.stderr).toBe(0);
    const tasks = await cliJson<any[]>(home, ['ls']);
    expect(tasks.map((t) => [t.name, t.status, t.health])).toEqual([
      ['api', 'running', 'healthy'],
      ['client', 'running', null],
    ]);
    // The client started only once the socket answered.
    const { mtimeMs } = statSync(sock);
    expect(Date.parse(tasks[1].startedAt)).toBeGreaterThanOrEqual(Math.floor(mtimeMs));
    rmSync(sock, { force: true });
  });
});
