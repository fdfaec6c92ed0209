/** React hooks over the LiveFeed and the terminal. */
import { useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { TaskView } from '../api.js';
import { cleanLine } from './format.js';
import type { DetailsSnapshot, LiveFeed, LogStream } from './live.js';

interface TaskListState {
  tasks: TaskView[] | null;
  /** When the last list arrived (ms since epoch), 0 before the first. */
  at: number;
  error: string | null;
}

export function useTaskList(feed: LiveFeed): TaskListState {
  const [state, setState] = useState<Omit<TaskListState, 'at'>>({ tasks: null, error: null });
  // An unchanged list draws nothing new: only changes re-render (the clock does the rest).
  const last = useRef({ json: '', at: 0 });
  useEffect(() => {
    last.current = { json: '', at: 0 };
    return feed.tasks(
      (s) => {
        last.current.at = s.at;
        const json = JSON.stringify(s.tasks);
        if (json === last.current.json) {
          setState((prev) => (prev.error === null ? prev : { ...prev, error: null }));
          return;
        }
        last.current.json = json;
        setState({ tasks: s.tasks, error: null });
      },
      (e) => setState((prev) => (prev.error === e.message ? prev : { ...prev, error: e.message })),
    );
  }, [feed]);
  return { ...state, at: last.current.at };
}

interface TaskDetailsState {
  snapshot: DetailsSnapshot | null;
  error: string | null;
}

export function useTaskDetails(feed: LiveFeed, id: string | null): TaskDetailsState {
  const [state, setState] = useState<TaskDetailsState>({ snapshot: null, error: null });
  const lastJson = useRef('');
  useEffect(() => {
    lastJson.current = '';
    setState({ snapshot: null, error: null });
    if (id === null) return undefined;
    return feed.task(
      id,
      (snapshot) => {
        const json = JSON.stringify([snapshot.task, snapshot.stdout, snapshot.stderr]);
        if (json === lastJson.current) {
          setState((prev) => (prev.error === null ? prev : { ...prev, error: null }));
          return;
        }
        lastJson.current = json;
        setState({ snapshot, error: null });
      },
      (e) => setState((prev) => (prev.error === e.message ? prev : { ...prev, error: e.message })),
    );
  }, [feed, id]);
  return state;
}

/** Lines kept by a followed log; older ones are dropped (and counted). */
const LOG_MAX_LINES = 10_000;

export interface LogState {
  lines: string[];
  /** Lines dropped from the start to stay within LOG_MAX_LINES. */
  droppedLines: number;
  /** Bytes before the loaded part that were never read. */
  skippedBytes: number;
  size: number;
  loaded: boolean;
  error: string | null;
  /** Bumped on every change (the lines array is appended to in place). */
  version: number;
}

export function useLogFollow(feed: LiveFeed, id: string | null, stream: LogStream, colours = false): LogState {
  const buffer = useRef({ lines: [] as string[], partial: '', dropped: 0 });
  const [state, setState] = useState<LogState>({ lines: [], droppedLines: 0, skippedBytes: 0, size: 0, loaded: false, error: null, version: 0 });
  useEffect(() => {
    buffer.current = { lines: [], partial: '', dropped: 0 };
    setState({ lines: [], droppedLines: 0, skippedBytes: 0, size: 0, loaded: false, error: null, version: 0 });
    if (id === null) return undefined;
    return feed.log(
      id,
      stream,
      (chunk) => {
        const b = buffer.current;
        if (chunk.reset) {
          b.lines = [];
          b.partial = '';
          b.dropped = 0;
        }
        // The last line may be incomplete: it is shown, and completed by the next chunk.
        const pieces = (b.partial + chunk.text).split('\n');
        b.partial = pieces.pop() ?? '';
        for (const p of pieces) b.lines.push(cleanLine(p, colours));
        if (b.lines.length > LOG_MAX_LINES) {
          const extra = b.lines.length - LOG_MAX_LINES;
          b.lines.splice(0, extra);
          b.dropped += extra;
        }
        const lines = b.partial ? [...b.lines, cleanLine(b.partial, colours)] : b.lines.slice();
        setState((prev) => ({
          lines,
          droppedLines: b.dropped,
          skippedBytes: chunk.reset ? chunk.skippedBytes : prev.skippedBytes,
          size: chunk.size,
          loaded: true,
          error: null,
          version: prev.version + 1,
        }));
      },
      (e) => setState((prev) => ({ ...prev, error: e.message })),
    );
  }, [feed, id, stream]);
  return state;
}

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** The terminal's size, following resizes; `fixed` wins (tests, or a caller that knows better). */
export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState<TerminalSize>(read);
  const following = fixed === undefined;
  useEffect(() => {
    if (!following) return undefined;
    setSize(read());
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, following]);
  return fixed ?? size;
}

/** Re-renders every `ms` (uptimes and countdowns move even when nothing else does). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
