/** Human and JSON output. JSON: one document on stdout, nothing else there. */
import { colorWanted } from '../color.js';
import { table as textTable } from '../text.js';

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

/** A table for the terminal: ends with a newline. */
export const table = (header: string[], rows: string[][]): string => `${textTable(header, rows)}\n`;
