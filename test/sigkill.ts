/**
 * Kills a home's daemon with SIGKILL, as an OOM killer or a crash would, and returns once
 * it is really gone: its main thread turns zombie before its other threads have exited, and
 * until they have, its socket still accepts connections it will never answer.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { cliJson, isRunning, waitFor } from './helpers.js';

const refused = (socket: string) =>
  new Promise<boolean>((resolve) => {
    const s = connect(socket);
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

export async function sigkillDaemon(home: string): Promise<number> {
  const { pid } = await cliJson(home, ['daemon', 'status']);
  process.kill(pid, 'SIGKILL');
  await waitFor(async () => !isRunning(pid) && (await refused(join(home, 'corral.sock'))), 'the daemon to be gone');
  return pid;
}
