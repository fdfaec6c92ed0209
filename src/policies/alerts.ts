/**
 * Alert rules: new output lines of a task that match its `alert_on` regex raise alerts.
 * The daemon tails the log files (inotify on the task's log folder, reading on from the
 * offset it has seen), so only lines written after the rule was set can match.
 */
import { closeSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { userRegExp } from '../../machines/pattern.js';

export interface AlertHit {
  stream: 'stdout' | 'stderr';
  line: string;
}

export class AlertWatcher {
  private readonly regex: RegExp;
  private readonly offsets: Record<'stdout' | 'stderr', number>;
  private readonly carry: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  private watcher: FSWatcher | null = null;

  constructor(
    private readonly dir: string,
    readonly rule: string,
    private readonly onHit: (hit: AlertHit) => void,
  ) {
    this.regex = userRegExp(rule);
    this.offsets = { stdout: sizeOf(join(dir, 'stdout.log')), stderr: sizeOf(join(dir, 'stderr.log')) };
    this.watchFolder();
  }

  private watchFolder(): void {
    try {
      this.watcher = watch(this.dir, () => this.check());
      this.watcher.unref();
    } catch {
      // The task's monitor makes the folder as the first run starts: check() tries again.
    }
  }

  /** Reads what is new; called on every change in the folder, on each sample tick, and as the task starts. */
  check(): void {
    if (!this.watcher) this.watchFolder();
    for (const stream of ['stdout', 'stderr'] as const) {
      const path = join(this.dir, `${stream}.log`);
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch {
        continue;
      }
      try {
        const buf = Buffer.allocUnsafe(64 * 1024);
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, this.offsets[stream]);
          if (n === 0) break;
          this.offsets[stream] += n;
          const lines = (this.carry[stream] + buf.toString('utf8', 0, n)).split('\n');
          this.carry[stream] = lines.pop() ?? '';
          for (const line of lines) if (this.regex.test(line)) this.onHit({ stream, line });
        }
      } finally {
        closeSync(fd);
      }
    }
  }

  /** The folder was made anew (the home was deleted): a watch on the old one sees nothing any more. */
  rewatch(): void {
    this.close();
    this.watchFolder();
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
