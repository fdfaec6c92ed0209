import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupHome, cli, cliJson, FIXTURES, freePort, makeHome, processesOf, ROOT, startCli, waitFor } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

const svc = join(FIXTURES, 'svc.js');

function envFile(yaml: string): string {
  const file = join(home, 'corral.yaml');
  writeFileSync(file, yaml);
  return file;
}

function events(file: string): { name: string; what: string; at: number }[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [name, what, at] = l.split(' ');
      return { name: name!, what: what!, at: Number(at) };
    });
}

describe('environments', () => {
  it('starts in dependency order, independent tasks at once, and stops in reverse order', async () => {
    const ev = join(home, 'events');
    // db is ready when the test says so: until then, what depends on it waits.
    const dbReady = join(home, 'db-ready');
    const file = envFile(`
name: order
env: { EVENTS: "${ev}" }
tasks:
  db:
    command: node ${svc} db
    env: { READY_FILE: "${dbReady}" }
    health: { log: "db ready", interval: 50ms }
  cache:
    command: node ${svc} cache
  api:
    command: node ${svc} api
    env: { READY_MS: "100" }
    depends_on: [db, cache]
    health: { log: "api ready", interval: 50ms }
  web:
    command: node ${svc} web
    depends_on: { api: healthy }
`);
    const starting = startCli(home, ['orchestrate', '-f', file, '--wait-healthy', '--timeout', '60s']);
    // cache does not wait for db: both run while db is not ready, and api waits for db.
    const early = await waitFor(async () => {
      const listed = await cli(home, ['ls', '--env', 'order', '--json']);
      if (listed.code !== 0) return null; // the environment is not there yet
      const byName = Object.fromEntries(JSON.parse(listed.stdout).map((t: any) => [t.name, t]));
      return byName.db?.status === 'running' && byName.cache?.status === 'running' ? byName : null;
    }, 'db and cache to run', 30_000, 50);
    expect(early.db.health).not.toBe('healthy');
    expect([early.api.status, early.web.status]).toEqual(['waiting', 'waiting']);
    const readyAt = Date.now();
    writeFileSync(dbReady, '');
    const up = await starting.done;
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toBe('order is ready\n');
    // The daemon's spawn times, not the programs' first lines: node's own start-up on a
    // loaded machine is no part of the order under test.
    const spawned: Record<string, number> = {};
    for (const t of await cliJson<any[]>(home, ['ls', '--env', 'order'])) spawned[t.name] = Date.parse(t.startedAt);
    expect(Object.keys(spawned).sort()).toEqual(['api', 'cache', 'db', 'web']);
    // api waits for db's readiness; web for api's, 100 ms after api's start.
    expect(spawned.cache!).toBeLessThan(readyAt);
    expect(spawned.api!).toBeGreaterThanOrEqual(readyAt);
    expect(spawned.web! - spawned.api!).toBeGreaterThanOrEqual(100);
    await waitFor(() => events(ev).filter((e) => e.what === 'start').length === 4, 'four starts');

    const tasks = await cliJson<any[]>(home, ['ls', '--env', 'order']);
    expect(tasks.map((t) => [t.name, t.status, t.health])).toEqual([
      ['db', 'running', 'healthy'],
      ['cache', 'running', null],
      ['api', 'running', 'healthy'],
      ['web', 'running', null],
    ]);
    expect(tasks[2].dependsOn).toEqual(['db:healthy', 'cache:started']);

    const down = await cli(home, ['down', 'order']);
    expect(down.code, down.stderr).toBe(0);
    const stops = events(ev).filter((e) => e.what === 'stop');
    const at = Object.fromEntries(stops.map((e) => [e.name, e.at]));
    expect(Object.keys(at).sort()).toEqual(['api', 'cache', 'db', 'web']);
    expect(at.web!).toBeLessThanOrEqual(at.api!);
    expect(at.api!).toBeLessThanOrEqual(at.db!);
    expect(at.api!).toBeLessThanOrEqual(at.cache!);
    for (const t of await cliJson<any[]>(home, ['ls'])) expect(t.status).toBe('killed');
  }, 60_000);

  it("brings the example environment up healthy, with no error in the daemon log and no probe in the servers' logs", async () => {
    // Ports the system hands out, not ones picked from the pid: those can be another
    // connection's ephemeral port at the time.
    const [kv, api, web] = [await freePort(), await freePort(), await freePort()];
    const ports = { KV_PORT: String(kv), API_PORT: String(api), WEB_PORT: String(web) };
    const up = await cli(home, ['orchestrate', '-f', join(ROOT, 'examples/dev-env.yaml'), '--wait-healthy', '--json'], { env: ports });
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const tasks = JSON.parse(up.stdout).tasks.map((t: any) => [t.name, t.status, t.health]);
    expect(tasks).toEqual([
      ['db', 'running', 'healthy'],
      ['migrate', 'completed', null],
      ['api', 'running', 'healthy'],
      ['web', 'running', 'healthy'],
    ]);
    // Its health checks leave no request lines in the servers' logs.
    const ids = Object.fromEntries(JSON.parse(up.stdout).tasks.map((t: any) => [t.name, t.id]));
    for (const name of ['api', 'web']) {
      const log = ['stdout', 'stderr'].map((s) => readFileSync(join(home, 'logs', ids[name], `${s}.log`), 'utf8')).join('');
      expect(log, name).not.toMatch(/GET/);
    }
    await cli(home, ['down', 'dev-env']);
    const errors = readFileSync(join(home, 'daemon.log'), 'utf8')
      .split('\n')
      .filter((line) => line && JSON.parse(line).level >= 50);
    expect(errors).toEqual([]);
  });

  it('stops a task with its stop command, which sees the task id and pid, and says so', async () => {
    const out = join(home, 'stop-out');
    const file = envFile(`
name: custom
tasks:
  s:
    command: trap 'echo bye; exit 0' USR1; echo ready; while true; do sleep 0.05; done
    stop: { command: 'echo "stop $CORRAL_TASK" > ${out}; kill -USR1 $CORRAL_TASK_PID', grace: 20s }
`);
    expect((await cli(home, ['orchestrate', '-f', file])).code).toBe(0);
    await waitFor(() => readFileSync(join(home, 'logs/bash_1/stdout.log'), 'utf8').includes('ready'), 'the trap');
    const command = `echo "stop $CORRAL_TASK" > ${out}; kill -USR1 $CORRAL_TASK_PID`;
    expect((await cli(home, ['status', 's'])).stdout).toContain(`\nstop       \`${command}\`, SIGKILL after 20s\n`);
    expect((await cliJson(home, ['status', 's'])).stopCommand).toBe(command);
    const started = Date.now();
    const [t] = await cliJson<any[]>(home, ['down', 'custom']);
    expect(Date.now() - started).toBeLessThan(10_000);
    // The reason names the stop command, not the SIGTERM that was never sent.
    expect([t.status, t.exitCode, t.reason]).toEqual(['killed', 0, 'exit 0 after its stop command']);
    expect(readFileSync(out, 'utf8')).toBe('stop bash_1\n');
    expect(readFileSync(join(home, 'logs/bash_1/stdout.log'), 'utf8')).toBe('ready\nbye\n');
  });

  it('brings an environment up again after down, judging only the new run', async () => {
    const file = envFile(`
name: again
tasks:
  s1: { command: sleep 30, health: { exec: "true", interval: 50ms } }
  s2: { command: sleep 30, depends_on: { s1: healthy } }
`);
    const first = await cli(home, ['orchestrate', '-f', file, '--wait-healthy', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect((await cli(home, ['down', 'again'])).code).toBe(0);
    const second = await cli(home, ['orchestrate', '-f', file, '--wait-healthy', '--json']);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.tasks.map((t: any) => [t.id, t.status])).toEqual([
      ['bash_3', 'running'],
      ['bash_4', 'running'],
    ]);
    expect((await cliJson<any[]>(home, ['ls', '--env', 'again'])).map((t) => t.id)).toEqual(['bash_3', 'bash_4']);
    expect((await cliJson<any[]>(home, ['ls'])).map((t) => t.status)).toEqual(['killed', 'killed', 'running', 'running']);
    const down = await cliJson<any[]>(home, ['down', 'again']);
    expect(down.map((t) => t.id).sort()).toEqual(['bash_3', 'bash_4']);
  });

  it('gates dependents on a one-shot step, and fails them with the reason when it fails', async () => {
    const file = envFile(`
name: steps
tasks:
  migrate:
    command: sh -c 'echo migrating; exit 1'
    background: false
  api:
    command: node ${svc} api
    depends_on: [migrate]
  web:
    command: node ${svc} web
    depends_on: [api]
`);
    const r = await cli(home, ['orchestrate', '-f', file, '--wait-healthy', '--timeout', '20s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/steps did not come up: migrate \(bash_1\) failed: exit 1/);
    expect(r.stderr).toMatch(/last lines of migrate:\n {2}migrating/);
    await waitFor(async () => (await cliJson<any[]>(home, ['ls'])).every((t) => ['failed', 'completed', 'killed'].includes(t.status)), 'all final');
    const tasks = await cliJson<any[]>(home, ['ls']);
    expect(tasks.map((t) => [t.name, t.status, t.reason])).toEqual([
      ['migrate', 'failed', 'exit 1'],
      ['api', 'failed', 'dependency migrate failed: exit 1'],
      ['web', 'failed', 'dependency api failed: dependency migrate failed: exit 1'],
    ]);
    expect(tasks[1].pid).toBeNull();
  });

  it('does not count a program that could not be started as started', async () => {
    const file = envFile(`
name: nostart
tasks:
  c: { command: nonexistent-zz --flag, background: false }
  d: { command: echo d ran, depends_on: { c: started } }
`);
    expect((await cli(home, ['orchestrate', '-f', file])).code).toBe(0);
    const tasks = await waitFor(async () => {
      const list = await cliJson<any[]>(home, ['ls', '--env', 'nostart']);
      return list.every((t) => ['failed', 'completed'].includes(t.status)) ? list : null;
    }, 'both to end');
    expect(tasks.map((t) => [t.name, t.status, t.reason])).toEqual([
      ['c', 'failed', 'could not start: nonexistent-zz: not found'],
      ['d', 'failed', 'dependency c failed: could not start: nonexistent-zz: not found'],
    ]);
    expect(tasks[1].startedAt).toBeNull();

    const run = await cli(home, ['run', '--', 'nonexistent-zz']);
    expect([run.code, run.stdout, run.stderr]).toEqual([1, 'bash_3\n', 'corral: bash_3 could not start: nonexistent-zz: not found\n']);
  });

  it('runs dependents once a one-shot step succeeded', async () => {
    const ev = join(home, 'events');
    const file = envFile(`
name: steps
env: { EVENTS: "${ev}" }
tasks:
  migrate:
    command: node ${svc} migrate
    env: { EXIT_MS: "200", EXIT_CODE: "0" }
    background: false
  api:
    command: node ${svc} api
    depends_on: [migrate]
`);
    const r = await cli(home, ['orchestrate', '-f', file, '--wait-healthy', '--timeout', '20s']);
    expect(r.code, r.stderr).toBe(0);
    const e = await waitFor(() => {
      const all = events(ev);
      return all.some((x) => x.name === 'api') ? all : null;
    }, 'api to start');
    const migrateEnd = (await cliJson(home, ['status', 'migrate'])).endedAt;
    const apiStart = e.find((x) => x.name === 'api')!.at;
    expect(apiStart).toBeGreaterThanOrEqual(Date.parse(migrateEnd) - 5);
  });

  it('fails --wait-healthy naming the task whose check never passes, not the one waiting for it', async () => {
    const file = envFile(`
name: sick
tasks:
  web:
    command: node ${svc} web
    depends_on: { api: healthy }
  api:
    command: node ${svc} api
    health: { tcp: "127.0.0.1:9", interval: 100ms, timeout: 100ms, retries: 2 }
`);
    const r = await cli(home, ['orchestrate', '-f', file, '--wait-healthy', '--timeout', '4s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sick is not ready after the timeout: api \(bash_2\) running: unhealthy \(\d+ failures?: tcp:127.0.0.1:9/);
    expect(r.stderr).toMatch(/\nlast lines of api:\n  api ready\n/);
    const [, t] = await cliJson<any[]>(home, ['ls']);
    expect(t.healthReason).toMatch(/^unhealthy \(\d+ failures?/);
  });

  it('says why run --wait-healthy gave up, with the last lines of the task', async () => {
    const r = await cli(home, ['run', '--health', 'tcp:127.0.0.1:9', '--wait-healthy', '--wait-timeout', '1s', '--', 'echo starting; echo oops >&2; sleep 30']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('bash_1\n');
    expect(r.stderr).toMatch(/^corral: bash_1 did not become ready \(not ready after 1s: running, \w+.*\)\nlast lines of bash_1:\n {2}starting\n {2}stderr: oops\n$/);
  });

  it('fails a dependent whose wait outlives its timeout', async () => {
    const file = envFile(`
name: slow
tasks:
  db:
    command: node ${svc} db
    health: { log: "never printed", interval: 50ms }
  api:
    command: node ${svc} api
    depends_on: { db: { condition: healthy, timeout: 400ms } }
`);
    await cli(home, ['orchestrate', '-f', file]);
    const api = await waitFor(async () => {
      const t = await cliJson(home, ['status', 'api']);
      return t.status === 'failed' ? t : null;
    }, 'api to fail');
    expect(api.reason).toBe('dependency db not healthy after 400ms');
  });

  it('refuses a bad file with file:line:col and starts nothing', async () => {
    const file = envFile(`
name: bad
tasks:
  api:
    command: node ${svc} api
    depends_on: [web]
  web:
    command: node ${svc} web
    depends_on: [api]
`);
    const r = await cli(home, ['orchestrate', '-f', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`corral: ${file}:6:18: api dependency cycle: api -> web -> api\n`);
    expect(await cliJson(home, ['ls'])).toEqual([]);
    expect(processesOf(home).length).toBe(1); // the daemon only
  });

  it('builds an ad-hoc environment from --background commands', async () => {
    const r = await cli(home, ['orchestrate', 'adhoc', '--background', `node ${svc} one`, '--health', 'log:one ready', '--background', `node ${svc} two`, '--wait-healthy', '--timeout', '10s']);
    expect(r.code, r.stderr).toBe(0);
    // The progress ends with the step that made the environment ready, not one before it.
    expect(r.stderr.trimEnd().split('\n').filter((l) => l.startsWith('bash_1 ')).at(-1)).toMatch(/^bash_1 \S+ running healthy$/);
    const tasks = await cliJson<any[]>(home, ['ls', '--env', 'adhoc']);
    expect(tasks.map((t) => [t.env, t.status, t.health])).toEqual([
      ['adhoc', 'running', 'healthy'],
      ['adhoc', 'running', null],
    ]);
    // The same environment again: already up, nothing starts (as with compose).
    const same = await cli(home, ['orchestrate', 'adhoc', '--background', `node ${svc} one`, '--health', 'log:one ready', '--background', `node ${svc} two`, '--wait-healthy', '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout).tasks.map((t: any) => t.id)).toEqual(tasks.map((t) => t.id));
    expect(await cliJson<any[]>(home, ['ls'])).toHaveLength(2);
    // A different one under the same name is applied to it, as a changed file is: its tasks go, the new one comes.
    const again = await cliJson<{ tasks: any[]; applied: any[] }>(home, ['orchestrate', 'adhoc', '--background', 'sleep 30']);
    expect(again.applied.map((a) => a.action)).toEqual(['started', 'stopped', 'stopped']);
    expect(again.applied.map((a) => a.name)).toEqual(['sleep-30', ...tasks.map((t) => t.name)]);
    await waitFor(async () => {
      const now = (await cliJson<any[]>(home, ['ls', '--env', 'adhoc'])).map((t) => `${t.command} ${t.status}`);
      return now.length === 1 && now[0] === 'sleep 30 running';
    }, 'the new task alone, running');
    expect((await cli(home, ['down'])).code).toBe(0);
  });

  it('takes "any port it opens" as the check of an ad-hoc task (--health listen)', async () => {
    const r = await cli(home, ['orchestrate', 'web', '--background', 'python3 -m http.server 0 --bind 127.0.0.1', '--health', 'listen', '--wait-healthy', '--timeout', '15s']);
    expect(r.code, r.stderr).toBe(0);
    const [t] = await cliJson<any[]>(home, ['ls', '--env', 'web']);
    expect(t.health).toBe('healthy');
    const details = await cliJson(home, ['status', t.id]);
    expect(details.ports).toHaveLength(1);
    expect(details.ports[0]).toBeGreaterThan(1024);
  });

  it('restarts a task whose liveness check keeps failing, and interleaves combined output in one file', async () => {
    const flag = join(home, 'alive');
    writeFileSync(flag, '');
    const file = envFile(`
name: live
tasks:
  stuck:
    command: node ${svc} stuck
    health: { file: "${flag}", liveness: true, interval: 100ms, timeout: 100ms, retries: 2 }
    restart: { policy: on-failure, backoff: 2s }
  mixed:
    command: sh -c 'echo one; echo two >&2; echo three'
    background: false
    output: combined
`);
    expect((await cli(home, ['orchestrate', '-f', file, '--wait-healthy', '--timeout', '10s'])).code).toBe(0);
    const { rmSync } = await import('node:fs');
    rmSync(flag);
    // Read from the restart history: on a loaded machine a status call can miss the 2 s `restarting` window.
    const t = await waitFor(async () => {
      const s = await cliJson(home, ['status', 'stuck']);
      return s.restartHistory.length > 0 ? s : null;
    }, 'the liveness restart', 10_000, 50);
    const first: string = t.restartHistory[0].reason;
    expect(first, first).toMatch(/^liveness check failed: unhealthy \(2 failures: .+\); restarting in \d+(\.\d+)?s \(restart 1\/5\)$/);
    expect(readFileSync(join(home, 'logs/bash_2/stdout.log'), 'utf8')).toBe('one\ntwo\nthree\n');
  });
});
