/**
 * What a home's files take on disk (`corral du`): each task's log folder (its logs and
 * their side files), the event journal and the daemon's log, each with its older half.
 * Disk use is st_blocks × 512, what `du` counts, not the apparent size: a capped log's
 * released head takes no space. `released` is what the log cap gave back.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keptStart } from './kept.js';

const diskOf = (path: string): number => {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? st.blocks * 512 : 0;
};

export interface FolderUse {
  /** Bytes on disk of every file in the folder. */
  diskBytes: number;
  /** Bytes the log cap released from the logs (their kept starts). */
  releasedBytes: number;
}

export function logFolderUse(dir: string): FolderUse {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { diskBytes: 0, releasedBytes: 0 };
  }
  let diskBytes = 0;
  let releasedBytes = 0;
  for (const name of names) {
    const path = join(dir, name);
    diskBytes += diskOf(path);
    if (name.endsWith('.log')) releasedBytes += keptStart(path, statSync(path, { throwIfNoEntry: false })?.size ?? 0);
  }
  return { diskBytes, releasedBytes };
}

/** A file and its older half (`events.jsonl` and `events.jsonl.1`). */
export const rotatedDisk = (path: string): number => diskOf(path) + diskOf(`${path}.1`);
