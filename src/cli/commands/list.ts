import { formatBytes } from '../../../machines/policies/limits.js';
import { qualifiedName } from '../../../machines/policies/names.js';
import { isFinal } from '../../../machines/task.types.js';
import type { TaskView } from '../../api.js';
import type { Context } from '../context.js';
import { colorStatus, printJson, table } from '../output.js';
import { exitText, nextRunCountdown, oneLine, restartCountdown, uptimeText } from '../../text.js';
import { listScope } from '../session.js';

/** The command, and when a restarting task starts again (`node app.js   (in 4s, 2)`) or a scheduled one runs next (`(next run in 4m58s)`). */
function commandCell(t: TaskView, now: number): string {
  const countdown = restartCountdown(t, now);
  if (countdown !== null) return `${oneLine(t.command)}   (in ${countdown}, ${t.restarts})`;
  const next = nextRunCountdown(t, now);
  return next === null ? oneLine(t.command) : `${oneLine(t.command)}   (next run in ${next})`;
}

function renderList(tasks: TaskView[], now = Date.now()): string {
  if (tasks.length === 0) return 'no tasks: start one with `corral run -- <command>`\n';
  const rows = tasks.map((t) => [
    t.id,
    qualifiedName(t) ?? '-',
    colorStatus(t.status),
    t.healthReason ?? '-',
    t.pid !== null && !isFinal(t.status) ? String(t.pid) : '-',
    uptimeText(t, now),
    exitText(t),
    String(t.restarts),
    t.cpuPercent === null ? '-' : `${t.cpuPercent.toFixed(1)}%`,
    t.memoryBytes === null ? '-' : formatBytes(t.memoryBytes),
    commandCell(t, now),
  ]);
  return table(['ID', 'NAME', 'STATUS', 'HEALTH', 'PID', 'UPTIME', 'EXIT', 'RESTARTS', 'CPU', 'MEM', 'COMMAND'], rows);
}

export async function list(ctx: Context, flags: { env?: string; session?: string; project?: string; mine?: boolean } = {}): Promise<number> {
  const scope = listScope(flags);
  const tasks = await (await ctx.api()).list({ ...(flags.env !== undefined ? { env: flags.env } : {}), ...scope });
  if (ctx.json) printJson(tasks);
  else if (tasks.length === 0 && Object.keys(scope).length > 0) process.stdout.write(`no tasks of ${scope.session !== undefined ? `session ${scope.session}` : ''}${scope.session !== undefined && scope.project !== undefined ? ' in ' : ''}${scope.project !== undefined ? `project ${scope.project}` : ''}\n`);
  else process.stdout.write(renderList(tasks));
  return 0;
}
