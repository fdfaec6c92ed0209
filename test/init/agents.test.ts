/** `corral init --agents`: one section between markers in AGENTS.md or CLAUDE.md, however often it runs. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BEGIN, END, withSection } from '../../src/init/agents.js';
import { cleanupHome, cli, makeHome } from '../helpers.js';

let home: string;
let dir: string;
beforeEach(() => {
  home = makeHome();
  dir = join(home, 'project');
  mkdirSync(dir);
});
afterEach(async () => {
  await cleanupHome(home);
});

const agents = () => cli(home, ['init', '--agents'], { cwd: dir });
const count = (text: string, what: string) => text.split(what).length - 1;

describe('corral init --agents', () => {
  it('adds the section to CLAUDE.md, keeps what was there, and run twice leaves one section', async () => {
    const mine = '# Shop\n\nUse pnpm.\n';
    writeFileSync(join(dir, 'CLAUDE.md'), mine);
    const first = await agents();
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('CLAUDE.md: added the section on running servers under corral\n');
    const second = await agents();
    expect(second.stdout).toBe('CLAUDE.md: its section on running servers under corral is up to date\n');
    const text = readFileSync(join(dir, 'CLAUDE.md'), 'utf8');
    expect(text.startsWith(`${mine}\n${BEGIN}\n## Servers and long-running commands: corral\n`)).toBe(true);
    expect(count(text, '<!-- corral:begin')).toBe(1);
    expect(count(text, END)).toBe(1);
    expect(text).toContain('background_spawn');
    expect(text).toContain('corral logs ID --new');
    expect(text).toContain('corral kill --port 3000');
    expect(existsSync(join(dir, 'AGENTS.md'))).toBe(false);
  });

  it('updates an old section in place, between its markers, in every file there is', async () => {
    const old = `# Rules\n\n<!-- corral:begin old words -->\nold advice\n${END}\n\n## After\nkept\n`;
    writeFileSync(join(dir, 'AGENTS.md'), old);
    writeFileSync(join(dir, 'CLAUDE.md'), '# Claude\n');
    const r = await cli(home, ['init', '--agents', '--json'], { cwd: dir });
    expect(JSON.parse(r.stdout)).toEqual([
      { file: join(dir, 'AGENTS.md'), action: 'updated' },
      { file: join(dir, 'CLAUDE.md'), action: 'added' },
    ]);
    const text = readFileSync(join(dir, 'AGENTS.md'), 'utf8');
    expect(text).not.toContain('old advice');
    expect(text.startsWith(`# Rules\n\n${BEGIN}\n`)).toBe(true);
    expect(text.endsWith(`${END}\n\n## After\nkept\n`)).toBe(true);
    await agents();
    expect(count(readFileSync(join(dir, 'AGENTS.md'), 'utf8'), '<!-- corral:begin')).toBe(1);
    expect(count(readFileSync(join(dir, 'CLAUDE.md'), 'utf8'), '<!-- corral:begin')).toBe(1);
  });

  it('creates AGENTS.md when the project has neither file', async () => {
    expect((await agents()).stdout).toBe('AGENTS.md: created it with the section on running servers under corral\n');
    expect(readFileSync(join(dir, 'AGENTS.md'), 'utf8')).toMatch(new RegExp(`^${BEGIN.replace(/[()`]/g, '\\$&')}\\n[^]*${END}\\n$`));
  });

  it('refuses a begin marker without its end, and --agents with another option', async () => {
    writeFileSync(join(dir, 'AGENTS.md'), '<!-- corral:begin -->\nhalf\n');
    const broken = await agents();
    expect(broken.code).toBe(2);
    expect(broken.stderr).toBe(`corral: ${join(dir, 'AGENTS.md')}: a "<!-- corral:begin" marker without its "${END}": mend or remove it, then run corral init --agents again\n`);
    expect(readFileSync(join(dir, 'AGENTS.md'), 'utf8')).toBe('<!-- corral:begin -->\nhalf\n');
    const mixed = await cli(home, ['init', '--agents', '--template', 'django'], { cwd: dir });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('--agents writes only the section of AGENTS.md or CLAUDE.md, not with --template');
  });

  it('puts the section after a blank line, whatever the end of the text', () => {
    for (const before of ['', 'a', 'a\n', 'a\n\n']) {
      const { text } = withSection(before, 'X.md');
      expect(text).toBe(`${before === '' ? '' : 'a\n\n'}${BEGIN}\n${text.split(`${BEGIN}\n`)[1]}`);
      expect(withSection(text, 'X.md')).toEqual({ text, replaced: true });
    }
  });
});
