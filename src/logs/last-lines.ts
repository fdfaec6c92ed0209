/**
 * The last lines a task wrote, stderr ones marked, for the reports of failed waits.
 *
 * The log files hold no time per line, so the lines of the two streams cannot be merged
 * line by line. What is known is each stream's own order and, from each file's mtime,
 * which stream was written last: its lines come last, so the report ends with the very
 * last line written. Each stream gets half of the lines (all that one stream cannot use go
 * to the other), so that old lines of one stream never crowd out the latest of the other.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { readSlice } from './read.js';

type Stream = 'stdout' | 'stderr';

export interface StreamTail {
  /** The stream's last lines, oldest first, already marked. */
  lines: string[];
  /** When its file was last written (ms), -Infinity when there is none. */
  writtenAt: number;
}

export function lastLines(logDir: string, n: number): string[] {
  const tails = (['stdout', 'stderr'] as const).map((stream) => tailOf(join(logDir, `${stream}.log`), stream, n));
  return latestOfBoth(tails[0]!, tails[1]!, n);
}

function tailOf(path: string, stream: Stream, n: number): StreamTail {
  const slice = readSlice(path, { tail: n, maxBytes: 16 * 1024 });
  let writtenAt = -Infinity;
  try {
    writtenAt = statSync(path).mtimeMs;
  } catch {
    // no file: nothing written
  }
  return { lines: markedLines(stream, slice.bytes.toString('utf8')), writtenAt };
}

/**
 * At most `n` lines: the latest of each stream, half each (a share one cannot fill goes to
 * the other), the stream written last at the end; stdout first when the files tie.
 */
export function latestOfBoth(stdout: StreamTail, stderr: StreamTail, n: number): string[] {
  const [earlier, later] = stderr.writtenAt < stdout.writtenAt ? [stderr, stdout] : [stdout, stderr];
  const fromLater = Math.min(later.lines.length, Math.max(Math.ceil(n / 2), n - earlier.lines.length));
  const fromEarlier = Math.min(earlier.lines.length, n - fromLater);
  return [...earlier.lines.slice(earlier.lines.length - fromEarlier), ...later.lines.slice(later.lines.length - fromLater)];
}

/** Output as lines, the empty ones left out and stderr's marked `stderr: `. */
export function markedLines(stream: Stream, text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => (stream === 'stderr' ? `stderr: ${l}` : l));
}
