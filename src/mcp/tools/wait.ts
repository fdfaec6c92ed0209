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
import { taskArg, durationArg, heartbeat, type Extra } from './shared.js';
import { registerTool } from './register.js';

/** Under the 60 s that MCP clients usually give a tool call. */
const REPLY_CAP_MS = 50_000;

/** The longest a call blocks: REPLY_CAP_MS, or CORRAL_MCP_WAIT_CAP (a duration) where a client's time-out is shorter. */
export function replyCapMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.CORRAL_MCP_WAIT_CAP;
  return value === undefined || value === '' ? REPLY_CAP_MS : durationOption(value, 'CORRAL_MCP_WAIT_CAP');
}

const DESCRIPTION = `Wait for a task: a verdict with evidence. until: exit (default: code, first error line, stderr tail), running, healthy, log:RE, port:N, http:URL or silence:DURATION. Returns within 50s, else waiting: true and a resume token (no line missed).`;

const num = z.number();
const dataSchema = {
  id: z.string(),
  status: z.string(),
  reached: z.boolean(),
  timed_out: z.boolean(),
  waiting: z.boolean(),
  resume: z.string().optional(),
  exit_code: num.nullable(),
  waited_ms: num,
  match_stream: z.string().optional(),
  match_offset: num.optional(),
  searched: z.object({ stdout: num, stderr: num }).optional(),
  port: num.optional(),
  ports: z.array(num).optional(),
  http_status: num.nullable().optional(),
  silent_ms: num.optional(),
  error_stream: z.string().optional(),
  error_offset: num.optional(),
  cpu_percent: num.nullable(),
};

/** The data of a reply, flat to keep the schema small; the lines themselves are in its text. */
function structured(r: WaitResult, waitedMs: number, resume: string | null) {
  return {
    id: r.task.id,
    status: r.task.status,
    reached: r.reached,
    timed_out: r.timedOut && resume === null,
    waiting: resume !== null,
    ...(resume !== null ? { resume } : {}),
    exit_code: r.task.exitCode,
    waited_ms: waitedMs,
    ...(r.match ? { match_stream: r.match.stream, match_offset: r.match.offset } : {}),
    ...(r.searched ? { searched: r.searched } : {}),
    ...(r.port !== undefined ? { port: r.port } : {}),
    ...(r.ports ? { ports: r.ports } : {}),
    ...(r.http ? { http_status: r.http.status } : {}),
    ...(r.silentMs !== undefined ? { silent_ms: r.silentMs } : {}),
    ...(r.firstError ? { error_stream: r.firstError.stream, error_offset: r.firstError.offset } : {}),
    cpu_percent: r.task.cpuPercent,
  };
}

export function registerWait(server: McpServer, ctx: McpContext): void {
  const capMs = replyCapMs();
  registerTool(
    server,
    'background_wait',
    {
      description: DESCRIPTION,
      inputSchema: {
        id: taskArg().optional(),
        until: z.string().optional().describe('condition'),
        timeout: durationArg('in all; default 5m').optional(),
        from: z.enum(WAIT_FROM).optional().describe('log: this run, all, or new'),
        resume: z.string().optional().describe('token'),
      },
      dataSchema,
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
