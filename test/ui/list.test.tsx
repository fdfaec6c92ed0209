import { render, cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { DetailsView } from '../../src/ui/components/DetailsView.js';
import { listPosition, TaskList } from '../../src/ui/components/TaskList.js';
import { TaskManager } from '../../src/ui/components/TaskManager.js';
import { Sparkline } from '../../src/ui/components/Sparkline.js';
import { buildRows, cleanLine, filterPrompt, layoutColumns, listTitle, sparkline, summary, windowStart } from '../../src/ui/format.js';
import { waitFor } from '../helpers.js';
import { details, FakeApi, FakeEventApi, frameWhere, KEY, rowOf, sleep, task } from './fake.js';

const FAST = { listMs: 20, detailsMs: 20 };

afterEach(() => {
  cleanup();
});

const fourTasks = () => [
  task('bash_1', { name: 'db', env: 'dev', command: 'redis-server --port 6390', health: 'healthy', healthReason: 'healthy', cpuPercent: 0.4, memoryBytes: 38 * 1024 * 1024 }),
  task('bash_2', { name: 'api', env: 'dev', command: 'node api.js', health: 'unhealthy', healthReason: 'unhealthy (3 failures: tcp:127.0.0.1:4000 refused)' }),
  task('bash_3', { name: 'web', command: 'npm run dev', status: 'restarting', pid: null, exitCode: 1, restarts: 2, restartAt: new Date(Date.now() + 4_000).toISOString() }),
  task('bash_4', { name: 'lint', command: 'npm run lint', status: 'completed', exitCode: 0, endedAt: new Date().toISOString() }),
];

describe('the task list', () => {
  it('shows every column, "-" for what is not known, and environments as groups with their tasks indented', () => {
    const tasks = fourTasks();
    const { lastFrame } = render(<TaskList rows={buildRows(tasks)} selectedId="bash_2" width={119} height={10} top={0} now={Date.now()} color={false} />);
    const frame = lastFrame()!;
    const lines = frame.split('\n');
    expect(lines[0]).toMatch(/^\s+ID\s+NAME\s+STATUS\s+HEALTH\s+PID\s+UPTIME\s+EXIT\s+CPU\s+MEM\s+COMMAND/);
    expect(lines[1]).toMatch(/▾ dev · 2 tasks \(2 running\)/);
    // Grouped tasks are indented under their environment; the others are not.
    expect(rowOf(frame, 'bash_1')).toMatch(/^ {3}bash_1\s+db\s+running\s+healthy\s+4001\s+1m0[45]s\s+-\s+0\.4%\s+38 MB\s+redis-server --port 6390/);
    expect(rowOf(frame, 'bash_2')).toMatch(/^▸ {2}bash_2\s+api\s+running\s+unhealthy\s+4002\s+.*-\s+-\s+-\s+node api\.js/);
    expect(rowOf(frame, 'bash_3')).toMatch(/^ bash_3\s+web\s+restarting\s+-\s+-\s+\S+\s+1\s+-\s+-\s+npm run dev\s+\(in [34]s, 2 restarts\)/);
    expect(rowOf(frame, 'bash_4')).toMatch(/^ bash_4\s+lint\s+completed\s+-\s+-\s+\S+\s+0\s+-\s+-\s+npm run lint/);
    expect(summary(tasks)).toBe('4 tasks (2 running, 1 restarting, 1 completed)');
  });

  it('fits 80 columns by giving up the least useful columns first, and never draws past the width', () => {
    const tasks = fourTasks().map((t) => ({ ...t, command: `${t.command} ${'--flag '.repeat(20)}` }));
    const { lastFrame } = render(<TaskList rows={buildRows(tasks)} selectedId="bash_1" width={79} height={10} top={0} now={Date.now()} color={false} />);
    for (const line of lastFrame()!.split('\n')) expect([...line].length).toBeLessThanOrEqual(79);
    expect(lastFrame()).toMatch(/COMMAND/);
    const { columns } = layoutColumns(buildRows(tasks), 79, Date.now());
    expect(columns[columns.length - 1]!.width).toBeGreaterThanOrEqual(16);
  });

  it('keeps up with 200 tasks in an 80x24 terminal: the list is windowed around the selection', async () => {
    const tasks = Array.from({ length: 200 }, (_, i) => task(`bash_${i + 1}`, { command: `node worker.js --shard ${i + 1}` }));
    const api = new FakeApi(tasks);
    const { lastFrame, stdin } = render(<TaskManager api={api} home="/tmp/h" timing={FAST} color={false} size={{ columns: 80, rows: 24 }} onQuit={() => {}} />);
    let frame = await frameWhere(lastFrame, (f) => f.includes('bash_1 '), 'the list');
    let lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/corral — 200 tasks \(200 running\)/);
    expect(frame).toMatch(/1–20 of 200/);
    expect(lines[lines.length - 1]).toMatch(/↑\/↓ select · Enter details · l logs · k kill · r restart · \/ filter · q quit/);

    stdin.write(KEY.end);
    frame = await frameWhere(lastFrame, (f) => /^▸bash_200\s/m.test(f), 'the last task selected and shown');
    expect(frame).toMatch(/181–200 of 200/);
    expect(frame).not.toMatch(/bash_180\s/);
    lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    // Moving up inside the window does not scroll it.
    for (let i = 0; i < 5; i++) stdin.write(KEY.up);
    frame = await frameWhere(lastFrame, (f) => /^▸bash_195\s/m.test(f), 'bash_195 selected');
    expect(frame).toMatch(/181–200 of 200/);
  });

  it('redraws for the new size when the terminal is resized', async () => {
    const api = new FakeApi(fourTasks().map((t) => ({ ...t, command: `${t.command} ${'x'.repeat(150)}` })));
    const { lastFrame, stdout } = render(<TaskManager api={api} home="/tmp/h" timing={FAST} color={false} onQuit={() => {}} />);
    const wide = await frameWhere(lastFrame, (f) => f.includes('bash_4'), 'the list');
    // ink-testing-library's terminal is 100 columns wide.
    expect(Math.max(...wide.split('\n').map((l) => [...l].length))).toBe(99);
    Object.defineProperty(stdout, 'columns', { value: 60, configurable: true });
    Object.defineProperty(stdout, 'rows', { value: 8, configurable: true });
    stdout.emit('resize');
    const narrow = await frameWhere(lastFrame, (f) => Math.max(...f.split('\n').map((l) => [...l].length)) <= 59, 'a 60-column frame');
    const lines = narrow.split('\n');
    expect(lines.length).toBeLessThanOrEqual(7);
    // Only what fits: the table's header and 4 of its 5 rows, the title above and the keys below.
    expect(narrow).toMatch(/bash_3/);
    expect(narrow).not.toMatch(/bash_4/);
    expect(narrow).not.toMatch(/HEALTH|CPU|MEM/);
  });

  it('stays responsive while the daemon is slow to answer', async () => {
    const api = new FakeApi(fourTasks());
    let release!: () => void;
    api.holdList = new Promise((r) => (release = r));
    const { lastFrame, stdin } = render(<TaskManager api={api} home="/tmp/h" timing={FAST} color={false} size={{ columns: 100, rows: 20 }} onQuit={() => {}} />);
    await frameWhere(lastFrame, (f) => f.includes('connecting…'), 'the waiting screen');
    stdin.write('/');
    await frameWhere(lastFrame, (f) => f.includes('Enter keep · Esc clear'), 'the filter prompt while the list is pending');
    stdin.write(KEY.escape);
    // Polls every 20 ms, but never behind a call that has not answered: no pile-up.
    await sleep(200);
    expect(api.called('list')).toHaveLength(1);
    api.holdList = null;
    release();
    await frameWhere(lastFrame, (f) => f.includes('bash_4'), 'the list once the daemon answers');
    // ...and polls go on once it answers.
    await waitFor(() => api.called('list').length > 2, 'more polls', 3_000, 10);
  });
});

