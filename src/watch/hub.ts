/**
 * The file watchers of a daemon: chokidar watchers shared by every task that watches the
 * same tree (planWatchers decides which), each change fanned out to the tasks it concerns.
 * 100 tasks watching one tree cost one watcher, whatever their number.
 */
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { ignoredPath, planWatchers, type WatchSpec, type WatcherPlan } from '../../machines/policies/watch.js';

type OnChange = (path: string) => void;

interface Subscriber {
  spec: WatchSpec;
  ignored: (path: string) => boolean;
  onChange: OnChange;
}

interface OpenWatcher {
  watcher: FSWatcher;
  ids: string[];
  ready: boolean;
}

const keyOf = (plan: WatcherPlan) => `${plan.root}\0${plan.ignoreKey}`;

export class WatchHub {
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly watchers = new Map<string, OpenWatcher>();

  constructor(
    /** The corral home: its logs change all the time and are never a reason to restart. */
    private readonly home: string,
    private readonly onError: (root: string, error: unknown) => void = () => {},
  ) {}

  /** Calls `onChange` with each path under `spec` that changes (and is not ignored), until `unwatch(id)`. */
  watch(id: string, spec: WatchSpec, onChange: OnChange): void {
    this.subscribers.set(id, { spec, ignored: ignoredPath(spec, this.home), onChange });
    this.replan();
  }

  unwatch(id: string): void {
    if (this.subscribers.delete(id)) this.replan();
  }

  isWatching(id: string): boolean {
    return this.subscribers.has(id);
  }

  /** The task's watchers have read their trees: a change from now on is seen. */
  isReady(id: string): boolean {
    if (!this.subscribers.has(id)) return false;
    const serving = [...this.watchers.values()].filter((w) => w.ids.includes(id));
    return serving.length > 0 && serving.every((w) => w.ready);
  }

  /** How many file-system watchers are open (one per distinct root). */
  get watcherCount(): number {
    return this.watchers.size;
  }

  private replan(): void {
    const plans = planWatchers(
      [...this.subscribers].map(([id, s]) => ({ id, spec: s.spec })),
      this.home,
    );
    const wanted = new Map(plans.map((p) => [keyOf(p), p]));
    for (const [key, open] of this.watchers) {
      if (wanted.has(key)) continue;
      this.watchers.delete(key);
      void open.watcher.close();
    }
    for (const [key, plan] of wanted) {
      const open = this.watchers.get(key);
      if (open) open.ids = plan.ids;
      else this.watchers.set(key, this.open(plan));
    }
  }

  private open(plan: WatcherPlan): OpenWatcher {
    // What every task of this watcher skips is not read at all (node_modules of a big tree).
    const skipped = ignoredPath({ paths: [plan.root], ignore: plan.ignore, debounceMs: 0, cascade: false }, this.home);
    const watcher = chokidarWatch(plan.root, { ignoreInitial: true, ignored: (path: string) => path !== plan.root && skipped(path) });
    const open: OpenWatcher = { watcher, ids: plan.ids, ready: false };
    watcher.on('ready', () => (open.ready = true));
    watcher.on('error', (error) => this.onError(plan.root, error));
    watcher.on('all', (_event, path) => {
      for (const id of open.ids) {
        const s = this.subscribers.get(id);
        if (s && !s.ignored(path)) s.onChange(path);
      }
    });
    return open;
  }

  async close(): Promise<void> {
    const open = [...this.watchers.values()];
    this.watchers.clear();
    this.subscribers.clear();
    await Promise.all(open.map((w) => w.watcher.close()));
  }
}
