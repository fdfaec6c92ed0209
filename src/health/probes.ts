/**
 * One round of a task's health probes. http/tcp/file/socket go through wait-on (loaded
 * only when a task has such a check: it is heavy); exec runs a command; log looks for a
 * regex in what the task wrote since it started.
 */
import { describeProbe, type HealthProbe } from '../../machines/policies/health.js';
import type { ProcessInfo } from '../../machines/task.types.js';
import { userRegExp } from '../../machines/pattern.js';
import { formatDuration } from '../../machines/duration.js';
import { libraryTimeout } from '../long-timer.js';
import { LogSearch } from '../logs/first-match.js';

interface ProbeContext {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** The task's log files and the offsets its current run started at. */
  logs: { path: string; from: number }[];
  process: ProcessInfo | null;
}

type WaitOn = (options: Record<string, unknown>) => Promise<void>;
let waitOnModule: Promise<WaitOn> | null = null;
const loadWaitOn = () => (waitOnModule ??= import('wait-on').then((m) => m.default as unknown as WaitOn));

function resourceOf(probe: HealthProbe): string | null {
  switch (probe.kind) {
    case 'http':
      // GET, not HEAD: many dev servers answer HEAD with 404 or 405.
      return probe.url.replace(/^http(s?):/i, 'http$1-get:');
    case 'tcp':
      return `tcp:${probe.host}:${probe.port}`;
    case 'file':
      return `file:${probe.path}`;
    case 'socket':
      return `socket:${probe.path}`;
    default:
      return null;
  }
}

/** Log probes remember how far they have read, and stay passed once the line was seen. */
export class LogProbe {
  private seen = false;
  private readonly search: LogSearch;

  /** `logs`: stdout's, then stderr's. */
  constructor(pattern: string, logs: { path: string; from: number }[]) {
    this.search = new LogSearch(
      userRegExp(pattern),
      logs.map((log, i) => ({ stream: i === 0 ? 'stdout' : 'stderr', ...log })),
    );
  }

  check(): boolean {
    if (!this.seen && this.search.next() !== null) this.seen = true;
    return this.seen;
  }
}

/** Runs every probe; resolves with null when all pass, else the first failure's reason. */
export async function runProbes(probes: HealthProbe[], ctx: ProbeContext, logProbes: Map<HealthProbe, LogProbe>): Promise<string | null> {
  const failures = await Promise.all(probes.map((probe) => runProbe(probe, ctx, logProbes)));
  return failures.find((f) => f !== null) ?? null;
}

async function runProbe(probe: HealthProbe, ctx: ProbeContext, logProbes: Map<HealthProbe, LogProbe>): Promise<string | null> {
  if (probe.kind === 'log') {
    let lp = logProbes.get(probe);
    if (!lp) logProbes.set(probe, (lp = new LogProbe(probe.pattern, ctx.logs)));
    return lp.check() ? null : `no line matching /${probe.pattern}/ yet`;
  }
  if (probe.kind === 'listen') {
    if (!ctx.process) return 'not started';
    const { treeOf } = await import('../process/tree.js');
    const { listeningPorts } = await import('../process/ports.js');
    const ports = listeningPorts(treeOf(ctx.process));
    return ports.length > 0 ? null : 'listens on no TCP port yet';
  }
  if (probe.kind === 'exec') {
    const { execa } = await import('execa');
    const result = await execa('/bin/sh', ['-c', probe.command], {
      cwd: ctx.cwd,
      env: ctx.env,
      extendEnv: false,
      timeout: libraryTimeout(ctx.timeoutMs),
      reject: false,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      maxBuffer: 4096,
    });
    if (result.exitCode === 0) return null;
    if (result.timedOut) return `${probe.command}: no answer in ${formatDuration(ctx.timeoutMs)}`;
    const err = String(result.stderr ?? '').trim().split('\n').pop();
    return `${probe.command}: exit ${result.exitCode ?? result.signal}${err ? ` (${err.slice(0, 120)})` : ''}`;
  }
  const resource = resourceOf(probe)!;
  const waitOn = await loadWaitOn();
  try {
    await waitOn({
      resources: [resource],
      timeout: libraryTimeout(ctx.timeoutMs),
      interval: 50,
      window: 0,
      tcpTimeout: libraryTimeout(ctx.timeoutMs),
      httpTimeout: libraryTimeout(ctx.timeoutMs),
      validateStatus: (status: number) => status >= 200 && status < 300,
    });
    return null;
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    return message.startsWith('Timed out') ? `${describeProbe(probe)}: not ready within ${formatDuration(ctx.timeoutMs)}` : `${describeProbe(probe)}: ${message}`;
  }
}
