/**
 * The Claude Code hooks of a whole session, fed the JSON Claude Code sends
 * (test/fixtures/claude-code): session-start tells the agent its project's tasks and their
 * ids, session-end stops exactly what the session started (whole trees), and the
 * PreToolUse rewrite gives the session on to the task it starts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, CLI, cli, cliJson, FIXTURES, freePort, isRunning, makeHome, processesOf, treePids, waitFor } from '../helpers.js';

let home: string;
let project: string;
beforeEach(() => {
  home = makeHome();
  project = join(home, 'project');
  mkdirSync(join(project, '.git'), { recursive: true });
});
afterEach(async () => {
  await cleanupHome(home);
});

/** A fixture as Claude Code would send it for this test's project. */
function fixture(name: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...JSON.parse(readFileSync(join(FIXTURES, 'claude-code', name), 'utf8')), cwd: project, ...over };
}

/** Runs `corral hook <event>` as Claude Code does: the input on stdin, from the project folder. */
function hook(event: string, input: Record<string, unknown>, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'hook', event], { cwd: project, env: { ...process.env, CORRAL_HOME: home, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(JSON.stringify(input));
  });
}

const run = async (args: string[], env: Record<string, string> = {}) => {
  const r = await cli(home, ['run', ...args], { cwd: project, env });
  if (r.code !== 0) throw new Error(`run ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
};

const statusOf = async (id: string): Promise<string> => (await cliJson(home, ['status', id])).status;

describe('corral hook claude-session-start', () => {
  it("after a compaction, lists the project's live tasks with their ids and ports, and those ended lately", async () => {
    const port = await freePort();
    const server = await run(['--session', 'abc123', '--name', 'web', '--', `node -e "require('net').createServer().listen(${port}, '127.0.0.1')"`]);
    const otherSession = await run(['--session', 'someone-else', '--', 'sleep 300']);
    const ended = await run(['--session', 'abc123', '--', 'exit 3']);
    const elsewhere = await run(['--session', 'abc123', '--cwd', home, '--', 'sleep 300']);
    await waitFor(async () => (await cliJson(home, ['status', server])).ports?.includes(port), 'the server to listen');
    await waitFor(async () => (await statusOf(ended)) === 'failed', 'the failing task to end');

    const envFile = join(home, 'claude-env');
    const { code, stdout } = await hook('claude-session-start', fixture('session-start-compact.json'), { CLAUDE_ENV_FILE: envFile });
    expect(code).toBe(0);
    const output = JSON.parse(stdout).hookSpecificOutput;
    expect(output.hookEventName).toBe('SessionStart');
    const context: string = output.additionalContext;
    const lineOf = (id: string) => context.split('\n').find((l) => l.startsWith(`- ${id}`));
    expect(lineOf(server)).toMatch(new RegExp(`^- ${server} \\(web\\): running, port ${port}, started in this session;`));
    expect(lineOf(otherSession)).toMatch(/: running; sleep 300$/);
    expect(lineOf(ended)).toMatch(/: failed: exit 3, ended \d+(\.\d+)?(ms|s) ago, started in this session; exit 3$/);
    expect(lineOf(elsewhere)).toBeUndefined();
    expect(context).toContain(`corral logs ID --new`);
    expect(context).toContain('corral session abc123');
    // The agent's shell commands now belong to the session.
    expect(readFileSync(envFile, 'utf8')).toBe('export CORRAL_SESSION=abc123\n');
  });

  it('tells only the session, and starts no daemon, for a home that never ran a task', async () => {
    const { code, stdout } = await hook('claude-session-start', fixture('session-start-compact.json', { source: 'startup' }));
    expect(code).toBe(0);
    expect(JSON.parse(stdout).hookSpecificOutput.additionalContext).toMatch(/^This Claude Code session is corral session abc123: [^\n]+session: "abc123"[^\n]+$/);
    expect(existsSync(join(home, 'state.json'))).toBe(false);
    expect(processesOf(home)).toEqual([]);
  });
});

describe('corral hook claude-session-end', () => {
  it("stops the session's tasks, whole trees, and leaves kept, env-file and other sessions' tasks running", async () => {
    const pidsFile = join(home, 'tree-pids');
    const tree = await run(['--session', 'abc123', '--grace', '300ms', '--', `sh ${join(FIXTURES, 'tree.sh')} ${pidsFile}`]);
    const fromEnv = await run(['--', 'sleep 300'], { CORRAL_SESSION: 'abc123' });
    const kept = await run(['--session', 'abc123', '--keep', '--', 'sleep 300']);
    const other = await run(['--session', 'someone-else', '--', 'sleep 300']);
    // An environment brought up from inside the session still belongs to no session.
    const up = await cli(home, ['orchestrate', 'dev', '--background', 'sleep 300', '--json'], { cwd: project, env: { CORRAL_SESSION: 'abc123' } });
    const envTask: string = JSON.parse(up.stdout)[0].id;
    const { stubborn, escaped } = await treePids(pidsFile);

    const { code } = await hook('claude-session-end', fixture('session-end.json'));
    expect(code).toBe(0);
    await waitFor(async () => (await statusOf(tree)) === 'killed' && (await statusOf(fromEnv)) === 'killed', 'the session’s tasks to stop');
    // The whole tree went: the child that ignores SIGTERM and the grandchild that left with setsid.
    await waitFor(() => !isRunning(stubborn) && !isRunning(escaped), 'the tree to be gone');
    for (const id of [kept, other, envTask]) expect(await statusOf(id)).toBe('running');
  });

  it('stops nothing when the config says sessionEnd: keep', async () => {
    writeFileSync(join(project, 'corral.config.json'), JSON.stringify({ sessionEnd: 'keep' }));
    const task = await run(['--session', 'abc123', '--', 'sleep 300']);
    const { code, stderr } = await hook('claude-session-end', fixture('session-end.json'));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // A stop the daemon was handed has been signalled by the time the hook returns.
    expect(await statusOf(task)).toBe('running');
  });
});

describe('corral hook claude-pre-tool-use', () => {
  it('gives the session on to the task its rewrite starts', async () => {
    const { stdout } = await hook('claude-pre-tool-use', fixture('pre-tool-use-bash.json'));
    const rewrite: string = JSON.parse(stdout).hookSpecificOutput.updatedInput.command;
    expect(rewrite).toMatch(/ exec --session abc123 -- 'npm run dev'$/);
    const ran = spawnSync('/bin/sh', ['-c', rewrite], { cwd: project, env: { ...process.env, CORRAL_HOME: home }, encoding: 'utf8' });
    expect(ran.stdout).toBe('bash_1\n');
    expect(await cliJson(home, ['ls', '--session', 'abc123'])).toMatchObject([{ id: 'bash_1', command: 'npm run dev', project }]);
  });
});
