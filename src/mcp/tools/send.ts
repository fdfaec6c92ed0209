/** background_send: `corral send` for agents — answer a prompt (`Proceed? [y/N]`) instead of hanging. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { McpContext } from '../context.js';
import { toolError } from '../errors.js';
import { taskLabel } from '../../text.js';
import { taskArg, type Extra } from './shared.js';
import { registerTool } from './register.js';

const DESCRIPTION = `Answer a prompt (Proceed? [y/N]): writes text and a newline to the stdin of a task spawned with stdin: true.`;

export function registerSend(server: McpServer, ctx: McpContext): void {
  registerTool(
    server,
    'background_send',
    {
      description: DESCRIPTION,
      inputSchema: { id: taskArg(), text: z.string().optional().describe('a line'), eof: z.boolean().optional().describe('then end input') },
      dataSchema: { id: z.string(), bytes: z.number(), eof: z.boolean() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        const r = await ctx.withApi((api) => api.send({ ref: args.id, ...(args.text !== undefined ? { text: args.text } : {}), ...(args.eof ? { eof: true } : {}) }), extra.signal);
        const text = `${taskLabel(r.task)}: ${r.bytes} bytes sent${r.eof ? ', input ended' : ''}`;
        return { content: [{ type: 'text', text }], structuredContent: { id: r.task.id, bytes: r.bytes, eof: r.eof } };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
