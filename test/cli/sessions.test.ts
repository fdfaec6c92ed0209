/**
 * Sessions and projects: a task records the session that started it (`--session`, else
 * CORRAL_SESSION) and its project (the git root of its folder, else the folder), keeps
 * them across a daemon's death, and `ls` narrows by them.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome } from '../helpers.js';
import { sigkillDaemon } from '../sigkill.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

async function ids(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const r = await cli(home, ['ls', ...args, '--json'], { env });
  if (r.code !== 0) throw new Error(`ls ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { id: string }[]).map((t) => t.id);
}

describe('sessions and projects', () => {
  it('records the session and project of each task, keeps them across a daemon killed, and ls filters by them', async () => {
    // A git work tree (its .git a folder) with a task in a subfolder, and a folder outside git.
    const repo = join(home, 'repo');
    const sub = join(repo, 'packages', 'web');
    const plain = join(home, 'plain');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(sub, { recursive: true });
    mkdirSync(plain);
    const noSession = { CORRAL_SESSION: '' };
    expect((await cli(home, ['run', '--session', 's-one', '--cwd', sub, '--', 'sleep 300'], { env: { CORRAL_SESSION: 'ignored' } })).stdout).toBe('bash_1\n');
    expect((await cli(home, ['run', '--keep', '--cwd', plain, '--', 'sleep 300'], { env: { CORRAL_SESSION: 's-two' } })).stdout).toBe('bash_2\n');
    expect((await cli(home, ['run', '--cwd', repo, '--', 'sleep 300'], { env: noSession })).stdout).toBe('bash_3\n');

    const shapes = (await cliJson<any[]>(home, ['ls'])).map(({ id, session, project, keep }) => ({ id, session, project, keep }));
    expect(shapes).toEqual([
      { id: 'bash_1', session: 's-one', project: repo, keep: false },
      { id: 'bash_2', session: 's-two', project: plain, keep: true },
      { id: 'bash_3', session: null, project: repo, keep: false },
    ]);
    expect(await cliJson(home, ['status', 'bash_1'])).toMatchObject({ session: 's-one', project: repo, keep: false });

    await sigkillDaemon(home);
    // The next daemon reads them back from the state file.
    expect(await ids(['--session', 's-one'])).toEqual(['bash_1']);
    expect(await ids(['--mine'], { CORRAL_SESSION: 's-two' })).toEqual(['bash_2']);
    expect(await ids(['--project', join(sub, 'src')])).toEqual(['bash_1', 'bash_3']);
    expect(await ids(['--project', plain])).toEqual(['bash_2']);
    expect(await ids(['--session', 's-one', '--project', plain])).toEqual([]);
    expect(await ids(['--session', 'nobody'])).toEqual([]);
    expect((await cli(home, ['ls', '--session', 'nobody'])).stdout).toBe('no tasks of session nobody\n');

    const mine = await cli(home, ['ls', '--mine'], { env: noSession });
    expect(mine.code).toBe(2);
    expect(mine.stderr).toMatch(/--mine needs a session: set CORRAL_SESSION/);
  });
});
