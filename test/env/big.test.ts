/**
 * Big env files: bringing up 2,000 tasks costs about ten times what 200 cost (it cost about
 * a hundred times, quadratic), the daemon answers other clients meanwhile, and a 20,000-task
 * cycle or an alias bomb is refused with exit 2, pointing into the file.
 *
 * Only one task of each file runs: a gate whose health check never passes, which the rest
 * waits for, one after the other. What is measured is the reading and the planning.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RpcClient } from '../../src/client/rpc.js';
import { cleanupHome, cli, makeHome } from '../helpers.js';

let home: string;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
}, 180_000);

/** `prefix`0 … `prefix`N-1, each waiting for the one before; the first waits for a gate that never opens. */
function chainFile(name: string, prefix: string, n: number): string {
  let yaml = `name: ${name}\ntasks:\n  ${prefix}gate:\n    command: sleep 1000\n    health: { file: ${join(home, 'never')} }\n`;
  for (let i = 0; i < n; i++) yaml += `  ${prefix}${i}:\n    command: "true"\n    depends_on: [${i === 0 ? `${prefix}gate` : `${prefix}${i - 1}`}]\n`;
  const file = join(home, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** CPU time (user + system) the process has used, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

describe('big env files', () => {
  it('bring up 2,000 tasks for about ten times the cost of 200, answering other clients meanwhile', async () => {
    expect((await cli(home, ['daemon', 'start'])).code).toBe(0);
    const socket = join(home, 'corral.sock');
    const rpc = await RpcClient.open(socket);
    const probe = await RpcClient.open(socket);
    try {
      const { pid } = (await probe.call('status', {})) as { pid: number };
      const callerEnv = { PATH: process.env.PATH ?? '', CORRAL_HOME: home };
      const orchestrate = async (file: string) => {
        const cpu = cpuMs(pid);
        const started = performance.now();
        const { tasks } = (await rpc.call('orchestrate', { file, callerEnv })) as { tasks: unknown[] };
        return { tasks: tasks.length, cpuMs: cpuMs(pid) - cpu, wallMs: performance.now() - started };
      };
      // The first file loads the env-file reader and the health checks: not part of either figure.
      await orchestrate(chainFile('warm', 'w', 5));
      const small = await orchestrate(chainFile('small', 's', 200));
      expect(small.tasks).toBe(201);

      // Another client asks for the daemon's status all along the big one.
      let probing = true;
      const answers: { at: number; ms: number }[] = [];
      const prober = (async () => {
        while (probing) {
          const asked = performance.now();
          await probe.call('status', {});
          answers.push({ at: asked, ms: performance.now() - asked });
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const bigStarted = performance.now();
      const big = await orchestrate(chainFile('big', 'b', 2_000));
      const bigEnded = performance.now();
      probing = false;
      await prober;
      expect(big.tasks).toBe(2_001);

      const ratio = big.cpuMs / Math.max(small.cpuMs, 10);
      const during = answers.filter((a) => a.at >= bigStarted && a.at + a.ms <= bigEnded);
      const worst = Math.max(...answers.map((a) => a.ms));
      const figures = `200 tasks: ${small.cpuMs} ms of CPU; 2,000: ${big.cpuMs} ms (×${ratio.toFixed(1)}), ${Math.round(big.wallMs)} ms; status answered ${during.length} times meanwhile, the slowest in ${Math.round(worst)} ms`;
      // Linear is ×10 (less, with fixed costs); the quadratic planning was ×50 and more.
      expect(ratio, figures).toBeLessThan(25);
      // The daemon took its turns with other clients: never silent for most of the orchestrate.
      expect(during.length, figures).toBeGreaterThanOrEqual(5);
      expect(worst, figures).toBeLessThan(big.wallMs / 3);
    } finally {
      rpc.close();
      probe.close();
    }
  }, 240_000);

  it('refuse a cycle of 20,000 tasks with exit 2, naming the cycle by its length and its ends', async () => {
    let yaml = 'name: ring\ntasks:\n';
    for (let i = 0; i < 20_000; i++) yaml += `  c${i}:\n    command: "true"\n    depends_on: [c${(i + 1) % 20_000}]\n`;
    const file = join(home, 'ring.yaml');
    writeFileSync(file, yaml);
    const r = await cli(home, ['orchestrate', '-f', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`corral: ${file}:5:18: c0 dependency cycle of 20000 tasks: c0 -> c1 -> c2 -> c3 -> c4 -> c5 -> c6 -> c7 -> c8 -> c9 -> … -> c19999 -> c0\n`);
  }, 180_000);

  it('refuse a "billion laughs" file with exit 2, at its alias, without expanding it', async () => {
    const lines = ['name: bomb', 'x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 8; i++) lines.push(`x${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    lines.push('tasks:', '  a:', '    command: echo hi', '    env:', '      X: *a8');
    const file = join(home, 'bomb.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await cli(home, ['orchestrate', '-f', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^corral: ${file}:15:10: the alias \\*a8 would expand to 435,848,050 values`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuse a task named like a task id with exit 2, at its name', async () => {
    const file = join(home, 'ids.yaml');
    writeFileSync(file, 'name: ids\ntasks:\n  web:\n    command: "true"\n  bash_5:\n    command: "true"\n');
    const r = await cli(home, ['up', '-f', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`corral: ${file}:5:3: "bash_5": a name cannot look like a task id (bash_N)\n`);
  });
});
