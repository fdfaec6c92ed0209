/**
 * How every tool is registered. A reply is text, the readable summary a model reads; the
 * same facts as data go in `_meta["corral/data"]`, for programs. Claude Code, Codex and
 * other clients hand the model `structuredContent` instead of the text whenever a reply
 * has it, so a reply with both would hide from the model the very output its text shows;
 * and the output schemas that structured content needs were a third of the tool list.
 * Each tool's data is still checked against its schema, so a reply cannot drift from it.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type CallToolResult, ListToolsRequestSchema, type Tool, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z, type ZodRawShape } from 'zod';
import { toolError } from '../errors.js';
import type { Extra } from './shared.js';

/** The key of a reply's data in its `_meta`. */
export const DATA_KEY = 'corral/data';

/** What a tool's handler returns: the text, and its data as `structuredContent`, which becomes `_meta[DATA_KEY]`. */
type Reply = CallToolResult;

interface ToolDefinition<Args extends ZodRawShape> {
  description: string;
  inputSchema: Args;
  /** The shape of the reply's data. */
  dataSchema: ZodRawShape;
  annotations: ToolAnnotations;
}

/** What a client assumes of a tool that says nothing (the MCP spec's defaults): listing them again costs bytes only. */
const DEFAULT_HINTS: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };

/** The hints that differ from the defaults; destructive and idempotent mean something only for a tool that writes. */
function listedHints(hints: ToolAnnotations): ToolAnnotations {
  const keys = (Object.keys(hints) as (keyof ToolAnnotations)[]).filter((k) => hints[k] !== DEFAULT_HINTS[k] && !(hints.readOnlyHint && (k === 'destructiveHint' || k === 'idempotentHint')));
  return Object.fromEntries(keys.map((k) => [k, hints[k]]));
}

/** The tools of each server as they are listed, in the order they were registered. */
const listings = new WeakMap<McpServer, Tool[]>();

/**
 * Drops what a JSON Schema says without telling a model anything: the draft it is written in,
 * that the keys of a record are strings, and the safe-integer bounds zod gives every `int()`.
 */
function compactSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compactSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (key === 'propertyNames' && (value as { type?: unknown })?.type === 'string') continue;
    if ((key === 'maximum' || key === 'minimum') && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    out[key] = compactSchema(value);
  }
  return mergedTypes(out);
}

/** Keywords that constrain one JSON type only, and so mean the same in a schema that allows others too. */
const ONLY_FOR: Record<string, string> = { items: 'array', properties: 'object', required: 'object', additionalProperties: 'object' };

/**
 * `anyOf: [{type: string}, {type: array, items: …}]` as `{type: [string, array], items: …}`:
 * the same schema, shorter, when each branch is one type and its other keywords apply to
 * that type alone. Anything else (a `const`, an `enum`, two branches of one type) stays as it is.
 */
function mergedTypes(schema: Record<string, unknown>): Record<string, unknown> {
  const branches = schema.anyOf;
  if (!Array.isArray(branches) || branches.length < 2) return schema;
  const types: string[] = [];
  const merged: Record<string, unknown> = {};
  for (const branch of branches as Record<string, unknown>[]) {
    const type = branch.type;
    if (typeof type !== 'string' || types.includes(type)) return schema;
    types.push(type);
    for (const [key, value] of Object.entries(branch)) {
      if (key === 'type') continue;
      if (ONLY_FOR[key] !== type || key in merged || key in schema) return schema;
      merged[key] = value;
    }
  }
  const { anyOf: _, ...rest } = schema;
  return { ...rest, type: types, ...merged };
}

/**
 * Answers `tools/list` from our own listing: the SDK's adds fields every client assumes anyway
 * (the draft of each schema, that no tool runs as a task), and every byte of the list is in
 * a model's context on every turn. Call once, after every tool is registered.
 */
export function serveToolList(server: McpServer): void {
  const tools = listings.get(server) ?? [];
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
}

export function registerTool<Args extends ZodRawShape>(
  server: McpServer,
  name: string,
  tool: ToolDefinition<Args>,
  handler: (args: z.infer<z.ZodObject<Args>>, extra: Extra) => Promise<Reply>,
): void {
  const data = z.object(tool.dataSchema);
  const run = async (args: z.infer<z.ZodObject<Args>>, extra: Extra): Promise<CallToolResult> => {
    const { structuredContent, ...reply } = await handler(args, extra);
    if (structuredContent === undefined || reply.isError) return reply;
    const checked = data.safeParse(structuredContent);
    if (!checked.success) return toolError(new Error(`${name}: the reply's data does not have its documented shape (${checked.error.issues[0]?.path.join('.')}: ${checked.error.issues[0]?.message})`));
    return { ...reply, _meta: { ...reply._meta, [DATA_KEY]: structuredContent } };
  };
  const annotations = listedHints(tool.annotations);
  server.registerTool(name, { description: tool.description, inputSchema: tool.inputSchema, annotations }, run as never);
  const inputSchema = compactSchema(z.toJSONSchema(z.object(tool.inputSchema), { target: 'draft-7', io: 'input' })) as Tool['inputSchema'];
  const listing = listings.get(server) ?? [];
  listing.push({ name, description: tool.description, inputSchema, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) });
  listings.set(server, listing);
}
