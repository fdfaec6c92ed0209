/**
 * The library use the README shows: the Supervisor in-process, no daemon, on a home of its own.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../src/supervisor/supervisor.js';
import { cleanupHome, isRunning, makeHome, waitFor } from './helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

// Tagged with the home, as a daemon's tasks are, so that the check for leftovers sees them.
const tagged = () => ({ CORRAL_HOME: home });

describe('the Supervisor as a library', () => {
  it('opens a home, runs a task, reads what is new by name, kills it and closes', async () => {
    const sup = await Supervisor.open({ home });
    try {
      const task = await sup.run({ command: 'echo hello; echo world; sleep 30', env: tagged() });
      expect(task).toMatchObject({ id: 'bash_1', status: 'running' });
      let seen = '';
      await waitFor(async () => {
        const page = await sup.read({ ref: task.id, newAs: 'me' });
        seen += page.stdout!.data;
        return seen === 'hello\nworld\n';
      }, 'the output');
      expect((await sup.read({ ref: task.id, newAs: 'me' })).stdout!.data).toBe('');
      // Another consumer has its own cursor.
      expect((await sup.read({ ref: task.id, newAs: 'you' })).stdout!.data).toBe('hello\nworld\n');

      const [killed] = await sup.kill({ refs: [task.id] });
      expect(killed).toMatchObject({ id: 'bash_1', status: 'killed', reason: 'SIGTERM' });
      expect(isRunning(task.pid!)).toBe(false);
    } finally {
      await sup.close();
    }
  });

  it('leaves tasks running on close, for the next supervisor of the home to adopt', async () => {
    const first = await Supervisor.open({ home });
    const task = await first.run({ command: 'sleep 30', env: tagged() });
    await first.close();
    expect(isRunning(task.pid!)).toBe(true);

    const second = await Supervisor.open({ home });
    try {
      expect(await second.get(task.id)).toMatchObject({ status: 'running', pid: task.pid });
      const [killed] = await second.kill({ refs: [task.id] });
      expect(killed).toMatchObject({ status: 'killed' });
      expect(isRunning(task.pid!)).toBe(false);
    } finally {
      await second.close();
    }
  });
});
