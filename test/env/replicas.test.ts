/**
 * Replicas with real processes: `replicas: 3` runs api.1 … api.3, each with its number in
 * CORRAL_REPLICA; a dependent waits for every copy; `scale` stops the highest numbers first
 * and starts the missing ones on a running environment; bad input changes nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectIfRunning } from '../../src/client/daemon.js';
import { CorralError } from '../../src/errors.js';
import { homePaths } from '../../src/home.js';
import { cleanupHome, cli, cliJson, isRunning, liveProcesses, makeHome, waitFor } from '../helpers.js';

type Row = { id: string; name: string; status: string; pid: number | null; health: string | null; reason: string | null; replica?: { of: string; index: number } };

let home: string;
let file: string;
beforeEach(() => {
  home = makeHome();
  file = join(home, 'corral.yaml');
});
afterEach(async () => {
  await cleanupHome(home);
});

const rows = async () => Object.fromEntries((await cliJson<Row[]>(home, ['ls', '--env', 'rep'])).map((t) => [t.name, t]));
const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
/** Live processes of this home that are copy `index` of a task. */
const copyProcesses = (index: number) => liveProcesses((env) => env.includes(`CORRAL_HOME=${home}\0`) && env.includes(`\0CORRAL_REPLICA=${index}\0`));

