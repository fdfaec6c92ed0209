/** `corral du`: what the home takes on disk, task by task, with the journal and the daemon's log. */
import { formatBytes } from '../../../machines/policies/limits.js';
import type { Context } from '../context.js';
import { printJson } from '../output.js';

export async function du(ctx: Context): Promise<number> {
  const use = await (await ctx.api()).diskUse();
  if (ctx.json) {
    printJson(use);
    return 0;
  }
  const rows: string[][] = [['ID', 'NAME', 'STATUS', 'DISK', 'RELEASED']];
  // The largest first: what to remove to make room.
  for (const t of [...use.tasks].sort((a, b) => b.diskBytes - a.diskBytes)) {
    rows.push([t.id, t.env && t.name ? `${t.env}/${t.name}` : (t.name ?? '-'), t.status, formatBytes(t.diskBytes), t.releasedBytes > 0 ? formatBytes(t.releasedBytes) : '-']);
  }
  rows.push(['journal', '', '', formatBytes(use.journalBytes), '']);
  rows.push(['daemon log', '', '', formatBytes(use.daemonLogBytes), '']);
  rows.push(['total', '', '', formatBytes(use.totalBytes), '']);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  process.stdout.write(rows.map((r) => r.map((cell, c) => (c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n') + '\n');
  return 0;
}
