/**
 * `corral ui` in a real terminal (tmux): real tasks from the built CLI, keys sent as a
 * user types them, the screen read back with capture-pane. The UI runs through
 * dist/src/ui/main.js until the `ui` command is wired into the CLI.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, isRunning, makeHome, ROOT, waitFor } from '../helpers.js';
import { tmuxServer, type TmuxServer } from '../tmux.js';

const UI = join(ROOT, 'dist/src/ui/main.js');

let home: string;
let tmux: TmuxServer;

const screen = () => tmux('capture-pane', '-p', '-t', 'ui');
const keys = (...k: string[]) => tmux('send-keys', '-t', 'ui', ...k);
const type = (text: string) => tmux('send-keys', '-t', 'ui', '-l', text);

async function until(ok: (s: string) => boolean, what: string, timeoutMs = 10_000): Promise<string> {
  try {
    return await waitFor(() => {
      const s = screen();
      return ok(s) ? s : null;
    }, what, timeoutMs, 50);
  } catch (error) {
    throw new Error(`${(error as Error).message}; the screen:\n${screen()}`);
  }
}
const rowOf = (s: string, id: string) => s.split('\n').find((l) => new RegExp(`^.\\s*${id}\\s`).test(l)) ?? '';

beforeEach(() => {
  home = makeHome();
  tmux = tmuxServer('ui');
});

afterEach(async () => {
  tmux.kill();
  await cleanupHome(home);
});

describe('corral ui in a terminal', () => {
  it('lists real tasks, shows details with their output, kills with a confirmation, and quits leaving the terminal usable', async () => {
    expect((await cli(home, ['run', '--name', 'printer', '--', 'for i in $(seq 1 40); do echo "line $i"; done; echo "oops on stderr" >&2; exec sleep 300'])).stdout).toBe('bash_1\n');
    await cli(home, ['run', '--name', 'idle', '--', 'sleep', '300']);
    await cli(home, ['run', '--name', 'once', '--', 'echo hi']);
    await waitFor(async () => (await cliJson(home, ['status', 'bash_3'])).status === 'completed', 'bash_3 to complete');

    tmux('new-session', '-d', '-s', 'ui', '-x', '120', '-y', '30', 'sh');
    await until((x) => /^[$#] ?$/m.test(x), 'the shell prompt');
    type(`CORRAL_HOME=${home} NO_COLOR=1 ${process.execPath} ${UI}`);
    keys('Enter');

    // The list, with the real tasks.
    let s = await until((x) => /corral — 3 tasks/.test(x) && x.includes('bash_3'), 'the task list');
    expect(s).toMatch(/ID\s+NAME\s+STATUS\s+HEALTH\s+PID\s+UPTIME\s+EXIT\s+CPU\s+MEM\s+COMMAND/);
    expect(rowOf(s, 'bash_1')).toMatch(/▸bash_1\s+printer\s+running\s+-\s+\d+/);
    expect(rowOf(s, 'bash_2')).toMatch(/bash_2\s+idle\s+running\s+-\s+\d+\s+\S+\s+-\s+\S+\s+\S+.*sleep 300/);
    expect(rowOf(s, 'bash_3')).toMatch(/bash_3\s+once\s+completed\s+-\s+-\s+\S+\s+0\s/);
    expect(s).toMatch(/↑\/↓ select · Enter details · l logs · k kill · r restart · \/ filter · q quit/);
    // NO_COLOR: no color escape in what the UI draws.
    expect(tmux('capture-pane', '-p', '-e', '-t', 'ui')).not.toMatch(/\u001b\[(?:3[0-7]|9[0-7]|38;)/);

    // Enter: the details, with the last lines of the task's real output.
    keys('Enter');
    s = await until((x) => x.includes('corral › bash_1 (printer) — details') && /line 40/.test(x), 'the details of bash_1');
    expect(s).toMatch(/stdout, last 10 lines/);
    for (const n of [31, 35, 40]) expect(s).toMatch(new RegExp(`^ line ${n}$`, 'm'));
    expect(s).not.toMatch(/^ line 30$/m);
    expect(s).toMatch(/── stderr[\s\S]*oops on stderr/);
    expect(s).toMatch(/command\s+for i in \$\(seq 1 40\)/);
    expect(s).toMatch(/status\s+running/);

    // Esc back to the list; k asks, y kills; the list shows the task killed.
    keys('Escape');
    await until((x) => x.includes('NAME') && x.includes('bash_2'), 'the list again');
    keys('k');
    await until((x) => /Kill bash_1 \(printer\), pid \d+, and its whole process tree\? y\/N/.test(x), 'the kill question');
    keys('y');
    s = await until((x) => /killed/.test(rowOf(x, 'bash_1')), 'bash_1 killed in the list');
    expect(rowOf(s, 'bash_1')).toMatch(/bash_1\s+printer\s+killed\s+-\s+-\s+\S+\s+SIGTERM/);
    const st = await cliJson(home, ['status', 'bash_1']);
    expect(st.status).toBe('killed');
    expect(rowOf(s, 'bash_2')).toMatch(/running/);

    // A resize redraws for the new size.
    tmux('resize-window', '-t', 'ui', '-x', '80', '-y', '24');
    const once = (x: string, re: RegExp) => x.split('\n').filter((l) => re.test(l)).length === 1;
    s = await until((x) => x.replace(/\n$/, '').split('\n').length === 24 && once(x, /corral — 3 tasks/) && once(x, /^ ↑/) && once(x, /^\s+ID\s/) && !/\bHEALTH\b/.test(x), 'the list redrawn for 80x24');
    // Nothing left of the 120-column frame: every row is whole, cut at the new width.
    for (const id of ['bash_1', 'bash_2', 'bash_3']) expect(once(s, new RegExp(`^.\\s*${id}\\s`))).toBe(true);
    expect(rowOf(s, 'bash_2')).toMatch(/sleep 300\s*$/);

    // q quits; the shell works as before.
    keys('q');
    const lastLine = (x: string) => x.trimEnd().split('\n').pop() ?? '';
    s = await until((x) => !x.includes('corral — 3 tasks') && /^[$#]$/.test(lastLine(x)), 'the UI gone and the shell prompt back');
    // The screen is the one from before the UI (it drew on the alternate screen).
    expect(tmux('capture-pane', '-p', '-J', '-S', '-100', '-t', 'ui')).toMatch(/dist\/src\/ui\/main\.js\n[$#]\s*$/);
    type('echo "done $((40 + 2))"');
    keys('Enter');
    s = await until((x) => /^done 42$/m.test(x), 'the shell running a command after the UI');
    // The UI process is gone: the shell is the pane's process again (cleanupHome checks every process of the home too).
    expect(tmux('display-message', '-p', '-t', 'ui', '#{pane_current_command}').trim()).toBe('sh');
  }, 60_000);

  it("follows the daemon across a restart: a new daemon's tasks and changes show", async () => {
    await cli(home, ['run', '--name', 'before', '--', 'sleep', '300']);
    const first = (await cliJson(home, ['daemon', 'status'])).pid;
    tmux('new-session', '-d', '-s', 'ui', '-x', '120', '-y', '30', 'sh');
    await until((x) => /^[$#] ?$/m.test(x), 'the shell prompt');
    type(`CORRAL_HOME=${home} NO_COLOR=1 ${process.execPath} ${UI}`);
    keys('Enter');
    await until((x) => /bash_1\s+before\s+running/.test(rowOf(x, 'bash_1')), 'the task list');

    process.kill(first, 'SIGKILL');
    await waitFor(() => !isRunning(first), 'the daemon to die');
    // The next command starts a new daemon, which adopts bash_1.
    expect((await cli(home, ['run', '--name', 'after', '--', 'sleep', '300'])).stdout).toBe('bash_2\n');
    let s = await until((x) => /bash_2\s+after\s+running/.test(rowOf(x, 'bash_2')), "the new daemon's task in the list");
    expect(rowOf(s, 'bash_1')).toMatch(/bash_1\s+before\s+running/);
    await cli(home, ['kill', 'bash_1']);
    s = await until((x) => /bash_1\s+before\s+killed/.test(rowOf(x, 'bash_1')), 'a change the new daemon made');
    expect(s).not.toMatch(/daemon:/);
    keys('q');
    await until((x) => !x.includes('corral — '), 'the UI gone');
  }, 60_000);
});
