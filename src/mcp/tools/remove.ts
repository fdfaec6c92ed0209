/** background_remove: `corral rm` and `corral prune` for agents — forgets ended tasks, record and logs. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { TaskView } from '../../api.js';
import type { McpContext } from '../context.js';
import { argumentError, toolError } from '../errors.js';
import { taskLabel } from '../../text.js';
import { statusText } from '../format.js';
import { tasksArg, type Extra } from './shared.js';
import { registerTool } from './register.js';

const DESCRIPTION = `Forget ended tasks, records and logs. Give id (one or a list) or ended: true; a running one stays: stop it first.`;

export function registerRemove(server: McpServer, ctx: McpContext): void {
  registerTool(
    server,
    'background_remove',
    {
      description: DESCRIPTION,
      inputSchema: {
        id: tasksArg().optional(),
        ended: z.boolean().optional().describe('every ended task'),
      },
      dataSchema: { removed: z.array(z.string()) },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async (args, extra: Extra) => {
      try {
        const ids = args.id === undefined ? [] : Array.isArray(args.id) ? args.id : [args.id];
        if (args.ended === false) throw argumentError('ended', 'only true means something here');
        if ((ids.length > 0) === (args.ended === true)) throw argumentError('id', 'give exactly one of id or ended: true');
        const removed: TaskView[] = await ctx.withApi((api) => (args.ended ? api.prune() : api.remove(ids)), extra.signal);
        const text = removed.length === 0 ? 'nothing to remove: no task has ended' : removed.map((t) => `removed ${taskLabel(t)} (${statusText(t)})`).join('\n');
        return { content: [{ type: 'text', text }], structuredContent: { removed: removed.map((t) => t.id) } };
      } catch (error) {
        return toolError(error);
      }
    },
  );
}
