/**
 * Output a task still writes into a deleted log file, copied into the file now at its
 * path. A task's monitor holds its log files open as its fds 1 and 2 for the whole run,
 * and the task writes through them: when the home is deleted under a running task, the
 * task goes on writing into the deleted files, which /proc/<monitor>/fd/N still opens.
 * A mirror copies what is there (all the earlier output) and what follows, at the same
 * offsets, so reads by offset and the read cursors go on as if nothing had happened,
 * a quarter of a second behind the task.
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readlinkSync, readSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isAlive } from '../process/procfs.js';
import type { Stream } from './read.js';

const TICK_MS = 250;
/** Copied per mirror and tick at most: a big log catches up over a few ticks instead of blocking the daemon. */
const BUDGET = 16 << 20;
const CHUNK = 1 << 20;
const ZEROS = Buffer.alloc(CHUNK);

/** What became of one log file of a running task. */
export type MirrorOutcome = 'intact' | 'mirrored' | 'lost';

interface Monitor {
  monitorPid: number;
  monitorStart: number;
}

class Mirror {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  constructor(
    private readonly from: number,
    private readonly to: number,
    private copied: number,
  ) {}

  /** Copies up to `budget` new bytes. */
  pump(budget = BUDGET): void {
    const size = fstatSync(this.from).size;
    while (this.copied < size && budget > 0) {
      const n = readSync(this.from, this.buffer, 0, Math.min(CHUNK, size - this.copied, budget), this.copied);
      if (n === 0) break;
      // A chunk of zeros is most likely the head a log cap released (a hole): it stays a hole here too.
      if (!this.buffer.subarray(0, n).equals(ZEROS.subarray(0, n))) writeSync(this.to, this.buffer, 0, n, this.copied);
      this.copied += n;
      budget -= n;
    }
    if (fstatSync(this.to).size < this.copied) ftruncateSync(this.to, this.copied);
  }

  close(): void {
    closeSync(this.from);
    closeSync(this.to);
  }
}

export class LogMirrors {
  private readonly mirrors = new Map<string, Mirror[]>();
  private timer: NodeJS.Timeout | null = null;

  /**
   * Looks at each log file the task's monitor writes (stdout on fd 1, stderr on fd 2, one
   * file when they are combined) and mirrors those that were deleted.
   */
  adopt(id: string, logDir: string, monitor: Monitor, streams: Stream[]): Record<string, MirrorOutcome> {
    // Mirrors from before (the home was deleted again) write into files that are gone too: they start over.
    for (const mirror of this.mirrors.get(id) ?? []) mirror.close();
    this.mirrors.delete(id);
    const outcome: Record<string, MirrorOutcome> = {};
    for (const stream of streams) {
      const path = join(logDir, `${stream}.log`);
      try {
        outcome[stream] = this.mirrorOne(id, path, monitor, stream === 'stdout' ? 1 : 2);
      } catch {
        outcome[stream] = 'lost';
      }
    }
    return outcome;
  }

  private mirrorOne(id: string, path: string, { monitorPid, monitorStart }: Monitor, fd: number): MirrorOutcome {
    if (!isAlive(monitorPid, monitorStart)) return 'lost';
    const link = `/proc/${monitorPid}/fd/${fd}`;
    // The monitor's fd must still be this task's log (named by its folder and file), deleted or not.
    const target = readlinkSync(link);
    if (!target.replace(/ \(deleted\)$/, '').endsWith(join(basename(join(path, '..')), basename(path)))) return 'lost';
    const from = openSync(link, 'r');
    const st = fstatSync(from);
    if (st.nlink > 0) {
      closeSync(from);
      const here = statSync(path, { throwIfNoEntry: false });
      return here && here.ino === st.ino && here.dev === st.dev ? 'intact' : 'lost';
    }
    // Written at the source's offsets (not appended), so that holes can stay holes.
    const to = openSync(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
    const mirror = new Mirror(from, to, Math.min(fstatSync(to).size, st.size));
    this.mirrors.set(id, [...(this.mirrors.get(id) ?? []), mirror]);
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    return 'mirrored';
  }

  /** The task's run is over: what its files hold is copied to the end, and they are let go. */
  finish(id: string): void {
    const mirrors = this.mirrors.get(id);
    if (!mirrors) return;
    this.mirrors.delete(id);
    for (const mirror of mirrors) {
      try {
        mirror.pump(Infinity);
      } catch {
        // The new file could not be written (the home went again): what is left is lost.
      }
      mirror.close();
    }
    if (this.mirrors.size === 0) this.close();
  }

  private tick(): void {
    for (const [id, mirrors] of this.mirrors) {
      try {
        for (const mirror of mirrors) mirror.pump();
      } catch {
        // Its new file is gone too (the home was deleted again): the next restore starts over.
        for (const mirror of mirrors) mirror.close();
        this.mirrors.delete(id);
      }
    }
  }

  /** Stops every mirror without copying more (the daemon is going; the next one takes them up again). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const mirrors of this.mirrors.values()) for (const mirror of mirrors) mirror.close();
    this.mirrors.clear();
  }
}
