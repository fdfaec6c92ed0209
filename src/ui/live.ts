/**
 * Where the UI's data comes from: a LiveFeed the screens subscribe to. Today it polls the
 * SupervisorApi (the list about every 500 ms, an open task's details or log about every
 * 300 ms); when the daemon offers a push subscription, a feed built on it replaces
 * `pollingFeed` in `createFeed` below and nothing else changes.
 *
 * A poll never overlaps the previous one: the next starts an interval after the last one
 * ended, so a slow daemon slows the refresh down instead of piling requests up, and
 * nothing here ever holds up drawing or key handling.
 */
import type { StreamRead, SupervisorApi, TaskDetails, TaskView } from '../api.js';
import { outputLines } from './format.js';

type Unsubscribe = () => void;

interface TaskSnapshot {
  tasks: TaskView[];
  at: number;
}

export interface DetailsSnapshot {
  task: TaskDetails;
  /** The last lines of each stream, cleaned for drawing. */
  stdout: string[];
  stderr: string[];
  at: number;
}

export type LogStream = 'stdout' | 'stderr';

/** New output of a followed log. `reset`: drop what you had (first chunk, or the file shrank). */
interface LogChunk {
  text: string;
  reset: boolean;
  /** Bytes before the first chunk that were not read (only the end of a long log is loaded). */
  skippedBytes: number;
  size: number;
}

export interface LiveFeed {
  tasks(listener: (snapshot: TaskSnapshot) => void, onError: (error: Error) => void): Unsubscribe;
  task(id: string, listener: (snapshot: DetailsSnapshot) => void, onError: (error: Error) => void): Unsubscribe;
  log(id: string, stream: LogStream, listener: (chunk: LogChunk) => void, onError: (error: Error) => void): Unsubscribe;
  /** Something changed (the user killed or restarted a task): update every subscription now. */
  refresh(): void;
  /** Stops listening to the daemon's events (the polls stop with their subscriptions). */
  close?(): void;
}

export interface FeedTiming {
  listMs: number;
  detailsMs: number;
}

export const DEFAULT_TIMING: FeedTiming = { listMs: 500, detailsMs: 300 };

/** What a feed reads from: a RemoteSupervisor, or a fake. */
type FeedApi = Pick<SupervisorApi, 'list' | 'describe' | 'read'> & Partial<Pick<SupervisorApi, 'eventsSince'>>;

/** How often the list is read when the daemon's events say when it changed (uptime and CPU still move). */
const LIST_MS_WITH_EVENTS = 2_000;

/**
 * The feed the UI uses: when the daemon offers its event log, a state change or an alert
 * updates the screen at once (a long poll waits for the next event), and the list is read
 * only every 2 s for the figures that change without events; otherwise it polls.
 */
export function createFeed(api: FeedApi, timing: FeedTiming = DEFAULT_TIMING): LiveFeed {
  const eventsSince = api.eventsSince?.bind(api);
  if (!eventsSince) return pollingFeed(api, timing);
  const feed = pollingFeed(api, { ...timing, listMs: Math.max(timing.listMs, LIST_MS_WITH_EVENTS) });
  let stopped = false;
  void (async () => {
    let since: number | null = null;
    while (!stopped) {
      try {
        // From where the journal ends: what happened before the screen opened is not news.
        since ??= (await eventsSince(0, 0, { ids: [] })).last;
        const batch = await eventsSince(since, 30_000);
        if (stopped) return;
        since = batch.last;
        if (batch.events.length > 0) feed.refresh();
      } catch {
        if (stopped) return;
        // The daemon went away (a long poll fails when its connection closes). The journal's
        // numbering goes on in the next one: what it journals meanwhile comes with the next look.
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  })();
  return {
    ...feed,
    tasks: feed.tasks.bind(feed),
    task: feed.task.bind(feed),
    log: feed.log.bind(feed),
    refresh: feed.refresh.bind(feed),
    close() {
      stopped = true;
      feed.close?.();
    },
  };
}

/** Lines of the last output shown in the details view. */
export const DETAILS_TAIL_LINES = 10;
/** A followed log loads at most this much of its end at first, then every new byte. */
const LOG_INITIAL_BYTES = 1024 * 1024;
const LOG_INITIAL_LINES = 5000;
const LOG_PAGE_BYTES = 256 * 1024;

interface Poller {
  stop(): void;
  kick(): void;
}

/**
 * Runs `step` now, then `intervalMs` after each run ends. `step` returns true to run again
 * at once (more data is waiting). `kick` runs it now, or right after the current run.
 */
function poll(step: () => Promise<boolean | void>, intervalMs: number): Poller {
  let stopped = false;
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const run = async (): Promise<void> => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = true;
    let more = false;
    try {
      more = (await step()) === true;
    } catch {
      // The step reports its own errors.
    } finally {
      running = false;
    }
    if (stopped) return;
    if (again || more) {
      again = false;
      setImmediate(() => void run());
      return;
    }
    timer = setTimeout(() => void run(), intervalMs);
  };
  void run();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    kick() {
      void run();
    },
  };
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

function pollingFeed(api: FeedApi, timing: FeedTiming = DEFAULT_TIMING): LiveFeed {
  const active = new Set<Poller>();

  function subscribe(step: (alive: () => boolean) => Promise<boolean | void>, intervalMs: number): Unsubscribe {
    let alive = true;
    const poller = poll(() => step(() => alive), intervalMs);
    active.add(poller);
    return () => {
      alive = false;
      poller.stop();
      active.delete(poller);
    };
  }

  return {
    tasks(listener, onError) {
      return subscribe(async (alive) => {
        try {
          const tasks = await api.list();
          if (alive()) listener({ tasks, at: Date.now() });
        } catch (e) {
          if (alive()) onError(asError(e));
        }
      }, timing.listMs);
    },

    task(id, listener, onError) {
      return subscribe(async (alive) => {
        try {
          const [task, out] = await Promise.all([
            api.describe(id),
            api.read({ ref: id, stream: 'both', tail: DETAILS_TAIL_LINES, maxBytes: 64 * 1024 }),
          ]);
          if (!alive()) return;
          listener({
            task,
            stdout: outputLines(out.stdout?.data ?? '').slice(-DETAILS_TAIL_LINES),
            stderr: outputLines(out.stderr?.data ?? '').slice(-DETAILS_TAIL_LINES),
            at: Date.now(),
          });
        } catch (e) {
          if (alive()) onError(asError(e));
        }
      }, timing.detailsMs);
    },

    log(id, stream, listener, onError) {
      let next: number | null = null;
      return subscribe(async (alive) => {
        try {
          let page: StreamRead | undefined;
          let reset = false;
          if (next === null) {
            page = (await api.read({ ref: id, stream, tail: LOG_INITIAL_LINES, maxBytes: LOG_INITIAL_BYTES }))[stream];
            reset = true;
          } else {
            page = (await api.read({ ref: id, stream, offset: next, maxBytes: LOG_PAGE_BYTES }))[stream];
            if (page && page.size < next) {
              // The log was cut (the task was removed and its id reused): start over.
              next = null;
              return true;
            }
          }
          if (!alive() || !page) return;
          const skippedBytes = reset ? page.from : 0;
          next = page.next;
          if (reset || page.data) listener({ text: page.data, reset, skippedBytes, size: page.size });
          return !reset && page.omitted > 0;
        } catch (e) {
          if (alive()) onError(asError(e));
        }
      }, timing.detailsMs);
    },

    refresh() {
      for (const poller of active) poller.kick();
    },
  };
}
