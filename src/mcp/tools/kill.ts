/** background_kill: stops whole process trees and says how each ended. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { TaskView } from '../../api.js';
import type { McpContext } from '../context.js';
import { argumentError, toolError } from '../errors.js';
import { normalizeStop } from '../../config/control.js';
import { taskLabel } from '../../text.js';
import { statusText } from '../format.js';
import { tasksArg, durationArg, taskSummary, taskSummarySchema, type Extra } from './shared.js';
import { registerTool } from './register.js';

const DESCRIPTION = `Stop tasks, whole process trees: signal, SIGKILL after grace (default 5s); returns once none is left. Give id, env (dependents first) or all: true.`;

export function registerKill(server: McpServer, ctx: McpContext): void {
  registerTool(
    server,
    'background_kill',
    {
      description: DESCRIPTION,
      inputSchema: {
        id: tasksArg().optional(),
        env: z.string().optional().describe('environment'),
        all: z.boolean().optional().describe('every live task'),
        signal: z.string().optional().describe('e.g. SIGINT'),
        grace: durationArg('before SIGKILL').optional(),
      },
      dataSchema: { tasks: z.array(taskSummarySchema) },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        const ids = args.id === undefined ? [] : Array.isArray(args.id) ? args.id : [args.id];
        const targets = [ids.length > 0, args.env !== undefined, args.all === true].filter(Boolean).length;
        if (targets !== 1) throw argumentError('id', 'give exactly one of id, env or all: true');
        if (args.all === false) throw argumentError('all', 'only true means something here');
        normalizeStop(args);
        const options = {
          ...(args.signal !== undefined ? { signal: args.signal } : {}),
          ...(args.grace !== undefined ? { grace: args.grace } : {}),
        };
        const stopped: TaskView[] = await ctx.withApi(
          (api) => (args.env !== undefined ? api.down(args.env, options) : api.kill({ ...(args.all ? { all: true } : { refs: ids }), ...options })),
          extra.signal,
        );
        const text =
          stopped.length === 0
            ? 'nothing to stop: no live task'
            : `${stopped.map((t) => `${taskLabel(t)}: ${statusText(t)}`).join('\n')}\nno process of ${stopped.length === 1 ? 'it' : 'them'} is left`;
        return { content: [{ type: 'text', text }], structuredContent: { tasks: stopped.map(taskSummary) } };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