// Each test makes a dozen CLI calls, each a node start-up: slow on a loaded machine.
describe('replicas: N in an env file', { timeout: 120_000 }, () => {
  it('starts api.1..3, each with its CORRAL_REPLICA, and a dependent waits for all three', async () => {
    // Each copy turns healthy only once the test lets it (its go file), so the wait is observed copy by copy.
    writeFileSync(
      file,
      `
name: rep
tasks:
  api:
    command: echo "replica $CORRAL_REPLICA port $((3000 + CORRAL_REPLICA))"; while [ ! -e go.$CORRAL_REPLICA ]; do sleep 0.05; done; echo ready; exec sleep 600
    cwd: ${home}
    replicas: 3
    health: { log: ready, interval: 100ms }
  web:
    command: exec sleep 601
    depends_on: [api]
`,
    );
    const up = await cli(home, ['orchestrate', 'rep', '-f', file]);
    expect(up.code, up.stderr).toBe(0);
    const started = await waitFor(async () => {
      const r = await rows();
      return ['api.1', 'api.2', 'api.3'].every((n) => r[n]?.status === 'running') ? r : null;
    }, 'the three copies to run');
    expect(Object.keys(started).sort()).toEqual(['api.1', 'api.2', 'api.3', 'web']);
    for (const index of [1, 2, 3]) {
      const copy = started[`api.${index}`]!;
      expect(copy.replica).toEqual({ of: 'api', index });
      expect(environOf(copy.pid!)).toContain(`CORRAL_REPLICA=${index}`);
      await waitFor(async () => (await cli(home, ['logs', copy.id])).stdout.includes(`replica ${index} port ${3000 + index}`), `the output of api.${index}`);
    }
    expect(started.web!.replica).toBeUndefined();

    writeFileSync(join(home, 'go.1'), '');
    writeFileSync(join(home, 'go.3'), '');
    await waitFor(async () => {
      const r = await rows();
      return r['api.1']!.health === 'healthy' && r['api.3']!.health === 'healthy' ? r : null;
    }, 'api.1 and api.3 to be healthy');
    // Two of three are not all: web still waits.
    expect((await rows()).web!.status).toBe('waiting');

    writeFileSync(join(home, 'go.2'), '');
    const all = await waitFor(async () => {
      const r = await rows();
      return r.web!.status === 'running' ? r : null;
    }, 'web to start once every copy is healthy');
    for (const n of ['api.1', 'api.2', 'api.3']) expect(all[n]!.health).toBe('healthy');
  });

  it('scale api=3 then api=1 leaves api.1 only; scaling up again starts the missing ones', async () => {
    writeFileSync(file, `name: rep\ntasks:\n  api:\n    command: exec sleep 600\n    replicas: 1\n  web:\n    command: exec sleep 601\n    depends_on: [api]\n`);
    expect((await cli(home, ['orchestrate', 'rep', '-f', file, '--wait-healthy'])).code).toBe(0);
    const first = (await rows())['api.1']!;

    const up = await cliJson<{ groups: { tasks: Row[] }[]; started: string[] }>(home, ['scale', 'api=3']);
    expect(up.groups[0]!.tasks.map((t) => [t.name, t.status])).toEqual([
      ['api.1', 'running'],
      ['api.2', 'running'],
      ['api.3', 'running'],
    ]);
    expect(up.started).toHaveLength(2);
    const three = await rows();
    expect(environOf(three['api.3']!.pid!)).toContain('CORRAL_REPLICA=3');
    expect(three['api.3']!.replica).toEqual({ of: 'api', index: 3 });

    const down = await cliJson<{ stopped: string[] }>(home, ['scale', 'api=1']);
    // The highest number goes first.
    expect(down.stopped).toEqual([three['api.3']!.id, three['api.2']!.id]);
    const one = await rows();
    expect(one['api.1']).toMatchObject({ status: 'running', pid: first.pid });
    for (const n of ['api.2', 'api.3']) {
      expect(one[n]!.status).toBe('killed');
      expect(one[n]!.reason).toMatch(/^scaled down to 1/);
      expect(isRunning(three[n]!.pid!)).toBe(false);
    }
    expect(copyProcesses(2)).toEqual([]);
    expect(copyProcesses(3)).toEqual([]);
    expect(one.web!.status).toBe('running');

    // Up to 4: api.2 starts again under its id, api.4 is new, each with its number.
    await cliJson(home, ['scale', 'rep/api=4']);
    const four = await rows();
    expect(four['api.2']).toMatchObject({ id: three['api.2']!.id, status: 'running' });
    expect(four['api.4']!.status).toBe('running');
    expect(environOf(four['api.2']!.pid!)).toContain('CORRAL_REPLICA=2');
    expect(environOf(four['api.4']!.pid!)).toContain('CORRAL_REPLICA=4');
    expect(copyProcesses(4)).toEqual([four['api.4']!.pid]);
  });

  it('refuses bad scales with one sentence (2 bad input, 3 unknown) and leaves the tasks as they are', async () => {
    writeFileSync(file, `name: rep\ntasks:\n  api:\n    command: exec sleep 600\n    replicas: 2\n  db:\n    command: exec sleep 602\n`);
    expect((await cli(home, ['orchestrate', 'rep', '-f', file, '--wait-healthy'])).code).toBe(0);
    const before = await rows();
    const cases: [string[], number, RegExp][] = [
      [['scale', 'api=x'], 2, /"api=x": replicas is a whole number from 0 to 1000/],
      [['scale', 'api=-1'], 2, /"api=-1": replicas is a whole number/],
      [['scale', 'api=1001'], 2, /"api=1001": replicas is a whole number/],
      [['scale', 'api'], 2, /"api" is not NAME=N/],
      [['scale', 'db=2'], 2, /rep\/db has no replicas: set replicas: on it/],
      [['scale', 'nope=2'], 3, /no task "nope" with replicas/],
      [['scale', 'api=1', '--env', 'prod'], 3, /no environment "prod"/],
      // One unknown target scales none of them.
      [['scale', 'api=1', 'nope=1'], 3, /no task "nope"/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(home, args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    // The daemon's scale method checks the same way, whoever calls it.
    const rpc = (await connectIfRunning(homePaths(home)))!;
    try {
      for (const [targets, code] of [[['api=x'], 2], [['api=-1'], 2], [['api=1001'], 2], [[], 2], [['nope=1'], 3]] as const) {
        const error = await rpc.call('scale', { targets }).catch((e: unknown) => e);
        expect(error, targets.join(' ')).toBeInstanceOf(CorralError);
        expect((error as CorralError).exitCode, targets.join(' ')).toBe(code);
      }
    } finally {
      rpc.close();
    }
    const after = await rows();
    for (const n of ['api.1', 'api.2', 'db']) expect(after[n]).toMatchObject({ status: 'running', pid: before[n]!.pid });
  });

  it('reaches every copy by the shared name where a command takes several, and refuses it where it needs one', async () => {
    writeFileSync(file, `name: rep\ntasks:\n  api:\n    command: exec sleep 600\n    replicas: 2\n    stdin: pipe\n`);
    expect((await cli(home, ['orchestrate', 'rep', '-f', file, '--wait-healthy'])).code).toBe(0);
    for (const args of [['logs', 'api'], ['status', 'api'], ['wait', 'api', '--timeout', '1s'], ['send', 'api', 'hi'], ['restart', 'api']]) {
      const r = await cli(home, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe('corral: "api" has 2 replicas (api.1, api.2): name one of them');
    }
    expect((await cli(home, ['logs', 'api.2'])).code).toBe(0);
    const pids = Object.values(await rows()).map((t) => t.pid!);
    const killed = await cliJson<Row[]>(home, ['kill', 'api']);
    expect(killed.map((t) => [t.name, t.status])).toEqual([
      ['api.1', 'killed'],
      ['api.2', 'killed'],
    ]);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    const removed = await cliJson<Row[]>(home, ['rm', 'api']);
    expect(removed.map((t) => t.name).sort()).toEqual(['api.1', 'api.2']);
    expect(existsSync(join(home, 'logs', removed[0]!.id))).toBe(false);
  });
});
