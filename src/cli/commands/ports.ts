/** `ports`: every listening TCP port and who holds it; `kill --port N`: stop the task holding N, and nothing else. */
import { qualifiedName } from '../../../machines/policies/names.js';
import type { TaskView } from '../../api.js';
import { normalizeStop } from '../../config/control.js';
import { field, notFound, usageError } from '../../errors.js';
import type { Context } from '../context.js';
import { holderText, listeningTable, type PortRow } from '../../process/holders.js';
import { printJson, table } from '../output.js';
import { oneLine } from '../../text.js';

function renderPorts(rows: PortRow[]): string {
  if (rows.length === 0) return 'no TCP port is listening\n';
  // Session and project get columns only when some task has them.
  const withSession = rows.some((r) => r.task?.session);
  const withProject = rows.some((r) => r.task?.project);
  const header = ['PORT', 'ADDRESS', 'TASK', 'NAME', ...(withSession ? ['SESSION'] : []), ...(withProject ? ['PROJECT'] : []), 'PID', 'COMMAND'];
  const cells = rows.map((r) => [
    String(r.port),
    r.addresses.join(','),
    r.task?.id ?? '-',
    (r.task && qualifiedName(r.task)) ?? '-',
    ...(withSession ? [r.task?.session ?? '-'] : []),
    ...(withProject ? [r.task?.project ?? '-'] : []),
    r.pids.length > 0 ? r.pids.join(',') : '-',
    r.command === null ? 'unknown process' : oneLine(r.command),
  ]);
  return table(header, cells);
}

export async function ports(ctx: Context): Promise<number> {
  const rows = await listeningTable(await ctx.api());
  if (ctx.json) printJson(rows);
  else process.stdout.write(renderPorts(rows));
  return 0;
}

/** Why a port cannot be freed by corral: who outside holds it. */
function outsideText(port: number, outside: PortRow[], tasks: PortRow[]): string {
  const named = outside.map((r) => (r.command === null ? 'a process /proc does not show (another user’s?)' : holderText({ pid: r.pids[0]!, command: r.command })));
  const also = tasks.length > 0 ? ` (beside ${tasks.map((r) => r.task!.id).join(', ')})` : '';
  return `port ${port} is held by ${named.join(' and ')}${also}, outside corral: corral stops only its own tasks, and stopped nothing`;
}

/**
 * Exit codes: a port no task holds is "no such task" (3), whether nobody or a process
 * outside corral holds it; 2 stays for a flag that is wrong in itself.
 */
export async function killPort(ctx: Context, refs: string[], flags: { all?: boolean; port: number; signal?: string; grace?: string }): Promise<TaskView[]> {
  if (refs.length > 0 || flags.all) throw usageError(`give task ids, ${field('all')} or ${field('port')}, only one of them`);
  if (!Number.isInteger(flags.port) || flags.port < 1 || flags.port > 65535) throw usageError(`${field('port')}: ${flags.port} is not a TCP port (1-65535)`);
  normalizeStop(flags);
  const api = await ctx.api();
  const rows = await listeningTable(api, flags.port);
  if (rows.length === 0) throw notFound(`nothing listens on TCP port ${flags.port}`);
  const tasks = rows.filter((r) => r.task !== null);
  const outside = rows.filter((r) => r.task === null);
  if (outside.length > 0) throw notFound(outsideText(flags.port, outside, tasks));
  return api.kill({
    refs: [...new Set(tasks.map((r) => r.task!.id))],
    ...(flags.signal !== undefined ? { signal: flags.signal } : {}),
    ...(flags.grace !== undefined ? { grace: flags.grace } : {}),
  });
}
