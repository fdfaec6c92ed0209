/**
 * The CLI's entry as `npm run build` leaves it: one CommonJS file holding the commands
 * marked `bundled`, requiring only Node built-ins at start-up, and handing every other call
 * to the unbundled CLI, errors and exit codes included; `main.js` links to it.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, ROOT, cleanupHome, cli, makeHome } from '../helpers.js';

/**
 * Each command's words, whether it is bundled, and the module its load() imports, read by
 * plain node as the build script reads them (the test runner rewrites import() in what it loads).
 */
const COMMANDS = JSON.parse(
  execFileSync(process.execPath, ['--input-type=module', '-e', `
    const { COMMANDS } = await import(${JSON.stringify(join(ROOT, 'dist/src/cli/spec.js'))});
    console.log(JSON.stringify(COMMANDS.map((c) => ({ words: c.words.join(' '), bundled: c.bundled === true, module: /import\\(['"](\\.\\/commands\\/[\\w-]+)\\.js['"]\\)/.exec(String(c.load))?.[1] ?? null }))));
  `], { encoding: 'utf8' }),
) as { words: string; bundled: boolean; module: string | null }[];

let home: string | null = null;
afterEach(async () => {
  if (home) await cleanupHome(home);
  home = null;
});

describe('the bundled CLI entry', () => {
  const bundle = realpathSync(CLI);
  const text = readFileSync(bundle, 'utf8');
  const sources: string[] = (JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] }).sources.map((s) => resolve(dirname(bundle), s));

  it('is main.cjs, which main.js and the package\'s bin lead to', () => {
    expect(lstatSync(CLI).isSymbolicLink()).toBe(true);
    expect(bundle).toBe(join(dirname(CLI), 'main.cjs'));
    const { bin } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(realpathSync(join(ROOT, bin.corral!))).toBe(bundle);
  });
  const commandSource = (words: string) => {
    const path = COMMANDS.find((c) => c.words === words)!.module!;
    return join(ROOT, 'src/cli', `${path}.ts`);
  };

  it('holds the bundled commands and none of the others', () => {
    const bundled = COMMANDS.filter((c) => c.bundled).map((c) => c.words);
    expect(bundled.sort()).toEqual(['logs', 'ls', 'run', 'status']);
    for (const words of bundled) expect(sources, words).toContain(commandSource(words));
    for (const words of ['ui', 'kill', 'grep', 'daemon start']) expect(sources, words).not.toContain(commandSource(words));
    expect(sources.some((s) => s.endsWith('src/cli/program.ts'))).toBe(false);
  });

  it('is CommonJS, and requires nothing but Node built-ins at start-up', () => {
    expect(text).not.toMatch(/^import\s/m);
    const required = [...text.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((s) => !s!.startsWith('node:'))).toEqual([]);
    expect(text).toContain('import("./cli.js")');
  });

  it('gives the exit codes of the unbundled CLI, in a bundled command and a handed-over one', async () => {
    home = makeHome();
    const bundled = await cli(home, ['status', 'nosuch']);
    const handed = await cli(home, ['kill', 'nosuch']);
    const usage = await cli(home, ['ls', '--bogus']);
    expect([bundled.code, handed.code, usage.code]).toEqual([3, 3, 2]);
    expect(bundled.stderr).toMatch(/no task "nosuch"/);
    expect(handed.stderr).toMatch(/no task "nosuch"/);
  });
});
