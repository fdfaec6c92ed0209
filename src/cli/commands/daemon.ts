import type { DaemonStatus } from '../../api.js';
import { existsSync, readFileSync } from 'node:fs';
import { connectIfRunning, connectOrStart } from '../../client/daemon.js';
import { RemoteSupervisor } from '../../client/remote.js';
import { readStat } from '../../process/procfs.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';
import { VERSION } from '../../version.js';

export async function daemonStart(ctx: Context): Promise<number> {
  const status = await (await ctx.api()).status();
  if (ctx.json) printJson(status);
  else process.stdout.write(`daemon running (pid ${status.pid}) for ${status.home}\n`);
  return 0;
}

export async function daemonStatus(ctx: Context): Promise<number> {
  const rpc = await connectIfRunning(ctx.paths);
  let status: DaemonStatus;
  if (rpc) {
    const remote = new RemoteSupervisor(rpc);
    status = await remote.status();
    remote.close();
  } else {
    status = { running: false, pid: null, home: ctx.paths.home, socket: ctx.paths.socket, startedAt: null, tasks: storedTaskCount(ctx.paths.state), version: VERSION };
  }
  if (ctx.json) printJson(status);
  else if (!status.running) process.stdout.write(`no daemon running for ${status.home}${status.tasks ? ` (its state keeps ${status.tasks} task${status.tasks === 1 ? '' : 's'})` : ''}\n`);
  else {
    const relocated = ctx.paths.socketRelocated ? ' (the home path is too long for a socket, so it lives here)' : '';
    process.stdout.write(
      `daemon running (pid ${status.pid}, version ${status.version}) since ${status.startedAt}\n` +
        `home    ${status.home}\nsocket  ${status.socket}${relocated}\ntasks   ${status.tasks}\n` +
        (status.launcher ? `starts  through ${status.launcher}\n` : ''),
    );
  }
  return 0;
}

export async function daemonStop(ctx: Context): Promise<number> {
  // With no daemon but a state file, tasks may still run (the daemon was killed): start one to stop them.
  const rpc = (await connectIfRunning(ctx.paths)) ?? (existsSync(ctx.paths.state) ? await connectOrStart(ctx.paths) : null);
  if (!rpc) {
    if (ctx.json) printJson({ stopped: [], running: false });
    else process.stdout.write(`no daemon running for ${ctx.paths.home}\n`);
    return 0;
  }
  const remote = new RemoteSupervisor(rpc);
  const { pid } = await remote.status();
  const result = await remote.shutdown();
  remote.close();
  // Return once the daemon is gone, so the next command starts a fresh one rather than meet a dying one.
  for (let i = 0; i < 500 && pid !== null && alive(pid); i++) await new Promise((r) => setTimeout(r, 10));
  if (ctx.json) printJson({ ...result, running: false });
  else process.stdout.write(`daemon stopped${result.stopped.length ? `; stopped ${result.stopped.join(' ')}` : ''}\n`);
  return 0;
}

/** How many tasks the state file holds, for a status without a daemon; 0 when there is none. */
function storedTaskCount(state: string): number {
  try {
    return Object.keys(JSON.parse(readFileSync(state, 'utf8')).tasks ?? {}).length;
  } catch {
    return 0;
  }
}

/** A zombie counts as gone: nothing runs, and reaping it is its parent's business. */
function alive(pid: number): boolean {
  const st = readStat(pid);
  return st !== null && st.state !== 'Z' && st.state !== 'X';
}
