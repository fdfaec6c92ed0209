/**
 * The words of a wait's verdict, shared by the CLI and the MCP server: a headline (what
 * happened, the task's status), then the evidence, one item a line, output lines indented.
 */
import { formatDuration } from '../machines/duration.js';
import type { LogLine, WaitResult } from './api.js';
import { notReadyText, oneLine, taskLabel } from './text.js';

const block = (title: string, lines: string[]) => (lines.length === 0 ? [] : [`${title}:`, ...lines.map((l) => `  ${oneLine(l)}`)]);
const where = (l: LogLine) => `${l.stream}, byte ${l.offset}`;

export interface VerdictText {
  headline: string;
  details: string[];
}

export function waitVerdictText(r: WaitResult): VerdictText {
  const t = r.task;
  const state = `${taskLabel(t)} ${t.status}${t.reason ? `: ${t.reason}` : ''}`;
  const kind = r.until.split(':')[0];
  let headline: string;
  const details: string[] = [];
  if (r.reached) {
    headline = state;
    if (r.match) {
      headline += `; a line matches /${r.until.slice('log:'.length)}/ (${where(r.match)}):`;
      details.push(`  ${oneLine(r.match.line)}`);
    } else if (r.port !== undefined) headline += `; it listens on port ${r.port}`;
    else if (r.http) headline += `; ${r.until.slice('http:'.length)} answered ${r.http.status}`;
    else if (r.silentMs !== undefined) headline += `; no output for ${formatDuration(r.silentMs)}`;
  } else if (r.timedOut) {
    headline = `timed out waiting for ${taskLabel(t)} (${notReadyText(t)}) after ${formatDuration(r.waitedMs)} (until ${r.until})`;
    const doing = [...(t.cpuPercent !== null ? [`cpu ${t.cpuPercent.toFixed(1)}%`] : []), ...(r.ports ? [r.ports.length > 0 ? `listening on ${r.ports.join(', ')}` : 'listening on no port'] : [])];
    if (doing.length > 0) details.push(`doing: ${doing.join(', ')}`);
  } else headline = kind === 'exit' ? state : `${state}; it ended before ${r.until}`;

  if (!r.reached && r.searched) details.push(`searched to stdout byte ${r.searched.stdout}, stderr byte ${r.searched.stderr}`);
  if (!r.reached && r.http) details.push(r.http.status !== null ? `last answer: ${r.http.status}` : `no answer: ${r.http.error}`);
  if (!r.reached && r.silentMs !== undefined) details.push(`last output ${formatDuration(r.silentMs)} ago`);
  if (r.firstError) details.push(`first error line (${where(r.firstError)}): ${oneLine(r.firstError.line)}`);
  details.push(...block('last lines of stderr', r.stderrTail ?? []));
  // stderr's last lines are shown above when the task ended: the rest are stdout's.
  const last = r.stderrTail ? (r.lastLines ?? []).filter((l) => !l.startsWith('stderr: ')) : (r.lastLines ?? []);
  details.push(...block(r.stderrTail ? 'last lines of stdout' : `last lines of ${taskLabel(t)}`, last));
  return { headline, details };
}
