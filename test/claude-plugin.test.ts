/**
 * The Claude Code plugin shipped in the package: its marketplace, manifest, hooks and MCP
 * server parse, run corral commands that exist, and are in the package's files.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/spec.js';
import { ROOT } from './helpers.js';

const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

/** The corral command a plugin entry runs, checked against the CLI's table: `corral hook claude-session-end`. */
function corralCommand(line: string): string[] {
  const words = line.split(' ');
  expect(words[0]).toBe('corral');
  const spec = COMMANDS.find((c) => c.words.join(' ') === words.slice(1).join(' '));
  expect(spec?.load, `${line} is not a corral command`).toBeDefined();
  return words.slice(1);
}

describe('the Claude Code plugin', () => {
  const marketplace = json('.claude-plugin/marketplace.json');
  const entry = marketplace.plugins.find((p: { name: string }) => p.name === 'corral');
  const pluginRoot = entry.source as string;

  it('is listed by the package marketplace, its manifest naming it at the package version', () => {
    expect(marketplace).toMatchObject({ name: 'corral', owner: { name: expect.any(String) } });
    expect(pluginRoot).toBe('./claude-plugin');
    expect(json(join(pluginRoot, '.claude-plugin/plugin.json'))).toMatchObject({ name: 'corral', version: json('package.json').version });
  });

  it('hooks PreToolUse on Bash, SessionStart on startup, resume, clear and compact, and SessionEnd, to corral hook commands', () => {
    const { hooks } = json(join(pluginRoot, 'hooks/hooks.json'));
    expect(Object.keys(hooks).sort()).toEqual(['PreToolUse', 'SessionEnd', 'SessionStart']);
    const commands = (event: string) => hooks[event].flatMap((m: { hooks: { type: string; command: string }[] }) => m.hooks.map((h) => (expect(h.type).toBe('command'), corralCommand(h.command))));
    expect(commands('PreToolUse')).toEqual([['hook', 'claude-pre-tool-use']]);
    expect(hooks.PreToolUse[0].matcher).toBe('Bash');
    expect(commands('SessionStart')).toEqual([['hook', 'claude-session-start']]);
    expect(hooks.SessionStart[0].matcher.split('|').sort()).toEqual(['clear', 'compact', 'resume', 'startup']);
    expect(commands('SessionEnd')).toEqual([['hook', 'claude-session-end']]);
  });

  it('serves corral mcp', () => {
    const { mcpServers } = json(join(pluginRoot, '.mcp.json'));
    expect(Object.keys(mcpServers)).toEqual(['corral']);
    expect(corralCommand([mcpServers.corral.command, ...mcpServers.corral.args].join(' '))).toEqual(['mcp']);
  });

  it('is in the package', () => {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const files = (packed[0].files as { path: string }[]).map((f) => f.path);
    for (const path of ['.claude-plugin/marketplace.json', 'claude-plugin/.claude-plugin/plugin.json', 'claude-plugin/hooks/hooks.json', 'claude-plugin/.mcp.json']) expect(files).toContain(path);
  });
});
