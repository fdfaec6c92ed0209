/**
 * Notices that the daemon's home or socket is gone (`rm -rf` of the home, a deleted or
 * replaced socket file), within a second. An inotify watch on the home (and on the
 * socket's folder when it lives elsewhere) hears of every rename and delete there, the
 * home's own deletion included, and costs nothing while nothing happens: polling twice a
 * second would double an idle daemon's CPU. Each event leads to a look (a stat of the
 * home and of the socket) soon after; a slow poll is the safety net, and a fast one
 * stands in where no watch could be set (no inotify, or the watches are used up).
 *
 * A loss counts once two looks in a row, half a second apart, see it: a recursive
 * delete still under way has then ended before anything is made anew under it (rm
 * would fail on a folder that is not empty).
 */
import { lstatSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface Loss {
  /** The home folder is gone or is another folder now: everything in it is lost. */
  home: boolean;
  /** The socket file is gone or is not the one the daemon listens on. */
  socket: boolean;
}

const LOOK_MS = 500;
const SAFETY_POLL_MS = 30_000;
/** Where no watch could be set. */
const FALLBACK_POLL_MS = 1_000;

/** The identity of a file, or null when there is none at the path. */
function identity(path: string, stat: typeof statSync = statSync): string | null {
  try {
    const st = stat(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

export class HomeGuard {
  private home: string | null = null;
  private socket: string | null = null;
  private watchers: FSWatcher[] = [];
  private poll: NodeJS.Timeout | null = null;
  private look: NodeJS.Timeout | null = null;
  /** The loss the previous look saw, if any: the next look confirms it. */
  private seen: string | null = null;
  private busy = false;
  private stopped = false;
  /** Why the last restore failed, until one succeeds. */
  problem: string | null = null;

  constructor(
    private readonly paths: { home: string; socket: string },
    private readonly restore: (loss: Loss) => Promise<void>,
    private readonly lookMs = LOOK_MS,
  ) {}

  /** Takes the home and the socket as they are now as the ones to keep, and watches them. */
  start(): void {
    this.home = identity(this.paths.home);
    this.socket = identity(this.paths.socket, lstatSync);
    this.watch();
  }

  stop(): void {
    this.stopped = true;
    this.unwatch();
    if (this.look) clearTimeout(this.look);
    this.look = null;
  }

  private watch(): void {
    this.unwatch();
    let watched = true;
    // Only these names matter: the socket, and what only a deletion of the home removes. The
    // home's own deletion is not always heard (not while it is a process's working folder,
    // as it is the daemon's), and the state file's writes are renames too.
    const names = new Set([basename(this.paths.home), basename(this.paths.socket), 'logs', 'run', 'daemon.log']);
    for (const dir of new Set([this.paths.home, dirname(this.paths.socket)])) {
      try {
        const watcher = watch(dir, (event, name) => event === 'rename' && (!name || names.has(String(name))) && this.lookSoon());
        watcher.on('error', () => this.lookSoon());
        watcher.unref();
        this.watchers.push(watcher);
      } catch {
        watched = false;
      }
    }
    this.poll = setInterval(() => this.lookSoon(), watched ? SAFETY_POLL_MS : FALLBACK_POLL_MS);
    this.poll.unref();
  }

  private unwatch(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }

  private lookSoon(): void {
    if (this.look || this.stopped) return;
    this.look = setTimeout(() => {
      this.look = null;
      void this.check();
    }, this.lookMs);
    this.look.unref();
  }

  private async check(): Promise<void> {
    if (this.busy || this.stopped) return;
    const loss: Loss = {
      home: identity(this.paths.home) !== this.home,
      socket: identity(this.paths.socket, lstatSync) !== this.socket,
    };
    if (!loss.home && !loss.socket) {
      this.seen = null;
      return;
    }
    const key = `${loss.home}${loss.socket}`;
    const confirmed = key === this.seen;
    this.seen = key;
    if (!confirmed) return this.lookSoon();
    this.busy = true;
    try {
      await this.restore(loss);
      this.seen = null;
      this.problem = null;
      if (!this.stopped) this.start();
    } catch (error) {
      // Not possible yet (the home's parent is not writable, say): tried again soon.
      this.problem = (error as Error)?.message ?? String(error);
      this.seen = null;
      this.lookSoon();
    } finally {
      this.busy = false;
    }
  }
}
