/**
 * `corral logs --env E` and `corral logs ID1 ID2 …`: several tasks' output as one stream of
 * whole lines, each behind its task's name (as `up` shows it). The log files are read here,
 * one reader per file, as `grep` reads them: the daemon is asked only which tasks there are,
 * where `--since` starts, and (when following) once a second whether they still run.
 *
 * The lines already written come out merged by when they were written, to within the
 * daemon's 2 s sample of each log's size (logs/time-index.ts); with `--follow`, new lines
 * then come out as each is completed. A line is printed only once its newline is written:
 * a partial write waits for the rest, so no line is cut by another task's.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { inTurn, nextTurn } from '../../../machines/merge-order.js';
import { isFinal } from '../../../machines/task.types.js';
import type { SupervisorApi, TaskView } from '../../api.js';
import { colorWanted } from '../../color.js';
import type { NormalizedRead } from '../../config/read.js';
import { usageError } from '../../errors.js';
import { taskLogDir } from '../../home.js';
import { keptStart } from '../../logs/kept.js';
import { LineReader, type LogLine } from '../../logs/line-reader.js';
import { readSlice, type Stream } from '../../logs/read.js';
import { WriteTimes } from '../../logs/time-index.js';
import { counted } from '../../../machines/counted.js';
import { stripAnsi, taskName } from '../../text.js';
import type { Context } from '../context.js';
import { linePrefixes } from '../prefixes.js';
import { sinceOffset, tasksOf } from '../task-set.js';

export interface ManyFlags {
  env?: string;
  follow?: boolean;
  stripAnsi?: boolean;
  /** False with `--no-prefix`. */
  prefix?: boolean;
  offset?: number;
  new?: boolean;
  maxBytes?: number;
  until?: string;
}

/** How often a follow asks the daemon whether the tasks still run (and reads every log, in case a change went unseen). */
const STATUS_EVERY_MS = 1000;
/** How often a log not written yet (its task still waiting) is looked for, to watch it from its first line. */
const UNWRITTEN_EVERY_MS = 100;

/** Flags that place a read in one log: with several logs they have no meaning. */
const ONE_LOG_ONLY: [keyof ManyFlags, string][] = [
  ['offset', '--offset'],
  ['new', '--new'],
  ['maxBytes', '--max-bytes'],
  ['until', '--until'],
];

interface Source {
  task: TaskView;
  stream: Stream;
  reader: LineReader;
  /** Lines read, with the time each was written; those before `next` are printed. */
  pending: { line: LogLine; time: number }[];
  next: number;
  times: WriteTimes;
  /** The merge of what was written before the command began stops here. */
  end: number;
  /** Everything up to `end` has been read. */
  drained: boolean;
  watcher: FSWatcher | null;
}

/** Prints lines as the flags ask: prefixed, plain, or one JSON object each. */
class LineOutput {
  private prefixes = new Map<string, string>();
  private batch: string[] = [];

  constructor(
    private readonly opts: { json: boolean; prefix: boolean; color: boolean; filter: RegExp | undefined; strip: boolean },
  ) {}

  setTasks(tasks: TaskView[]): void {
    this.prefixes = linePrefixes(tasks, this.opts.color).of;
  }

  add(source: Source, line: LogLine): void {
    let text = line.bytes.toString('utf8');
    if (this.opts.strip) text = stripAnsi(text);
    if (this.opts.filter && !this.opts.filter.test(text)) return;
    const { task, stream } = source;
    this.batch.push(
      this.opts.json
        ? `${JSON.stringify({ id: task.id, name: task.name, stream, offset: line.offset, line: text })}\n`
        : `${this.opts.prefix ? this.prefixes.get(task.id) : ''}${text}\n`,
    );
    if (this.batch.length >= 1024) this.flush();
  }

  flush(): void {
    // Writes to a pipe or a file are synchronous: a slow reader slows the merge, nothing piles up.
    if (this.batch.length > 0) process.stdout.write(this.batch.join(''));
    this.batch = [];
  }
}

