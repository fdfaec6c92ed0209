/** Human and JSON output. JSON: one document on stdout, nothing else there. */
import { formatDuration } from '../../machines/duration.js';
import type { TaskView } from '../api.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const useColor = () => process.stdout.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

const STATUS_COLOR: Record<string, number> = {
  running: 32,
  completed: 36,
  failed: 31,
  killed: 33,
  restarting: 35,
  stopping: 33,
  starting: 34,
};

export function colorStatus(status: string): string {
  const code = STATUS_COLOR[status];
  return useColor() && code ? `\u001b[${code}m${status}\u001b[0m` : status;
}

export const shortDuration = (ms: number): string => (ms < 1_000 ? '0s' : formatDuration(ms));

export function exitText(t: TaskView): string {
  if (t.signal) return t.signal;
  if (t.exitCode !== null) return String(t.exitCode);
  return '-';
}

export function uptimeText(t: TaskView, now = Date.now()): string {
  if (!t.startedAt) return '-';
  const end = t.endedAt ? Date.parse(t.endedAt) : now;
  return shortDuration(end - Date.parse(t.startedAt));
}

/** Left-aligned columns; the last column is not padded (commands can be long). */
export function table(header: string[], rows: string[][], widthOf = (s: string) => s.replace(/\u001b\[\d+m/g, '').length): string {
  const widths = header.map((h, i) => Math.max(widthOf(h), ...rows.map((r) => widthOf(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - widthOf(c))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
