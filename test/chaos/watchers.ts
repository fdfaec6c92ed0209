/**
 * What runs beside the faults during a chaos run: a prober that looks in /proc for two
 * copies of one task at once, and a client that keeps calling the daemon through the CLI,
 * as a user would, noting how each call ended and how long it took.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { CLI_MAIN } from './home.js';

export interface DoubleRun {
  task: string;
  pids: number[];
  at: number;
}

/**
 * Every `bash SCRIPT SIDE/tasks/NAME` process heads a run of task NAME (its children, a
 * `<(:)` subshell for one, carry the same arguments, so a run is a process whose parent
 * is not one of them). Two heads of one name at once is a task running twice.
 */
export function probeCopies(side: string): DoubleRun[] {
  const heads = new Map<string, number[]>();
  const argsOf = new Map<number, { args: string; ppid: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!args.includes(`${side}/tasks/`)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      argsOf.set(pid, { args, ppid: Number(fields[1]) });
    } catch {
      // gone
    }
  }
  for (const [pid, { args, ppid }] of argsOf) {
    if (argsOf.get(ppid)?.args === args) continue;
    const task = args.split('\0').find((a) => a.startsWith(`${side}/tasks/`))!.slice(side.length + 7);
    heads.set(task, [...(heads.get(task) ?? []), pid]);
  }
  const at = Date.now();
  return [...heads].filter(([, pids]) => pids.length > 1).map(([task, pids]) => ({ task, pids, at }));
}

export interface ClientCall {
  args: string[];
  at: number;
  ms: number;
  code: number;
  stderr: string;
  /** Killed at the deadline: a hang. */
  hung: boolean;
}

/** Runs the CLI once, killing it at the deadline. */
export function callCli(home: string, args: string[], deadlineMs: number): Promise<ClientCall> {
  const at = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      env: { ...process.env, CORRAL_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let hung = false;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ args, at, ms: Date.now() - at, code: code ?? -1, stderr, hung });
    });
  });
}

/** A failure is fine when it says what went wrong in one sentence: one line, no stack trace. */
export function isOneSentence(stderr: string): boolean {
  const lines = stderr.trim().split('\n');
  return lines.length === 1 && lines[0]!.length > 0 && !/^\s+at /m.test(stderr);
}
