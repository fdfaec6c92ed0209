/**
 * Each condition of a wait as a check the wait repeats until it is met: whether it is met
 * now, and what it saw (the evidence that goes with the verdict). State conditions are
 * judged on every change of the task; the others look again every few tenths of a second.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../../machines/duration.js';
import type { TaskRecord } from '../../machines/task.types.js';
import type { TaskView, WaitResult } from '../api.js';
import type { WaitCondition } from '../config/wait.js';
import { LogSearch } from '../logs/first-match.js';
import { listeningPorts } from '../process/ports.js';
import { treeOf } from '../process/tree.js';

export interface WaitCheck {
  /** Met now? (Reads the logs, the ports or the URL for the conditions that need to.) */
  probe(view: TaskView, record: TaskRecord, remainingMs: number): boolean | Promise<boolean>;
  /** How often to look again, in ms; null: on every change of the task only (then `probe` is synchronous). */
  readonly intervalMs: number | null;
  /** What it saw, to go with the verdict. */
  evidence(): Partial<WaitResult>;
}

interface CheckContext {
  logDir: string;
  /** Where a log search starts, per stream. */
  from: { stdout: number; stderr: number };
  now: () => number;
}

const LOG_INTERVAL_MS = 100;
const PORT_INTERVAL_MS = 200;
const HTTP_INTERVAL_MS = 250;
/** One http request waits at most this long for its answer. */
const HTTP_ATTEMPT_MS = 2_000;

const running = (v: TaskView) => v.status === 'running';

function stateCheck(met: (v: TaskView) => boolean): WaitCheck {
  return { probe: met, intervalMs: null, evidence: () => ({}) };
}

export function checkFor(condition: WaitCondition, ctx: CheckContext): WaitCheck {
  switch (condition.kind) {
    case 'exit':
      return stateCheck((v) => v.status === 'completed');
    case 'running':
      return stateCheck(running);
    // `healthy` without a health check means running.
    case 'healthy':
      return stateCheck((v) => running(v) && (v.health === null || v.health === 'healthy'));
    case 'log':
      return logCheck(condition.regex, ctx);
    case 'port':
      return portCheck(condition.port);
    case 'http':
      return httpCheck(condition.url);
    case 'silence':
      return silenceCheck(condition.ms, ctx);
  }
}

function logCheck(regex: RegExp, ctx: CheckContext): WaitCheck {
  const search = new LogSearch(
    regex,
    (['stdout', 'stderr'] as const).map((stream) => ({ stream, path: join(ctx.logDir, `${stream}.log`), from: ctx.from[stream] })),
  );
  let match: WaitResult['match'];
  return {
    intervalMs: LOG_INTERVAL_MS,
    probe: () => (match ??= search.next() ?? undefined) !== undefined,
    evidence: () => ({ ...(match ? { match } : {}), searched: search.searched() }),
  };
}

function portCheck(port: number): WaitCheck {
  let held = false;
  return {
    intervalMs: PORT_INTERVAL_MS,
    probe: (view, record) => (held = running(view) && record.process !== null && listeningPorts(treeOf(record.process)).includes(port)),
    evidence: () => (held ? { port } : {}),
  };
}

function httpCheck(url: string): WaitCheck {
  let answer: NonNullable<WaitResult['http']> = { status: null, error: 'not asked yet' };
  return {
    intervalMs: HTTP_INTERVAL_MS,
    probe: async (_view, _record, remainingMs) => {
      try {
        answer = { status: await statusOf(url, Math.max(100, Math.min(HTTP_ATTEMPT_MS, remainingMs))) };
        // Any answer below 400 means the server is up and serving that path (a redirect included).
        return answer.status! < 400;
      } catch (error) {
        answer = { status: null, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
        return false;
      }
    },
    evidence: () => ({ http: answer }),
  };
}

/**
 * The status code of a GET, redirects not followed. Through node:http, not fetch: the
 * daemon runs under --lite-mode, where fetch has no HTTP parser (see daemon/main.ts).
 * Imported on the first check: node:https brings TLS and crypto, 2 MB a daemon that
 * never waits on a URL would hold for nothing.
 */
async function statusOf(url: string, timeoutMs: number): Promise<number> {
  const { request: get } = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const request = get(url, { method: 'GET', agent: false, timeout: timeoutMs }, (response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      request.destroy();
    });
    request.once('timeout', () => request.destroy(new Error(`no answer in ${formatDuration(timeoutMs)}`)));
    request.once('error', reject);
    request.end();
  });
}

function silenceCheck(ms: number, ctx: CheckContext): WaitCheck {
  let silentMs: number | undefined;
  const writtenAt = (stream: string) => statSync(join(ctx.logDir, `${stream}.log`), { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;
  return {
    intervalMs: LOG_INTERVAL_MS,
    probe: (view) => {
      if (!running(view) || view.startedAt === null) return false;
      // The last output, or the start of this run when it wrote nothing since.
      const last = Math.max(writtenAt('stdout'), writtenAt('stderr'), Date.parse(view.startedAt));
      silentMs = Math.max(0, ctx.now() - last);
      return silentMs >= ms;
    },
    evidence: () => (silentMs !== undefined ? { silentMs: Math.round(silentMs) } : {}),
  };
}
