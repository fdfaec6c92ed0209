/**
 * The env-file templates (templates/*.yaml): `corral templates` lists them, every one loads,
 * `corral init --template` writes one for a project, and the node-vite one comes up healthy
 * on a project with its two scripts, from the CLI and from background_orchestrate.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnvFile } from '../../src/config/envfile/load.js';
import { cleanupHome, cli, cliJson, FIXTURES, freePort, makeHome, ROOT } from '../helpers.js';
import { McpConnection, textOf } from '../mcp/client.js';

const TEMPLATES = join(ROOT, 'templates');
const NAMES = readdirSync(TEMPLATES).map((f) => f.replace(/\.yaml$/, '')).sort();

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

function project(): string {
  const dir = join(home, 'stack');
  cpSync(join(FIXTURES, 'init', 'template-node-vite'), dir, { recursive: true });
  return dir;
}

describe('templates', () => {
  it('are shipped in the package and listed one a line', async () => {
    expect(NAMES).toEqual(['django', 'fastapi-worker', 'nextjs', 'node-vite', 'redis-app']);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).files).toContain('templates');
    const listed = await cli(home, ['templates']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(NAMES);
    expect(lines.find((l) => l.startsWith('node-vite'))).toMatch(/^node-vite\s+A Node API with a Vite front end/);
    const json = await cliJson<{ name: string; description: string; file: string }[]>(home, ['templates']);
    expect(json.map((t) => t.name)).toEqual(NAMES);
    for (const t of json) expect(t.description.length).toBeGreaterThan(20);
  });

  it.each(NAMES)('%s loads, commented, as a file init writes for a project', async (name) => {
    const spec = loadEnvFile(join(TEMPLATES, `${name}.yaml`), { callerEnv: {} });
    expect(spec.tasks.length).toBeGreaterThan(0);
    const text = readFileSync(join(TEMPLATES, `${name}.yaml`), 'utf8');
    expect(text.split('\n').filter((l) => /^\s*#/.test(l)).length).toBeGreaterThan(4);
    const dir = project();
    const r = await cli(home, ['init', '--template', name], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^wrote corral\\.yaml from the template ${name}: `));
    // Named after the project, the rest as the template has it.
    const written = loadEnvFile(join(dir, 'corral.yaml'), { callerEnv: {} });
    expect(written.name).toBe('stack');
    expect(written.tasks.map((t) => t.command)).toEqual(spec.tasks.map((t) => t.command));
  });

  it('refuses a name that is no template, naming those there are, and an existing file without --force', async () => {
    const dir = project();
    const unknown = await cli(home, ['init', '--template', 'django2'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`corral: no template "django2"; did you mean "django"? (there are: ${NAMES.join(', ')}; \`corral templates\` describes them)\n`);
    writeFileSync(join(dir, 'corral.yaml'), 'mine');
    expect((await cli(home, ['init', '--template', 'django'], { cwd: dir })).code).toBe(2);
    expect(readFileSync(join(dir, 'corral.yaml'), 'utf8')).toBe('mine');
    expect((await cli(home, ['init', '--template', 'django', '--force'], { cwd: dir })).code).toBe(0);
  });

  it('node-vite comes up healthy on a project with its two scripts', async () => {
    const dir = project();
    const env = { API_PORT: String(await freePort()), WEB_PORT: String(await freePort()) };
    expect((await cli(home, ['init', '--template', 'node-vite'], { cwd: dir })).code).toBe(0);
    const up = await cli(home, ['orchestrate', 'stack', '--wait-healthy', '--timeout', '60s'], { cwd: dir, env });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/api running healthy[^]*web running healthy/);
    expect(await (await fetch(`http://127.0.0.1:${env.WEB_PORT}/`)).text()).toBe('<h1>web</h1>');
    expect((await cli(home, ['down', 'stack'])).code).toBe(0);
  });

  it('node-vite comes up healthy through background_orchestrate {template}, in the folder given', async () => {
    const dir = project();
    const env = { API_PORT: String(await freePort()), WEB_PORT: String(await freePort()) };
    const conn = await McpConnection.open(home, 'corral-test', env);
    try {
      const r = await conn.call('background_orchestrate', { template: 'node-vite', cwd: dir, timeout: 60 });
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(textOf(r)).toMatch(/^app is ready\n/);
      expect(r.data.tasks.map((t: { name: string; health: string }) => [t.name, t.health])).toEqual([
        ['api', 'healthy'],
        ['web', 'healthy'],
      ]);
      const tasks = await cliJson<{ name: string; cwd: string }[]>(home, ['ls', '--env', 'app']);
      expect(tasks.map((t) => t.cwd)).toEqual([dir, dir]);
      const both = await conn.call('background_orchestrate', { template: 'node-vite', file: 'corral.yaml' });
      expect(both.isError).toBe(true);
      expect(textOf(both)).toContain('give one of file, template or tasks, not file and template');
      const unknown = await conn.call('background_orchestrate', { template: 'rails' });
      expect(unknown.isError).toBe(true);
      expect(textOf(unknown)).toContain('no template "rails"');
    } finally {
      await conn.close();
    }
  });
});
