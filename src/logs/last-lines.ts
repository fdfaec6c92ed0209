/**
 * The last lines a task wrote, stderr ones marked, for the reports of failed waits.
 */
import { join } from 'node:path';
import { readSlice } from './read.js';

export function lastLines(logDir: string, n: number): string[] {
  const lines: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const slice = readSlice(join(logDir, `${stream}.log`), { tail: n, maxBytes: 16 * 1024 });
    const text = slice.bytes.toString('utf8').split('\n').filter((l) => l.length > 0);
    lines.push(...text.map((l) => (stream === 'stderr' ? `stderr: ${l}` : l)));
  }
  return lines.slice(-n);
}
