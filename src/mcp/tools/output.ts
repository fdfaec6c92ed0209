/** background_output: a bounded page of a task's output, by default only what is new since this client's last look. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { isFinal } from '../../../machines/task.types.js';
import type { McpContext } from '../context.js';
import { normalizeRead } from '../../config/read.js';
import { argumentError, toolError } from '../errors.js';
import { pageText } from '../format.js';
import { readPage, type Page, type Position, type Stream, type StreamPage } from '../read.js';

const DEFAULT_MAX_BYTES = 16 * 1024;
const MAX_MAX_BYTES = 1024 * 1024;

const DESCRIPTION = `Read the output of a background task (started with background_spawn or background_orchestrate).

By default (since: "new") it returns only what the task wrote since your last background_output call for that task, and moves your read position past it: call it again later to see the next part, and no byte is returned twice. Your position is kept by the corral daemon for your MCP client, so it survives your restarts.
- since: a number reads from that byte offset instead (of each stream; give stream too when you follow one).
- tail: N returns the last N lines (your "new" position does not move; with since: "new" it is the last N lines of the new part).
- filter: a regex (JavaScript syntax) kept line by line, e.g. "error|warn"; the position still moves past lines that do not match.
- stream: "stdout", "stderr" or "both" (default).
- max_bytes (default 16384, at most 1048576): the page reads at most this many bytes in all; what it did not reach is said exactly, e.g. "[... 1.2 MB omitted; read from offset 4096 to see it]" — call again (since "new", or that offset) to continue.
Also returns the task's status and exit code, so it doubles as a status check. Colour codes are removed from the text.`;

function parseSince(value: string | number | undefined): { kind: 'new' } | { kind: 'offset'; offset: number } | undefined {
  if (value === undefined) return undefined;
  if (value === 'new') return { kind: 'new' };
  const offset = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(offset) || offset < 0) throw argumentError('since', `${JSON.stringify(value)} is not "new" or a byte offset (a whole number)`);
  return { kind: 'offset', offset };
}

function checkMaxBytes(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw argumentError('max_bytes', `${value} is not a positive whole number`);
  if (value > MAX_MAX_BYTES) throw argumentError('max_bytes', `${value} is over the limit of ${MAX_MAX_BYTES} bytes a page`);
  return value;
}

const perStream = () => z.object({ stdout: z.number().optional(), stderr: z.number().optional() });

const outputSchema = {
  id: z.string(),
  status: z.string(),
  exit_code: z.number().nullable(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  from: perStream().describe('offset of the first byte read, per stream'),
  next: perStream().describe('offset to read from next time, per stream'),
  size: perStream().describe('size of the log so far, per stream'),
  omitted: perStream().describe('bytes of the asked range this page did not return, per stream'),
  notes: z
    .object({ stdout: z.string().optional(), stderr: z.string().optional() })
    .optional()
    .describe('why a stream returned nothing when that is not just "no output": an offset past the end, a deleted log file'),
  at: z.string(),
};

function pageStructured(page: Page) {
  const data: Partial<Record<Stream, string>> = {};
  const from: Partial<Record<Stream, number>> = {};
  const next: Partial<Record<Stream, number>> = {};
  const size: Partial<Record<Stream, number>> = {};
  const omitted: Partial<Record<Stream, number>> = {};
  const notes: Partial<Record<Stream, string>> = {};
  for (const [stream, p] of Object.entries(page.streams) as [Stream, StreamPage][]) {
    data[stream] = p.data;
    from[stream] = p.from;
    next[stream] = p.next;
    size[stream] = p.size;
    omitted[stream] = p.omitted;
    if (p.note) notes[stream] = p.note;
  }
  return {
    id: page.id,
    status: page.status,
    exit_code: page.exitCode,
    ...data,
    from,
    next,
    size,
    omitted,
    ...(Object.keys(notes).length > 0 ? { notes } : {}),
    at: page.at,
  };
}

export function registerOutput(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'background_output',
    {
      title: 'Read a background task’s output',
      description: DESCRIPTION,
      inputSchema: {
        id: z.string().describe('task id (bash_3), name, or env/name (dev/web)'),
        since: z.union([z.literal('new'), z.number(), z.string()]).optional().describe('"new" (default): what is new since your last read; or a byte offset'),
        stream: z.enum(['stdout', 'stderr', 'both']).optional().describe('default both'),
        filter: z.string().optional().describe('regex: only lines that match'),
        tail: z.number().optional().describe('the last N lines'),
        max_bytes: z.number().optional().describe('page size in bytes, default 16384'),
      },
      outputSchema,
      annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args, extra) => {
      try {
        const since = parseSince(args.since);
        const maxBytes = checkMaxBytes(args.max_bytes, DEFAULT_MAX_BYTES);
        // Checked as every read is, before the daemon is asked: the same mistakes, the same answers.
        normalizeRead({
          maxBytes,
          ...(args.filter !== undefined ? { filter: args.filter } : {}),
          ...(args.tail !== undefined ? { tail: args.tail } : {}),
          ...(since?.kind === 'offset' ? { offset: since.offset } : {}),
        });
        let position: Position;
        if (since?.kind === 'offset') position = since;
        else if (args.tail !== undefined && since === undefined) position = { kind: 'tail', lines: args.tail };
        else position = { kind: 'new', consumer: ctx.consumer(), ...(args.tail !== undefined ? { tail: args.tail } : {}) };
        const streams: Stream[] = args.stream === 'stdout' || args.stream === 'stderr' ? [args.stream] : ['stdout', 'stderr'];

        const page = await ctx.withApi(
          (api) => readPage(api, { ref: args.id, streams, position, filter: args.filter, maxBytes }),
          extra.signal,
        );
        const head = `${page.id} ${page.status}${
          isFinal(page.status) ? (page.exitCode !== null ? ` (exit ${page.exitCode})` : '') : ''
        }`;
        const text = `${head}\n${pageText(page, { filter: args.filter, newMode: position.kind === 'new' })}`;
        return { content: [{ type: 'text', text }], structuredContent: pageStructured(page) };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
