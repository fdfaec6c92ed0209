import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, makeHome, startCli, waitFor } from '../helpers.js';

let home: string;
let file: string;
beforeEach(() => {
  home = makeHome();
  file = join(home, 'corral.yaml');
  writeFileSync(
    file,
    `
name: part
tasks:
  db:
    command: sleep 600
  api:
    command: sleep 601
    depends_on: [db]
  web:
    command: sleep 602
    depends_on: [api]
  worker:
    command: sleep 603
  debugger:
    command: sleep 604
    depends_on: [api]
    profiles: [debug]
`,
  );
});
afterEach(async () => {
  await cleanupHome(home);
});

type Row = { name: string; status: string; pid: number | null };
const states = async () => Object.fromEntries((await cliJson<Row[]>(home, ['ls', '--env', 'part'])).map((t) => [t.name, t.status]));
const pids = async () => Object.fromEntries((await cliJson<Row[]>(home, ['ls', '--env', 'part'])).map((t) => [t.name, t.pid]));

describe('bringing up a part of an environment', () => {
  it('starts the named tasks and what they depend on, nothing else; then adds more beside them', async () => {
    const r = await cli(home, ['orchestrate', 'part', 'api', '-f', file, '--wait-healthy']);
    expect(r.code, r.stderr).toBe(0);
    expect(await states()).toEqual({ db: 'running', api: 'running' });
    const before = await pids();
    // More of it: web joins the run, db and api keep their processes.
    expect((await cli(home, ['orchestrate', 'part', 'web', '-f', file, '--wait-healthy'])).code).toBe(0);
    expect(await states()).toEqual({ db: 'running', api: 'running', web: 'running' });
    const after = await pids();
    expect([after.db, after.api]).toEqual([before.db, before.api]);
    // The same part again: already up, nothing starts; the report says each task was kept.
    const same = await cliJson<{ tasks: Row[]; applied: { name: string; action: string }[] }>(home, ['orchestrate', 'part', 'api', '-f', file]);
    expect(same.tasks.map((t) => [t.name, t.pid])).toEqual([
      ['db', before.db],
      ['api', before.api],
    ]);
    expect(same.applied.map((a) => `${a.name} ${a.action}`)).toEqual(['db kept', 'api kept']);
  });

  it('starts a task of a profile when it is named, with its dependencies', async () => {
    expect((await cli(home, ['orchestrate', 'part', 'debugger', '-f', file, '--wait-healthy'])).code).toBe(0);
    expect(await states()).toEqual({ db: 'running', api: 'running', debugger: 'running' });
  });

  it('starts the tasks of a profile only with --profile', async () => {
    expect((await cli(home, ['orchestrate', 'part', '-f', file, '--wait-healthy'])).code).toBe(0);
    expect(Object.keys(await states()).sort()).toEqual(['api', 'db', 'web', 'worker']);
    expect((await cli(home, ['orchestrate', 'part', '-f', file, '--profile', 'debug', '--wait-healthy'])).code).toBe(0);
    expect(Object.keys(await states()).sort()).toEqual(['api', 'db', 'debugger', 'web', 'worker']);
  });

  it('refuses an unknown task (exit 3) and a profile no task has (exit 2)', async () => {
    const task = await cli(home, ['orchestrate', 'part', 'apj', '-f', file]);
    expect(task.code).toBe(3);
    expect(task.stderr).toMatch(/no task "apj" in .*corral\.yaml; did you mean "api"\?/);
    const profile = await cli(home, ['orchestrate', 'part', '-f', file, '--profile', 'debgu']);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toMatch(/no task of .* has the profile "debgu": its profiles are debug/);
    const bad = join(home, 'bad.yaml');
    writeFileSync(bad, 'tasks:\n  api:\n    command: sleep 1\n    profiles: [9lives]\n');
    const key = await cli(home, ['orchestrate', 'bad', '-f', bad]);
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/bad\.yaml:4:\d+: .*a profile starts with a letter/);
    expect(await cliJson(home, ['ls'])).toEqual([]);
  });

  it('down api stops api and its dependents only; up api brings them back', async () => {
    expect((await cli(home, ['orchestrate', 'part', '-f', file, '--wait-healthy'])).code).toBe(0);
    const before = await pids();
    const down = await cli(home, ['down', 'api']);
    expect(down.code, down.stderr).toBe(0);
    expect(await states()).toEqual({ db: 'running', api: 'killed', web: 'killed', worker: 'running' });
    expect((await pids()).db).toBe(before.db);
    expect((await cli(home, ['down', 'part', 'nope'])).code).toBe(3);
    expect((await cli(home, ['orchestrate', 'part', 'web', '-f', file, '--wait-healthy'])).code).toBe(0);
    expect(await states()).toEqual({ db: 'running', api: 'running', web: 'running', worker: 'running' });
    const after = await pids();
    expect([after.db, after.worker]).toEqual([before.db, before.worker]);
    expect(after.api).not.toBe(before.api);
  });

  it('up api runs api and its dependencies in the foreground; Ctrl-C stops those', async () => {
    const up = startCli(home, ['up', 'api', '-f', file]);
    await waitFor(async () => {
      const s = await states().catch(() => ({}));
      return (s as Record<string, string>).api === 'running';
    }, 'api to run');
    expect(await states()).toEqual({ db: 'running', api: 'running' });
    up.child.kill('SIGINT');
    const done = await up.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/part is down/);
    expect(await states()).toEqual({ db: 'killed', api: 'killed' });
  });
});
