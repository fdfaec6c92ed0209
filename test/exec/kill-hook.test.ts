/**
 * The PreToolUse hook and the broad kills agents write, with real listeners: a corral task
 * and a process the test starts outside corral. The hook is fed the JSON Claude Code sends
 * (test/fixtures/claude-pre-tool-use.json, from its hooks documentation).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, CLI, cli, cliJson, FIXTURES, freePort, isRunning, killAll, makeHome, waitFor } from '../helpers.js';

const LISTEN = join(FIXTURES, 'listen.js');
const CALL = JSON.parse(readFileSync(join(FIXTURES, 'claude-pre-tool-use.json'), 'utf8'));

let home: string;
let outside: ChildProcess[] = [];
beforeEach(() => {
  home = makeHome();
  outside = [];
});
afterEach(async () => {
  await killAll(outside.map((c) => c.pid!));
  await cleanupHome(home);
});

/** The hook's answer (its hookSpecificOutput) to a Bash call of `command`; null when it says nothing. */
function hook(command: string, options: { viaShell?: string } = {}): Promise<any> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, CORRAL_HOME: home };
    // Claude Code runs a hook's command through a shell, which stays its parent while it runs.
    const child = options.viaShell
      ? spawn('/bin/sh', ['-c', `${process.execPath} ${CLI} hook claude-pre-tool-use; : ${options.viaShell}`], { cwd: home, env })
      : spawn(process.execPath, [CLI, 'hook', 'claude-pre-tool-use'], { cwd: home, env });
    let stdout = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout === '' ? null : JSON.parse(stdout).hookSpecificOutput) : reject(new Error(`hook exited ${code}`))));
    child.stdin.end(JSON.stringify({ ...CALL, cwd: home, tool_input: { ...CALL.tool_input, command } }));
  });
}

async function listenOutside(port: number): Promise<number> {
  const child = spawn(process.execPath, [LISTEN, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  outside.push(child);
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  await waitFor(() => out.includes('listening'), 'the outside listener');
  return child.pid!;
}

/** A task listening on a fresh port: its port and pid, once it listens. */
async function listeningTask(name: string): Promise<{ port: number; pid: number }> {
  const port = await freePort();
  await cli(home, ['run', '--name', name, '--', 'node', LISTEN, String(port)]);
  await waitFor(async () => (await cliJson<any[]>(home, ['ports'])).some((r) => r.port === port), `${name} to listen`);
  return { port, pid: (await cliJson(home, ['status', name])).pid };
}

describe('the hook and broad kills', () => {
  it('rewrites kill $(lsof -ti:PORT) of a corral task to corral kill of that task, which stops it', async () => {
    const web = await listeningTask('web');
    const bystander = await listenOutside(await freePort());
    const answer = await hook(`kill -9 $(lsof -ti:${web.port})`);
    expect(answer).toMatchObject({
      hookEventName: 'PreToolUse',
      permissionDecision: 'ask',
      permissionDecisionReason: 'corral stops bash_1 (web) instead, the corral task this command would reach (its whole tree, nothing else): `corral kill bash_1`',
      updatedInput: { command: expect.stringMatching(new RegExp(` --home ${home} kill bash_1$`)), description: 'Run the tests' },
    });
    const ran = spawnSync('/bin/sh', ['-c', answer.updatedInput.command], { encoding: 'utf8' });
    expect(ran.status).toBe(0);
    expect(isRunning(web.pid)).toBe(false);
    expect(isRunning(bystander)).toBe(true);
    expect((await cliJson(home, ['status', 'web'])).status).toBe('killed');
  });

  it('asks first, naming them, when the kill would reach processes outside corral', async () => {
    const web = await listeningTask('web');
    const port = await freePort();
    const pid = await listenOutside(port);
    const command = `${process.execPath} ${LISTEN} ${port}`;
    expect(await hook(`kill $(lsof -ti:${port})`)).toEqual({
      hookEventName: 'PreToolUse',
      permissionDecision: 'ask',
      permissionDecisionReason: `this command would also signal processes outside corral: pid ${pid} (${command})`,
    });
    expect(await hook(`fuser -k ${port}/tcp`)).toMatchObject({ permissionDecision: 'ask', permissionDecisionReason: expect.stringContaining(`pid ${pid} (`) });
    // pkill -f reads command lines: this pattern reaches both listeners.
    expect(await hook(`pkill -f 'listen\\.js (${web.port}|${port})$'`)).toEqual({
      hookEventName: 'PreToolUse',
      permissionDecision: 'ask',
      permissionDecisionReason: `this command would also signal processes outside corral: pid ${pid} (${command}); of corral's tasks it would reach bash_1 (web), which \`corral kill bash_1\` stops alone`,
    });
    expect(isRunning(pid)).toBe(true);
    expect(isRunning(web.pid)).toBe(true);
  });

  it('rewrites a pkill -f that reaches only corral tasks, and says nothing of a kill that reaches nothing', async () => {
    const a = await listeningTask('a');
    const b = await listeningTask('b');
    await listenOutside(await freePort());
    const answer = await hook(`pkill -f 'listen\\.js (${a.port}|${b.port})$' || true`);
    expect(answer.updatedInput.command).toMatch(/ kill bash_1 bash_2$/);
    expect(answer.permissionDecisionReason).toMatch(/^corral stops bash_1 \(a\) and bash_2 \(b\) instead, the corral tasks this command would reach/);
    expect(await hook(`lsof -ti:${await freePort()} | xargs kill -9`)).toBeNull();
    expect(await hook('pkill -f no-process-has-this-in-its-command-line-1f3a9')).toBeNull();
    // The hook and the shell running it match now, and are gone when the command runs: not counted.
    expect(await hook('pkill -f only-the-hooks-shell-has-this-7c2e', { viaShell: 'only-the-hooks-shell-has-this-7c2e' })).toBeNull();
  });
});
