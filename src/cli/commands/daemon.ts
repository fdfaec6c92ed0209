import { counted } from '../../../machines/counted.js';
import { daemonStatus as readStatus, stopDaemon } from '../../client/daemon-control.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';

export async function daemonStart(ctx: Context): Promise<number> {
  const status = await (await ctx.api()).status();
  if (ctx.json) printJson(status);
  else process.stdout.write(`daemon running (pid ${status.pid}) for ${status.home}\n`);
  return 0;
}

export async function daemonStatus(ctx: Context): Promise<number> {
  const status = await readStatus(ctx.paths);
  if (ctx.json) printJson(status);
  else if (!status.running) process.stdout.write(`no daemon running for ${status.home}${status.tasks ? ` (its state keeps ${counted(status.tasks, 'task')})` : ''}\n`);
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
  const result = await stopDaemon(ctx.paths);
  if (!result) {
    if (ctx.json) printJson({ stopped: [], running: false });
    else process.stdout.write(`no daemon running for ${ctx.paths.home}\n`);
    return 0;
  }
  if (ctx.json) printJson({ ...result, running: false });
  else {
    const stopped = result.stopped.join(' ');
    // Started only because the state keeps tasks as live: they may have outlived a killed daemon.
    process.stdout.write(
      result.started
        ? `no daemon was running; started one to stop the tasks the state keeps as live (${stopped ? `stopped ${stopped}` : 'none was left'}), then stopped it\n`
        : `daemon stopped${stopped ? `; stopped ${stopped}` : ''}\n`,
    );
  }
  return 0;
}