/** 30 tasks in three environments, in five states. */
const thirtyInGroups = () =>
  Array.from({ length: 30 }, (_, i) =>
    task(`bash_${i + 1}`, { name: `shard-${i + 1}`, env: `env${Math.floor(i / 10) + 1}`, status: (['running', 'restarting', 'waiting', 'failed', 'completed'] as const)[i % 5]! }),
  );

describe('the title of the list', () => {
  it('counts tasks, not the group rows of environments, in the position of the window', () => {
    const rows = buildRows(thirtyInGroups());
    expect(rows).toHaveLength(33);
    // 20 rows: env1's group row and its 10 tasks, env2's group row and 8 of its tasks.
    expect(listPosition(rows, 0, 21)).toBe('1–18 of 30');
    expect(listPosition(rows, 13, 21)).toBe('12–30 of 30');
    expect(listPosition(rows, 0, 40)).toBe('');
  });

  it('shows the filter in full, giving up the count by status first, and cuts it only when nothing else is left', () => {
    const tasks = thirtyInGroups();
    const full = 'corral — 30 tasks (6 running, 6 restarting, 6 waiting, 6 failed, 6 completed) · filter "shard-1": 11 shown';
    expect(listTitle(tasks, 'shard-1', 11, 200)).toBe(full);
    expect(listTitle(tasks, 'shard-1', 11, full.length - 1)).toBe('corral — 30 tasks · filter "shard-1": 11 shown');
    expect(listTitle(tasks, 'shard-1', 11, 40)).toBe('corral — filter "shard-1": 11 shown');
    expect(listTitle(tasks, 'shard-1', 11, 32)).toBe('corral — filter "sha…": 11 shown');
    expect(listTitle(tasks, '', 30, 40)).toBe('corral — 30 tasks (6 running, 6 restarting, 6 waiting, 6 failed, 6 completed)');
  });

  it('keeps the kept filter whole on screen in a terminal too narrow for the whole summary', async () => {
    const api = new FakeApi(thirtyInGroups());
    const { lastFrame, stdin } = render(<TaskManager api={api} home="/tmp/h" timing={FAST} color={false} size={{ columns: 80, rows: 24 }} onQuit={() => {}} />);
    await frameWhere(lastFrame, (f) => f.includes('shard-1 '), 'the list');
    stdin.write('/');
    for (const c of 'shard-2') stdin.write(c);
    await frameWhere(lastFrame, (f) => f.includes('/shard-2▏'), 'the filter typed');
    stdin.write(KEY.enter);
    const frame = await frameWhere(lastFrame, (f) => !f.includes('▏'), 'the filter kept');
    expect(frame.split('\n')[0]).toMatch(/^ corral — 30 tasks · filter "shard-2": 11 shown/);
  });

  it('shows the end of a filter being typed that is longer than the line', () => {
    expect(filterPrompt('db', 40)).toBe(' /db▏   Enter keep · Esc clear');
    expect(filterPrompt('x'.repeat(20), 25)).toBe(` /${'x'.repeat(20)}▏`);
    expect(filterPrompt(`${'x'.repeat(30)}end`, 20)).toBe(` /…${'x'.repeat(13)}end▏`);
  });
});

