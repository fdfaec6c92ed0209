/**
 * The last lines a task wrote, stderr ones marked, for the reports of failed waits.
 */
import { join } from 'node:path';
import { readSlice } from './read.js';

export function lastLines(logDir: string, n: number): string[] {
  const lines: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const slice = readSlice(join(logDir, `${stream}.log`), { tail: n, maxBytes: 16 * 1024 });
    lines.push(...markedLines(stream, slice.bytes.toString('utf8')));
  }
  return lines.slice(-n);
}

/** Output as lines, the empty ones left out and stderr's marked `stderr: `. */
export function markedLines(stream: 'stdout' | 'stderr', text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => (stream === 'stderr' ? `stderr: ${l}` : l));
}

