/** background_output: a bounded page of a task's output, by default only what is new since this client's last look. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { isFinal } from '../../../machines/task.types.js';
import type { McpContext } from '../context.js';
import { toolError } from '../errors.js';
import { pageText } from '../format.js';
import { readPage, type Page, type Position, type Stream, type StreamPage } from '../read.js';
import { checkRead, cursorArg, pageBytes, readArgs } from './reading.js';

const DEFAULT_MAX_BYTES = 16 * 1024;

const DESCRIPTION = `Read a background task's output, with its status and exit code.
By default (since "new") only what it wrote since your last read, and your cursor moves past it: no byte comes twice. The daemon keeps one cursor per MCP client name (or per \`as\` name), so it survives restarts.
since: N reads from byte offset N (of each stream). filter searches the whole range read (to the end of the log) and returns the matching lines; tail: N gives the last N lines (with filter, the last N matching). A page holds at most max_bytes (default 16384); a cut page says the offset to go on from.`;

const SINCE = { error: 'since is "new" or a byte offset (a whole number)' };

const perStream = () => z.object({ stdout: z.number().optional(), stderr: z.number().optional() });

const outputSchema = {
  id: z.string(),
  status: z.string(),
  exit_code: z.number().nullable(),
  from: perStream(),
  next: perStream(),
  size: perStream(),
  omitted: perStream(),
  at: z.string(),
};

function pageStructured(page: Page) {
  const from: Partial<Record<Stream, number>> = {};
  const next: Partial<Record<Stream, number>> = {};
  const size: Partial<Record<Stream, number>> = {};
  const omitted: Partial<Record<Stream, number>> = {};
  for (const [stream, p] of Object.entries(page.streams) as [Stream, StreamPage][]) {
    from[stream] = p.from;
    next[stream] = p.next;
    size[stream] = p.size;
    omitted[stream] = p.omitted;
  }
  return { id: page.id, status: page.status, exit_code: page.exitCode, from, next, size, omitted, at: page.at };
}

export function registerOutput(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'background_output',
    {
      title: 'Read a background task’s output',
      description: DESCRIPTION,
      inputSchema: {
        id: z.string().describe('task id (bash_3), name, or env/name (dev/web)'),
        since: z
          .union([z.literal('new'), z.number().int(SINCE).nonnegative(SINCE)], SINCE)
          .optional()
          .describe('"new" (default): since your last read; or a byte offset'),
        stream: z.enum(['stdout', 'stderr', 'both']).optional().describe('default both'),
        ...readArgs,
      },
      outputSchema,
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
