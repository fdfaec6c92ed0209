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

describe('auto-background rules ({pattern, background}, first match wins)', () => {
  const rules = [
    { pattern: 'npm test', background: false },
    { pattern: 'npm run dev', background: false },
    { pattern: '*--watch*', background: true },
  ];
  const ruleText = (i: number, where: string) => `your rule {"pattern": ${JSON.stringify(rules[i]!.pattern)}, "background": ${rules[i]!.background}} (${where})`;

  /** The same three rules from each place: the first match decides, a rule beats a built-in, false keeps a server in the foreground. */
  async function expectRulesFrom(where: string): Promise<void> {
    expect((await explain('npm test -- --watch')).stdout).toBe(`foreground: ${ruleText(0, where)}\n`);
    expect((await explain('npm run dev')).stdout).toBe(`foreground: ${ruleText(1, where)}\n`);
    expect((await explain('make build --watch')).stdout).toBe(`background: ${ruleText(2, where)}\n`);
    expect(JSON.parse((await cli(home, ['exec', '--explain', '--json', '--', 'npm run dev'], { cwd: project })).stdout)).toEqual({ command: 'npm run dev', background: false, rule: ruleText(1, where) });
    // The hook obeys them too: nothing for the rules that say foreground, a rewrite for the one that says background.
    expect(await hook('npm run dev')).toBeNull();
    expect(await hook('npm test -- --watch')).toBeNull();
    expect((await hook('make build --watch'))?.updatedInput.command).toMatch(/ exec -- 'make build --watch'$/);
    // Commands no rule names go on as before.
    expect((await explain('vite')).stdout).toMatch(/^background: built-in pattern "dev server"/);
  }

  it("are read from corral.config.json, the project's before the home's", async () => {
    writeFileSync(join(project, 'corral.config.json'), JSON.stringify({ autoBackground: { rules } }));
    writeFileSync(join(home, 'corral.config.json'), JSON.stringify({ rules: [{ pattern: 'npm run dev', background: true }], sessionEnd: 'keep' }));
    await expectRulesFrom(join(project, 'corral.config.json'));
    // The home's rule decides where the project has none.
    writeFileSync(join(project, 'corral.config.json'), JSON.stringify({ autoBackground: { rules: [] } }));
    expect((await explain('npm run dev -- --port 3')).stdout).toBe(`background: your rule {"pattern": "npm run dev", "background": true} (${join(home, 'corral.config.json')})\n`);
  });

  it("are read from corral.yaml's autoBackground, and the file still loads", async () => {
    const yaml = join(project, 'corral.yaml');
    writeFileSync(yaml, `name: app\nautoBackground:\n  rules:\n${rules.map((r) => `    - { pattern: "${r.pattern}", background: ${r.background} }`).join('\n')}\ntasks:\n  a: { command: sleep 1 }\n`);
    await expectRulesFrom(yaml);
    const up = await cli(home, ['orchestrate', 'app', '-f', yaml]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    await cli(home, ['down', 'app']);
  });

  it('are read from .claude/settings.json', async () => {
    mkdirSync(join(project, '.claude'));
    const settings = join(project, '.claude', 'settings.json');
    writeFileSync(settings, JSON.stringify({ permissions: {}, autoBackground: { rules, patterns: ['npm test'] } }));
    await expectRulesFrom(settings);
    expect(await cliJson(home, ['ls'])).toEqual([]);
  });

  it('refuse an unknown key in an autoBackground section with exit 2, naming the key and the file', async () => {
    const config = join(project, 'corral.config.json');
    writeFileSync(config, JSON.stringify({ autoBackground: { rule: [{ pattern: 'x', background: true }] } }));
    const misspelt = await explain('npm run dev');
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toBe(`corral: ${config}: autoBackground has no key "rule"; did you mean "rules"?\n`);
    writeFileSync(config, JSON.stringify({ autoBackground: { rules: [{ pattern: 'x', background: true, when: 'always' }] } }));
    expect((await explain('npm run dev')).stderr).toMatch(/corral\.config\.json: autoBackground\.rules\[0\] has no key "when"/);
    writeFileSync(config, '{}');
    mkdirSync(join(project, '.claude'));
    writeFileSync(join(project, '.claude', 'settings.json'), JSON.stringify({ autoBackground: { blocklist: ['x'] } }));
    const settings = await cli(home, ['exec', '--', 'npm run dev'], { cwd: project });
    expect(settings.code).toBe(2);
    expect(settings.stderr).toContain(`${join(project, '.claude', 'settings.json')}: autoBackground has no key "blocklist" (it takes enabled, patterns, excludePatterns, rules)`);
    // Nothing ran, and the hook lets the command go on unchanged rather than block it.
    expect(await hook('npm run dev')).toBeNull();
    expect(await cliJson(home, ['ls'])).toEqual([]);
  });
});