describe("the list, following the daemon's events", () => {
  // The list is read only when something says it changed: an event, or the user.
  const EVENTS_ONLY = { listMs: 60_000, detailsMs: 20 };
  const statusOf = (id: string, status: string) => (f: string) => new RegExp(`${id}\\s+\\S+\\s+${status}\\s`).test(rowOf(f, id) ?? '');

  it('shows a state change as soon as the daemon logs it', async () => {
    const api = new FakeEventApi(fourTasks());
    const { lastFrame } = render(<TaskManager api={api} home="/tmp/h" timing={EVENTS_ONLY} color={false} size={{ columns: 100, rows: 20 }} onQuit={() => {}} />);
    await frameWhere(lastFrame, statusOf('bash_2', 'running'), 'the list');
    await waitFor(() => api.following > 0, 'the events to be followed', 3_000, 10);
    api.change('bash_2', { status: 'failed', exitCode: 1, pid: null, reason: 'exit 1' });
    await frameWhere(lastFrame, statusOf('bash_2', 'failed'), 'the failure shown');
  });

  it('goes on following them after the daemon restarted, where its journal goes on', async () => {
    const api = new FakeEventApi(fourTasks());
    const { lastFrame } = render(<TaskManager api={api} home="/tmp/h" timing={EVENTS_ONLY} color={false} size={{ columns: 100, rows: 20 }} onQuit={() => {}} />);
    await frameWhere(lastFrame, statusOf('bash_1', 'running'), 'the list');
    // A few events: the UI has seen up to sequence 3 of the first daemon.
    for (const status of ['stopping', 'restarting', 'running'] as const) {
      api.change('bash_1', { status });
      await frameWhere(lastFrame, statusOf('bash_1', status), `bash_1 ${status}`);
    }
    await waitFor(() => api.following > 0, 'the events to be followed', 3_000, 10);
    api.restartDaemon();
    // The new daemon journals a change after those of the first one.
    api.change('bash_2', { status: 'failed', exitCode: 1, pid: null, reason: 'exit 1' });
    await frameWhere(lastFrame, statusOf('bash_2', 'failed'), 'a change logged by the new daemon', 5_000);
    api.change('bash_2', { status: 'running', exitCode: null, pid: 4100, reason: null });
    await frameWhere(lastFrame, statusOf('bash_2', 'running'), 'the next change', 5_000);
  });
});

