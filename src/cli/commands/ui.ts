/** `corral ui`: the interactive task manager (ink and react load only here). */
import { connectOrStart } from '../../client/daemon.js';
import { ReconnectingRpc } from '../../client/reconnecting.js';
import { RemoteSupervisor } from '../../client/remote.js';
import { usageError } from '../../errors.js';
import type { Context } from '../context.js';

export async function ui(ctx: Context): Promise<number> {
  if (ctx.json) throw usageError('corral ui is interactive: it has no --json output (use corral ls --json)');
  if (!process.stdin.isTTY || !process.stdout.isTTY) throw usageError('corral ui needs a terminal: run it with stdin and stdout on a TTY');
  // Started if need be, as every command does; after that, the UI follows the daemon
  // across restarts instead of failing with the connection it started with.
  const api = new RemoteSupervisor(new ReconnectingRpc(ctx.paths, await connectOrStart(ctx.paths)));
  try {
    const { loadUi } = await import('../../ui/load.js');
    const { runUi } = await loadUi();
    await runUi(api, { home: ctx.paths.home });
  } finally {
    api.close();
  }
  return 0;
}
