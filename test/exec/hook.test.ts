/**
 * The Claude Code hook's `--allow`, and the places auto-background patterns come from:
 * the home's corral.config.json, corral.yaml's autoBackground and .claude/settings.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, CLI, cli, cliJson, makeHome } from '../helpers.js';

let home: string;
let project: string;
beforeEach(() => {
  home = makeHome();
  project = join(home, 'project');
  mkdirSync(project);
});
afterEach(async () => {
  await cleanupHome(home);
});

/** The hook as Claude Code runs it: the tool call as JSON on stdin, its answer on stdout. */
function hook(command: string, args: string[] = [], globals: string[] = []): Promise<any> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CORRAL_HOME: home };
    if (globals.includes('--home')) delete env.CORRAL_HOME;
    const child = spawn(process.execPath, [CLI, ...globals, 'hook', 'claude-pre-tool-use', ...args], { cwd: home, env });
    let stdout = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout === '' ? null : JSON.parse(stdout).hookSpecificOutput) : reject(new Error(`hook exited ${code}`))));
    child.stdin.end(JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd: project, hook_event_name: 'PreToolUse' }));
  });
}

const explain = (command: string) => cli(home, ['exec', '--explain', '--', command], { cwd: project });

describe('corral hook claude-pre-tool-use', () => {
  it('approves the rewrite itself with --allow, and asks without it', async () => {
    expect(await hook('npm run dev', ['--allow'])).toMatchObject({ permissionDecision: 'allow', updatedInput: { command: expect.stringMatching(/ exec -- 'npm run dev'$/) } });
    expect(await hook('npm run dev')).toMatchObject({ permissionDecision: 'ask' });
  });

  it("keeps its home in the rewrite, whatever home the tool's shell would use", async () => {
    const rewrite = (await hook('npm run dev', [], ['--home', home])).updatedInput.command as string;
    expect(rewrite).toContain(` --home ${home} exec -- 'npm run dev'`);
    // The tool's shell has another home in its environment: the task still lands in the hook's.
    const elsewhere = makeHome();
    try {
      const ran = spawnSync('/bin/sh', ['-c', rewrite], { cwd: project, env: { ...process.env, CORRAL_HOME: elsewhere }, encoding: 'utf8' });
      expect(ran.stdout).toBe('bash_1\n');
      expect((await cliJson<any[]>(home, ['ls'])).map((t) => t.command)).toEqual(['npm run dev']);
    } finally {
      await cli(home, ['daemon', 'stop']);
      await cleanupHome(elsewhere);
    }
  });
});

describe('auto-background patterns', () => {
  it("are read from the home's corral.config.json", async () => {
    writeFileSync(join(home, 'corral.config.json'), JSON.stringify({ autoBackground: { patterns: ['make serve'] } }));
    expect((await explain('make serve')).stdout).toBe(`background: your pattern "make serve" (${join(home, 'corral.config.json')})\n`);
    expect((await hook('make serve'))?.updatedInput.command).toMatch(/ exec -- 'make serve'$/);
    expect(await hook('make build')).toBeNull();
  });

  it("are read from corral.yaml's autoBackground, exclusions winning over built-in patterns", async () => {
    writeFileSync(join(project, 'corral.yaml'), 'name: app\nautoBackground:\n  patterns: ["/^my-\\\\w+-server/"]\n  excludePatterns: ["npm run dev"]\ntasks:\n  a: { command: sleep 1 }\n');
    const yaml = join(project, 'corral.yaml');
    expect((await explain('my-api-server --port 3')).stdout).toBe(`background: your pattern "/^my-\\w+-server/" (${yaml})\n`);
    expect((await explain('npm run dev')).stdout).toMatch(/^foreground: /);
    expect(await hook('my-api-server')).not.toBeNull();
    expect(await hook('npm run dev')).toBeNull();
  });

  it('are read from .claude/settings.json', async () => {
    mkdirSync(join(project, '.claude'));
    const settings = join(project, '.claude', 'settings.json');
    writeFileSync(settings, JSON.stringify({ hooks: {}, autoBackground: { patterns: ['*--follow*'] } }));
    expect((await explain('journalctl --follow -u x')).stdout).toBe(`background: your pattern "*--follow*" (${settings})\n`);
    expect((await hook('journalctl --follow -u x'))?.permissionDecision).toBe('ask');
    // Nothing ran: the hook and --explain only decide.
    expect(await cliJson(home, ['ls'])).toEqual([]);
  });
});
