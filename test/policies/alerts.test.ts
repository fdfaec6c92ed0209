import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertWatcher, type AlertHit } from '../../src/policies/alerts.js';
import { waitFor } from '../helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('AlertWatcher', () => {
  it('watches a task folder made after the rule was set, from the next check on', async () => {
    const base = mkdtempSync(join(tmpdir(), 'corral-alerts-'));
    dirs.push(base);
    const dir = join(base, 'logs', 'bash_1');
    const hits: AlertHit[] = [];
    const watcher = new AlertWatcher(dir, '(?i)error', (hit) => hits.push(hit));
    try {
      // The monitor makes the folder as the task starts; the daemon then checks once.
      mkdirSync(dir, { recursive: true });
      appendFileSync(join(dir, 'stdout.log'), 'starting\n');
      watcher.check();
      expect(hits).toEqual([]);
      // From now on a write is seen without anyone calling check().
      appendFileSync(join(dir, 'stderr.log'), 'ERROR: boom\nfine\n');
      await waitFor(() => hits.length > 0, 'the alert');
      expect(hits).toEqual([{ stream: 'stderr', line: 'ERROR: boom' }]);
    } finally {
      watcher.close();
    }
  });
});
