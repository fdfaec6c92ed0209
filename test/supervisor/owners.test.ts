/**
 * Which task a process belongs to (`owners`, what `ports`, `kill --port` and the hook ask):
 * a task's tree, what a finished task left running, and nobody else's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskView } from '../../src/api.js';
import { taskOwner } from '../../src/supervisor/owners.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { cleanupHome, makeHome, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

describe('owners', () => {
  it("names the task of its processes and of what it left running, and no task for anyone else's", async () => {
    const sup = await Supervisor.open({ home });
    try {
      const pids = join(home, 'pids');
      // Tagged with the home, so that the check for leftovers sees them; ends at once, leaving a setsid-ed child.
      const left = await sup.run({ name: 'leaver', command: `setsid sleep 60 & echo $! > ${pids}`, env: { CORRAL_HOME: home } });
      const live = await sup.run({ name: 'sleeper', command: 'sleep 60', env: { CORRAL_HOME: home } });
      const child = await waitFor(() => {
        try {
          return Number(readFileSync(pids, 'utf8')) || null;
        } catch {
          return null;
        }
      }, 'the leftover');
      await waitFor(async () => (await sup.get(left.id)).status === 'completed', 'the leaver to end');
      expect(await sup.owners([child, live.pid!, process.pid])).toEqual([
        { id: left.id, name: 'leaver', env: null, session: null, project: left.project },
        { id: live.id, name: 'sleeper', env: null, session: null, project: live.project },
        null,
      ]);
      await sup.kill({ refs: [left.id, live.id] });
      expect(await sup.owners([child, live.pid!])).toEqual([null, null]);
    } finally {
      await sup.close();
    }
  });

  it('carries the session and project of the task', () => {
    const view = { id: 'bash_1', name: 'web', env: 'dev', session: null, project: null } as TaskView;
    expect(taskOwner(view)).toEqual({ id: 'bash_1', name: 'web', env: 'dev', session: null, project: null });
    expect(taskOwner({ ...view, session: 's1', project: '/src/app' })).toEqual({ id: 'bash_1', name: 'web', env: 'dev', session: 's1', project: '/src/app' });
  });
});
