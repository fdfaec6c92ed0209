/**
 * Names are scoped to their environment, as compose scopes services to a project: two
 * environments may both have a `web`; `dev/web` always reaches one, a bare `web` only
 * when one scope has it, and is otherwise refused with the candidates.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

/** An environment `env` whose `web` prints its environment's name and is healthy once `<home>/<env>-ready` exists; `api` waits for it. */
function project(env: string): string {
  const dir = join(home, env);
  mkdirSync(dir);
  const file = join(dir, 'corral.yaml');
  writeFileSync(
    file,
    `name: ${env}
tasks:
  web:
    command: echo ${env}-web; sleep 30
    health: { file: "${join(home, `${env}-ready`)}", interval: 50ms }
  api:
    command: sleep 30
    depends_on: [web]
`,
  );
  return file;
}

const statusOf = async (ref: string) => (await cliJson(home, ['status', ref])).status as string;

describe('task names scoped to their environment', () => {
  const upBoth = async () => {
    for (const env of ['dev', 'other']) {
      const r = await cli(home, ['orchestrate', '-f', project(env)]);
      expect(r.code, r.stderr).toBe(0);
    }
  };

  it('runs two environments that both have a web, each depends_on reaching its own, and refuses a bare web', async () => {
    await upBoth();
    // Only dev's web becomes healthy: only dev's api may start.
    writeFileSync(join(home, 'dev-ready'), '');
    const wait = await cli(home, ['wait', 'dev/api', '--until', 'running', '--timeout', '20s']);
    expect(wait.code, wait.stderr).toBe(0);
    expect(await statusOf('other/api')).toBe('waiting');

    const ambiguous = await cli(home, ['logs', 'web']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/"web" names several tasks: dev\/web \(bash_1, running\), other\/web \(bash_3, \w+\); give env\/name or the id$/m);
    expect(ambiguous.stderr.trim().split('\n')).toHaveLength(1);
    expect((await cli(home, ['logs', 'dev/web', '--stream', 'stdout'])).stdout).toBe('dev-web\n');
    expect((await cli(home, ['logs', 'other/web', '--stream', 'stdout'])).stdout).toBe('other-web\n');
    const ls = await cli(home, ['ls']);
    expect(ls.stdout).toMatch(/bash_1 +dev\/web +running/);
    expect(ls.stdout).toMatch(/bash_3 +other\/web +(starting|running)/);
    // The JSON keeps its shape: the bare name, and the environment beside it.
    expect((await cliJson<any[]>(home, ['ls'])).map((t) => [t.id, t.env, t.name])).toEqual([
      ['bash_1', 'dev', 'web'],
      ['bash_2', 'dev', 'api'],
      ['bash_3', 'other', 'web'],
      ['bash_4', 'other', 'api'],
    ]);
  }, 60_000);

  it('kills, restarts and removes by env/name; with one scope left, the bare name works again', async () => {
    await upBoth();
    expect((await cli(home, ['kill', 'web'])).code).toBe(2);
    const killed = await cliJson<any[]>(home, ['kill', 'other/web']);
    expect(killed.map((t) => t.id)).toEqual(['bash_3']);
    expect(['starting', 'running']).toContain(await statusOf('dev/web'));
    const restarted = await cliJson(home, ['restart', 'other/web']);
    expect([restarted.id, restarted.status]).toEqual(['bash_3', 'running']);
    expect((await cli(home, ['down', 'other'])).code).toBe(0);
    const rm = await cli(home, ['rm', 'other/web', 'other/api']);
    expect(rm.code, rm.stderr).toBe(0);
    const single = await cli(home, ['logs', 'web', '--stream', 'stdout']);
    expect([single.code, single.stdout]).toEqual([0, 'dev-web\n']);
  }, 60_000);

  it('names a task of no environment in the global scope: beside dev/web, web is ambiguous, and run --name refuses a live holder', async () => {
    expect((await cli(home, ['orchestrate', '-f', project('dev')])).code).toBe(0);
    const first = await cli(home, ['run', '--name', 'web', '--', 'sleep', '30']);
    expect([first.code, first.stdout, first.stderr]).toEqual([0, 'bash_3\n', '']);
    const again = await cli(home, ['run', '--name', 'web', '--', 'sleep', '30']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--name: "web" is taken by bash_3, which is running/);

    const ambiguous = await cli(home, ['logs', 'web']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/dev\/web \(bash_1, \w+\), web \(bash_3, running\)/);
    expect((await cliJson(home, ['status', 'dev/web'])).id).toBe('bash_1');
    expect((await cliJson(home, ['status', 'bash_3'])).name).toBe('web');
    // ls tells them apart: the global one goes by its bare name.
    expect((await cli(home, ['ls'])).stdout).toMatch(/bash_3 +web +running/);
  });

  it('refuses an environment name with a slash, so env/name always splits one way', async () => {
    const r = await cli(home, ['orchestrate', 'a/b', '-f', project('dev')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"a\/b" is not an environment name/);
    const inline = await cli(home, ['orchestrate', '../x', '--background', 'sleep 30']);
    expect(inline.code).toBe(2);
    expect((await cliJson<any[]>(home, ['ls'])).length).toBe(0);
  });
});
