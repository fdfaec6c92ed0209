/** background_restart: `corral restart` for agents — the same task (id, name, log) run anew. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { isFinal } from '../../../machines/task.types.js';
import type { McpContext } from '../context.js';
import { toolError } from '../errors.js';
import { taskLabel } from '../../text.js';
import { statusText } from '../format.js';
import { taskArg, type Extra } from './shared.js';
import { registerTool } from './register.js';

const DESCRIPTION = `Restart a task (a running one is stopped first: whole tree, stop signal, grace). Same id, logs; returns the new pid.`;

export function registerRestart(server: McpServer, ctx: McpContext): void {
  registerTool(
    server,
    'background_restart',
    {
      description: DESCRIPTION,
      inputSchema: { id: taskArg() },
      dataSchema: { id: z.string(), status: z.string(), pid: z.number().nullable(), previous_pid: z.number().nullable(), restarts: z.number() },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        const { before, after } = await ctx.withApi(async (api) => {
          const before = await api.get(args.id);
          return { before, after: await api.restart(before.id) };
        }, extra.signal);
        const previousPid = isFinal(before.status) ? null : before.pid;
        const was = previousPid !== null ? `was pid ${previousPid}` : `was ${statusText(before)}`;
        const text = `${taskLabel(after)} restarted: ${statusText(after)} (${was})`;
        return {
          content: [{ type: 'text', text }],
          structuredContent: { id: after.id, status: after.status, pid: after.pid, previous_pid: previousPid, restarts: after.restarts },
        };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
