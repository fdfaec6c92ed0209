/**
 * `corral init` on fixture projects of each kind (test/fixtures/init/): the file it writes
 * loads, says what it found, and for a Node project whose scripts are real servers, what it
 * wrote comes up healthy. It never replaces a file without --force.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnvFile } from '../../src/config/envfile/load.js';
import { cleanupHome, cli, FIXTURES, freePort, makeHome, ROOT } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

/** A copy of a fixture project in the home, so that init writes there and nowhere else. */
function project(kind: string): string {
  const dir = join(home, kind);
  cpSync(join(FIXTURES, 'init', kind), dir, { recursive: true });
  return dir;
}

/** Each task of the file init wrote, as the env-file reader reads it. */
function written(dir: string) {
  const spec = loadEnvFile(join(dir, 'corral.yaml'));
  return Object.fromEntries(
    spec.tasks.map((t) => [
      t.name,
      {
        command: t.command,
        background: t.background,
        health: t.health?.probes.map((p) => p.kind).join(',') ?? null,
        needs: Object.fromEntries(t.dependsOn.map((e) => [e.on, e.condition])),
      },
    ]),
  );
}

async function init(dir: string, args: string[] = []) {
  const r = await cli(home, ['init', ...args], { cwd: dir });
  return r;
}

describe('corral init', () => {
  it('writes package.json scripts: servers with the port their script or source names, steps they wait for', async () => {
    const dir = project('node');
    const r = await init(dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  + api: npm run api\n      package.json (npm) script "api" (node api.js --port 4312): long-running; ready when port 4312 (in the command) accepts connections\n');
    expect(r.stdout).toContain('ready when port 4311 (in web.js) accepts connections');
    expect(r.stdout).toContain('  - script "test": left out, not needed to run the project\n');
    expect(r.stdout).toContain('wrote corral.yaml: 3 tasks (migrate, dev, api)\n');
    expect(written(dir)).toEqual({
      migrate: { command: 'npm run migrate', background: false, health: null, needs: {} },
      dev: { command: 'npm run dev', background: true, health: 'tcp', needs: { migrate: 'succeeded' } },
      api: { command: 'npm run api', background: true, health: 'tcp', needs: { migrate: 'succeeded' } },
    });
    // The reasons are in the file too, above each task.
    expect(readFileSync(join(dir, 'corral.yaml'), 'utf8')).toContain('  # package.json (npm) script "migrate" (node migrate.js): a one-shot step; the servers wait for it to succeed\n  migrate:\n');
  });

  it('writes what it found in a Node project with real servers, and orchestrate --wait-healthy brings it up', async () => {
    const dir = project('node');
    // The fixture's ports, made free ones of this machine.
    const [web, api] = [await freePort(), await freePort()];
    writeFileSync(join(dir, 'web.js'), readFileSync(join(dir, 'web.js'), 'utf8').replace('4311', String(web)));
    writeFileSync(join(dir, 'package.json'), readFileSync(join(dir, 'package.json'), 'utf8').replace('4312', String(api)));
    expect((await init(dir, ['--name', 'shop'])).code).toBe(0);
    const up = await cli(home, ['orchestrate', 'shop', '--wait-healthy', '--timeout', '60s'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/migrate completed \(exit 0\)[^]*api running healthy/);
    // Ready means serving, after the migration: the web server read what it wrote.
    expect(await (await fetch(`http://127.0.0.1:${web}/`)).text()).toBe('web, schema "3"');
    expect(await (await fetch(`http://127.0.0.1:${api}/`)).json()).toEqual({ ok: true });
    expect((await cli(home, ['down', 'shop'])).code).toBe(0);
  });

  it('reads a compose file: commands, build folders, environment, dependencies and health checks; containers only are left out', async () => {
    const dir = project('compose');
    const r = await init(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  - service "db": left out, a container only (image postgres:16, no command): docker compose runs it\n');
    expect(r.stdout).toContain('  - service "api" depends on "db": dropped, "db" is not run by corral\n');
    expect(written(dir)).toEqual({
      migrate: { command: "node migrate.js", background: false, health: null, needs: {} },
      api: { command: 'node server.js', background: true, health: 'tcp', needs: { migrate: 'succeeded' } },
      worker: { command: 'node worker.js', background: true, health: 'exec', needs: { api: 'started' } },
    });
    const spec = loadEnvFile(join(dir, 'corral.yaml'));
    const api = spec.tasks.find((t) => t.name === 'api')!;
    expect(api.cwd).toBe(join(dir, 'api'));
    expect(api.env).toMatchObject({ DATABASE_URL: 'postgres://localhost:5432/app' });
    expect(spec.tasks.find((t) => t.name === 'worker')!.env).toMatchObject({ QUEUE: 'jobs' });
  });

  it.each([
    ['procfile', { release: ['./bin/migrate', false, null], web: ['bundle exec puma -p 5000', true, 'tcp'], worker: ['bundle exec sidekiq', true, null] }],
    ['django', { migrate: ['python3 manage.py migrate', false, null], web: ['python3 manage.py runserver 127.0.0.1:8000', true, 'tcp'] }],
    ['rails', { 'db-migrate': ['bin/rails db:migrate', false, null], web: ['bin/rails server -b 127.0.0.1 -p 3000', true, 'tcp'] }],
    ['go', { build: ['go build ./...', false, null], api: ['go run ./cmd/api', true, 'tcp'], worker: ['go run ./cmd/worker', true, null] }],
    ['cargo', { build: ['cargo build', false, null], 'shop-api': ['cargo run', true, 'tcp'] }],
    ['fastapi', { api: ['python3 -m uvicorn app.main:app --host 127.0.0.1 --port 8000 --reload', true, 'tcp'], worker: ['python3 -m celery -A app.tasks worker --loglevel=INFO', true, 'log'] }],
    ['flask', { web: ['python3 -m flask --app app:server run --host 127.0.0.1 --port 5000 --debug', true, 'tcp'] }],
  ] as const)('writes a file that loads for a %s project', async (kind, expected) => {
    const dir = project(kind);
    const r = await init(dir, ['--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const tasks = written(dir);
    expect(Object.fromEntries(Object.entries(tasks).map(([name, t]) => [name, [t.command, t.background, t.health]]))).toEqual(expected);
    // A server waits for the steps before it.
    const steps = Object.keys(tasks).filter((n) => !tasks[n]!.background);
    for (const t of Object.values(tasks)) if (t.background && steps.length > 0) expect(Object.keys(t.needs)).toEqual(steps);
    const report = JSON.parse(r.stdout);
    expect(report.file).toBe(join(dir, 'corral.yaml'));
    expect(report.tasks.map((t: { name: string }) => t.name)).toEqual(Object.keys(expected));
    expect(report.tasks.every((t: { why: string }) => t.why.length > 0)).toBe(true);
  });

  it('never replaces an existing file without --force', async () => {
    const dir = project('django');
    const mine = 'name: mine\ntasks:\n  a: { command: sleep 1 }\n';
    writeFileSync(join(dir, 'corral.yaml'), mine);
    const refused = await init(dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`corral: ${join(dir, 'corral.yaml')} already exists: corral init --force replaces it\n`);
    expect(readFileSync(join(dir, 'corral.yaml'), 'utf8')).toBe(mine);
    // A corral.yml is the project's env file as much.
    const other = project('flask');
    writeFileSync(join(other, 'corral.yml'), mine);
    expect((await init(other)).stderr).toContain(`${join(other, 'corral.yml')} already exists`);
    // -f names another file: that one is written, the existing one is left alone.
    expect((await init(dir, ['-f', 'corral.init.yaml'])).code).toBe(0);
    expect(readFileSync(join(dir, 'corral.yaml'), 'utf8')).toBe(mine);
    const forced = await init(dir, ['--force']);
    expect(forced.code).toBe(0);
    expect(Object.keys(written(dir))).toEqual(['migrate', 'web']);
  });

  it('says what it looked for when a folder holds nothing it knows, and writes nothing', async () => {
    const dir = join(home, 'empty');
    cpSync(join(FIXTURES, 'init', 'node'), dir, { recursive: true, filter: (src) => !src.endsWith('package.json') });
    const r = await init(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^corral: found nothing to run in .*empty: corral init looks for package.json scripts, a compose file, a Procfile, Django, Rails, go.mod, Cargo.toml and uvicorn\/flask apps; `corral templates` lists/);
  });
});

describe('the README', () => {
  it("shows what corral init prints for examples/shop, as it prints it", async () => {
    // The example reads its services from ../services: copy both, so init writes nothing into the repository.
    const examples = join(home, 'examples');
    cpSync(join(ROOT, 'examples', 'shop'), join(examples, 'shop'), { recursive: true, filter: (src) => !src.endsWith('corral.yaml') });
    cpSync(join(ROOT, 'examples', 'services'), join(examples, 'services'), { recursive: true });
    const r = await cli(home, ['init'], { cwd: join(examples, 'shop') });
    expect(r.code).toBe(0);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const shown = /\$ cd examples\/shop && corral init\n([^$]*)\$ /.exec(readme)?.[1];
    expect(shown).toBe(r.stdout);
    const tasks = written(join(examples, 'shop'));
    expect(Object.keys(tasks)).toEqual(['db', 'migrate', 'api', 'dev']);
    expect(tasks.migrate!.needs).toEqual({ db: 'healthy' });
    // The file's tasks are the README's, command for command.
    for (const [name, t] of Object.entries(tasks)) expect(readme).toContain(`  ${name}:\n    command: ${t.command}\n`);
  });
});

describe('a project of several kinds', () => {
  it('writes a command found twice once, and renames a name taken twice after its source', async () => {
    const dir = join(home, 'mixed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Procfile'), 'web: npm start\nworker: node worker.js\n');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start: 'node server.js --port 5001', worker: 'node jobs.js' } }));
    const r = await init(dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  - "npm run start": already written as task "web"\n');
    expect(Object.fromEntries(Object.entries(written(dir)).map(([name, t]) => [name, t.command]))).toEqual({
      web: 'npm start',
      worker: 'node worker.js',
      'package-worker': 'npm run worker',
    });
  });
});
