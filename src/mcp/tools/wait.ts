/**
 * background_wait: the CLI's `wait` for a model. The wait runs in the daemon; a call
 * returns before the client's tool time-out (a reply cap, 50 s) with a resume token when
 * the condition is not met yet, and the next call goes on from the token's place.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DEFAULTS } from '../../../machines/defaults.js';
import { formatDuration } from '../../../machines/duration.js';
import type { WaitResult } from '../../api.js';
import { durationOption } from '../../config/control.js';
import { normalizeWait, normalizeWaitFrom, WAIT_FROM } from '../../config/wait.js';
import { notReadyText, taskLabel } from '../../text.js';
import { waitVerdictText } from '../../wait-text.js';
import type { McpContext } from '../context.js';
import { argumentError, toolError } from '../errors.js';
import { decodeResume, encodeResume } from '../resume-token.js';
import { durationArg, heartbeat, type Extra } from './shared.js';

/** Under the 60 s that MCP clients usually give a tool call. */
const REPLY_CAP_MS = 50_000;

/** The longest a call blocks: REPLY_CAP_MS, or CORRAL_MCP_WAIT_CAP (a duration) where a client's time-out is shorter. */
export function replyCapMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.CORRAL_MCP_WAIT_CAP;
  return value === undefined || value === '' ? REPLY_CAP_MS : durationOption(value, 'CORRAL_MCP_WAIT_CAP');
}

const DESCRIPTION = `Wait for a task; get the verdict with its evidence. until: exit (default: exit code, first error line, last stderr lines), running, healthy, log:RE (the matching line and its offset), port:N, http:URL (status code) or silence:DURATION. Returns within 50s: if not met yet, waiting: true with a resume token; call again with resume to go on exactly where it stopped (no log line missed).`;

const lineAt = z.object({ stream: z.string(), offset: z.number() });
const outputSchema = {
  id: z.string(),
  status: z.string(),
  until: z.string(),
  reached: z.boolean(),
  timed_out: z.boolean(),
  waiting: z.boolean(),
  resume: z.string().optional(),
  exit_code: z.number().nullable(),
  signal: z.string().nullable(),
  waited_ms: z.number(),
  match: lineAt.optional(),
  searched: z.object({ stdout: z.number(), stderr: z.number() }).optional(),
  port: z.number().optional(),
  ports: z.array(z.number()).optional(),
  http_status: z.number().nullable().optional(),
  silent_ms: z.number().optional(),
  first_error: lineAt.nullable().optional(),
  cpu_percent: z.number().nullable(),
};

const at = (l: { stream: string; offset: number }) => ({ stream: l.stream, offset: l.offset });

/** The data of a reply; the lines themselves are in its text. */
function structured(r: WaitResult, waitedMs: number, resume: string | null) {
  return {
    id: r.task.id,
    status: r.task.status,
    until: r.until,
    reached: r.reached,
    timed_out: r.timedOut && resume === null,
    waiting: resume !== null,
    ...(resume !== null ? { resume } : {}),
    exit_code: r.task.exitCode,
    signal: r.task.signal,
    waited_ms: waitedMs,
    ...(r.match ? { match: at(r.match) } : {}),
    ...(r.searched ? { searched: r.searched } : {}),
    ...(r.port !== undefined ? { port: r.port } : {}),
    ...(r.ports ? { ports: r.ports } : {}),
    ...(r.http ? { http_status: r.http.status } : {}),
    ...(r.silentMs !== undefined ? { silent_ms: r.silentMs } : {}),
    ...(r.firstError !== undefined ? { first_error: r.firstError && at(r.firstError) } : {}),
    cpu_percent: r.task.cpuPercent,
  };
}

export function registerWait(server: McpServer, ctx: McpContext): void {
  const capMs = replyCapMs();
  server.registerTool(
    'background_wait',
    {
      title: 'Wait for a background task',
      description: DESCRIPTION,
      inputSchema: {
        id: z.string().optional().describe('task id, name or env/name (not needed with resume)'),
        until: z.string().optional().describe('what to wait for (default exit)'),
        timeout: durationArg('how long in all, across resumes (default 5m)').optional(),
        from: z.enum(WAIT_FROM).optional().describe("log: this run's output (default), the whole log, or only what comes next"),
        resume: z.string().optional().describe('the resume token of a reply that was waiting'),
      },
      outputSchema,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        const place = args.resume !== undefined ? decodeResume(args.resume) : null;
        if (place && args.until !== undefined && args.until !== place.until) {
          throw argumentError('until', `the token waits until ${place.until}: leave until out, or call without resume for a new wait`);
        }
        if (!place && args.id === undefined) throw argumentError('id', 'give the task to wait for, or resume with a token');
        const until = place?.until ?? args.until ?? 'exit';
        normalizeWait(until, args.timeout);
        const from = place?.from ?? normalizeWaitFrom(args.from);
        const began = Date.now();
        const deadline = args.timeout !== undefined ? began + durationOption(args.timeout, 'timeout') : (place?.deadline ?? began + DEFAULTS.waitTimeoutMs);
        const sliceMs = Math.max(0, Math.min(deadline - began, capMs));

        const result = await ctx.withApi(async (api) => {
          if (place && args.id !== undefined && args.id !== place.id && (await api.get(args.id)).id !== place.id) {
            throw argumentError('id', `the token waits for ${place.id}, not ${args.id}: leave id out, or call without resume for a new wait`);
          }
          const stop = heartbeat(extra, () => `waiting until ${until} (${formatDuration(Date.now() - began)})`);
          try {
            return await api.wait(place?.id ?? args.id!, until, sliceMs / 1000, { from });
          } finally {
            stop();
          }
        }, extra.signal);
        const waitedMs = Date.now() - began;

        if (!result.reached && result.timedOut && deadline > Date.now()) {
          const resume = encodeResume({ id: result.task.id, until: result.until, ...(result.searched ? { from: result.searched } : {}), deadline });
          const text =
            `${taskLabel(result.task)} (${notReadyText(result.task)}): not yet ${result.until} after ${formatDuration(waitedMs)}, ` +
            `${formatDuration(deadline - Date.now())} of the timeout left.\nCall background_wait with resume: "${resume}" to go on from where this stopped.`;
          return { content: [{ type: 'text', text }], structuredContent: structured(result, waitedMs, resume) };
        }
        const { headline, details } = waitVerdictText(result);
        return { content: [{ type: 'text', text: [headline, ...details].join('\n') }], structuredContent: structured(result, waitedMs, null) };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
