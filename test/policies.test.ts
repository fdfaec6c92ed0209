import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDuration } from '../machines/duration.js';
import { cleanupHome, cli, cliJson, makeHome, startCli, waitFor } from './helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
});

const status = (ref: string) => cliJson(home, ['status', ref]);
const until = (ref: string, statuses: string[], what: string, ms = 10_000) =>
  waitFor(async () => {
    const t = await status(ref);
    return statuses.includes(t.status) ? t : null;
  }, what, ms, 30);

describe('restart policies', () => {
  it('restarts a crashing task with growing delays and stops at the limit, with the reason', async () => {
    const starts = join(home, 'starts');
    await cli(home, ['run', '--name', 'crash', '--restart', 'on-failure', '--backoff', '100ms', '--max-restarts', '3', '--', `date +%s%N >> ${starts}; exit 2`]);
    const t = await until('crash', ['failed'], 'the restart limit');
    expect(t.reason).toBe('restart limit reached (3 in 60s) after exit 2');
    expect(t.restarts).toBe(3);
    const at = readFileSync(starts, 'utf8').trim().split('\n').map((n) => Number(n) / 1e6);
    expect(at).toHaveLength(4);
    const gaps = at.slice(1).map((v, i) => v - at[i]!);
    // The delays the policy chose (100, 200, 400 ms, ±10 % jitter), as the daemon logged them…
    const delays = [...readFileSync(join(home, 'daemon.log'), 'utf8').matchAll(/restarting in (\d+)ms/g)].map((m) => Number(m[1]));
    expect(delays).toHaveLength(3);
    [100, 200, 400].forEach((base, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(base * 0.9);
      expect(delays[i]).toBeLessThanOrEqual(base * 1.1);
    });
    // …and the runs really waited at least that long (start-up under load only adds to it).
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(delays[i]! - 5));
  });

  it('shows the delay in ls while restarting, and never restarts a task the user killed', async () => {
    // A delay long enough that however slowly the test looks, it sees the first restart pending.
    await cli(home, ['run', '--name', 'flaky', '--restart', 'always', '--backoff', '20s', '--', 'exit 1']);
    const t = await until('flaky', ['restarting'], 'restarting');
    // 20 s, ±10 % jitter.
    expect(t.reason).toMatch(/^exit 1; restarting in (1[89]|2[012])s \(restart 1\/5\)$/);
    expect((await cli(home, ['ls'])).stdout).toMatch(/flaky\s+restarting.*\(in \d+s, 1\)/);
    const [killed] = await cliJson<any[]>(home, ['kill', 'flaky']);
    expect(killed).toMatchObject({ status: 'killed', reason: 'stopped while waiting to restart' });

    // Each run of svc leaves a line; a wrongful restart would come 100 ms (±10 %) after the kill.
    const runs = join(home, 'svc-runs');
    await cli(home, ['run', '--name', 'svc', '--restart', 'always', '--backoff', '100ms', '--', `echo run >> ${runs}; sleep 30`]);
    await until('svc', ['running'], 'running');
    await waitFor(() => existsSync(runs), 'the first run to begin');
    const [stopped] = await cliJson<any[]>(home, ['kill', 'svc']);
    expect(stopped).toMatchObject({ status: 'killed', restarts: 0 });
    // Ten times the backoff: long past when a restart would have begun.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await status('svc')).toMatchObject({ status: 'killed', restarts: 0 });
    expect(readFileSync(runs, 'utf8')).toBe('run\n');
  });

  it('resets the backoff after a stable run (min-uptime)', async () => {
    // Each run lasts ~250 ms, longer than --min-uptime 200ms: the delay stays at the initial 100 ms.
    await cli(home, ['run', '--name', 'steady', '--restart', 'on-failure', '--backoff', '100ms', '--min-uptime', '200ms', '--max-restarts', '3', '--', 'sleep 0.25; exit 1']);
    const t = await until('steady', ['failed'], 'the limit', 15_000);
    expect(t.restarts).toBe(3);
    const events = readFileSync(join(home, 'daemon.log'), 'utf8');
    const delays = [...events.matchAll(/restarting in (\d+)ms/g)].map((m) => Number(m[1]));
    expect(delays).toHaveLength(3);
    for (const d of delays) expect(d).toBeLessThanOrEqual(110);
  });
});

