/**
 * background_spawn: starts a command under the daemon and, with wait_for, returns once it
 * is ready — or says why not (it exited: code and last lines; or the wait timed out).
 */
import { connect } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { RunInput, SupervisorApi, TaskView, WaitResult } from '../../api.js';
import { formatDuration } from '../../../machines/duration.js';
import { DEFAULTS } from '../../../machines/defaults.js';
import { isFinal } from '../../../machines/task.types.js';
import type { McpContext } from '../context.js';
import { compileFilter } from '../../config/filter.js';
import { argumentError, toolError } from '../errors.js';
import { listeningTable } from '../../process/holders.js';
import { reusedText, taskLabel } from '../../text.js';
import { statusText } from '../format.js';
import { durationOption } from '../../config/control.js';
import { checkRead, cursorArg, pageBytes, readArgs } from './reading.js';
import { durationArg, heartbeat, type Extra } from './shared.js';
import { endedPageShown, endingShown, pageShown, type OutputRequest, type Shown } from './spawn-reply.js';
import { registerTool } from './register.js';

/** How long a wait lasts when the call does not say: under the usual 60 s of a client's tool call. */
const DEFAULT_WAIT_MS = 30_000;
/** The output shown by spawn when the call does not say: the first page of the task's output (it is then "seen"). */
const FIRST_PAGE_BYTES = 4 * 1024;

const DESCRIPTION = `Run a shell command in the background, beyond this conversation (the same one running here returns its task). wait_for: return once ready or say why not. Returns id, pid, first output; if it ended: exit, first error, last lines.`;

const waitForSchema = z
  .object({
    log: z.string().optional().describe('regex a line matches'),
    port: z.number().optional().describe('it listens'),
    url: z.string().optional().describe('it answers'),
    exit: z.boolean().optional().describe('it ended (ready: exit 0)'),
  })
  .describe('ready when (one of)');

type WaitFor = { kind: 'log'; pattern: string } | { kind: 'port'; port: number } | { kind: 'url'; url: string } | { kind: 'exit' };

