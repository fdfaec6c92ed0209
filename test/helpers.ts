/**
 * Test harness: a temporary home per test, the built CLI run as a user would, polling
 * with a deadline instead of sleeps, and a check that nothing of the home is left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'dist/src/cli/main.js');
export const FIXTURES = join(ROOT, 'test/fixtures');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

/** The CLI running: its output so far, and how it ended once it has. */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
}

export function startCli(home: string, args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, CORRAL_HOME: home, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code: code ?? -1, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
  });
  return { child, stdout: () => Buffer.concat(out).toString('utf8'), stderr: () => Buffer.concat(err).toString('utf8'), done };
}

export function cli(home: string, args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return startCli(home, args, options).done;
}

export async function cliJson<T = any>(home: string, args: string[]): Promise<T> {
  const r = await cli(home, [...args, '--json']);
  if (r.code !== 0) throw new Error(`corral ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10_000, intervalMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** A TCP port the system just had free on 127.0.0.1 (it gave it, and it was let go). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A fresh home; short, because socket paths are limited to 107 bytes. */
export function makeHome(): string {
  return mkdtempSync(join(tmpdir(), 'corral-t-'));
}

/** Pids of every live process (zombies aside) whose environment or arguments `match` picks. */
export function liveProcesses(match: (env: string, args: string) => boolean): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (match(readFileSync(`/proc/${name}/environ`, 'latin1'), readFileSync(`/proc/${name}/cmdline`, 'latin1'))) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

/** Pids of every live process started for this home: the daemon and every task inherit CORRAL_HOME. */
export function processesOf(home: string): number[] {
  const marker = `CORRAL_HOME=${home}\0`;
  return liveProcesses((env) => env.includes(marker));
}

/**
 * The pids test/fixtures/tree.sh writes to `file` (its TERM-ignoring child and its
 * setsid-ed grandchild), once both are there.
 */
export function treePids(file: string): Promise<{ stubborn: number; escaped: number }> {
  return waitFor(() => {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return null;
    }
    const pids: Record<string, number> = {};
    for (const line of text.split('\n').filter(Boolean)) {
      const [what, pid] = line.split(' ');
      pids[what!] = Number(pid);
    }
    return pids.stubborn && pids.escaped ? { stubborn: pids.stubborn, escaped: pids.escaped } : null;
  }, 'the tree to start');
}

export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/**
 * Ends a test's home: stops the daemon and every task through the product itself, then
 * fails if any process of the home is still there, and kills it so no test leaks it.
 */
export async function cleanupHome(home: string): Promise<void> {
  await cli(home, ['daemon', 'stop']);
  let left: number[] = [];
  try {
    left = await waitFor(() => {
      const p = processesOf(home);
      return p.length === 0 ? [] : null;
    }, 'no process of the home', 5_000).catch(() => processesOf(home));
  } finally {
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(home, { recursive: true, force: true });
  }
  if (left.length > 0) throw new Error(`processes left behind: ${left.join(', ')}`);
}

/** SIGKILLs the processes a test started (those still there) and waits until none is left. */
export async function killAll(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitFor(() => pids.every((pid) => !isRunning(pid)), 'the test processes to end');
}
