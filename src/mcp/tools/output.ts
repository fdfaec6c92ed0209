/** background_output: a bounded page of a task's output, by default only what is new since this client's last look. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { isFinal } from '../../../machines/task.types.js';
import type { McpContext } from '../context.js';
import { toolError } from '../errors.js';
import { pageText } from '../format.js';
import { readPage, type Page, type Position, type Stream, type StreamPage } from '../read.js';
import { checkRead, cursorArg, pageBytes, readArgs } from './reading.js';
import { registerTool } from './register.js';
import { taskArg } from './shared.js';

const DEFAULT_MAX_BYTES = 16 * 1024;

const DESCRIPTION = `Read a task's output, status, exit code. since "new" (default): what came after your last read (a cursor per client, or per as). A page holds max_bytes (default 16384); a cut one says where to go on.`;

const SINCE = { error: 'since is "new" or a byte offset (a whole number)' };

const perStream = () => z.object({ stdout: z.number().optional(), stderr: z.number().optional() });

const dataSchema = {
  id: z.string(),
  status: z.string(),
  exit_code: z.number().nullable(),
  from: perStream(),
  next: perStream(),
  size: perStream(),
  omitted: perStream(),
  trimmed: perStream().optional(),
  at: z.string(),
};

function pageStructured(page: Page) {
  const from: Partial<Record<Stream, number>> = {};
  const next: Partial<Record<Stream, number>> = {};
  const size: Partial<Record<Stream, number>> = {};
  const omitted: Partial<Record<Stream, number>> = {};
  const trimmed: Partial<Record<Stream, number>> = {};
  for (const [stream, p] of Object.entries(page.streams) as [Stream, StreamPage][]) {
    from[stream] = p.from;
    next[stream] = p.next;
    size[stream] = p.size;
    omitted[stream] = p.omitted;
    if (p.trimmed) trimmed[stream] = p.trimmed;
  }
  return { id: page.id, status: page.status, exit_code: page.exitCode, from, next, size, omitted, ...(Object.keys(trimmed).length > 0 ? { trimmed } : {}), at: page.at };
}

export function registerOutput(server: McpServer, ctx: McpContext): void {
  registerTool(
    server,
    'background_output',
    {
      description: DESCRIPTION,
      inputSchema: {
        id: taskArg(),
        since: z
          .union([z.literal('new'), z.number().int(SINCE).nonnegative(SINCE)], SINCE)
          .optional()
          .describe('"new" or a byte offset'),
        stream: z.enum(['stdout', 'stderr', 'both']).optional().describe('default both'),
        ...readArgs,
      },
      dataSchema,
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args, extra) => {
      try {
        const { maxBytes, note } = pageBytes(args.max_bytes, DEFAULT_MAX_BYTES);
        const as = cursorArg(args.as);
        const offset = typeof args.since === 'number' ? args.since : undefined;
        checkRead({ maxBytes, filter: args.filter, tail: args.tail, offset });
        const tail = args.tail !== undefined ? { tail: args.tail } : {};
        let position: Position;
        if (offset !== undefined) position = { kind: 'offset', offset, ...tail };
        else if (args.tail !== undefined && args.since === undefined) position = { kind: 'tail', lines: args.tail };
        else position = { kind: 'new', consumer: ctx.consumer(as), ...tail };
        const streams: Stream[] = args.stream === 'stdout' || args.stream === 'stderr' ? [args.stream] : ['stdout', 'stderr'];

        const page = await ctx.withApi(
          (api) => readPage(api, { ref: args.id, streams, position, filter: args.filter, maxBytes }),
          extra.signal,
        );
        const head = `${page.id} ${page.status}${
          isFinal(page.status) ? (page.exitCode !== null ? ` (exit ${page.exitCode})` : '') : ''
        }`;
        const text = [head, ...(note ? [note] : []), pageText(page, { filter: args.filter, newMode: position.kind === 'new' })].join('\n');
        return { content: [{ type: 'text', text }], structuredContent: pageStructured(page) };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
