import type { Context } from '../context.js';
import { colorStatus, exitText, printJson, uptimeText } from '../output.js';

export async function status(ctx: Context, ref: string): Promise<number> {
  const t = await (await ctx.api()).get(ref);
  if (ctx.json) {
    printJson(t);
    return 0;
  }
  const lines: [string, string][] = [
    ['id', t.id],
    ['name', t.name ?? '-'],
    ['status', colorStatus(t.status) + (t.reason ? ` (${t.reason})` : '')],
    ['command', t.command],
    ['cwd', t.cwd],
    ['pid', t.pid === null ? '-' : String(t.pid)],
    ['started', t.startedAt ?? '-'],
    ['ended', t.endedAt ?? '-'],
    ['uptime', uptimeText(t)],
    ['exit', exitText(t)],
    ['restarts', String(t.restarts)],
  ];
  if (t.env) lines.splice(2, 0, ['env', t.env]);
  if (t.healthReason) lines.push(['health', t.healthReason]);
  if (t.dependsOn.length > 0) lines.push(['depends on', t.dependsOn.join(', ')])
  if (t.restartAt) lines.push(['restart at', t.restartAt]);
  process.stdout.write(lines.map(([k, v]) => `${k.padEnd(10)} ${v}`).join('\n') + '\n');
  return 0;
}
