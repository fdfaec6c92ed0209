/** Task facts as text, shared by every front end (CLI, MCP server, terminal UI). */
import { counted } from '../machines/counted.js';
import { formatDuration } from '../machines/duration.js';
import { appliedText } from '../machines/policies/apply.js';
import type { AppliedTask, EnvReport, TaskDetails, TaskView } from './api.js';

type Named = { id: string; name: string | null };

/** What applying an env file did: a headline, then a line for each task that was not kept. */
export function appliedLines(env: string, applied: AppliedTask[]): string[] {
  const acted = applied.filter((a) => a.action !== 'kept');
  const kept = applied.length - acted.length;
  const keptText = kept > 0 ? ` (${counted(kept, 'task')} kept)` : '';
  if (acted.length === 0) return [`${env} is up and matches its file${keptText}`];
  return [`applied the file to ${env}${keptText}:`, ...acted.map((a) => `  ${appliedText(a)}`)];
}

/** How messages name a task: `bash_3 (web)`, or `bash_3` when it has no name. */
export function taskLabel(t: Named): string {
  return t.name ? `${t.id} (${t.name})` : t.id;
}

/** Why a start answered with a task already there: `bash_3 (web) already runs this command (pid 4121, for 12m): not started again`. */
export function reusedText(t: TaskView, now = Date.now()): string {
  const facts = [t.pid !== null ? `pid ${t.pid}` : t.status, ...(t.startedAt ? [`for ${uptimeText(t, now)}`] : [])];
  return `${taskLabel(t)} already runs this command (${facts.join(', ')}): not started again`;
}

/** A task's name, or its id when it has none: the shorter form, for headings and prefixes. */
export const taskName = (t: Named): string => t.name ?? t.id;

/** What a new run of an environment cleared away: `removed 12 tasks of older runs of dev`. */
export function removedText(count: number, env: string): string {
  return `removed ${counted(count, 'task')} of older runs of ${env}`;
}

/** `SIGTERM`, `3`, or `-` while the task has not ended. */
export function exitText(t: TaskView): string {
  if (t.signal) return t.signal;
  if (t.exitCode !== null) return String(t.exitCode);
  return '-';
}

/** `on-failure, at most 5`; just `no` for a task that is never restarted (a maximum would mean nothing). */
export function restartPolicyText(policy: string, maxRestarts: number): string {
  return policy === 'no' ? policy : `${policy}, at most ${maxRestarts}`;
}

/** How long the task has run (or ran, once ended); null before it started. */
export function uptimeMs(t: TaskView, now = Date.now()): number | null {
  if (!t.startedAt) return null;
  const end = t.endedAt ? Date.parse(t.endedAt) : now;
  return Math.max(0, end - Date.parse(t.startedAt));
}

/** The uptime for a table cell: `4m12s`, `0s` in its first second, `-` before it started. */
export function uptimeText(t: TaskView, now = Date.now()): string {
  const ms = uptimeMs(t, now);
  return ms === null ? '-' : ms < 1_000 ? '0s' : formatDuration(ms);
}

/** How long until a restarting task starts again, in whole seconds up (`4s`, `2m10s`); null when it is not waiting to. */
export function restartCountdown(t: TaskView, now = Date.now()): string | null {
  if (t.status !== 'restarting' || !t.restartAt) return null;
  const secs = Math.max(0, Math.ceil((Date.parse(t.restartAt) - now) / 1000));
  return secs === 0 ? '0s' : formatDuration(secs * 1000);
}

/** How long until a scheduled task waiting between runs runs next (`4s`, `9m58s`); null for any other task. */
export function nextRunCountdown(t: TaskView, now = Date.now()): string | null {
  if (t.status !== 'waiting' || !t.nextRunAt) return null;
  const secs = Math.max(0, Math.ceil((Date.parse(t.nextRunAt) - now) / 1000));
  return secs === 0 ? '0s' : formatDuration(secs * 1000);
}

const visibleWidth = (s: string) => [...s.replace(/\u001b\[\d+m/g, '')].length;

/** Cuts `text` to at most `width` characters, without padding (cut with an ellipsis). */
export function clip(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 0 ? '' : width === 1 ? '…' : chars.slice(0, width - 1).join('') + '…';
}

/** The narrowest a cut last column gets, however narrow the terminal: a few words still tell commands apart. */
const MIN_LAST_COLUMN = 12;

/**
 * Left-aligned columns; the last one unpadded (commands are long). Colour codes take no
 * width. With `maxWidth` (a terminal's), the last column is cut so that lines fit it.
 */
export function table(header: string[], rows: string[][], maxWidth: number | null = null): string {
  const widths = header.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const before = widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0);
  const lastWidth = maxWidth === null ? Infinity : Math.max(MIN_LAST_COLUMN, maxWidth - before);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? clip(c, lastWidth) : c + ' '.repeat(widths[i]! - visibleWidth(c))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Colour and cursor escapes, which mean nothing outside a terminal. */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Text for one table cell: line breaks, tabs and other control characters written as escapes. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/**
 * What a task printed last, on lines of their own under its name (a line break first),
 * escaped so that no output can pass for a message of ours; empty without lines.
 */
export function lastLinesText(t: Named, lines: string[]): string {
  return lines.length === 0 ? '' : `\nlast lines of ${taskName(t)}:\n${lines.map((l) => `  ${oneLine(l)}`).join('\n')}`;
}

/** The task at fault of an environment that did not come up: `db (bash_2) failed: exit 3`, then its last lines. */
export function culpritText(c: NonNullable<EnvReport['culprit']>): string {
  return `${taskName(c)} (${c.id}) ${c.status}: ${c.reason}${lastLinesText(c, c.lastLines)}`;
}

/** Why a task is not ready yet: its health check's verdict, else its status and reason. */
export function notReadyText(t: TaskView): string {
  return t.healthReason ? `${t.status}, ${t.healthReason}` : `${t.status}${t.reason ? `: ${t.reason}` : ''}`;
}

type Watch = NonNullable<TaskDetails['watch']>;

/** What a task watches, and how: `src, lib (debounce 300ms, cascade, ignoring dist)`. */
export function watchText(w: Watch): string {
  const how = [`debounce ${formatDuration(w.debounceMs)}`, w.cascade ? 'cascade' : '', w.ignore.length > 0 ? `ignoring ${w.ignore.join(', ')}` : ''].filter(Boolean).join(', ');
  return `${w.paths.join(', ')} (${how})${w.watching ? '' : ' (not watching)'}`;
}

/** The change that restarted a task last, without its time: `/app/src/a.js and 4 more: restarted`. */
export function changeText(change: NonNullable<Watch['lastChange']>): string {
  const more = change.changes > 1 ? ` and ${change.changes - 1} more` : '';
  return `${change.path}${more}: restarted`;
}