describe('limits and priorities', () => {
  it('runs every process of the task at the nice level and I/O class asked for', async () => {
    await cli(home, ['run', '--name', 'bg', '--nice', '10', '--ionice', 'idle', '--', 'sh -c "sleep 30 & wait"']);
    const t = await until('bg', ['running'], 'running');
    const nice = (pid: number) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    // The I/O class as the kernel reports it (ioprio_get, through util-linux's ionice).
    const ioClass = (pid: number) => execFileSync('ionice', ['-p', String(pid)], { encoding: 'utf8' }).trim();
    expect([nice(t.pid), ioClass(t.pid)]).toEqual([10, 'idle']);
    const child = await waitFor(() => {
      try {
        return Number(readFileSync(`/proc/${t.pid}/task/${t.pid}/children`, 'latin1').trim().split(' ')[0]) || null;
      } catch {
        return null;
      }
    }, 'a child');
    expect([nice(child), ioClass(child)]).toEqual([10, 'idle']);
  });

  it('stops a task that grows past --max-memory, and restarts it when its policy says so', async () => {
    const grow = `node -e "const a=[]; setInterval(()=>a.push(Buffer.alloc(4e6,1)),20)"`;
    await cli(home, ['run', '--name', 'hog', '--max-memory', '40M', '--', grow]);
    await cli(home, ['monitor', '--check-interval', '100ms', '--for', '0s']);
    const killed = await until('hog', ['killed'], 'the memory limit');
    expect(killed.reason).toMatch(/^memory \d+ MB over limit 40 MB \(SIGTERM\)$/);

    await cli(home, ['run', '--name', 'hog2', '--max-memory', '40M', '--restart', 'on-failure', '--backoff', '2s', '--max-restarts', '1', '--', grow]);
    const refused = await until('hog2', ['failed', 'killed'], 'the restart limit', 30_000);
    // The restart in between, from the daemon's log: a loaded machine may poll right past its 2 s.
    const states = readFileSync(join(home, 'daemon.log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; reason?: string });
    const restarting = states.find((e) => e.msg === `${refused.id} restarting`);
    expect(restarting?.reason).toMatch(/^memory \d+ MB over limit 40 MB; restarting in \d(\.\d)?s \(restart 1\/1\)$/);
    expect(refused.status).toBe('killed');
    expect(refused.reason).toMatch(/^memory \d+ MB over limit 40 MB \(SIGTERM\); restart limit reached \(1 in 60s\)$/);
    expect(refused.restarts).toBe(1);
  });

  it('stops a task at its --timeout, and on --idle with --idle-action stop', async () => {
    await cli(home, ['run', '--name', 'slow', '--timeout', '300ms', '--', 'sleep 30']);
    await cli(home, ['run', '--name', 'quiet', '--idle', '300ms', '--idle-action', 'stop', '--', 'echo hi; sleep 30']);
    const ranFor = (t: any) => Date.parse(t.endedAt) - Date.parse(t.startedAt);
    // Neither is stopped before its limit (a loaded machine may only stop them later).
    const slow = await until('slow', ['killed'], 'the timeout');
    expect(slow.reason).toBe('timeout 300ms reached (SIGTERM)');
    expect(ranFor(slow)).toBeGreaterThanOrEqual(300);
    const quiet = await until('quiet', ['killed'], 'the idle limit');
    const silence = parseDuration(/^no output for (\S+) \(SIGTERM\)$/.exec(quiet.reason)?.[1] ?? quiet.reason);
    expect(silence, quiet.reason).toBeGreaterThanOrEqual(300);
    expect(ranFor(quiet)).toBeGreaterThanOrEqual(silence);
  });

  it('queues tasks over max_concurrent and starts them as others end', async () => {
    const env = { CORRAL_MAX_CONCURRENT: '2' };
    // The first two run until the test says so, however slowly the machine starts them.
    const go = join(home, 'go');
    const held = `while [ ! -e ${go} ]; do sleep 0.05; done`;
    for (const cmd of [held, held, 'sleep 0.2']) expect((await cli(home, ['run', '--', cmd], { env })).code).toBe(0);
    const third = await status('bash_3');
    expect(third.status).toBe('queued');
    writeFileSync(go, '');
    await until('bash_3', ['running', 'completed'], 'the queued task to start');
    const done = await until('bash_3', ['completed'], 'the queued task to finish');
    // It started once one of the first two had ended (both end at once: either may be first).
    const firstEnd = Math.min(...(await Promise.all(['bash_1', 'bash_2'].map(async (id) => Date.parse((await status(id)).endedAt)))));
    expect(Date.parse(done.startedAt)).toBeGreaterThanOrEqual(firstEnd);
  });

  it('queues a dependent whose dependency is met while the limit is reached', async () => {
    const env = { CORRAL_MAX_CONCURRENT: '2' };
    const go = join(home, 'go');
    const held = `while [ ! -e ${go} ]; do sleep 0.05; done`;
    const file = join(home, 'q.yaml');
    writeFileSync(file, `name: q\ntasks:\n  a: { command: "${held}" }\n  b: { command: "${held}" }\n  d: { command: echo d, depends_on: { a: started } }\n`);
    expect((await cli(home, ['orchestrate', '-f', file], { env })).code).toBe(0);
    await until('d', ['queued', 'running', 'completed'], 'd to leave waiting');
    expect((await cliJson<any[]>(home, ['ls'])).map((t) => [t.name, t.status])).toEqual([
      ['a', 'running'],
      ['b', 'running'],
      ['d', 'queued'],
    ]);
    writeFileSync(go, '');
    expect((await until('d', ['completed'], 'd to run once a slot is free')).exitCode).toBe(0);
  });
});

describe('monitor and alerts', () => {
  it('alerts on matching lines written after the monitor started, not on older ones', async () => {
    // The new line comes when the test says so (a file), once the monitor is watching.
    const go = join(home, 'say-more');
    await cli(home, ['run', '--name', 'app', '--', `echo "old error"; while [ ! -e ${go} ]; do sleep 0.05; done; echo "new error: boom"; echo fine; sleep 30`]);
    await waitFor(async () => (await cli(home, ['logs', 'app'])).stdout.includes('old error'), 'the old line');
    const watching = startCli(home, ['monitor', 'app', '--alert-on', 'error', '--json']);
    try {
      await waitFor(async () => (await status('app')).alertOn === 'error', 'the alert rule to be set');
      writeFileSync(go, '');
      await waitFor(() => watching.stdout().includes('new error: boom'), 'the alert to be printed');
      await waitFor(async () => (await cli(home, ['logs', 'app'])).stdout.includes('fine'), 'the line after it');
    } finally {
      watching.child.kill('SIGINT');
    }
    const watch = await watching.done;
    expect(watch.code).toBe(0);
    const alerts = watch.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.type === 'alert');
    expect(alerts.map((a) => a.line)).toEqual(['new error: boom']);
    const details = await status('app');
    expect(details.alertOn).toBe('error');
    expect(details.alerts.map((a: any) => a.line)).toEqual(['new error: boom']);
  });

  it('sets restart-on-failure in the daemon, where it stays after the monitor exits', async () => {
    // The task fails when the test says so (a file), however slowly the machine runs the CLI.
    const go = join(home, 'fail-now');
    await cli(home, ['run', '--name', 'w', '--', `while [ ! -e ${go} ]; do sleep 0.05; done; exit 3`]);
    const out = await cli(home, ['monitor', 'w', '--restart-on-failure', '--for', '0s']);
    expect(out.stderr).toMatch(/restart on failure set in the daemon \(they stay after monitor exits\)/);
    expect((await status('w')).restartPolicy).toBe('on-failure');
    // The first run fails after the monitor is gone; the daemon restarts it (restarts counts it for good).
    writeFileSync(go, '');
    const t = await waitFor(async () => {
      const s = await status('w');
      return s.restarts >= 1 ? s : null;
    }, 'a restart after the monitor exited', 20_000, 100);
    expect(t.restartHistory[0].reason).toMatch(/^exit 3; restarting in/);
  });

  it('prints state changes and exits as lines', async () => {
    // Watching from before the task exists: the monitor says so once the daemon answered.
    const watching = startCli(home, ['monitor']);
    try {
      await waitFor(() => watching.stderr().includes('watching 0 tasks'), 'the monitor to watch');
      await cli(home, ['run', '--name', 'job', '--', 'exit 1']);
      await waitFor(() => /FAILED/.test(watching.stdout()), 'the failure to be printed');
    } finally {
      watching.child.kill('SIGINT');
    }
    const { code, stdout } = await watching.done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/\d\d:\d\d:\d\d bash_1 job\s+FAILED failed: exit 1/);
  });
});
