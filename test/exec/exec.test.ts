import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, CLI, cli, cliJson, makeHome, waitFor } from '../helpers.js';
import { tmuxServer, type TmuxServer } from '../tmux.js';

let home: string;
let tmux: TmuxServer | null = null;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  tmux?.kill();
  tmux = null;
  await cleanupHome(home);
});

function hook(input: string, cwd = home): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'hook', 'claude-pre-tool-use'], { cwd, env: { ...process.env, CORRAL_HOME: home } });
    let stdout = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
    child.stdin.end(input);
  });
}

/** A terminal of its own for a test: a pane named `t` on a tmux server of its own. */
function terminal(label: string, command: string): (...args: string[]) => string {
  const server = tmuxServer(label);
  tmux = server;
  server('new-session', '-d', '-s', 't', '-x', '120', '-y', '20', command);
  return server;
}

describe('corral exec', () => {
  it('runs a one-shot command in the foreground with its output and exit code', async () => {
    const r = await cli(home, ['exec', '--', 'sh -c "echo out; echo err >&2; exit 3"']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
    const ok = await cli(home, ['exec', '--', 'true']);
    expect(ok.code).toBe(0);
    const [t] = await cliJson<any[]>(home, ['ls']);
    expect(t).toMatchObject({ status: 'failed', exitCode: 3 });
  });

  it('exits as a shell would with a command it cannot run: 127 when not found, 126 when not executable', async () => {
    const missing = await cli(home, ['exec', '--', 'no-such-command-here --flag']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/no-such-command-here: not found/);
    const script = join(home, 'not-executable');
    writeFileSync(script, 'echo hi\n', { mode: 0o644 });
    const denied = await cli(home, ['exec', '--', script]);
    expect(denied.code).toBe(126);
    expect(denied.stderr).toMatch(/Permission denied/);
  });

  it('sends a server to the background and prints its id on stdout', async () => {
    const r = await cli(home, ['exec', '--', 'python3 -m http.server 0 --bind 127.0.0.1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('bash_1\n');
    expect(r.stderr).toMatch(/bash_1 runs in the background \(built-in pattern "python server"/);
    expect((await cliJson(home, ['status', 'bash_1'])).status).toBe('running');
  });

  it('explains its decision, with patterns from corral.config.json', async () => {
    const project = join(home, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'corral.config.json'), JSON.stringify({ autoBackground: { patterns: ['make serve'], excludePatterns: ['npm run dev'] } }));
    const serve = await cli(home, ['exec', '--explain', '--', 'make serve'], { cwd: project });
    expect(serve.stdout).toBe(`background: your pattern "make serve" (${join(project, 'corral.config.json')})\n`);
    const dev = await cli(home, ['exec', '--explain', '--json', '--', 'npm run dev'], { cwd: project });
    expect(JSON.parse(dev.stdout)).toMatchObject({ command: 'npm run dev', background: false });
    expect(await cliJson(home, ['ls'])).toEqual([]);
  });

  it('moves a command that outlives the threshold to the background, under a terminal, losing no output', async () => {
    const script = 'echo before; sleep 1.5; echo after';
    const term = terminal('exec', `env CORRAL_HOME=${home} ${process.execPath} ${CLI} exec --auto-background-threshold 700ms -- '${script}'; echo "exec exited $?"; sleep 30`);
    await waitFor(() => /exec exited 0/.test(term('capture-pane', '-p', '-t', 't')), 'exec to return', 10_000);
    const screen = term('capture-pane', '-p', '-t', 't');
    expect(screen).toMatch(/before/);
    expect(screen).toMatch(/moved to the background \(still running after 700ms\): bash_1/);
    expect(screen).not.toMatch(/^after$/m);
    const done = await waitFor(async () => {
      const t = await cliJson(home, ['status', 'bash_1']);
      return t.status === 'completed' ? t : null;
    }, 'the command to finish in the background');
    expect(done.restarts).toBe(0);
    expect((await cli(home, ['logs', 'bash_1'])).stdout).toBe('before\nafter\n');
  });

  it('moves a foreground command to the background at once on Ctrl+B', async () => {
    const term = terminal('ctrlb', `env CORRAL_HOME=${home} ${process.execPath} ${CLI} exec --auto-background-threshold 0 -- 'echo started; sleep 30'; echo "exec exited $?"; sleep 30`);
    await waitFor(() => /started/.test(term('capture-pane', '-p', '-t', 't')), 'the command to start', 10_000);
    // send-keys gives the program the key itself (tmux's prefix is for keys typed at tmux's own terminal).
    term('send-keys', '-t', 't', 'C-b');
    await waitFor(() => /exec exited 0/.test(term('capture-pane', '-p', '-t', 't')), 'exec to return', 10_000);
    expect(term('capture-pane', '-p', '-t', 't')).toMatch(/moved to the background \(Ctrl\+B\): bash_1/);
    expect((await cliJson(home, ['status', 'bash_1'])).status).toBe('running');
  });
});

describe('corral hook claude-pre-tool-use', () => {
  it('rewrites a background command to run under corral exec', async () => {
    const r = await hook(JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'npm run dev', description: 'Start dev server' }, cwd: home, hook_event_name: 'PreToolUse' }));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout).hookSpecificOutput;
    expect(out).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'ask' });
    expect(out.updatedInput).toMatchObject({ description: 'Start dev server', run_in_background: false });
    expect(out.updatedInput.command).toMatch(/ exec -- 'npm run dev'$/);
    expect(out.updatedInput.command).toContain(CLI);
  });

  it('answers nothing for a foreground command, another tool, or bad input', async () => {
    for (const input of [
      JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'ls' } }),
      JSON.stringify({ tool_name: 'Write', tool_input: { file_path: '/tmp/x' } }),
      'not json at all',
      '',
    ]) {
      const r = await hook(input);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
    }
  });
});
