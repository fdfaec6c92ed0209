import type { Context } from '../context.js';
import { formatDuration } from '../../../machines/duration.js';
import { formatBytes } from '../../../machines/policies/limits.js';
import { colorStatus, printJson } from '../output.js';
import { exitText, restartPolicyText, uptimeText } from '../../text.js';

const BARS = '▁▂▃▄▅▆▇█';

/** The last samples as a one-line bar chart. */
function sparkline(values: number[], width = 30): string {
  const recent = values.slice(-width);
  if (recent.length === 0) return '';
  const max = Math.max(...recent);
  return recent.map((v) => BARS[max <= 0 ? 0 : Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1)))]).join('');
}

export async function status(ctx: Context, ref: string): Promise<number> {
  const t = await (await ctx.api()).describe(ref);
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
  if (t.dependsOn.length > 0) lines.push(['depends on', t.dependsOn.join(', ')]);
  if (t.healthChecks.length > 0) lines.push(['checks', t.healthChecks.join(', ')]);
  lines.push(['restart', restartPolicyText(t.restartPolicy, t.maxRestarts)]);
  lines.push(['stop', `${t.stopCommand ? `\`${t.stopCommand}\`` : t.stopSignal}, SIGKILL after ${formatDuration(t.graceMs)}`]);
  if (t.nice !== null || t.ionice) lines.push(['priority', [t.nice !== null ? `nice ${t.nice}` : '', t.ionice ? `io ${t.ionice}` : ''].filter(Boolean).join(', ')]);
  const limits = [
    t.limits.memoryBytes !== null ? `memory ${formatBytes(t.limits.memoryBytes)}` : '',
    t.limits.timeoutMs !== null ? `timeout ${formatDuration(t.limits.timeoutMs)}` : '',
    t.limits.idleMs !== null ? `idle ${formatDuration(t.limits.idleMs)} (${t.limits.idleAction})` : '',
  ].filter(Boolean);
  if (limits.length > 0) lines.push(['limits', limits.join(', ')]);
  if (t.logMaxBytes !== null) lines.push(['log cap', t.logMaxBytes === 0 ? 'off' : `${formatBytes(t.logMaxBytes)} a stream`]);
  if (t.color) lines.push(['color', 'FORCE_COLOR=1 CLICOLOR_FORCE=1']);
  if (t.cpuPercent !== null) lines.push(['cpu', `${t.cpuPercent}%  ${sparkline(t.samples.map((s) => s.cpuPercent))}`]);
  if (t.memoryBytes !== null) lines.push(['memory', `${formatBytes(t.memoryBytes)} (peak ${formatBytes(t.peakMemoryBytes ?? t.memoryBytes)})  ${sparkline(t.samples.map((s) => s.memoryBytes))}`]);
  if (t.ports.length > 0) lines.push(['listening', t.ports.map((p) => `:${p}`).join(' ')]);
  if (t.alertOn) lines.push(['alert on', `/${t.alertOn}/`]);
  for (const a of t.alerts.slice(-5)) lines.push(['alert', `${a.at} ${a.stream}: ${a.line}`]);
  for (const r of t.restartHistory.slice(-5)) lines.push(['restarted', `${r.at} ${r.reason}`]);
  if (t.restartAt) lines.push(['restart at', t.restartAt]);
  if (t.schedule) {
    const s = t.schedule;
    lines.push(['schedule', `${s.every !== null ? `every ${s.every}` : `cron ${s.cron}`}, next run ${s.nextRunAt ?? 'none'}`]);
    // The last runs and skips, newest last: how each run ended, or why a tick was skipped.
    for (const e of s.history.slice(-5)) {
      lines.push(e.kind === 'run' ? ['ran', `${e.startedAt} for ${formatDuration(e.durationMs)}: ${e.signal ?? `exit ${e.exitCode}`}`] : ['skipped', `${e.at} ${e.reason}`]);
    }
  }
  if (t.stdin === 'pipe') lines.push(['stdin', 'a pipe: corral send writes to it']);
  if (t.watch) {
    const w = t.watch;
    const how = [`debounce ${formatDuration(w.debounceMs)}`, w.cascade ? 'cascade' : '', w.ignore.length > 0 ? `ignoring ${w.ignore.join(', ')}` : ''].filter(Boolean).join(', ');
    lines.push(['watch', `${w.paths.join(', ')} (${how})${w.watching ? '' : ' (not watching)'}`]);
    if (w.lastChange) {
      const more = w.lastChange.changes > 1 ? ` and ${w.lastChange.changes - 1} more` : '';
      lines.push(['changed', `${w.lastChange.at} ${w.lastChange.path}${more}: restarted`]);
    }
  }
  process.stdout.write(lines.map(([k, v]) => `${k.padEnd(10)} ${v}`).join('\n') + '\n');
  return 0;
}
