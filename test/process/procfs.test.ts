/** The /proc reader's helpers: files kept open for sampling, and the tokens tasks inherit. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { KeptStats, newTaskToken, readStat } from '../../src/process/procfs.js';
import { waitFor } from '../helpers.js';

let children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  await waitFor(() => children.every((c) => readStat(c.pid!) === null || readStat(c.pid!)!.state === 'Z'), 'the children to end');
  children = [];
});

const openFds = () => readdirSync('/proc/self/fd').length;

describe('KeptStats', () => {
  it('reads a process through one open file, and lets go of it when the process ends', async () => {
    const stats = new KeptStats();
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    const before = openFds();
    expect(stats.read(child.pid!)?.state).toMatch(/[SR]/);
    expect(openFds()).toBe(before + 1);
    expect(stats.read(child.pid!)?.pid).toBe(child.pid);
    expect(openFds()).toBe(before + 1);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await waitFor(() => stats.read(child.pid!) === null, 'the read to fail');
    expect(openFds()).toBe(before);
    stats.close();
  });
});


describe('task tokens', () => {
  it('are 96 random bits, never the same twice', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newTaskToken()));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{24}$/);
  });
});
