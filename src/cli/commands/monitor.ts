/** `corral monitor`: set the watch rules in the daemon, then print events as they happen. */
import { counted } from '../../../machines/counted.js';
import type { Context } from '../context.js';
import { eventLine } from '../event-line.js';

interface MonitorFlags {
  env?: string;
  alertOn?: string;
  restartOnFailure?: boolean;
  checkInterval?: string;
  /** Milliseconds. */
  for?: number;
}

export async function monitor(ctx: Context, ids: string[], flags: MonitorFlags): Promise<number> {
  const until = flags.for !== undefined ? Date.now() + flags.for : Infinity;
  const api = await ctx.api();
  const filter = { ...(ids.length > 0 ? { ids } : {}), ...(flags.env !== undefined ? { env: flags.env } : {}) };
  const { tasks, last } = await api.monitor({
    ...filter,
    ...(flags.alertOn !== undefined ? { alertOn: flags.alertOn } : {}),
    ...(flags.restartOnFailure ? { restartOnFailure: true } : {}),
    ...(flags.checkInterval !== undefined ? { checkInterval: flags.checkInterval } : {}),
  });
  const width = Math.max(6, ...tasks.map((t) => (t.name ?? '-').length));
  if (!ctx.json) {
    const kept = [
      flags.alertOn !== undefined ? `alerts on /${flags.alertOn}/` : '',
      flags.restartOnFailure ? 'restart on failure' : '',
    ].filter(Boolean);
    process.stderr.write(
      `watching ${counted(tasks.length, 'task')}` +
        (kept.length ? `; ${kept.join(' and ')} set in the daemon (they stay after monitor exits)` : '') +
        '\n',
    );
  }
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  let seq = last;
  while (!stop && Date.now() < until) {
    const wait = Math.max(0, Math.min(1_000, until - Date.now()));
    const batch = await api.eventsSince(seq, wait, filter);
    seq = batch.last;
    for (const e of batch.events) process.stdout.write(ctx.json ? `${JSON.stringify(e)}\n` : `${eventLine(e, width)}\n`);
  }
  return 0;
}
