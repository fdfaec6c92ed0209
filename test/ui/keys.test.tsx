import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskManager } from '../../src/ui/components/TaskManager.js';
import { waitFor } from '../helpers.js';
import { FakeApi, frameWhere, KEY, rowOf, task } from './fake.js';

const FAST = { listMs: 20, detailsMs: 20 };

afterEach(() => {
  cleanup();
});

function setup(tasks = [task('bash_1', { name: 'db' }), task('bash_2', { name: 'api' }), task('bash_3', { name: 'lint', status: 'completed', exitCode: 0, pid: null })]) {
  const api = new FakeApi(tasks);
  let quits = 0;
  const ui = render(<TaskManager api={api} home="/tmp/h" timing={FAST} color={false} size={{ columns: 100, rows: 24 }} onQuit={() => quits++} />);
  const frame = (ok: (f: string) => boolean, what: string) => frameWhere(ui.lastFrame, ok, what);
  const selected = (id: string) => frame((f) => new RegExp(`^▸\\s*${id}\\s`, 'm').test(f), `${id} selected`);
  return { api, ui, frame, selected, press: (k: string) => ui.stdin.write(k), quits: () => quits };
}

describe('keys', () => {
  it('↑/↓, j, Ctrl-N/Ctrl-P, g/G and Home/End move the selection', async () => {
    const { press, selected, frame } = setup();
    await frame((f) => f.includes('bash_3'), 'the list');
    await selected('bash_1');
    press(KEY.down);
    await selected('bash_2');
    press('j');
    await selected('bash_3');
    // Down on the last stays there: up then selects the one above it (keys are read in order).
    press(KEY.down);
    press(KEY.up);
    await selected('bash_2');
    press('\u0010'); // Ctrl-P
    await selected('bash_1');
    press('\u000e'); // Ctrl-N
    await selected('bash_2');
    press('G');
    await selected('bash_3');
    press('g');
    await selected('bash_1');
    press(KEY.end);
    await selected('bash_3');
  });

  it('k asks before killing a running task; anything but y cancels', async () => {
    const { api, press, frame, selected } = setup();
    await selected('bash_1');
    press('k');
    await frame((f) => /Kill bash_1 \(db\), pid 4001, and its whole process tree\? y\/N/.test(f), 'the question');
    press('n');
    await frame((f) => f.includes('kill of bash_1 (db) cancelled'), 'the cancellation');
    expect(api.called('kill')).toEqual([]);
  });

  it('k then y kills through api.kill without holding up the screen while the tree dies', async () => {
    const { api, press, frame, selected } = setup();
    let release!: () => void;
    api.holdKill = new Promise((r) => (release = r));
    await selected('bash_1');
    press(KEY.down);
    await selected('bash_2');
    press('k');
    await frame((f) => f.includes('y/N'), 'the question');
    press('y');
    await frame((f) => f.includes('killing bash_2 (api)…'), 'the kill under way');
    expect(api.called('kill')).toEqual([{ refs: ['bash_2'] }]);
    // The kill has not returned, and the screen still follows keys and the daemon.
    await frame((f) => /bash_2\s+api\s+killing…/.test(f), 'the row marked');
    press(KEY.up);
    await selected('bash_1');
    api.update('bash_1', { status: 'failed', exitCode: 2, pid: null });
    await frame((f) => /bash_1\s+db\s+failed/.test(rowOf(f, 'bash_1') ?? ''), 'a list update during the kill');
    release();
    const done = await frame((f) => f.includes('bash_2 (api) killed (SIGTERM)'), 'the kill done');
    expect(rowOf(done, 'bash_2')).toMatch(/killed\s+-\s+-\s+\S+\s+SIGTERM/);
  });

  it('k on a finished task says so and kills nothing; r restarts through api.restart', async () => {
    const { api, press, frame, selected } = setup();
    await selected('bash_1');
    press('G');
    await selected('bash_3');
    press('k');
    await frame((f) => f.includes('bash_3 (lint) already completed'), 'the message');
    expect(api.called('kill')).toEqual([]);
    press('r');
    await frame((f) => /bash_3 \(lint\) restarted \(pid \d+\)/.test(f), 'the restart');
    expect(api.called('restart')).toEqual(['bash_3']);
    await frame((f) => /bash_3\s+lint\s+running/.test(rowOf(f, 'bash_3') ?? ''), 'the row running again');
  });

  it('/ filters the list as you type; Enter keeps the filter, Esc clears it', async () => {
    const { press, frame } = setup();
    await frame((f) => f.includes('bash_3'), 'the list');
    press('/');
    for (const ch of 'apx') press(ch);
    let f = await frame((x) => x.includes('/apx▏') && x.includes('no task matches "apx"'), 'the filter matching nothing');
    press(KEY.backspace);
    f = await frame((x) => x.includes('/ap▏') && x.includes('bash_2'), 'the filtered list');
    expect(f).not.toMatch(/bash_1|bash_3/);
    press(KEY.enter);
    f = await frame((x) => x.includes('filter "ap": 1 shown') && !x.includes('▏'), 'the filter kept');
    expect(f).toMatch(/^▸bash_2/m);
    press(KEY.escape);
    await frame((x) => x.includes('bash_1') && x.includes('bash_3') && !x.includes('filter "'), 'the whole list again');
  });

  it('l follows the full log; g/G and ↑/↓ scroll; Tab shows stderr; Esc goes back where it came from', async () => {
    const { api, press, frame, selected } = setup();
    api.stdout.set('bash_1', Array.from({ length: 100 }, (_, i) => `out ${i + 1}`).join('\n') + '\n');
    api.stderr.set('bash_1', 'err only\n');
    await selected('bash_1');
    press('l');
    let f = await frame((x) => x.includes('out 100') && x.includes('following'), 'the end of the log');
    expect(f).not.toMatch(/out 1\n/);
    api.stdout.set('bash_1', api.stdout.get('bash_1') + 'out 101\n');
    await frame((x) => x.includes('out 101'), 'a new line followed');
    press('g');
    f = await frame((x) => /^ out 1$/m.test(x) && x.includes('line 1 of 101'), 'the top');
    press(KEY.down);
    await frame((x) => x.includes('line 2 of 101') && !/^ out 1$/m.test(x), 'one line down');
    press('G');
    await frame((x) => x.includes('out 101') && x.includes('following'), 'the end again');
    press(KEY.tab);
    await frame((x) => x.includes('stderr · following') && x.includes('err only'), 'stderr');
    press(KEY.escape);
    await frame((x) => x.includes('NAME') && x.includes('STATUS'), 'back to the list');
    // From the details view, Esc in the log goes back to the details.
    press(KEY.enter);
    await frame((x) => x.includes('— details'), 'the details');
    press('l');
    await frame((x) => x.includes('following'), 'the log');
    press(KEY.escape);
    await frame((x) => x.includes('— details'), 'the details again');
  });

  it('q quits from the list; Esc quits at the top but first goes back; Ctrl-C quits anywhere', async () => {
    const { press, frame, quits } = setup();
    const quitsReach = (n: number) => waitFor(() => quits() === n, `${n} quits`, 3_000, 10);
    await frame((f) => f.includes('bash_1'), 'the list');
    press(KEY.enter);
    await frame((f) => f.includes('— details'), 'the details');
    press(KEY.escape);
    await frame((f) => f.includes('NAME'), 'the list');
    expect(quits()).toBe(0);
    press(KEY.escape);
    await quitsReach(1);
    press('q');
    await quitsReach(2);
    press(KEY.enter);
    await frame((f) => f.includes('— details'), 'the details');
    press(KEY.ctrlC);
    await quitsReach(3);
  });
});