function parseWaitFor(value: z.infer<typeof waitForSchema> | undefined): WaitFor | null {
  if (value === undefined) return null;
  const given = (['log', 'port', 'url', 'exit'] as const).filter((k) => value[k] !== undefined);
  if (given.length !== 1) {
    throw argumentError('wait_for', `give exactly one of log, port, url or exit (got ${given.length === 0 ? 'none' : given.join(', ')})`);
  }
  if (value.log !== undefined) {
    if (value.log.length === 0) throw argumentError('wait_for.log', 'the regex is empty');
    compileFilter(value.log, 'wait_for.log');
    return { kind: 'log', pattern: value.log };
  }
  if (value.port !== undefined) {
    if (!Number.isInteger(value.port) || value.port < 1 || value.port > 65535) throw argumentError('wait_for.port', `${value.port} is not a TCP port (1-65535)`);
    return { kind: 'port', port: value.port };
  }
  if (value.url !== undefined) {
    let url: URL;
    try {
      url = new URL(value.url);
    } catch {
      throw argumentError('wait_for.url', `"${value.url}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw argumentError('wait_for.url', `"${value.url}" is not an http:// or https:// URL`);
    return { kind: 'url', url: value.url };
  }
  if (value.exit !== true) throw argumentError('wait_for.exit', 'only true means something here (wait until the command ends)');
  return { kind: 'exit' };
}

function describeWait(w: WaitFor): string {
  switch (w.kind) {
    case 'log':
      return `a line matching /${w.pattern}/`;
    case 'port':
      return `port ${w.port}`;
    case 'url':
      return `${w.url} to answer`;
    case 'exit':
      return 'the command to end';
  }
}

/** Whether something accepts TCP connections on this loopback address. */
function accepts(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (yes: boolean) => {
      socket.destroy();
      done(yes);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);

/** The local port a wait_for watches, when there is one. */
function localPort(w: WaitFor): number | null {
  if (w.kind === 'port') return w.port;
  if (w.kind !== 'url') return null;
  const url = new URL(w.url);
  if (!LOOPBACK.has(url.hostname)) return null;
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** The port a wait_for watches, when something already answers on it: with the corral task that holds it, if one does. */
async function heldPort(api: SupervisorApi, w: WaitFor): Promise<{ port: number; holder: TaskView | null } | null> {
  const port = localPort(w);
  if (port === null) return null;
  const busy = (await accepts('127.0.0.1', port)) || (await accepts('::1', port));
  if (!busy) return null;
  // The listening sockets' processes, mapped to their tasks in one call to the daemon.
  const owner = (await listeningTable(api, port)).find((row) => row.task !== null)?.task;
  const holder = owner ? await api.get(owner.id).catch(() => null) : null;
  return { port, holder };
}

function busyPortError(w: WaitFor, held: { port: number; holder: TaskView | null }): Error {
  const where = w.kind === 'url' ? `${w.url} (port ${held.port})` : `port ${held.port}`;
  const by = held.holder ? ` by ${taskLabel(held.holder)}, a corral task (${held.holder.command})` : '';
  return argumentError(
    'wait_for',
    `${where} is already in use${by}: stop that first (background_kill) or use another port, otherwise "ready" would describe the wrong process`,
  );
}

/** The wait of a task that was already running: its health check may not be this one, so the condition is looked at directly. */
function untilOf(w: WaitFor): string {
  switch (w.kind) {
    case 'log':
      return `log:${w.pattern}`;
    case 'port':
      return `port:${w.port}`;
    case 'url':
      return w.url;
    case 'exit':
      return 'exit';
  }
}

/** The health check of the supervisor that means "ready" for this wait_for. */
function healthOf(w: WaitFor): string[] | undefined {
  switch (w.kind) {
    case 'log':
      return [`log:${w.pattern}`];
    case 'port':
      return [`tcp:127.0.0.1:${w.port}`];
    case 'url':
      return [w.url];
    case 'exit':
      return undefined;
  }
}

/**
 * Waits for a port two ways at once, in the daemon, whichever says yes first: the health
 * check connects to 127.0.0.1 (a port a container publishes counts), and the task's own
 * listening sockets are looked up (a server bound to ::1 only, which the check cannot reach).
 */
function waitForPort(api: SupervisorApi, id: string, port: number, seconds: number): Promise<WaitResult> {
  const waits = [api.wait(id, 'healthy', seconds), api.wait(id, `port:${port}`, seconds)] as const;
  const both = Promise.all(waits).then(([health, sockets]) => (sockets.reached ? sockets : health));
  both.catch(() => {}); // the race reports a failure
  return Promise.race(waits.map((w) => w.then((r) => (r.reached ? r : both))));
}

/** `every`: an interval (`10m`) or, with spaces or an `@` nickname, a cron schedule (`*\/5 * * * *`). */
function scheduleOf(every: string | undefined): Pick<RunInput, 'every' | 'schedule'> {
  if (every === undefined) return {};
  const text = every.trim();
  return /\s|^@/.test(text) ? { schedule: text } : { every: text };
}

export function registerSpawn(server: McpServer, ctx: McpContext): void {
  registerTool(
    server,
    'background_spawn',
    {
      description: DESCRIPTION,
      inputSchema: {
        command: z.string().describe('shell command'),
        cwd: z.string().optional().describe("default: the server's"),
        env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe('variables added'),
        name: z.string().optional().describe('its name'),
        wait_for: waitForSchema.optional(),
        timeout: durationArg('for wait_for; default 30s').optional(),
        session: z.string().optional().describe("default: this client's"),
        keep: z.boolean().optional().describe('outlive the session'),
        reuse: z.boolean().optional().describe('false: start another copy'),
        stdin: z.boolean().optional().describe('for background_send'),
        every: z.string().optional().describe('rerun: 10m or cron; no overlap'),
        ...readArgs,
      },
      dataSchema: {
        id: z.string(),
        name: z.string().nullable(),
        status: z.string(),
        pid: z.number().nullable(),
        reused: z.boolean(),
        ready: z.boolean(),
        timed_out: z.boolean(),
        exit_code: z.number().nullable(),
        signal: z.string().nullable(),
        reason: z.string().nullable(),
        health: z.string().nullable(),
        waited_ms: z.number(),
        next: z.object({ stdout: z.number(), stderr: z.number() }),
        omitted: z.object({ stdout: z.number(), stderr: z.number() }),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra: Extra) => {
      try {
        const waitFor = parseWaitFor(args.wait_for);
        const waitMs = args.timeout === undefined ? DEFAULT_WAIT_MS : durationOption(args.timeout, 'timeout');
        if (args.command.trim().length === 0) throw argumentError('command', 'the command is empty');
        const { maxBytes, note } = pageBytes(args.max_bytes, FIRST_PAGE_BYTES);
        checkRead({ maxBytes, filter: args.filter, tail: args.tail });
        const as = cursorArg(args.as);
        const cwd = args.cwd === undefined ? ctx.cwd : isAbsolute(args.cwd) ? args.cwd : resolve(ctx.cwd, args.cwd);
        const env = args.env === undefined ? undefined : Object.fromEntries(Object.entries(args.env).map(([k, v]) => [k, String(v)]));
        const health = waitFor ? healthOf(waitFor) : undefined;
        const input: RunInput = {
          command: args.command,
          cwd,
          baseEnv: ctx.baseEnv,
          ...(env ? { env } : {}),
          ...(args.name !== undefined ? { name: args.name } : {}),
          ...(health ? { health } : {}),
          session: args.session ?? ctx.session(),
          ...(args.keep ? { keep: true } : {}),
          ...(args.stdin ? { stdin: true } : {}),
          ...scheduleOf(args.every),
        };

        const reuse = args.reuse !== false;
        return await ctx.withApi(async (api) => {
          const held = waitFor ? await heldPort(api, waitFor) : null;
          if (held && !(reuse && held.holder)) throw busyPortError(waitFor!, held);
          const started = Date.now();
          // Start once: the task that runs this command, or holds the port it would wait for, is the answer.
          const task: TaskView = held?.holder ? { ...held.holder, reused: true } : await api.run({ ...input, ...(reuse ? { once: true } : {}) });
          const reused = task.reused === true;
          const seconds = waitMs / 1000;
          const stop = heartbeat(extra, () => `waiting for ${waitFor ? describeWait(waitFor) : 'start'} (${formatDuration(Date.now() - started)} of ${formatDuration(waitMs)})`);
          let waited: WaitResult | null = null;
          try {
            if (reused) {
              if (waitFor) waited = await api.wait(task.id, untilOf(waitFor), seconds);
            }
            // Without wait_for: a moment to see an immediate failure (command not found, bad flag).
            else if (!waitFor) waited = await api.wait(task.id, 'exit', DEFAULTS.settleMs / 1000);
            else if (waitFor.kind === 'exit') waited = await api.wait(task.id, 'exit', seconds);
            else if (waitFor.kind === 'port') waited = await waitForPort(api, task.id, waitFor.port, seconds);
            else waited = await api.wait(task.id, 'healthy', seconds);
          } finally {
            stop();
          }
          const waitedMs = Date.now() - started;
          const view: TaskView = await api.get(task.id);
          const ended = isFinal(view.status);
          const ready = waited && waitFor ? waited.reached : view.status === 'running' || view.status === 'completed';
          const timedOut = waited !== null && waitFor !== null && waited.timedOut && !ended;

          const output: OutputRequest = { ref: task.id, consumer: ctx.consumer(as), filter: args.filter, tail: args.tail, maxBytes };
          const failed = ended && view.status !== 'completed';
          const shown = !ended
            ? await pageShown(api, output)
            : args.filter !== undefined || args.tail !== undefined
              ? await endedPageShown(api, output, failed)
              : await endingShown(api, output, failed);
          return spawnResult(view, { reused, waitFor, ready, timedOut, waitedMs, waitMs, shown, note });
        }, extra.signal);
      } catch (error) {
        return toolError(error);
      }
    },
  );
}

function spawnResult(
  view: TaskView,
  o: { reused: boolean; waitFor: WaitFor | null; ready: boolean; timedOut: boolean; waitedMs: number; waitMs: number; shown: Shown; note: string | undefined },
) {
  const took = formatDuration(o.waitedMs);
  let headline: string;
  if (o.reused) {
    const readiness = !o.waitFor ? '' : o.ready ? `; it is ready (${describeWait(o.waitFor)})` : `; not ready after ${took} of waiting for ${describeWait(o.waitFor)}`;
    headline = `${reusedText(view)}${readiness}: ${statusText(view)}. reuse: false starts another copy.`;
  } else if (!o.waitFor) {
    headline = isFinal(view.status) ? `${taskLabel(view)} ended at once: ${statusText(view)}` : `${taskLabel(view)} started: ${statusText(view)}`;
  } else if (o.ready) {
    headline =
      o.waitFor.kind === 'exit'
        ? `${taskLabel(view)} finished in ${took}: ${statusText(view)}`
        : `${taskLabel(view)} is ready (${describeWait(o.waitFor)}, after ${took}): ${statusText(view)}`;
  } else if (o.timedOut) {
    const what =
      o.waitFor.kind === 'exit'
        ? `has not finished after ${formatDuration(o.waitMs)}`
        : `is not ready after ${formatDuration(o.waitMs)} of waiting for ${describeWait(o.waitFor)}`;
    headline = `${taskLabel(view)} ${what}: ${statusText(view)}. It keeps running: check it with background_output, or stop it with background_kill.`;
  } else if (o.waitFor.kind === 'exit') {
    headline = `${taskLabel(view)} finished in ${took} without success: ${statusText(view)}`;
  } else {
    headline = `${taskLabel(view)} ${view.status} before it was ready (waited for ${describeWait(o.waitFor)}): ${statusText(view)}`;
  }
  const parts = [headline, ...(o.note ? [o.note] : []), ...o.shown.lines];
  return {
    content: [{ type: 'text' as const, text: parts.join('\n') }],
    structuredContent: {
      id: view.id,
      name: view.name,
      status: view.status,
      pid: view.pid,
      reused: o.reused,
      ready: o.ready,
      timed_out: o.timedOut,
      exit_code: view.exitCode,
      signal: view.signal,
      reason: view.reason,
      health: view.healthReason ?? view.health,
      waited_ms: o.waitedMs,
      next: o.shown.next,
      omitted: o.shown.omitted,
    },
  };
}
