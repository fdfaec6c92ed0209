/** Human and JSON output. JSON: one document on stdout, nothing else there. */
import { formatDuration } from '../../machines/duration.js';
import type { TaskView } from '../api.js';
import { colorWanted } from '../color.js';
import { exitText, table as textTable, uptimeMs } from '../text.js';

export { exitText };

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

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
  return colorWanted() && code ? `\u001b[${code}m${status}\u001b[0m` : status;
}

export const shortDuration = (ms: number): string => (ms < 1_000 ? '0s' : formatDuration(ms));

export function uptimeText(t: TaskView, now = Date.now()): string {
  const ms = uptimeMs(t, now);
  return ms === null ? '-' : shortDuration(ms);
}

/** A table for the terminal: ends with a newline. */
export const table = (header: string[], rows: string[][]): string => `${textTable(header, rows)}\n`;
