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

/**
 * How wide the terminal is that stdout writes to (COLUMNS, when set, says it instead, as
 * for other tools); null when stdout is no terminal (a pipe or a file gets whole lines).
 */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number | null {
  if (stream.isTTY !== true) return null;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : (stream.columns ?? 80);
}

/** A table for the terminal, its last column cut to the terminal's width: ends with a newline. */
export const table = (header: string[], rows: string[][]): string => `${textTable(header, rows, terminalWidth())}\n`;
