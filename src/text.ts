/** Task facts as text, shared by every front end (CLI, MCP server, terminal UI). */
import type { TaskView } from './api.js';

/** `SIGTERM`, `3`, or `-` while the task has not ended. */
export function exitText(t: TaskView): string {
  if (t.signal) return t.signal;
  if (t.exitCode !== null) return String(t.exitCode);
  return '-';
}

/** How long the task has run (or ran, once ended); null before it started. */
export function uptimeMs(t: TaskView, now = Date.now()): number | null {
  if (!t.startedAt) return null;
  const end = t.endedAt ? Date.parse(t.endedAt) : now;
  return Math.max(0, end - Date.parse(t.startedAt));
}

const visibleWidth = (s: string) => s.replace(/\u001b\[\d+m/g, '').length;

/** Left-aligned columns; the last one unpadded (commands are long). Colour codes take no width. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - visibleWidth(c))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Text for one table cell: line breaks, tabs and other control characters written as escapes. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** What a task printed last, indented under its name: shown when it did not come up. */
export function lastLinesText(who: string, lines: string[]): string {
  return lines.length === 0 ? '' : `\nlast lines of ${who}:\n${lines.map((l) => `  ${oneLine(l)}`).join('\n')}`;
}

/** Why a task is not ready yet: its health check's verdict, else its status and reason. */
export function notReadyText(t: TaskView): string {
  return t.healthReason ? `${t.status}, ${t.healthReason}` : `${t.status}${t.reason ? `: ${t.reason}` : ''}`;
}
