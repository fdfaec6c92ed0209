import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { DetailsView } from '../../src/ui/components/DetailsView.js';
import { TaskManager } from '../../src/ui/components/TaskManager.js';
import { details, FakeApi, frameWhere, KEY, task } from './fake.js';

const FAST = { listMs: 20, detailsMs: 20 };

afterEach(() => {
  cleanup();
});

const lines = (n: number, prefix = 'line') => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`);

describe('the details view', () => {
  it('shows the command, cwd, runtime, exit and reason, restarts, health with its last failure, CPU and memory with sparklines, and the output', () => {
    const t = task('bash_3', {
      name: 'web',
      env: 'dev',
      dependsOn: ['api:healthy'],
      command: 'npm run dev',
      cwd: '/srv/web',
      status: 'failed',
      reason: 'restart limit reached (5 in 60s) after exit 1',
      pid: null,
      exitCode: 1,
      restarts: 5,
      health: 'unhealthy',
      healthReason: 'unhealthy (3 failures: http://127.0.0.1:3000/ answered 500)',
      startedAt: new Date(Date.now() - 90_000).toISOString(),
      endedAt: new Date(Date.now() - 30_000).toISOString(),
      cpuPercent: 2.5,
      memoryBytes: 91 * 1024 * 1024,
    });
    const d = details(t, {
      healthChecks: ['http://127.0.0.1:3000/'],
      restartHistory: [{ at: new Date().toISOString(), reason: 'exit 1' }],
      samples: [0, 1, 2, 3, 4, 5, 6, 7].map((n) => ({ at: n, cpuPercent: n, memoryBytes: n * 1024 * 1024 })),
      peakMemoryBytes: 95 * 1024 * 1024,
    });
    const { lastFrame } = render(
      <DetailsView task={t} details={d} stdout={lines(30).slice(-10)} stderr={['Error: boom', '  at main.js:1']} width={100} height={28} now={Date.now()} color={false} />,
    );
    const frame = lastFrame()!;
    expect(frame).toMatch(/status\s+failed/);
    expect(frame).toMatch(/command\s+npm run dev/);
    expect(frame).toMatch(/cwd\s+\/srv\/web/);
    expect(frame).toMatch(/env\s+dev\s+\(depends on api:healthy\)/);
    expect(frame).toMatch(/runtime\s+1m00s\s+\(started \d\d:\d\d:\d\d, ended \d\d:\d\d:\d\d\)\s+pid -/);
    expect(frame).toMatch(/exit\s+1 — restart limit reached \(5 in 60s\) after exit 1/);
    expect(frame).toMatch(/restarts\s+5\s+\(policy on-failure, at most 5\)\s+last \d\d:\d\d:\d\d: exit 1/);
    expect(frame).toMatch(/health\s+unhealthy \(3 failures: http:\/\/127\.0\.0\.1:3000\/ answered 500\)\s+\[http:\/\/127\.0\.0\.1:3000\/\]/);
    expect(frame).toMatch(/cpu\s+2\.5%\s+▁▂▃▄▅▆▇█/);
    expect(frame).toMatch(/memory\s+91 MB \(peak 95 MB\)\s+▁▂▃▄▅▆▇█/);
    expect(frame).toMatch(/stdout, last 10 lines/);
    expect(frame).not.toMatch(/line 20\b/);
    for (const n of [21, 25, 30]) expect(frame).toMatch(new RegExp(`line ${n}\\b`));
    expect(frame).toMatch(/── stderr[\s\S]*Error: boom\n\s+at main\.js:1/);
  });

  it('shows "-" without CPU and memory samples, no sparkline, and no maximum of restarts without a restart policy', () => {
    const t = task('bash_1', { command: 'sleep 100' });
    const { lastFrame } = render(<DetailsView task={t} details={details(t, { restartPolicy: 'no' })} stdout={[]} stderr={[]} width={80} height={20} now={Date.now()} color={false} />);
    const frame = lastFrame()!;
    // Never restarted: no maximum of restarts to speak of.
    expect(frame).toMatch(/restarts\s+0\s+\(policy no\)\s*\n/);
    expect(frame).toMatch(/cpu\s+-\s*\n/);
    expect(frame).toMatch(/memory\s+-\s*\n/);
    expect(frame).not.toMatch(/[▁▂▃▄▅▆▇█]/);
    expect(frame).toMatch(/\(no output\)/);
    expect(frame).not.toMatch(/stderr/);
  });

  it('shows what a watched task watches and the change that restarted it last', () => {
    const t = task('bash_4', { command: 'node api.js', restarts: 2 });
    const watch = { paths: ['/srv/api/src'], ignore: ['dist'], debounceMs: 300, cascade: true, watching: true, lastChange: { path: '/srv/api/src/app.js', changes: 5, at: new Date().toISOString() } };
    const { lastFrame } = render(<DetailsView task={t} details={details(t, { watch })} stdout={[]} stderr={[]} width={100} height={24} now={Date.now()} color={false} />);
    const frame = lastFrame()!;
    expect(frame).toMatch(/watches\s+\/srv\/api\/src \(debounce 300ms, cascade, ignoring dist\)\s*\n/);
    expect(frame).toMatch(/changed\s+\d\d:\d\d:\d\d \/srv\/api\/src\/app\.js and 4 more: restarted/);
    // An unwatched task has neither line.
    const plain = render(<DetailsView task={t} details={details(t)} stdout={[]} stderr={[]} width={100} height={24} now={Date.now()} color={false} />).lastFrame()!;
    expect(plain).not.toMatch(/watches|changed/);
  });

  it('fits an 80x24 terminal with output on both streams', () => {
    const t = task('bash_1', { env: 'dev', command: 'node api.js', health: 'healthy', healthReason: 'healthy' });
    const { lastFrame } = render(
      <DetailsView task={t} details={details(t)} stdout={lines(10)} stderr={lines(10, 'warn')} width={79} height={21} now={Date.now()} color={false} />,
    );
    const out = lastFrame()!.split('\n');
    expect(out.length).toBeLessThanOrEqual(21);
    for (const l of out) expect([...l].length).toBeLessThanOrEqual(79);
    expect(lastFrame()).toMatch(/line 10/);
    expect(lastFrame()).toMatch(/warn 10/);
  });

  it('opens on Enter with live data from the supervisor, and Esc goes back to the list', async () => {
    const api = new FakeApi([task('bash_1', { name: 'db' }), task('bash_2', { name: 'api', command: 'node api.js' })]);
    api.stdout.set('bash_2', lines(30).join('\n') + '\n');
    api.stderr.set('bash_2', 'warning: deprecated\n');
    const { lastFrame, stdin } = render(<TaskManager api={api} home="/tmp/h" timing={FAST} color={false} size={{ columns: 100, rows: 30 }} onQuit={() => {}} />);
    await frameWhere(lastFrame, (f) => f.includes('bash_2'), 'the list');
    stdin.write(KEY.down);
    await frameWhere(lastFrame, (f) => /^▸bash_2/m.test(f), 'bash_2 selected');
    stdin.write(KEY.enter);
    let frame = await frameWhere(lastFrame, (f) => f.includes('line 30') && f.includes('warning: deprecated'), 'the details of bash_2');
    expect(frame.split('\n')[0]).toMatch(/corral › bash_2 \(api\) — details/);
    expect(frame).not.toMatch(/line 20\b/);
    expect(api.called('describe')).toContain('bash_2');

    // New output shows up without a key press.
    api.stdout.set('bash_2', lines(31).join('\n') + '\n');
    frame = await frameWhere(lastFrame, (f) => f.includes('line 31'), 'the new line');
    expect(frame).not.toMatch(/line 21\b/);

    // ↓ moves the details to the next task (there is none after bash_2), ↑ to the previous one.
    stdin.write(KEY.up);
    await frameWhere(lastFrame, (f) => f.includes('corral › bash_1 (db) — details'), 'the details of bash_1');
    stdin.write(KEY.escape);
    frame = await frameWhere(lastFrame, (f) => f.includes('ID ') && f.includes('NAME'), 'the list again');
    expect(frame).toMatch(/^▸bash_1/m);
  });

  it('says so when the task is gone', async () => {
    const api = new FakeApi([task('bash_1')]);
    const { lastFrame, stdin } = render(<TaskManager api={api} home="/tmp/h" timing={FAST} color={false} size={{ columns: 100, rows: 30 }} onQuit={() => {}} />);
    await frameWhere(lastFrame, (f) => f.includes('bash_1'), 'the list');
    stdin.write(KEY.enter);
    await frameWhere(lastFrame, (f) => f.includes('policy on-failure'), 'the details');
    api.tasks = [];
    await frameWhere(lastFrame, (f) => /error\s+no task "bash_1"/.test(f), 'the error');
    // Gone before its details ever came: the view says so, and Esc still goes back.
    api.tasks = [task('bash_2')];
    await frameWhere(lastFrame, (f) => f.includes('bash_1') && f.includes('details'), 'still the details of bash_1');
    stdin.write(KEY.escape);
    await frameWhere(lastFrame, (f) => /^▸bash_2/m.test(f), 'the list, on the task left');
    stdin.write(KEY.enter);
    api.tasks = [];
    await frameWhere(lastFrame, (f) => /bash_2 is gone/.test(f), 'the task gone');
  });
});
