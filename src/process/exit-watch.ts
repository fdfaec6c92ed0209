/**
 * Learns that adopted tasks ended. Their monitors are not our children, so no exit event
 * comes: one inotify watch on the run folder sees each monitor write its exit file, and a
 * slow sweep catches a monitor that died without writing one (SIGKILL).
 */
import { watch, type FSWatcher } from 'node:fs';

export class ExitWatcher {
  private readonly waiting = new Map<string, () => void>();
  private watcher: FSWatcher | null = null;
  private sweep: NodeJS.Timeout | null = null;

  constructor(
    private readonly runDir: string,
    private readonly sweepMs = 2_000,
  ) {}

  /** Calls `check` whenever the task's exit file may have appeared, until the returned function is called. */
  watch(id: string, check: () => void): () => void {
    this.waiting.set(id, check);
    this.start();
    return () => {
      this.waiting.delete(id);
      if (this.waiting.size === 0) this.stop();
    };
  }

  /** The run folder was made anew (the home was deleted): a watch on the old one sees nothing any more. */
  rewatch(): void {
    if (!this.sweep) return;
    this.watcher?.close();
    this.watcher = null;
    this.watchFolder();
    for (const check of [...this.waiting.values()]) check();
  }

  private start(): void {
    if (this.watcher || this.sweep) return;
    this.watchFolder();
    this.sweep = setInterval(() => {
      for (const check of [...this.waiting.values()]) check();
    }, this.sweepMs);
    this.sweep.unref();
  }

  private watchFolder(): void {
    try {
      this.watcher = watch(this.runDir, (_event, file) => {
        const name = typeof file === 'string' ? file : '';
        const check = this.waiting.get(name.replace(/\.exit$/, ''));
        check?.();
      });
      this.watcher.unref();
    } catch {
      // No inotify (rare): the sweep alone finds the exits, only later.
    }
  }

  private stop(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
  }
}
