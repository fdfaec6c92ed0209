/** background_remove: `corral rm` and `corral prune` for agents — forgets ended tasks, record and logs. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { TaskView } from '../../api.js';
import type { McpContext } from '../context.js';
import { argumentError, toolError } from '../errors.js';
import { taskLabel } from '../../text.js';
import { statusText } from '../format.js';
import type { Extra } from './shared.js';

const DESCRIPTION = `Forget ended tasks: their record and log files go, and their ids no longer answer. Give id (one task or a list) or ended: true (every ended task of this home). A request naming a task that is still running removes nothing: stop it first with background_kill.`;

export function registerRemove(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'background_remove',
    {
      title: 'Forget ended tasks',
      description: DESCRIPTION,
      inputSchema: {
        id: z.union([z.string(), z.array(z.string())]).optional().describe('task id, name or env/name, or a list of them'),
        ended: z.boolean().optional().describe('true: every ended task'),
      },
      outputSchema: { removed: z.array(z.string()) },
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