export async function logsMany(ctx: Context, ids: string[], flags: ManyFlags, read: NormalizedRead): Promise<number> {
  for (const [key, flag] of ONE_LOG_ONLY) {
    if (flags[key] !== undefined && flags[key] !== false) throw usageError(`${flag} places a read in one task's log: with several tasks, start with --since or --tail`);
  }
  const api = await ctx.api();
  let tasks = await tasksOf(api, ids, flags.env, { envMustExist: true });
  const since = read.since !== undefined ? new Date(read.since).toISOString() : undefined;
  const out = new LineOutput({ json: ctx.json, prefix: flags.prefix !== false, color: colorWanted(), filter: read.filter, strip: flags.stripAnsi === true });
  out.setTasks(tasks);
  const open = async (task: TaskView, fromStart: boolean) =>
    Promise.all(read.streams.map((stream) => openSource(ctx, api, task, stream, fromStart ? {} : { since, tail: read.tail })));
  const sources = (await Promise.all(tasks.map((t) => open(t, false)))).flat();

  printMerged(sources, out);
  if (!flags.follow) {
    // A task that ended wrote its last line whole, newline or not.
    for (const s of sources) endLines(s, out);
    out.flush();
    return 0;
  }

  let stop = false;
  const wake: { now: () => void } = { now: () => {} };
  const onSigint = () => {
    stop = true;
    wake.now();
  };
  process.once('SIGINT', onSigint);
  const readNew = (s: Source) => {
    for (;;) {
      const r = s.reader.read();
      if (r.released > 0) process.stderr.write(`corral: ${taskName(s.task)}: ${s.stream}: ${counted(r.released, 'byte')} were released by the log cap (logs.max_size) before they were read\n`);
      for (const line of r.lines) out.add(s, line);
      if (!r.more) break;
    }
    out.flush();
  };
  const follow = (s: Source) => {
    if (s.watcher) return;
    try {
      // One watch per file: a write wakes its reader; nothing is asked of the daemon.
      let queued = false;
      s.watcher = watch(s.reader.path, () => {
        if (queued) return;
        queued = true;
        setImmediate(() => {
          queued = false;
          readNew(s);
        });
      });
      s.watcher.on('error', () => {
        s.watcher?.close();
        s.watcher = null;
      });
    } catch {
      // Not written yet (a task waiting for its dependencies): the next status look tries again.
    }
  };
  const lookForLogs = setInterval(() => {
    for (const s of sources) {
      if (s.watcher || isFinal(s.task.status)) continue;
      follow(s);
      if (s.watcher) readNew(s);
    }
  }, UNWRITTEN_EVERY_MS);
  try {
    for (;;) {
      for (const s of sources) {
        follow(s);
        readNew(s);
      }
      if (stop) break;
      const now = await api.list(flags.env !== undefined ? { env: flags.env } : {});
      const byId = new Map(now.map((t) => [t.id, t]));
      for (const s of sources) s.task = byId.get(s.task.id) ?? s.task;
      // New tasks of the environment (a replica, a task added to a part) join from their start.
      const added = flags.env !== undefined ? now.filter((t) => !tasks.some((u) => u.id === t.id)) : [];
      if (added.length > 0) {
        tasks = [...tasks, ...added];
        out.setTasks(tasks);
        for (const t of added) for (const s of await open(t, true)) sources.push(s);
        continue;
      }
      // A task removed meanwhile (`rm`) has nothing more to write either.
      if (tasks.every((t) => !byId.has(t.id) || isFinal(byId.get(t.id)!.status))) {
        for (const s of sources) {
          readNew(s);
          endLines(s, out);
        }
        out.flush();
        break;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STATUS_EVERY_MS);
        wake.now = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    clearInterval(lookForLogs);
    process.off('SIGINT', onSigint);
    for (const s of sources) {
      s.watcher?.close();
      s.reader.close();
    }
  }
  return 0;
}

/** A reader of one of a task's logs, from where `--since` and `--tail` say. */
async function openSource(ctx: Context, api: SupervisorApi, task: TaskView, stream: Stream, start: { since?: string | undefined; tail?: number | undefined }): Promise<Source> {
  const dir = taskLogDir(ctx.paths, task.id);
  const path = join(dir, `${stream}.log`);
  let from = await sinceOffset(api, task.id, stream, start.since);
  if (start.tail !== undefined) {
    const slice = readSlice(path, { tail: start.tail, maxBytes: 1024 * 1024, floor: keptStart(path, Number.MAX_SAFE_INTEGER) });
    from = Math.max(from, slice.from - slice.omitted);
  }
  const times = new WriteTimes(dir, stream);
  const reader = new LineReader(path, from);
  // What was there when the command began; `size` of a missing log is 0.
  const end = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  return { task, stream, reader, pending: [], next: 0, times, end, drained: false, watcher: null };
}

/** Reads a source on until it has a line to give or has read everything up to its end. */
function fill(s: Source): void {
  while (s.next === s.pending.length && !s.drained) {
    const r = s.reader.read(s.end);
    s.pending = r.lines.map((line) => ({ line, time: s.times.timeOf(line.offset + line.bytes.length + 1) }));
    s.next = 0;
    if (!r.more) s.drained = true;
  }
}

/** The lines written before the command began, all sources merged by when they were written. */
function printMerged(sources: Source[], out: LineOutput): void {
  for (;;) {
    for (const s of sources) fill(s);
    const turn = nextTurn(sources.map((s) => s.pending[s.next]?.time));
    if (!turn) break;
    const s = sources[turn.source]!;
    for (let head = s.pending[s.next]; head && inTurn(turn, head.time); head = s.pending[s.next]) {
      out.add(s, head.line);
      s.next++;
      fill(s);
    }
  }
  out.flush();
}

/** The unfinished last line of a task that ended: nothing will complete it. */
function endLines(s: Source, out: LineOutput): void {
  if (!isFinal(s.task.status)) return;
  const line = s.reader.rest();
  if (line) out.add(s, line);
}
