/**
 * The daemon's side of the native spawner (spawner.c): one small process that forks a
 * monitor per task on request. Forking node for every task costs several milliseconds
 * of page-table copying; forking the spawner costs a fraction of one, so a hundred
 * tasks start in less time than a hundred bare `spawn()` calls would take.
 *
 * When the spawner was not built (no C compiler) or CORRAL_MONITOR=sh, tasks start under
 * the sh monitor instead (monitor.ts): same contract, slower starts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Launch, Launcher, MonitorEnd, SpawnRequest, Started } from './monitor.js';
import { shLauncher, IONICE_CLASS } from './monitor.js';
import { simpleWords } from '../../machines/shell-words.js';

/** Where the build puts the spawner (`npm run build` runs scripts/build-spawner.sh), seen from dist/src/process or src/process. */
export const SPAWNER_PATH = [
  fileURLToPath(new URL('../../bin/corral-spawner', import.meta.url)),
  fileURLToPath(new URL('../../dist/bin/corral-spawner', import.meta.url)),
].find((path) => existsSync(path)) ?? fileURLToPath(new URL('../../bin/corral-spawner', import.meta.url));

/** The request format this module speaks (spawner.c's PROTOCOL). */
const PROTOCOL = '7';

/**
 * The launcher this machine supports: the native spawner when it was built, runs here
 * and speaks this version of the protocol (a copied or stale build does not), the sh
 * monitor otherwise. Asked once per daemon.
 */
export function createLauncher(env: NodeJS.ProcessEnv = process.env, program = SPAWNER_PATH, warn: (why: string) => void = () => {}): Launcher {
  if (env.CORRAL_MONITOR === 'sh') return shLauncher;
  try {
    accessSync(program, constants.X_OK);
  } catch {
    return shLauncher; // not built: the build said so
  }
  const answer = spawnSync(program, ['--protocol'], { encoding: 'latin1', timeout: 5_000, env: {} });
  if (answer.status !== 0 || answer.stdout.trim() !== PROTOCOL) {
    warn(`${program} does not run here or speaks another protocol (rebuild it with npm run build): tasks start under the sh monitor`);
    return shLauncher;
  }
  return new NativeSpawner(program);
}

interface Pending {
  resolve: (started: Started) => void;
  reject: (error: Error) => void;
  end: (how: MonitorEnd) => void;
}

const optional = (n: number | null | undefined) => (n === null || n === undefined ? '-' : String(Math.trunc(n)));

/** The request's fields, as spawner.c reads them. */
function requestFields(id: string, req: SpawnRequest): string[] {
  const priority = req.priority ?? { nice: null, ionice: null };
  const io = priority.ionice;
  const env = Object.entries(req.env).map(([k, v]) => `${k}=${v}`);
  const program = simpleWords(req.command) ?? ['/bin/sh', '-c', req.command];
  return [
    id,
    req.cwd,
    join(req.logDir, 'stdout.log'),
    req.combined ? '' : join(req.logDir, 'stderr.log'),
    req.exitFile,
    req.stdinFifo ?? '',
    req.umask,
    optional(priority.nice),
    io ? String(IONICE_CLASS[io.class]) : '-',
    optional(io?.level),
    optional(req.logMaxBytes),
    String(env.length),
    ...env,
    ...program,
  ];
}

export class NativeSpawner implements Launcher {
  readonly name: string;
  private child: ChildProcess | null = null;
  private nextId = 1;
  /** Requests sent, by id, until the spawner says the command started (or did not). */
  private readonly pending = new Map<string, Pending>();
  /** Started monitors, by pid, until the spawner says they ended. */
  private readonly monitors = new Map<number, Pending['end']>();

  constructor(private readonly program: string) {
    this.name = `the native spawner (${program})`;
  }

  launch(req: SpawnRequest): Launch {
    let end!: Pending['end'];
    const ended = new Promise<MonitorEnd>((resolve) => (end = resolve));
    const started = new Promise<Started>((resolve, reject) => {
      const id = String(this.nextId++);
      const fields = requestFields(id, req);
      if (fields.some((f) => f.includes('\0'))) {
        reject(new Error('the command, its folder or its environment contains a NUL byte'));
        end({ how: 'exited', status: null });
        return;
      }
      // The monitor makes the log folder and reserves the exit file (protocol 3).
      this.pending.set(id, { resolve, reject, end });
      // One write per request: the spawner starts on each while the daemon goes on.
      this.spawner().stdin!.write(`${fields.length}\0${fields.join('\0')}\0`);
    });
    started.catch(() => {});
    return { started, ended };
  }

  prepare(): void {
    this.spawner();
  }

  /** Ends the spawner's input: it exits, and every task it started goes on. */
  close(): void {
    this.child?.stdin?.end();
    this.child = null;
  }

  private spawner(): ChildProcess {
    if (this.child) return this.child;
    // An empty environment: each task gets its own from its request. A session of its own:
    // a Ctrl-C to the terminal of a program using the Supervisor does not reach it (it
    // exits when its parent goes, at the end of its input).
    const child = spawn(this.program, [], { env: {}, stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.child = child;
    let partial = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.onReply(line);
    });
    child.stdin!.on('error', () => {}); // the exit below says it all
    child.once('close', () => this.onLost(child));
    child.once('error', () => this.onLost(child));
    // The spawner never keeps the daemon (or a program using the Supervisor) alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    return child;
  }

  private onReply(line: string): void {
    const [kind, a, b, c, d, e] = line.split(' ');
    if (kind === 'S') {
      const p = this.pending.get(a!);
      if (!p) return;
      this.pending.delete(a!);
      const monitorPid = Number(b);
      this.monitors.set(monitorPid, p.end);
      p.resolve({ monitorPid, commandPid: Number(c), logStart: { stdout: Number(d), stderr: Number(e) }, logTimes: 'monitor' });
    } else if (kind === 'F') {
      const p = this.pending.get(a!);
      if (!p) return;
      this.pending.delete(a!);
      p.reject(new Error(line.slice(3 + a!.length)));
      p.end({ how: 'exited', status: null });
    } else if (kind === 'X') {
      const end = this.monitors.get(Number(a));
      this.monitors.delete(Number(a));
      // `-`: the monitor was killed; its status is not the command's.
      end?.({ how: 'exited', status: b === '-' ? null : Number(b) });
    }
  }

  private onLost(child: ChildProcess): void {
    if (this.child === child) this.child = null;
    for (const p of this.pending.values()) {
      p.reject(new Error('the spawner ended before starting the command'));
      p.end({ how: 'exited', status: null });
    }
    this.pending.clear();
    for (const end of this.monitors.values()) end({ how: 'lost' });
    this.monitors.clear();
  }
}