describe('pure helpers of the list', () => {
  it('groups the tasks of an environment at the place of its first task, and filters', () => {
    const rows = buildRows([task('a1', { env: 'e' }), task('b2'), task('c3', { env: 'e' })]);
    expect(rows.map((r) => (r.kind === 'group' ? `[${r.env}]` : r.task.id))).toEqual(['[e]', 'a1', 'c3', 'b2']);
    const filtered = buildRows([task('a1', { env: 'e', name: 'db' }), task('b2', { name: 'web' }), task('c3', { env: 'e' })], 'DB');
    expect(filtered.map((r) => (r.kind === 'group' ? `[${r.env}]` : r.task.id))).toEqual(['[e]', 'a1']);
  });

  it('moves the window as little as possible', () => {
    expect(windowStart(0, 5, 10, 100)).toBe(0);
    expect(windowStart(0, 12, 10, 100)).toBe(3);
    expect(windowStart(50, 49, 10, 100)).toBe(49);
    expect(windowStart(95, 99, 10, 100)).toBe(90);
    expect(windowStart(7, 3, 10, 5)).toBe(0);
  });

  it('makes task output safe to draw: no escape sequences, tabs expanded, carriage returns overwrite', () => {
    expect(cleanLine('\u001b[31mred\u001b[0m plain')).toBe('red plain');
    // With colours on, a log view keeps colour escapes only, and resets at the end of the line.
    expect(cleanLine('\u001b[1;31mred\u001b[0m \u001b[2Jplain', true)).toBe('\u001b[1;31mred\u001b[0m plain\u001b[0m');
    expect(cleanLine('plain\ttext', true)).toBe('plain   text');
    expect(cleanLine('\u001b]0;title\u0007text')).toBe('text');
    expect(cleanLine('a\tb')).toBe('a       b');
    expect(cleanLine('10%\r50%\r100%')).toBe('100%');
    expect(cleanLine('crlf\r')).toBe('crlf');
    expect(cleanLine('bell\u0007 \u001b[2J clear')).toBe('bell  clear');
  });
});

describe('the sparkline', () => {
  it('draws one bar per recent sample, scaled to the largest', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([1, 2, 3, 4], 2)).toBe('▆█');
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    const { lastFrame } = render(<Sparkline values={[10, 20, 40]} />);
    expect(lastFrame()).toBe('▃▅█');
  });

  it('renders nothing when there are no samples', () => {
    expect(sparkline([])).toBe('');
    expect(sparkline([Number.NaN])).toBe('');
    const { lastFrame } = render(<Sparkline values={[]} />);
    expect(lastFrame()).toBe('');
  });
});

describe('a scheduled task', () => {
  it('shows when it runs next, in the list and in its details', () => {
    const nextRunAt = new Date(Date.now() + 4_000).toISOString();
    const t = task('bash_5', { name: 'backup', command: './backup.sh', status: 'waiting', reason: 'next run at 14:05:00', pid: null, exitCode: 0, nextRunAt });
    const { lastFrame } = render(<TaskList rows={buildRows([t])} selectedId="bash_5" width={119} height={5} top={0} now={Date.now()} color={false} />);
    expect(rowOf(lastFrame()!, 'bash_5')).toMatch(/bash_5\s+backup\s+waiting\s+.*\.\/backup\.sh\s+\(next run in [34]s\)/);
    cleanup();
    const d = details(t, {
      schedule: { every: '10m00s', cron: null, nextRunAt, history: [{ kind: 'run', startedAt: nextRunAt, endedAt: nextRunAt, durationMs: 5, exitCode: 0, signal: null }, { kind: 'skip', at: nextRunAt, reason: 'x' }] },
    });
    const frame = render(<DetailsView task={t} details={d} stdout={[]} stderr={[]} width={119} height={30} now={Date.now()} color={false} />).lastFrame()!;
    expect(frame).toMatch(/status\s+waiting — next run at 14:05:00 \(next run in [34]s\)/);
    expect(frame).toMatch(/schedule\s+every 10m00s {2}next run \d\d:\d\d:\d\d {2}\(last 1 run, 1 skip\)/);
  });
});
