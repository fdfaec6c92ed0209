import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, CLI, cliJson, FIXTURES, makeHome, processesOf, startCli, waitFor } from '../helpers.js';
import { tmuxServer, type TmuxServer } from '../tmux.js';

let home: string;
let tmux: TmuxServer;
beforeEach(() => {
  home = makeHome();
  tmux = tmuxServer('up');
});
afterEach(async () => {
  tmux.kill();
  await cleanupHome(home);
});

const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'up');

describe('corral up in a terminal', () => {
  it('streams prefixed output, and Ctrl-C brings everything down in order, leaving nothing', async () => {
    const svc = join(FIXTURES, 'svc.js');
    const file = join(home, 'corral.yaml');
    writeFileSync(
      file,
      `name: term
tasks:
  db:
    command: ${process.execPath} ${svc} db
    env: { READY_MS: "600" }
    health: { log: "db ready", interval: 50ms }
  api:
    command: ${process.execPath} ${svc} api
    depends_on: [db]
`,
    );
    tmux('new-session', '-d', '-s', 'up', '-x', '150', '-y', '50', `env CORRAL_HOME=${home} NO_COLOR=1 ${process.execPath} ${CLI} up -f ${file}; echo "up exited $?"; sleep 30`);
    await waitFor(() => /api \| api ready/.test(screen()), 'api output on screen', 15_000);
    const shown = screen();
    expect(shown).toMatch(/corral: term is starting \(2 tasks\)/);
    expect(shown).toMatch(/api \| waiting for db:healthy/);
    expect(shown).toMatch(/db {2}\| db ready/);
    const pids = (await cliJson<any[]>(home, ['ls'])).map((t) => t.pid);

    tmux('send-keys', '-t', 'up', 'C-c');
    await waitFor(() => /up exited 0/.test(screen()), 'up to exit', 15_000);
    expect(screen()).toMatch(/corral: term is down/);
    // Every status change is shown, in the order it happened: api stops before db.
    const shownLines = screen().split('\n');
    const at = (re: RegExp) => shownLines.findIndex((l) => re.test(l));
    const order = [/^api \| stopping/, /^api \| killed/, /^db {2}\| stopping/, /^db {2}\| killed/].map(at);
    expect(order.every((i) => i >= 0), shownLines.join('\n')).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const tasks = await cliJson<any[]>(home, ['ls']);
    expect(tasks.map((t) => t.status)).toEqual(['killed', 'killed']);
    // The daemon is the only process of the home left: no task, no child of a task.
    const left = processesOf(home).filter((pid) => pids.includes(pid));
    expect(left).toEqual([]);
    expect(processesOf(home).length).toBe(1);
  });
});

describe('corral up, its lines in the order things happened', () => {
  it("prints a task's output before the line saying it ended, and stops dependents first", async () => {
    const file = join(home, 'corral.yaml');
    writeFileSync(
      file,
      `name: order
tasks:
  step:
    command: for i in 1 2 3; do echo step line $i; done; printf 'no newline'
    background: false
  svc:
    command: trap 'echo svc bye; exit 0' TERM; echo svc ready; while true; do sleep 0.05; done
    depends_on: [step]
  leaf:
    command: trap 'echo leaf bye; exit 0' TERM; echo leaf ready; while true; do sleep 0.05; done
    depends_on: [svc]
`,
    );
    const up = startCli(home, ['up', '-f', file]);
    await waitFor(() => /leaf \| leaf ready/.test(up.stdout()), 'leaf output', 15_000);
    up.child.kill('SIGINT');
    const { code, stdout } = await up.done;
    expect(code, stdout).toBe(0);
    const lines = stdout.split('\n');
    const at = (line: string) => {
      const i = lines.indexOf(line);
      expect(i, `"${line}" in:\n${stdout}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const inOrder = (...expected: string[]) => {
      const found = expected.map(at);
      expect([...found].sort((a, b) => a - b), stdout).toEqual(found);
    };
    // The step's last lines (the unfinished one too) come before it is said to be done.
    inOrder('step | step line 1', 'step | step line 2', 'step | step line 3', 'step | no newline', 'step | completed (exit 0)', 'svc  | starting');
    // What a task says as it stops comes between its stopping and its end; dependents stop first.
    inOrder('leaf | stopping', 'leaf | leaf bye', 'leaf | killed (exit 0 after SIGTERM)', 'svc  | stopping', 'svc  | svc bye', 'svc  | killed (exit 0 after SIGTERM)');
    expect(lines.at(-2)).toBe('corral: order is down');
  });

  it('counts its one task as one, and ends when that task has', async () => {
    const file = join(home, 'corral.yaml');
    writeFileSync(file, 'name: one\ntasks:\n  hello:\n    command: echo hello\n    background: false\n');
    const { code, stdout } = await startCli(home, ['up', '-f', file]).done;
    expect(code, stdout).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'corral: one is starting (1 task); Ctrl-C stops it in order',
      'hello | starting',
      'hello | running',
      'hello | hello',
      'hello | completed (exit 0)',
      'corral: one is down',
      '',
    ]);
  });
});
