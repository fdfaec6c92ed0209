/**
 * `daemon stop` returns once the daemon is gone, not when it answers: a daemon that
 * replies and is still exiting would meet the next command. Played by a stand-in
 * daemon on the home's socket, which ends the connection when it chooses.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { stopDaemon } from '../../src/client/daemon-control.js';
import { homePaths } from '../../src/home.js';
import { makeHome } from '../helpers.js';

let server: Server | null = null;
let home = '';

afterEach(() => {
  server?.close();
  server = null;
  rmSync(home, { recursive: true, force: true });
});

/** Answers `shutdown` at once and ends the connection `exitAfterMs` later, as an exiting daemon does. */
function standIn(socketPath: string, exitAfterMs: number): Promise<{ endedAt: () => number }> {
  let ended = 0;
  server = createServer((socket: Socket) => {
    socket.setEncoding('utf8');
    socket.on('data', (line: string) => {
      const { id } = JSON.parse(line);
      socket.write(`${JSON.stringify({ jsonrpc: '2.0', id, result: { stopped: ['bash_1'] } })}\n`);
      setTimeout(() => {
        ended = Date.now();
        socket.destroy();
      }, exitAfterMs);
    });
  });
  return new Promise((resolve) => server!.listen(socketPath, () => resolve({ endedAt: () => ended })));
}

describe('stopDaemon', () => {
  it('resolves once the daemon has ended its connection, not when it answers', async () => {
    home = makeHome();
    const paths = homePaths(home);
    const daemon = await standIn(paths.socket, 300);
    const result = await stopDaemon(paths);
    expect(result).toEqual({ stopped: ['bash_1'], started: false });
    expect(daemon.endedAt()).toBeGreaterThan(0);
    expect(Date.now()).toBeGreaterThanOrEqual(daemon.endedAt());
  });

  it('is null when no daemon runs and the home keeps no state', async () => {
    home = makeHome();
    expect(await stopDaemon(homePaths(home))).toBeNull();
  });
});
