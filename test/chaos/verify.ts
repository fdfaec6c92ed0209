/**
 * The end of a chaos run: what the tasks left (their logs, the side notes of their starts
 * and of the lines they could not write) against what the daemon says of them.
 */
import { join } from 'node:path';
import { readLines } from './home.js';

export type TaskKind = 'writer' | 'finite' | 'crash';

export interface PlannedTask {
  name: string;
  kind: TaskKind;
  /** For finite tasks: how long it sleeps and the code it exits with. */
  sleepS?: number;
  exitCode?: number;
  id?: string;
}

export interface TaskEnd {
  name: string | null;
  status: string;
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
}

export interface WriterFigures {
  written: number;
  /** Lines the writer could not write (the disk was full), with when it tried. */
  lost: { n: number; at: number }[];
  /** Lines cut by a write that failed half-way (the rest of the line went with it). */
  torn: number;
}

/** The pids each task's runs had, in the order they started. */
export function startsOf(side: string, name: string): number[] {
  return readLines(join(side, 'tasks', `${name}.starts`)).map((l) => Number(l.split(' ')[0]));
}

/**
 * A writer's log against its notes: every line it wrote is there once, in order, and a
 * number missing from the log is one the writer was told it could not write.
 */
export function checkWriter(logDir: string, side: string, name: string, problems: string[]): WriterFigures {
  const lost = readLines(join(side, 'tasks', `${name}.lost`)).map((l) => {
    const [n, at] = l.split(' ');
    return { n: Number(n), at: Number(at) * 1000 };
  });
  const lostSet = new Set(lost.map((l) => l.n));
  const seen = new Set<number>();
  let torn = 0;
  let last = 0;
  const twice: number[] = [];
  const backwards: number[] = [];
  for (const line of readLines(join(logDir, 'stdout.log'))) {
    // A write cut short leaves part of a line, and the next line written goes on after it.
    const start = line.lastIndexOf('L');
    const m = /^L(\d+) (\d{16}) x{280} (\d+)$/.exec(line.slice(Math.max(0, start)));
    const whole = m !== null && m[1] === m[3];
    if (start !== 0 || !whole) torn++;
    if (!whole) continue;
    const n = Number(m![1]);
    if (seen.has(n)) twice.push(n);
    else if (n < last) backwards.push(n);
    seen.add(n);
    last = Math.max(last, n);
  }
  // Either means a second copy wrote into the log.
  if (twice.length > 0) problems.push(`${name}: ${twice.length} lines are in its log twice (first: ${twice.slice(0, 5).join(', ')})`);
  if (backwards.length > 0) problems.push(`${name}: ${backwards.length} lines come after a later one (first: ${backwards.slice(0, 5).join(', ')})`);
  const highest = Math.max(last, ...lost.map((l) => l.n), 0);
  const missing: number[] = [];
  for (let n = 1; n <= highest; n++) if (!seen.has(n) && !lostSet.has(n)) missing.push(n);
  if (missing.length > 0) problems.push(`${name}: ${missing.length} lines written but not in its log (first: ${missing.slice(0, 5).join(', ')})`);
  if (torn > lost.length) problems.push(`${name}: ${torn} torn lines in its log, more than the ${lost.length} it could not write`);
  return { written: seen.size, lost, torn };
}

/** A finite task's end as the daemon tells it, against the code it exits with; null when right. */
export function wrongExit(task: PlannedTask, end: TaskEnd | undefined): string | null {
  if (!end) return `${task.name}: the daemon does not know it`;
  const expected = task.exitCode!;
  if (end.status !== (expected === 0 ? 'completed' : 'failed') || end.exitCode !== expected) {
    return `${task.name} (${task.id}) exits ${expected}, the daemon says ${end.status} exit ${end.exitCode ?? '-'}${end.signal ? ` ${end.signal}` : ''}${end.reason ? ` (${end.reason})` : ''}`;
  }
  return null;
}
